#pragma once
// An IPv4 or IPv6 address as IPVS carries it: 16 network-order bytes plus the family (IPv4 uses the first 4).
// Kept here rather than shared with vrrp/ so that tandem_ipvs links nothing but the standard library.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tandem::ipvs {

enum class Family : std::uint8_t { Ipv4, Ipv6 };

struct Address {
  Family family = Family::Ipv4;
  std::array<std::uint8_t, 16> bytes{};

  static Address v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d);
  // Dotted quad or IPv6 text; nullopt when it is neither.
  static std::optional<Address> parse(std::string_view text);
  // Dotted quad, or RFC 5952 text for IPv6 (what ipvsadm prints inside brackets).
  std::string toString() const;
  std::size_t size() const { return family == Family::Ipv4 ? 4 : 16; }

  // IPv4 sorts before IPv6, then numeric order: the order plans are emitted in.
  auto operator<=>(const Address&) const = default;
};

// Builds an address from text known to be valid (tests, literals); throws std::invalid_argument otherwise.
Address address(std::string_view text);

}  // namespace tandem::ipvs
