/* Plain C: definitions in K&R brace style and GNU style, static functions, main. */
#include <stdio.h>
#include <stdlib.h>
#include "telinject.h"
#line 4

struct point {
  int x, y;
};

static int square(int x) { TELINJECT_SPAN("square");
  return x * x;
}

int
gnu_style (struct point *p)
{ TELINJECT_SPAN("gnu_style");
  return square (p->x) + square (p->y);
}

int one_line(int x) { TELINJECT_SPAN("one_line"); return x + 1; }

void empty(void) {}

int declared_only(int x);

int main(void) { TELINJECT_SPAN("main");
  struct point p = {3, 4};
  printf("%d\n", gnu_style(&p));
  return EXIT_SUCCESS;
}
