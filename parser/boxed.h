// Boxed<T>: an optional value that lives on the heap, so an unset one costs a pointer.
//
// For the rarely set fields of the blocks a large configuration holds by the thousand (virtual servers, real servers,
// their checkers): a std::optional carries its value's full size in every block, set or not, and the model's size is
// what a short run such as `tandemd -t` pays for most (bench/README.md). Copies are deep, as an optional's are.
#pragma once

#include <memory>
#include <optional>
#include <utility>

namespace tandem::config {

template <class T>
class Boxed {
 public:
  using value_type = T;

  Boxed() = default;
  Boxed(std::nullopt_t) {}
  Boxed(T value) : value_(std::make_unique<T>(std::move(value))) {}
  Boxed(const Boxed& other) : value_(other.value_ ? std::make_unique<T>(*other.value_) : nullptr) {}
  Boxed(Boxed&&) noexcept = default;
  Boxed& operator=(const Boxed& other) {
    if (this != &other) value_ = other.value_ ? std::make_unique<T>(*other.value_) : nullptr;
    return *this;
  }
  Boxed& operator=(Boxed&&) noexcept = default;
  Boxed& operator=(T value) {
    if (value_) *value_ = std::move(value);
    else value_ = std::make_unique<T>(std::move(value));
    return *this;
  }

  bool has_value() const { return value_ != nullptr; }
  explicit operator bool() const { return has_value(); }
  const T& operator*() const { return *value_; }
  T& operator*() { return *value_; }
  const T* operator->() const { return value_.get(); }
  T* operator->() { return value_.get(); }
  T value_or(T fallback) const { return value_ ? *value_ : std::move(fallback); }
  // The value, or a default-made T when unset: for readers that treat "unset" as "empty".
  const T& valueOrDefault() const {
    static const T empty{};
    return value_ ? *value_ : empty;
  }
  T& emplace() {
    value_ = std::make_unique<T>();
    return *value_;
  }
  void reset() { value_.reset(); }

  friend bool operator==(const Boxed& a, const Boxed& b) {
    return a.has_value() == b.has_value() && (!a.has_value() || *a == *b);
  }

 private:
  std::unique_ptr<T> value_;
};

}  // namespace tandem::config
