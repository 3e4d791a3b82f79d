#include <string>
#include <stdexcept>
#include "telinject.h"
#line 3

namespace shapes {

class Shape {
 public:
  explicit Shape(std::string name) : name_(std::move(name)), area_(0) { TELINJECT_SPAN("shapes::Shape::Shape");
    check();
  }
  virtual ~Shape() { TELINJECT_SPAN("shapes::Shape::~Shape"); name_.clear(); }
  Shape(const Shape&) = default;
  virtual double area() const = 0;
  bool operator==(const Shape& other) const { TELINJECT_SPAN("shapes::Shape::operator=="); return name_ == other.name_; }
  Shape& operator+=(double extra) { TELINJECT_SPAN("shapes::Shape::operator+=");
    area_ += extra;
    return *this;
  }
  explicit operator bool() const { TELINJECT_SPAN("shapes::Shape::operator bool"); return !name_.empty(); }
  constexpr static int sides() { return 0; }
  void nothing() {}

 private:
  void check() const;
  std::string name_;
  double area_;
};

void Shape::check() const { TELINJECT_SPAN("shapes::Shape::check");
  if (name_.empty()) throw std::invalid_argument("name");
}

namespace detail {
struct Cache {
  int size() const noexcept { TELINJECT_SPAN("shapes::detail::Cache::size"); return 1; }
};
}  // namespace detail

}  // namespace shapes

namespace {
int helper(int x) { TELINJECT_SPAN("(anonymous namespace)::helper");
  return x;
}
}  // namespace

namespace a::b {
int nested() { TELINJECT_SPAN("a::b::nested");
  return helper(2);
}
}  // namespace a::b

int main() { TELINJECT_SPAN("main");
  return a::b::nested() - 2;
}
