#include "ipvs/linux/ipvs_messages.h"

#include <arpa/inet.h>
#include <linux/ip_vs.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/msg.h>

#include <bit>
#include <cstring>

namespace tandem::ipvs::linux_ {
namespace {

int afOf(Family family) { return family == Family::Ipv4 ? AF_INET : AF_INET6; }

std::optional<Family> familyOf(int af) {
  if (af == AF_INET) return Family::Ipv4;
  if (af == AF_INET6) return Family::Ipv6;
  return std::nullopt;
}

int protocolNumber(Protocol protocol) {
  switch (protocol) {
    case Protocol::Tcp:
      return IPPROTO_TCP;
    case Protocol::Udp:
      return IPPROTO_UDP;
    case Protocol::Sctp:
      return IPPROTO_SCTP;
  }
  return IPPROTO_TCP;
}

std::optional<Protocol> protocolOf(int number) {
  if (number == IPPROTO_TCP) return Protocol::Tcp;
  if (number == IPPROTO_UDP) return Protocol::Udp;
  if (number == IPPROTO_SCTP) return Protocol::Sctp;
  return std::nullopt;
}

std::uint32_t methodFlag(ForwardingMethod method) {
  switch (method) {
    case ForwardingMethod::Nat:
      return IP_VS_CONN_F_MASQ;
    case ForwardingMethod::Dr:
      return IP_VS_CONN_F_DROUTE;
    case ForwardingMethod::Tun:
      return IP_VS_CONN_F_TUNNEL;
  }
  return IP_VS_CONN_F_MASQ;
}

ForwardingMethod methodOf(std::uint32_t flag) {
  switch (flag & IP_VS_CONN_F_FWD_MASK) {
    case IP_VS_CONN_F_DROUTE:
      return ForwardingMethod::Dr;
    case IP_VS_CONN_F_TUNNEL:
      return ForwardingMethod::Tun;
    default:
      // The kernel turns NAT to a local address into LOCALNODE; reporting it as NAT keeps plans stable.
      return ForwardingMethod::Nat;
  }
}

// The kernel carries every address in a union nf_inet_addr; IPv4 uses its first four bytes.
bool putAddress(nl_msg* message, int type, const Address& address) {
  std::uint8_t bytes[16] = {};
  std::memcpy(bytes, address.bytes.data(), address.size());
  return nla_put(message, type, sizeof bytes, bytes) == 0;
}

std::optional<Address> getAddress(const nlattr* attribute, Family family) {
  if (attribute == nullptr) return std::nullopt;
  Address address;
  address.family = family;
  if (nla_len(attribute) < static_cast<int>(address.size())) return std::nullopt;
  std::memcpy(address.bytes.data(), nla_data(attribute), address.size());
  return address;
}

// Unsigned integers of whatever width the attribute has: IPVS_*_ATTR_STATS mixes u32 and u64.
std::uint64_t getUnsigned(const nlattr* attribute) {
  if (attribute == nullptr) return 0;
  switch (nla_len(attribute)) {
    case 1:
      return nla_get_u8(attribute);
    case 2:
      return nla_get_u16(attribute);
    case 4:
      return nla_get_u32(attribute);
    case 8:
      return nla_get_u64(attribute);
    default:
      return 0;
  }
}

std::uint16_t getPort(const nlattr* attribute) {
  return attribute != nullptr && nla_len(attribute) >= 2 ? ntohs(nla_get_u16(attribute)) : 0;
}

void parseCounters(nlattr* stats64, nlattr* stats, Counters& out) {
  nlattr* source = stats64 != nullptr ? stats64 : stats;
  if (source == nullptr) return;
  nlattr* tb[IPVS_STATS_ATTR_MAX + 1] = {};
  if (nla_parse_nested(tb, IPVS_STATS_ATTR_MAX, source, nullptr) < 0) return;
  out.connections = getUnsigned(tb[IPVS_STATS_ATTR_CONNS]);
  out.inPackets = getUnsigned(tb[IPVS_STATS_ATTR_INPKTS]);
  out.outPackets = getUnsigned(tb[IPVS_STATS_ATTR_OUTPKTS]);
  out.inBytes = getUnsigned(tb[IPVS_STATS_ATTR_INBYTES]);
  out.outBytes = getUnsigned(tb[IPVS_STATS_ATTR_OUTBYTES]);
  out.connectionsPerSecond = getUnsigned(tb[IPVS_STATS_ATTR_CPS]);
  out.inPacketsPerSecond = getUnsigned(tb[IPVS_STATS_ATTR_INPPS]);
  out.outPacketsPerSecond = getUnsigned(tb[IPVS_STATS_ATTR_OUTPPS]);
  out.inBytesPerSecond = getUnsigned(tb[IPVS_STATS_ATTR_INBPS]);
  out.outBytesPerSecond = getUnsigned(tb[IPVS_STATS_ATTR_OUTBPS]);
}

}  // namespace

bool putService(nl_msg* message, const Service& service, bool full) {
  nlattr* nest = nla_nest_start(message, IPVS_CMD_ATTR_SERVICE);
  if (nest == nullptr) return false;
  const ServiceKey& key = service.key;
  bool ok = nla_put_u16(message, IPVS_SVC_ATTR_AF, static_cast<std::uint16_t>(afOf(key.family()))) == 0;
  if (key.isFwmark()) {
    ok = ok && nla_put_u32(message, IPVS_SVC_ATTR_FWMARK, key.mark()) == 0;
  } else {
    ok = ok && nla_put_u16(message, IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(protocolNumber(key.protocol()))) == 0;
    ok = ok && putAddress(message, IPVS_SVC_ATTR_ADDR, key.address());
    ok = ok && nla_put_u16(message, IPVS_SVC_ATTR_PORT, htons(key.port())) == 0;
  }
  if (full) {
    // The kernel keeps IP_VS_SVC_F_HASHED itself; a full mask makes the flags exactly ours on an edit too.
    const ip_vs_flags flags{service.flags & ~svc_flag::kHashed, ~0U};
    const std::uint8_t prefix = service.effectivePrefix();
    // The netmask is a network-order mask for IPv4 and a prefix length for IPv6.
    const std::uint32_t netmask =
        key.family() == Family::Ipv4 ? htonl(prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix)) : prefix;
    ok = ok && nla_put_string(message, IPVS_SVC_ATTR_SCHED_NAME, service.scheduler.c_str()) == 0;
    ok = ok && nla_put(message, IPVS_SVC_ATTR_FLAGS, sizeof flags, &flags) == 0;
    ok = ok && nla_put_u32(message, IPVS_SVC_ATTR_TIMEOUT, service.timeout) == 0;
    ok = ok && nla_put_u32(message, IPVS_SVC_ATTR_NETMASK, netmask) == 0;
  }
  nla_nest_end(message, nest);
  return ok;
}

