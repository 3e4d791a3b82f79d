// Budget: the dollars a run may spend on LLM calls. A call reserves its worst case (prompt
// tokens plus the full output limit at the model's price) before it is sent; the reservation is
// replaced by the real cost when the answer comes. Thread-safe.
#pragma once

#include <mutex>

namespace telinject::llm {

class Budget {
 public:
  /// `limit_usd` 0 means no limit.
  explicit Budget(double limit_usd) : limit_(limit_usd) {}

  /// Reserves `worst_case_usd`. False, with nothing reserved, when spent + reserved + worst
  /// case would exceed the limit; from then on exhausted() is true.
  bool reserve(double worst_case_usd);
  /// Replaces a reservation made by reserve() with what the call really cost (0 when it failed
  /// without being billed).
  void settle(double reserved_usd, double actual_usd);

  double spent() const;
  double limit() const { return limit_; }
  /// True once a call was refused.
  bool exhausted() const;

 private:
  const double limit_;
  mutable std::mutex mutex_;
  double spent_ = 0;
  double reserved_ = 0;
  bool exhausted_ = false;
};

}  // namespace telinject::llm
