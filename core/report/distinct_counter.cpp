#include "distinct_counter.h"

#include <bit>
#include <cmath>

namespace telinject::report {

namespace {
// splitmix64's finaliser: ids that are not random (hashed strings, counters) still spread over
// the registers.
uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}
}  // namespace

void DistinctCounter::add(uint64_t high, uint64_t low) {
  uint64_t hash = mix(high ^ mix(low));
  add_to_registers(hash);
  if (!exact_) return;
  // Two different ids share a 64-bit hash with a chance of ~n²/2⁶⁵: nil at kExactLimit.
  seen_.insert(hash);
  if (seen_.size() > kExactLimit) {
    exact_ = false;
    std::unordered_set<uint64_t>().swap(seen_);
  }
}

void DistinctCounter::add_to_registers(uint64_t hash) {
  size_t index = hash >> (64 - kRegisterBits);
  uint64_t rest = hash << kRegisterBits;
  auto rank = static_cast<uint8_t>(rest == 0 ? 64 - kRegisterBits + 1 : std::countl_zero(rest) + 1);
  if (rank > registers_[index]) registers_[index] = rank;
}

uint64_t DistinctCounter::count() const {
  if (exact_) return seen_.size();
  constexpr double m = 1 << kRegisterBits;
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  double estimate = 0.7213 / (1 + 1.079 / m) * m * m / sum;
  // Small ranges: linear counting is more accurate (Flajolet et al.).
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);
  return static_cast<uint64_t>(std::llround(estimate));
}

}  // namespace telinject::report
