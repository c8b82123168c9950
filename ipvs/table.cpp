#include "ipvs/table.h"

#include <stdexcept>

namespace tandem::ipvs {

ServiceKey ServiceKey::of(Protocol protocol, const Address& address, std::uint16_t port) {
  ServiceKey key;
  key.protocol_ = protocol;
  key.address_ = address;
  key.port_ = port;
  return key;
}

ServiceKey ServiceKey::tcp(const Address& address, std::uint16_t port) { return of(Protocol::Tcp, address, port); }
ServiceKey ServiceKey::udp(const Address& address, std::uint16_t port) { return of(Protocol::Udp, address, port); }
ServiceKey ServiceKey::sctp(const Address& address, std::uint16_t port) { return of(Protocol::Sctp, address, port); }

ServiceKey ServiceKey::fwmark(std::uint32_t mark, Family family) {
  if (mark == 0) {
    throw std::invalid_argument("fwmark 0 does not name a service");
  }
  ServiceKey key;
  key.mark_ = mark;
  key.address_.family = family;
  return key;
}

std::uint8_t Service::effectivePrefix() const {
  const std::uint8_t full = key.family() == Family::Ipv4 ? 32 : 128;
  return netmaskPrefix.value_or(full);
}

bool Service::sameAttributes(const Service& other) const {
  const std::uint32_t mine = flags & ~svc_flag::kHashed;
  const std::uint32_t theirs = other.flags & ~svc_flag::kHashed;
  if (scheduler != other.scheduler || mine != theirs) {
    return false;
  }
  // Timeout and granularity only mean something to a persistent service; the kernel may report leftovers otherwise.
  if (!persistent()) {
    return true;
  }
  return timeout == other.timeout && effectivePrefix() == other.effectivePrefix();
}

VirtualService& Table::addService(const Service& service) {
  auto& entry = services_[service.key];
  entry.service = service;
  return entry;
}

void Table::addDestination(const ServiceKey& service, const Destination& destination) {
  auto found = services_.find(service);
  if (found == services_.end()) {
    throw std::logic_error("destination added to a service the table does not hold");
  }
  found->second.destinations[destination.key] = destination;
}

const VirtualService* Table::find(const ServiceKey& key) const {
  auto found = services_.find(key);
  return found == services_.end() ? nullptr : &found->second;
}

bool Table::operator==(const Table& other) const {
  if (services_.size() != other.services_.size()) {
    return false;
  }
  for (const auto& [key, mine] : services_) {
    const VirtualService* theirs = other.find(key);
    if (theirs == nullptr || !mine.service.sameAttributes(theirs->service) ||
        mine.destinations.size() != theirs->destinations.size()) {
      return false;
    }
    for (const auto& [destKey, dest] : mine.destinations) {
      auto otherDest = theirs->destinations.find(destKey);
      if (otherDest == theirs->destinations.end() || !dest.sameAttributes(otherDest->second)) {
        return false;
      }
    }
  }
  return true;
}

std::string endpointText(const Address& address, std::uint16_t port) {
  const std::string text = address.toString();
  return (address.family == Family::Ipv6 ? "[" + text + "]" : text) + ":" + std::to_string(port);
}

std::string serviceName(const ServiceKey& key) {
  if (key.isFwmark()) return "FWM " + std::to_string(key.mark()) + (key.family() == Family::Ipv6 ? " IPv6" : "");
  const char* protocol = key.protocol() == Protocol::Tcp ? "TCP" : key.protocol() == Protocol::Udp ? "UDP" : "SCTP";
  return std::string(protocol) + " " + endpointText(key.address(), key.port());
}

std::string destinationName(const DestinationKey& key) { return endpointText(key.address, key.port); }

}  // namespace tandem::ipvs
