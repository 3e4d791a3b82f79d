// A header: parsed as C++; inline functions get the same span in every file that includes it.
#ifndef HEADER_H
#define HEADER_H

#include <stddef.h>
#include "telinject.h"
#line 6

#ifdef __cplusplus
extern "C" {
#endif

static inline size_t clamp(size_t value, size_t limit) { TELINJECT_SPAN("clamp");
  return value < limit ? value : limit;
}

size_t declared(size_t value);

#ifdef __cplusplus
}
#endif

#endif
