#pragma once
// An IPv4 or IPv6 address as raw network-order bytes: what the wire carries and what elections compare.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tandem::vrrp {

enum class Family : std::uint8_t { Ipv4, Ipv6 };

class IpAddress {
 public:
  IpAddress() = default;
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(const std::array<std::uint8_t, 16>& bytes);
  static IpAddress fromBytes(Family family, std::span<const std::uint8_t> bytes);
  // Dotted quad or RFC 5952 text; nullopt when it is neither.
  static std::optional<IpAddress> parse(std::string_view text);

  Family family() const { return family_; }
  std::size_t size() const { return family_ == Family::Ipv4 ? 4 : 16; }
  std::span<const std::uint8_t> bytes() const { return {bytes_.data(), size()}; }
  std::string toString() const;

  // Same family: numeric order, which is the order RFC 5798 uses to break priority ties.
  // IPv4 sorts before IPv6 so that the order is total.
  friend std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b);
  friend bool operator==(const IpAddress& a, const IpAddress& b) { return (a <=> b) == 0; }

 private:
  Family family_ = Family::Ipv4;
  std::array<std::uint8_t, 16> bytes_{};
};

std::size_t addressSize(Family family);

}  // namespace tandem::vrrp
