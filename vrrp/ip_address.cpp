#include "vrrp/ip_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace tandem::vrrp {

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) {
  IpAddress a;
  a.family_ = Family::Ipv4;
  std::copy(bytes.begin(), bytes.end(), a.bytes_.begin());
  return a;
}

IpAddress IpAddress::v6(const std::array<std::uint8_t, 16>& bytes) {
  IpAddress a;
  a.family_ = Family::Ipv6;
  a.bytes_ = bytes;
  return a;
}

IpAddress IpAddress::fromBytes(Family family, std::span<const std::uint8_t> bytes) {
  IpAddress a;
  a.family_ = family;
  std::copy_n(bytes.begin(), std::min(bytes.size(), a.size()), a.bytes_.begin());
  return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  const std::string s(text);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes_.data()) == 1) {
    a.family_ = Family::Ipv4;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes_.data()) == 1) {
    a.family_ = Family::Ipv6;
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::toString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family_ == Family::Ipv4 ? AF_INET : AF_INET6, bytes_.data(), buf, sizeof buf);
  return buf;
}

std::strong_ordering operator<=>(const IpAddress& a, const IpAddress& b) {
  if (a.family_ != b.family_) return a.family_ <=> b.family_;
  const auto x = a.bytes();
  const auto y = b.bytes();
  return std::lexicographical_compare_three_way(x.begin(), x.end(), y.begin(), y.end());
}

std::size_t addressSize(Family family) { return family == Family::Ipv4 ? 4 : 16; }

}  // namespace tandem::vrrp
