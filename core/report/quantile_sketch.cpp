#include "quantile_sketch.h"

#include <algorithm>
#include <cmath>

namespace telinject::report {

namespace {
// gamma = (1 + a) / (1 - a): a value x > 0 goes to bucket ceil(log_gamma(x)), which covers
// (gamma^(i-1), gamma^i]; its representative 2 gamma^i / (gamma + 1) is within a of any x in it.
const double kGamma =
    (1 + QuantileSketch::kRelativeAccuracy) / (1 - QuantileSketch::kRelativeAccuracy);
const double kLogGamma = std::log(kGamma);
}  // namespace

int QuantileSketch::bucket_index(int64_t value) {
  return static_cast<int>(std::ceil(std::log(static_cast<double>(value)) / kLogGamma));
}

double QuantileSketch::bucket_value(int index) {
  return 2 * std::pow(kGamma, index) / (kGamma + 1);
}

void QuantileSketch::add(int64_t value) {
  if (value < 0) value = 0;
  min_ = count_ == 0 ? value : std::min(min_, value);
  max_ = count_ == 0 ? value : std::max(max_, value);
  ++count_;
  if (value == 0) {
    ++zeros_;
    return;
  }
  int index = bucket_index(value);
  if (buckets_.empty()) {
    first_index_ = index;
    buckets_.assign(1, 0);
  } else if (index < first_index_) {
    buckets_.insert(buckets_.begin(), static_cast<size_t>(first_index_ - index), 0);
    first_index_ = index;
  } else if (index >= first_index_ + static_cast<int>(buckets_.size())) {
    buckets_.resize(static_cast<size_t>(index - first_index_ + 1), 0);
  }
  ++buckets_[static_cast<size_t>(index - first_index_)];
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.count_ == 0) return;
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  zeros_ += other.zeros_;
  if (other.buckets_.empty()) return;
  if (buckets_.empty()) {
    buckets_ = other.buckets_;
    first_index_ = other.first_index_;
    return;
  }
  int first = std::min(first_index_, other.first_index_);
  int end = std::max(first_index_ + static_cast<int>(buckets_.size()),
                     other.first_index_ + static_cast<int>(other.buckets_.size()));
  std::vector<uint64_t> merged(static_cast<size_t>(end - first), 0);
  for (size_t i = 0; i < buckets_.size(); ++i)
    merged[static_cast<size_t>(first_index_ - first) + i] += buckets_[i];
  for (size_t i = 0; i < other.buckets_.size(); ++i)
    merged[static_cast<size_t>(other.first_index_ - first) + i] += other.buckets_[i];
  buckets_ = std::move(merged);
  first_index_ = first;
}

int64_t QuantileSketch::quantile(double q) const {
  if (count_ == 0) return 0;
  q = std::clamp(q, 0.0, 1.0);
  // Nearest rank: the smallest value with at least q of the values at or below it.
  auto nearest = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  uint64_t rank = nearest == 0 ? 0 : std::min(nearest, count_) - 1;
  if (rank == 0) return min_;
  if (rank == count_ - 1) return max_;
  if (rank < zeros_) return 0;
  uint64_t seen = zeros_;
  size_t i = 0;
  while (i + 1 < buckets_.size() && (seen += buckets_[i]) <= rank) ++i;
  int64_t value = std::llround(bucket_value(first_index_ + static_cast<int>(i)));
  return std::clamp(value, min_, max_);
}

}  // namespace telinject::report
