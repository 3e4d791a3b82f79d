#include <algorithm>
#include <vector>

namespace util {

template <typename T>
T largest(const std::vector<T>& values) {
  auto better = [](const T& a, const T& b) { return a < b; };
  auto last = [&]() {
    auto inner = [](int x) {
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
T Box<T>::get() const {
  return value;
}

template <>
int largest<int>(const std::vector<int>& values) {
  return values.empty() ? 0 : values.front();
}

auto global_lambda = [](int x) { return x * 2; };

}  // namespace util

int outside(int x) try {
  return x;
} catch (...) {
  return 0;
}
