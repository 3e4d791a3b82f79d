#include <algorithm>
#include <vector>
#include "telinject.h"
#line 3

namespace util {

template <typename T>
T largest(const std::vector<T>& values) { TELINJECT_SPAN("util::largest");
  auto better = [](const T& a, const T& b) { TELINJECT_SPAN("util::largest::{lambda#1}"); return a < b; };
  auto last = [&]() { TELINJECT_SPAN("util::largest::{lambda#2}");
    auto inner = [](int x) { TELINJECT_SPAN("util::largest::{lambda#2}::{lambda#1}");
      return x;
    };
    return inner(1);
  };
  (void)last;
  return *std::max_element(values.begin(), values.end(), better);
}

template <typename T>
struct Box {
  T value;
  T get() const;
  constexpr T twice() const {
    auto f = [this] { return value + value; };
    return f();
  }
};

template <typename T>
T Box<T>::get() const { TELINJECT_SPAN("util::Box::get");
  return value;
}

template <>
int largest<int>(const std::vector<int>& values) { TELINJECT_SPAN("util::largest");
  return values.empty() ? 0 : values.front();
}

auto global_lambda = [](int x) { TELINJECT_SPAN("util::{lambda#1}"); return x * 2; };

}  // namespace util

int outside(int x) try {
  return x;
} catch (...) {
  return 0;
}
