#pragma once
// The IPVS table as Tandem reasons about it: virtual services and their destinations (real servers), keyed the way
// the kernel keys them. Both the kernel's current table (dumped by the netlink adapter) and the wanted table
// (configuration + health) are values of this type; ipvs::plan() diffs two of them.
#include <cstdint>
#include <map>
#include <tuple>
#include <optional>
#include <string>

#include "ipvs/address.h"

namespace tandem::ipvs {

enum class Protocol : std::uint8_t { Tcp, Udp, Sctp };

// protocol + address + port, or a firewall mark (+ family, since the kernel keeps separate IPv4 and IPv6 fwmark
// services). Build keys with the factories: they leave the unused fields zero so that equality is exact.
class ServiceKey {
 public:
  static ServiceKey tcp(const Address& address, std::uint16_t port);
  static ServiceKey udp(const Address& address, std::uint16_t port);
  static ServiceKey sctp(const Address& address, std::uint16_t port);
  static ServiceKey of(Protocol protocol, const Address& address, std::uint16_t port);
  static ServiceKey fwmark(std::uint32_t mark, Family family = Family::Ipv4);

  bool isFwmark() const { return mark_ != 0; }
  std::uint32_t mark() const { return mark_; }
  Family family() const { return address_.family; }
  Protocol protocol() const { return protocol_; }
  const Address& address() const { return address_; }
  std::uint16_t port() const { return port_; }

  // Address services first (by address, protocol, port), then fwmark services by mark.
  auto operator<=>(const ServiceKey& other) const {
    return std::tie(mark_, address_, protocol_, port_) <=> std::tie(other.mark_, other.address_, other.protocol_,
                                                                       other.port_);
  }
  bool operator==(const ServiceKey&) const = default;

 private:
  std::uint32_t mark_ = 0;
  Protocol protocol_ = Protocol::Tcp;
  Address address_;
  std::uint16_t port_ = 0;
};

// IP_VS_SVC_F_* bits exactly as the kernel uses them, so the netlink adapter copies them unchanged.
// sh-fallback/mh-fallback and sh-port/mh-port are the same bits: their meaning depends on the scheduler.
namespace svc_flag {
inline constexpr std::uint32_t kPersistent = 0x0001;
inline constexpr std::uint32_t kHashed = 0x0002;  // set by the kernel on every service; never compared
inline constexpr std::uint32_t kOnePacket = 0x0004;  // keepalived "ops"
inline constexpr std::uint32_t kSched1 = 0x0008;     // flag-1 = sh-fallback = mh-fallback
inline constexpr std::uint32_t kSched2 = 0x0010;     // flag-2 = sh-port = mh-port
inline constexpr std::uint32_t kSched3 = 0x0020;     // flag-3
inline constexpr std::uint32_t kShFallback = kSched1;
inline constexpr std::uint32_t kShPort = kSched2;
inline constexpr std::uint32_t kMhFallback = kSched1;
inline constexpr std::uint32_t kMhPort = kSched2;
}  // namespace svc_flag

// A virtual service's own attributes (its destinations live beside it in VirtualService).
struct Service {
  ServiceKey key;
  std::string scheduler = "wlc";  // rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos; keepalived's default
  std::uint32_t flags = 0;        // svc_flag bits
  std::uint32_t timeout = 0;      // persistence timeout in seconds; meaningful with kPersistent
  // persistence_granularity as a prefix length; nullopt means the whole address (/32 or /128), which is also what
  // the kernel reports when none was set.
  std::optional<std::uint8_t> netmaskPrefix;

  bool persistent() const { return (flags & svc_flag::kPersistent) != 0; }
  std::uint8_t effectivePrefix() const;
  // What the kernel would store: the comparison plan() uses to decide on an EditService.
  bool sameAttributes(const Service& other) const;
};

struct DestinationKey {
  Address address;
  std::uint16_t port = 0;
  auto operator<=>(const DestinationKey&) const = default;
};

// keepalived's lvs_method names: DR (ipvsadm -g), NAT (-m), TUN (-i).
enum class ForwardingMethod : std::uint8_t { Nat, Dr, Tun };

struct Destination {
  DestinationKey key;
  std::uint32_t weight = 1;
  ForwardingMethod method = ForwardingMethod::Nat;
  std::uint32_t upperThreshold = 0;  // uthreshold; 0 = none
  std::uint32_t lowerThreshold = 0;  // lthreshold; 0 = none

  bool sameAttributes(const Destination& other) const {
    return weight == other.weight && method == other.method && upperThreshold == other.upperThreshold &&
           lowerThreshold == other.lowerThreshold;
  }
};

struct VirtualService {
  Service service;
  std::map<DestinationKey, Destination> destinations;
};

// Sorted maps all the way down: iterating a Table is already the deterministic order plans are emitted in.
class Table {
 public:
  // Inserts or replaces the service's attributes; its destinations are kept.
  VirtualService& addService(const Service& service);
  // The service must have been added; inserts or replaces the destination.
  void addDestination(const ServiceKey& service, const Destination& destination);

  const VirtualService* find(const ServiceKey& key) const;
  bool contains(const ServiceKey& key) const { return find(key) != nullptr; }
  const std::map<ServiceKey, VirtualService>& services() const { return services_; }
  bool empty() const { return services_.empty(); }

  bool operator==(const Table& other) const;

 private:
  std::map<ServiceKey, VirtualService> services_;
};

// ipvsadm -L's names: "192.0.2.1:80", "[2001:db8::1]:53"; "TCP 192.0.2.1:80", "UDP [2001:db8::1]:53", "FWM 7",
// "FWM 7 IPv6".
std::string endpointText(const Address& address, std::uint16_t port);
std::string serviceName(const ServiceKey& key);
std::string destinationName(const DestinationKey& key);

}  // namespace tandem::ipvs
