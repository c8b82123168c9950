#include "diagnose/interfaces.h"

#include <algorithm>
#include <set>

namespace tandem::diagnose {

bool holdsAddress(const InterfaceState& state, const vrrp::IpAddress& address) {
  return std::any_of(state.addresses.begin(), state.addresses.end(),
                     [&](const LocalAddress& a) { return a.address == address; });
}

bool holdsAddress(const InterfaceSnapshot& snapshot, const vrrp::IpAddress& address) {
  return std::any_of(snapshot.begin(), snapshot.end(), [&](const auto& entry) { return holdsAddress(entry.second, address); });
}

namespace {

bool samePrefix(const vrrp::IpAddress& a, const vrrp::IpAddress& b, int prefixLength) {
  if (a.family() != b.family()) return false;
  const auto x = a.bytes(), y = b.bytes();
  int bits = prefixLength;
  for (std::size_t i = 0; i < x.size() && bits > 0; ++i, bits -= 8) {
    const unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
    if ((x[i] & mask) != (y[i] & mask)) return false;
  }
  return true;
}

}  // namespace

bool onLink(const InterfaceState& state, const vrrp::IpAddress& address) {
  return std::any_of(state.addresses.begin(), state.addresses.end(),
                     [&](const LocalAddress& a) { return samePrefix(a.address, address, a.prefixLength); });
}

bool isIpv6LinkLocal(const vrrp::IpAddress& address) {
  return address.family() == vrrp::Family::Ipv6 && address.bytes()[0] == 0xfe && (address.bytes()[1] & 0xc0) == 0x80;
}

namespace {

// An address the instance can send from: IPv4 for IPv4 instances, link-local for IPv6; VIPs do not count, since
// they leave with mastership.
bool hasSourceAddress(const vrrp::InstanceConfig& instance, const InterfaceState& state) {
  std::set<vrrp::IpAddress> vips;
  for (const auto& vip : placedVips(instance)) vips.insert(vip.address);
  return std::any_of(state.addresses.begin(), state.addresses.end(), [&](const LocalAddress& a) {
    if (vips.count(a.address)) return false;
    if (instance.channel.family == vrrp::Family::Ipv4) return a.address.family() == vrrp::Family::Ipv4;
    return isIpv6LinkLocal(a.address);
  });
}

}  // namespace

std::vector<Finding> checkInterfaces(const Plan& plan, const InterfaceSnapshot& snapshot) {
  std::vector<Finding> out;
  std::set<std::string> reported;  // a VIP device shared by many lines is checked once
  for (const auto& instance : plan.instances) {
    const std::string& name = instance.interface;
    const std::string subject = "interface " + name + " (" + instance.params.name + ")";
    const auto found = snapshot.find(name);
    if (found == snapshot.end()) {
      out.push_back(fail(subject, "does not exist", "ip link show; correct 'interface' in " + instance.params.name));
      continue;
    }
    const InterfaceState& state = found->second;
    if (!state.adminUp) {
      out.push_back(fail(subject, "is down (administratively)", "ip link set " + name + " up"));
      continue;
    }
    if (!state.running) {
      out.push_back(fail(subject, "is up but has no carrier (cable, switch port or peer veth down)",
                         "ip link show " + name));
      continue;
    }
    const bool v4 = instance.channel.family == vrrp::Family::Ipv4;
    if (instance.channel.sourceAddress && !holdsAddress(state, *instance.channel.sourceAddress)) {
      out.push_back(fail(subject, "source address " + instance.channel.sourceAddress->toString() + " is not on it",
                         "ip address add " + instance.channel.sourceAddress->toString() + " dev " + name));
      continue;
    }
    if (!instance.channel.sourceAddress && !hasSourceAddress(instance, state)) {
      out.push_back(fail(subject,
                         v4 ? "has no IPv4 address besides the VIPs: VRRPv" +
                                  std::to_string(static_cast<int>(instance.params.version)) +
                                  " adverts need one as their source"
                            : "has no IPv6 link-local address: IPv6 adverts must come from one",
                         v4 ? "ip address add ADDRESS/PREFIX dev " + name
                            : "sysctl -w net.ipv6.conf." + name + ".addr_gen_mode=0; ip link set " + name +
                                  " down; ip link set " + name + " up"));
      continue;
    }
    out.push_back(ok(subject, std::string("exists, up, has ") + (v4 ? "an IPv4 address" : "a link-local address")));
    for (const auto& vip : placedVips(instance)) {
      if (vip.device == name || !reported.insert(vip.device).second) continue;
      if (!snapshot.count(vip.device))
        out.push_back(fail("interface " + vip.device + " (" + instance.params.name + " VIP " + vip.address.toString() + ")",
                           "does not exist", "ip link show; correct 'dev' on the virtual_ipaddress line"));
    }
  }
  return out;
}

}  // namespace tandem::diagnose