bool putDestination(nl_msg* message, const Destination& destination, bool full) {
  nlattr* nest = nla_nest_start(message, IPVS_CMD_ATTR_DEST);
  if (nest == nullptr) return false;
  const Address& address = destination.key.address;
  bool ok = putAddress(message, IPVS_DEST_ATTR_ADDR, address);
  ok = ok && nla_put_u16(message, IPVS_DEST_ATTR_PORT, htons(destination.key.port)) == 0;
  // Lets a TUN destination have the other family than its service (Linux 4.2+); older kernels ignore it.
  ok = ok && nla_put_u16(message, IPVS_DEST_ATTR_ADDR_FAMILY, static_cast<std::uint16_t>(afOf(address.family))) == 0;
  if (full) {
    ok = ok && nla_put_u32(message, IPVS_DEST_ATTR_FWD_METHOD, methodFlag(destination.method)) == 0;
    ok = ok && nla_put_u32(message, IPVS_DEST_ATTR_WEIGHT, destination.weight) == 0;
    ok = ok && nla_put_u32(message, IPVS_DEST_ATTR_U_THRESH, destination.upperThreshold) == 0;
    ok = ok && nla_put_u32(message, IPVS_DEST_ATTR_L_THRESH, destination.lowerThreshold) == 0;
  }
  nla_nest_end(message, nest);
  return ok;
}

