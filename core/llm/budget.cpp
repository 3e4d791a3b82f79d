#include "llm/budget.h"

#include <algorithm>

namespace telinject::llm {

bool Budget::reserve(double worst_case_usd) {
  std::lock_guard lock(mutex_);
  if (limit_ > 0 && spent_ + reserved_ + worst_case_usd > limit_) {
    exhausted_ = true;
    return false;
  }
  reserved_ += worst_case_usd;
  return true;
}

void Budget::settle(double reserved_usd, double actual_usd) {
  std::lock_guard lock(mutex_);
  reserved_ = std::max(0.0, reserved_ - reserved_usd);
  spent_ += actual_usd;
}

double Budget::spent() const {
  std::lock_guard lock(mutex_);
  return spent_;
}

bool Budget::exhausted() const {
  std::lock_guard lock(mutex_);
  return exhausted_;
}

}  // namespace telinject::llm
