#include <stddef.h>
#include "telinject.h"
#line 2

#define MAX(a, b) ((a) > (b) ? (a) : (b))

#ifdef HAVE_FAST
static int pick(int a, int b) { TELINJECT_SPAN("pick");
  return MAX(a, b);
}
#else
static int pick(int a, int b) { TELINJECT_SPAN("pick");
  return a > b ? a : b;
}
#endif

int use(int a) { TELINJECT_SPAN("use");
  /* comment first */
  return pick(a, 0);
}