bool putSyncDaemon(nl_msg* message, const SyncDaemon& daemon, bool full) {
  nlattr* nest = nla_nest_start(message, IPVS_CMD_ATTR_DAEMON);
  if (nest == nullptr) return false;
  bool ok = nla_put_u32(message, IPVS_DAEMON_ATTR_STATE, static_cast<std::uint32_t>(daemon.state)) == 0;
  if (full) {
    ok = ok && nla_put_string(message, IPVS_DAEMON_ATTR_MCAST_IFN, daemon.interface.c_str()) == 0;
    ok = ok && nla_put_u32(message, IPVS_DAEMON_ATTR_SYNC_ID, daemon.syncId) == 0;
    if (daemon.maxLength != 0) ok = ok && nla_put_u16(message, IPVS_DAEMON_ATTR_SYNC_MAXLEN, daemon.maxLength) == 0;
    if (daemon.group) {
      const bool v4 = daemon.group->family == Family::Ipv4;
      ok = ok && nla_put(message, v4 ? IPVS_DAEMON_ATTR_MCAST_GROUP : IPVS_DAEMON_ATTR_MCAST_GROUP6,
                         static_cast<int>(daemon.group->size()), daemon.group->bytes.data()) == 0;
    }
    if (daemon.port != 0) ok = ok && nla_put_u16(message, IPVS_DAEMON_ATTR_MCAST_PORT, daemon.port) == 0;
    if (daemon.ttl != 0) ok = ok && nla_put_u8(message, IPVS_DAEMON_ATTR_MCAST_TTL, daemon.ttl) == 0;
  }
  nla_nest_end(message, nest);
  return ok;
}

std::optional<Service> parseService(nlattr* nested, Counters* stats) {
  nlattr* tb[IPVS_SVC_ATTR_MAX + 1] = {};
  if (nested == nullptr || nla_parse_nested(tb, IPVS_SVC_ATTR_MAX, nested, nullptr) < 0) return std::nullopt;
  const auto family = familyOf(static_cast<int>(getUnsigned(tb[IPVS_SVC_ATTR_AF])));
  if (!family) return std::nullopt;
  Service service;
  if (const auto mark = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_SVC_ATTR_FWMARK])); mark != 0) {
    service.key = ServiceKey::fwmark(mark, *family);
  } else {
    const auto protocol = protocolOf(static_cast<int>(getUnsigned(tb[IPVS_SVC_ATTR_PROTOCOL])));
    const auto address = getAddress(tb[IPVS_SVC_ATTR_ADDR], *family);
    if (!protocol || !address) return std::nullopt;
    service.key = ServiceKey::of(*protocol, *address, getPort(tb[IPVS_SVC_ATTR_PORT]));
  }
  if (tb[IPVS_SVC_ATTR_SCHED_NAME] != nullptr) service.scheduler = nla_get_string(tb[IPVS_SVC_ATTR_SCHED_NAME]);
  if (tb[IPVS_SVC_ATTR_FLAGS] != nullptr && nla_len(tb[IPVS_SVC_ATTR_FLAGS]) >= static_cast<int>(sizeof(ip_vs_flags))) {
    ip_vs_flags flags{};
    std::memcpy(&flags, nla_data(tb[IPVS_SVC_ATTR_FLAGS]), sizeof flags);
    service.flags = flags.flags & ~svc_flag::kHashed;
  }
  service.timeout = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_SVC_ATTR_TIMEOUT]));
  if (tb[IPVS_SVC_ATTR_NETMASK] != nullptr) {
    const auto raw = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_SVC_ATTR_NETMASK]));
    const int prefix = *family == Family::Ipv4 ? std::popcount(raw) : static_cast<int>(raw);
    const int full = *family == Family::Ipv4 ? 32 : 128;
    if (prefix != full) service.netmaskPrefix = static_cast<std::uint8_t>(prefix);
  }
  if (stats != nullptr) parseCounters(tb[IPVS_SVC_ATTR_STATS64], tb[IPVS_SVC_ATTR_STATS], *stats);
  return service;
}

