#include "quantile_sketch.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using telinject::report::QuantileSketch;

namespace {
// The exact q-quantile by nearest rank: the value at 1-based position ceil(q * n).
int64_t exact_quantile(std::vector<int64_t> values, double q) {
  std::sort(values.begin(), values.end());
  auto position = static_cast<size_t>(std::ceil(q * static_cast<double>(values.size())));
  return values[position == 0 ? 0 : position - 1];
}

void check_bound(const QuantileSketch& sketch, const std::vector<int64_t>& values) {
  for (double q : {0.0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
    double exact = static_cast<double>(exact_quantile(values, q));
    double estimate = static_cast<double>(sketch.quantile(q));
    CAPTURE(q);
    CAPTURE(exact);
    // The sketch's bound, plus rounding to whole nanoseconds.
    CHECK(std::abs(estimate - exact) <= QuantileSketch::kRelativeAccuracy * exact + 0.5);
  }
}
}  // namespace

TEST_CASE("QuantileSketch: an empty sketch answers 0") {
  QuantileSketch sketch;
  CHECK(sketch.quantile(0.5) == 0);
  CHECK(sketch.count() == 0);
}

TEST_CASE("QuantileSketch: quantiles within 1% of the exact ones, over six decades") {
  std::mt19937_64 random(42);
  // Durations as profilers see them: log-normal, from ~100 ns to ~100 ms.
  std::lognormal_distribution<double> duration(std::log(50'000.0), 2.0);
  std::vector<int64_t> values;
  QuantileSketch sketch;
  for (int i = 0; i < 200'000; ++i) {
    auto value = static_cast<int64_t>(std::clamp(duration(random), 100.0, 1e11));
    values.push_back(value);
    sketch.add(value);
  }
  CHECK(sketch.count() == values.size());
  check_bound(sketch, values);
  // Memory does not grow with the count: buckets cover the range, ~115 per decade.
  CHECK(sketch.bucket_count() < 1200);
}

TEST_CASE("QuantileSketch: constant values, zeros and tiny sets") {
  QuantileSketch one;
  one.add(1234567);
  CHECK(one.quantile(0.5) == 1234567);  // clamped to the exact smallest and largest values
  CHECK(one.quantile(0) == 1234567);
  CHECK(one.quantile(1) == 1234567);
  QuantileSketch two;
  two.add(1000);
  two.add(5'000'000);
  CHECK(two.quantile(0) == 1000);
  CHECK(two.quantile(1) == 5'000'000);
  CHECK(two.quantile(0.5) == 1000);  // nearest rank: the first of two
  CHECK(two.quantile(0.99) == 5'000'000);

  QuantileSketch mixed;
  std::vector<int64_t> values = {0, 0, 0, 10'000, 20'000};
  for (auto v : values) mixed.add(v);
  CHECK(mixed.quantile(0.5) == 0);
  check_bound(mixed, values);
  mixed.add(-5);  // a negative duration counts as 0
  CHECK(mixed.count() == 6);
  CHECK(mixed.quantile(0) == 0);
}

TEST_CASE("QuantileSketch: merging equals adding everything to one sketch") {
  std::mt19937_64 random(7);
  std::uniform_int_distribution<int64_t> small(1'000, 9'000), large(1'000'000, 90'000'000);
  QuantileSketch left, right, all;
  std::vector<int64_t> values;
  for (int i = 0; i < 5'000; ++i) {
    int64_t a = small(random), b = large(random);
    left.add(a);
    right.add(b);
    all.add(a);
    all.add(b);
    values.push_back(a);
    values.push_back(b);
  }
  left.merge(right);
  CHECK(left.count() == all.count());
  for (double q : {0.1, 0.5, 0.9, 0.99}) CHECK(left.quantile(q) == all.quantile(q));
  check_bound(left, values);
}
