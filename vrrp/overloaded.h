#pragma once
// The usual std::visit helper: one lambda per alternative.

namespace tandem::vrrp {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace tandem::vrrp