std::optional<Destination> parseDestination(nlattr* nested, Family serviceFamily, DestinationStats* stats) {
  nlattr* tb[IPVS_DEST_ATTR_MAX + 1] = {};
  if (nested == nullptr || nla_parse_nested(tb, IPVS_DEST_ATTR_MAX, nested, nullptr) < 0) return std::nullopt;
  Family family = serviceFamily;
  if (tb[IPVS_DEST_ATTR_ADDR_FAMILY] != nullptr) {
    const auto reported = familyOf(static_cast<int>(getUnsigned(tb[IPVS_DEST_ATTR_ADDR_FAMILY])));
    if (!reported) return std::nullopt;
    family = *reported;
  }
  const auto address = getAddress(tb[IPVS_DEST_ATTR_ADDR], family);
  if (!address) return std::nullopt;
  Destination destination;
  destination.key = DestinationKey{*address, getPort(tb[IPVS_DEST_ATTR_PORT])};
  destination.method = methodOf(static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_FWD_METHOD])));
  destination.weight = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_WEIGHT]));
  destination.upperThreshold = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_U_THRESH]));
  destination.lowerThreshold = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_L_THRESH]));
  if (stats != nullptr) {
    stats->activeConnections = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_ACTIVE_CONNS]));
    stats->inactiveConnections = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_INACT_CONNS]));
    stats->persistentConnections = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DEST_ATTR_PERSIST_CONNS]));
    parseCounters(tb[IPVS_DEST_ATTR_STATS64], tb[IPVS_DEST_ATTR_STATS], stats->counters);
  }
  return destination;
}

std::optional<SyncDaemon> parseSyncDaemon(nlattr* nested) {
  nlattr* tb[IPVS_DAEMON_ATTR_MAX + 1] = {};
  if (nested == nullptr || nla_parse_nested(tb, IPVS_DAEMON_ATTR_MAX, nested, nullptr) < 0) return std::nullopt;
  SyncDaemon daemon;
  const auto state = getUnsigned(tb[IPVS_DAEMON_ATTR_STATE]);
  if (state != IP_VS_STATE_MASTER && state != IP_VS_STATE_BACKUP) return std::nullopt;
  daemon.state = static_cast<SyncState>(state);
  if (tb[IPVS_DAEMON_ATTR_MCAST_IFN] != nullptr) daemon.interface = nla_get_string(tb[IPVS_DAEMON_ATTR_MCAST_IFN]);
  daemon.syncId = static_cast<std::uint32_t>(getUnsigned(tb[IPVS_DAEMON_ATTR_SYNC_ID]));
  daemon.maxLength = static_cast<std::uint16_t>(getUnsigned(tb[IPVS_DAEMON_ATTR_SYNC_MAXLEN]));
  if (auto v4 = getAddress(tb[IPVS_DAEMON_ATTR_MCAST_GROUP], Family::Ipv4)) daemon.group = v4;
  if (auto v6 = getAddress(tb[IPVS_DAEMON_ATTR_MCAST_GROUP6], Family::Ipv6)) daemon.group = v6;
  daemon.port = static_cast<std::uint16_t>(getUnsigned(tb[IPVS_DAEMON_ATTR_MCAST_PORT]));
  daemon.ttl = static_cast<std::uint8_t>(getUnsigned(tb[IPVS_DAEMON_ATTR_MCAST_TTL]));
  return daemon;
}

}  // namespace tandem::ipvs::linux_
