#include "config.h"
#include "telinject.h"
#line 2

/* K&R definitions are left alone. */
int
add (a, b)
     int a;
     int b;
{
  return a + b;
}

/* telinject: ignore */
int quiet(void) {
  return 0;
}

int loud(void) {  // telinject: ignore
  return 1;
}

int counted(void) { TELINJECT_SPAN("counted");
  return 2;
}
