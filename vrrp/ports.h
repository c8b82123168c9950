#pragma once
// The edges of the VRRP engine: what it needs from the system, as interfaces. The Linux adapters
// (vrrp/linux/) implement them with raw sockets, AF_PACKET and netlink; tests use fakes.
// Everything here is called from the one event-loop thread.
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vrrp/ip_address.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {

using MacAddress = std::array<std::uint8_t, 6>;

struct InterfaceInfo {
  int ifindex = 0;
  std::string name;
  MacAddress mac{};
  bool up = false;                        // IFF_UP and IFF_RUNNING
  std::optional<IpAddress> primaryIpv4;   // first non-secondary IPv4 address: adverts' source and tie-breaker
  std::optional<IpAddress> linkLocalIpv6; // IPv6 adverts must come from the link-local address
};

// Looks interfaces up and reports their changes (link up/down, addresses) as they happen.
class InterfacePort {
 public:
  virtual ~InterfacePort() = default;
  virtual std::optional<InterfaceInfo> find(const std::string& name) = 0;
  virtual std::optional<InterfaceInfo> find(int ifindex) = 0;
  // Called with the interface's new state on every link or address change.
  virtual void watch(std::function<void(const InterfaceInfo&)> onChange) = 0;
};

// A received VRRP (or AH) packet. IPv4: the whole packet as read from the raw socket (AH covers the
// header); IPv6: the VRRP message, with source, destination and hop limit from ancillary data.
struct ReceivedPacket {
  Family family = Family::Ipv4;
  std::span<const std::uint8_t> bytes;
  ReceiveMeta meta;
};

// One raw socket per (interface, family), shared by every instance on that link: it joins the
// multicast group, receives protocol 112 (and 51 for AH) and sends with TTL/hop limit 255.
class AdvertChannel {
 public:
  virtual ~AdvertChannel() = default;
  // IPv4: a whole packet from encodeIpv4Packet (IP_HDRINCL); IPv6: the message from encodeAdvert.
  // Returns false (and the adapter logs why) when the kernel refused it.
  virtual bool send(std::span<const std::uint8_t> packet, const IpAddress& destination) = 0;
};

struct ChannelSpec {
  std::string interface;
  Family family = Family::Ipv4;
  IpAddress multicastGroup;              // 224.0.0.18 / ff02::12 unless configured
  std::vector<IpAddress> unicastPeers;   // empty: multicast
  std::optional<IpAddress> sourceAddress; // unicast_src_ip / mcast_src_ip
  int unicastTtl = 255;
};

class ChannelFactory {
 public:
  virtual ~ChannelFactory() = default;
  // Opens (or shares) the channel; `onPacket` gets every packet received on it. nullptr on failure,
  // with the reason in `error`.
  virtual std::shared_ptr<AdvertChannel> open(const ChannelSpec& spec, std::function<void(const ReceivedPacket&)> onPacket,
                                              std::string& error) = 0;
};

// A VIP as keepalived's virtual_ipaddress line describes it.
struct VirtualAddress {
  IpAddress address;
  int prefixLength = -1;  // -1: /32 or /128
  std::string device;     // empty: the instance's interface
  std::optional<IpAddress> broadcast;
  std::string scope;      // "global" when empty
  std::string label;
  bool operator==(const VirtualAddress&) const = default;
};

// Binds and releases addresses (libnl-route); idempotent: adding a present address or removing an
// absent one succeeds. Returns false with a reason in `error` otherwise.
class AddressPort {
 public:
  virtual ~AddressPort() = default;
  virtual bool add(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) = 0;
  virtual bool remove(const VirtualAddress& vip, const std::string& defaultDevice, std::string& error) = 0;
  virtual bool present(const VirtualAddress& vip, const std::string& defaultDevice) = 0;
};

// Gratuitous ARP for an IPv4 VIP, unsolicited neighbour advertisement for an IPv6 one, sent once
// from the interface's MAC (AF_PACKET).
class GratuitousPort {
 public:
  virtual ~GratuitousPort() = default;
  virtual bool announce(const InterfaceInfo& interface, const IpAddress& vip, std::string& error) = 0;
};

// Runs notify and track scripts without blocking the loop; kills the whole process group at the
// timeout. `done` gets the exit status (0..255), or -1 when it was killed or could not start.
class ScriptPort {
 public:
  virtual ~ScriptPort() = default;
  virtual void run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const std::string& user,
                   std::function<void(int status)> done) = 0;
};

// One-shot timers on the loop's monotonic clock.
class TimerPort {
 public:
  virtual ~TimerPort() = default;
  using Handle = std::uint64_t;
  virtual Handle arm(std::chrono::steady_clock::time_point at, std::function<void()> fire) = 0;
  // A routine timer, such as a MASTER's next advert: it may fire up to `early` before `at`, so that the timers of
  // many instances due about the same time wake the process once, and what they send may leave in one batch.
  // Firing exactly at `at` is always correct, which is what this default does.
  virtual Handle armRoutine(std::chrono::steady_clock::time_point at, std::chrono::steady_clock::duration early,
                            std::function<void()> fire) {
    (void)early;
    return arm(at, std::move(fire));
  }
  virtual void cancel(Handle handle) = 0;
  virtual std::chrono::steady_clock::time_point now() const = 0;
};

}  // namespace tandem::vrrp
