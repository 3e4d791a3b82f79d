#include "telinject.h"
#line 1
int f(int x) { TELINJECT_SPAN("f");
  if (x > 0) {
    return x;
  }
  return -x;
}
