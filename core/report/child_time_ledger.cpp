#include "child_time_ledger.h"

namespace telinject::report {

void ChildTimeLedger::add_child(uint64_t parent, int64_t duration_ns) {
  if (auto it = newer_.find(parent); it != newer_.end()) {
    it->second += duration_ns;
    return;
  }
  if (auto it = older_.find(parent); it != older_.end()) {
    duration_ns += it->second;
    older_.erase(it);
  }
  if (newer_.size() >= generation_size_) {
    evicted_ += older_.size();
    older_.clear();
    older_.swap(newer_);
  }
  newer_.emplace(parent, duration_ns);
}

int64_t ChildTimeLedger::take(uint64_t span) {
  if (auto it = newer_.find(span); it != newer_.end()) {
    int64_t sum = it->second;
    newer_.erase(it);
    return sum;
  }
  if (auto it = older_.find(span); it != older_.end()) {
    int64_t sum = it->second;
    older_.erase(it);
    return sum;
  }
  return 0;
}

}  // namespace telinject::report
