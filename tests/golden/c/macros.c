#include <stddef.h>

#define MAX(a, b) ((a) > (b) ? (a) : (b))

#ifdef HAVE_FAST
static int pick(int a, int b) {
  return MAX(a, b);
}
#else
static int pick(int a, int b) {
  return a > b ? a : b;
}
#endif

int use(int a) {
  /* comment first */
  return pick(a, 0);
}
