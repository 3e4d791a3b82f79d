// ChildTimeLedger: for self time. Children end before their parents, so their records come
// first; the ledger holds, per parent span id not seen yet, the sum of its children's
// durations until the parent's own record takes it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

namespace telinject::report {

class ChildTimeLedger {
 public:
  /// At most 2 * generation_size parents are held (~40 bytes each). When the newer generation
  /// is full, the older one is evicted: a parent updated in neither of the last two
  /// generations loses its children's time (its self time then counts them). Entries that are
  /// waiting for a parent are refreshed into the newer generation at each child.
  explicit ChildTimeLedger(size_t generation_size = 1 << 18) : generation_size_(generation_size) {}

  /// A child of `parent` lasted `duration_ns`.
  void add_child(uint64_t parent, int64_t duration_ns);
  /// The children's time recorded for `span` (0 if none), forgotten afterwards.
  int64_t take(uint64_t span);
  /// Parents evicted before their record came.
  uint64_t evicted() const { return evicted_; }
  /// Parents still waiting (at the end of the input: parents never recorded, e.g. a remote
  /// parent from TRACEPARENT, or one the size cap or the rate limit left out).
  uint64_t waiting() const { return newer_.size() + older_.size(); }

 private:
  size_t generation_size_;
  std::unordered_map<uint64_t, int64_t> newer_, older_;
  uint64_t evicted_ = 0;
};

}  // namespace telinject::report
