// DistinctCounter: how many different 128-bit ids (trace ids) a stream holds, in constant
// memory: exact up to kExactLimit ids, then a HyperLogLog estimate (~1% standard error).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <unordered_set>

namespace telinject::report {

class DistinctCounter {
 public:
  static constexpr size_t kExactLimit = 1 << 16;

  void add(uint64_t high, uint64_t low);
  /// The number of distinct ids added; an estimate when !exact().
  uint64_t count() const;
  bool exact() const { return exact_; }

 private:
  static constexpr int kRegisterBits = 14;  // 16,384 one-byte registers: ~0.8% standard error
  void add_to_registers(uint64_t hash);

  bool exact_ = true;
  std::unordered_set<uint64_t> seen_;  // hashes, while exact_
  std::array<uint8_t, 1 << kRegisterBits> registers_{};
};

}  // namespace telinject::report
