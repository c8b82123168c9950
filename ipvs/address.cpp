#include "ipvs/address.h"

#include <arpa/inet.h>

#include <stdexcept>

namespace tandem::ipvs {

Address Address::v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  Address result;
  result.bytes[0] = a;
  result.bytes[1] = b;
  result.bytes[2] = c;
  result.bytes[3] = d;
  return result;
}

std::optional<Address> Address::parse(std::string_view text) {
  // inet_pton needs a terminated string; addresses are short, so a copy is cheap.
  const std::string terminated(text);
  Address result;
  if (inet_pton(AF_INET, terminated.c_str(), result.bytes.data()) == 1) {
    return result;
  }
  result.family = Family::Ipv6;
  if (inet_pton(AF_INET6, terminated.c_str(), result.bytes.data()) == 1) {
    return result;
  }
  return std::nullopt;
}

std::string Address::toString() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  const int af = family == Family::Ipv4 ? AF_INET : AF_INET6;
  // glibc's inet_ntop already follows RFC 5952 (lower case, longest zero run compressed).
  inet_ntop(af, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

Address address(std::string_view text) {
  auto parsed = Address::parse(text);
  if (!parsed) {
    throw std::invalid_argument("not an IP address: " + std::string(text));
  }
  return *parsed;
}

}  // namespace tandem::ipvs
