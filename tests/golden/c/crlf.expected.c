#include <string.h>
#include "telinject.h"
#line 2

size_t len(const char *s) { TELINJECT_SPAN("len");
  return strlen(s);
}
