// QuantileSketch: quantiles of a stream of durations in constant memory, with a bounded relative
// error (the DDSketch idea: logarithmic buckets, so every value in a bucket is within the
// sketch's relative accuracy of the bucket's representative value).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace telinject::report {

class QuantileSketch {
 public:
  /// Relative accuracy of quantile(): the answer is within 1% of the true rank-q value.
  static constexpr double kRelativeAccuracy = 0.01;

  /// Records one non-negative value (negative values count as 0).
  void add(int64_t value);
  /// Adds every value of `other` (sketches of the same accuracy merge exactly).
  void merge(const QuantileSketch& other);
  /// The q-quantile by nearest rank (the value at 1-based position ceil(q * count) in sorted
  /// order: p99 of 6 values is the largest, p50 the third), within kRelativeAccuracy of the
  /// true value and never outside the smallest and largest values added (so q = 0 and q = 1,
  /// and any q of a single value, are exact); 0 when empty. q is clamped to [0, 1].
  int64_t quantile(double q) const;
  uint64_t count() const { return count_; }
  /// Buckets in use (8 bytes each): at most ~2,200 for any int64 range (a few KB per sketch),
  /// usually a few hundred as durations rarely span more than a few decades.
  size_t bucket_count() const { return buckets_.size(); }

 private:
  static int bucket_index(int64_t value);
  static double bucket_value(int index);

  // buckets_[i] counts values whose index is first_index_ + i; values 0 are counted apart.
  std::vector<uint64_t> buckets_;
  int first_index_ = 0;
  uint64_t zeros_ = 0;
  uint64_t count_ = 0;
  int64_t min_ = 0, max_ = 0;  // exact, once count_ > 0
};

}  // namespace telinject::report
