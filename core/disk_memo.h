// DiskMemo: what one run has learned from the disk around the files it processes (which folder
// holds the nearest go.mod and what module it names...), so that each fact is looked up once
// per run rather than once per file and call. A batch run owns one and drops it at its end;
// the language server keeps none, so an edit to such a file shows in its next request.
#pragma once

#include <any>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

namespace telinject {

/// Values computed from the disk, remembered by key for the lifetime of the object.
/// Thread-safe. `compute` runs without the lock held (it may call `remember` for other keys),
/// so two threads may compute one key at once: the first value stored is the one every caller
/// gets. A key must say what it is for ("go.mod at or above " + folder): the memo is shared by
/// every language of the run.
class DiskMemo {
 public:
  template <class T, class Compute>
  T remember(const std::string& key, Compute&& compute) {
    {
      std::shared_lock lock(mutex_);
      auto found = values_.find(key);
      if (found != values_.end()) return std::any_cast<const T&>(found->second);
    }
    T value = compute();
    std::unique_lock lock(mutex_);
    auto [stored, _] = values_.emplace(key, std::move(value));
    return std::any_cast<const T&>(stored->second);
  }

 private:
  std::shared_mutex mutex_;
  std::unordered_map<std::string, std::any> values_;
};

}  // namespace telinject
