#include <string>
#include <stdexcept>

namespace shapes {

class Shape {
 public:
  explicit Shape(std::string name) : name_(std::move(name)), area_(0) {
    check();
  }
  virtual ~Shape() { name_.clear(); }
  Shape(const Shape&) = default;
  virtual double area() const = 0;
  bool operator==(const Shape& other) const { return name_ == other.name_; }
  Shape& operator+=(double extra) {
    area_ += extra;
    return *this;
  }
  explicit operator bool() const { return !name_.empty(); }
  constexpr static int sides() { return 0; }
  void nothing() {}

 private:
  void check() const;
  std::string name_;
  double area_;
};

void Shape::check() const {
  if (name_.empty()) throw std::invalid_argument("name");
}

namespace detail {
struct Cache {
  int size() const noexcept { return 1; }
};
}  // namespace detail

}  // namespace shapes

namespace {
int helper(int x) {
  return x;
}
}  // namespace

namespace a::b {
int nested() {
  return helper(2);
}
}  // namespace a::b

int main() {
  return a::b::nested() - 2;
}
