/* Plain C: definitions in K&R brace style and GNU style, static functions, main. */
#include <stdio.h>
#include <stdlib.h>

struct point {
  int x, y;
};

static int square(int x) {
  return x * x;
}

int
gnu_style (struct point *p)
{
  return square (p->x) + square (p->y);
}

int one_line(int x) { return x + 1; }

void empty(void) {}

int declared_only(int x);

int main(void) {
  struct point p = {3, 4};
  printf("%d\n", gnu_style(&p));
  return EXIT_SUCCESS;
}
