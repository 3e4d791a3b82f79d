#include "allocator.h"

#include <cstdlib>
#include <memory>

#ifdef TELINJECT_WITH_MIMALLOC
#include <mimalloc.h>
#endif

namespace telinject {

std::string allocator_description() {
#ifdef TELINJECT_WITH_MIMALLOC
  int version = mi_version();  // e.g. 209
  std::string name = "mimalloc " + std::to_string(version / 100) + "." +
                     std::to_string(version / 10 % 10) + "." + std::to_string(version % 10);
  // Proof rather than assumption: a block from plain malloc lies in mimalloc's heap only if the
  // override took effect.
  std::unique_ptr<void, decltype(&std::free)> probe(std::malloc(64), &std::free);
  if (!mi_is_in_heap_region(probe.get())) name += " (linked, not serving malloc)";
  return name;
#else
  return "the system's malloc";
#endif
}

}  // namespace telinject
