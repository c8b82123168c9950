#include "diagnose/plan.h"

#include "vrrp/config_mapping.h"

namespace tandem::diagnose {

Plan makePlan(const config::Config& config) {
  Plan plan;
  plan.instances = vrrp::mapVrrpConfig(config).instances;
  LvsRole& role = plan.lvs;
  for (const auto& vs : config.lvs.virtual_servers) {
    role.virtualServers = true;
    if (vs.persistence_timeout) role.persistence = true;
    const bool ipv6 = vs.kind == config::VirtualServerKind::Address ? vs.server.address.family == 6
                                                                     : vs.ip_family.value_or(4) == 6;
    if (vs.kind == config::VirtualServerKind::Address)
      role.serviceAddresses.push_back(vrrp::toVrrpAddress(vs.server.address));
    auto note = [&](const config::Forwarding& forwarding) {
      if (forwarding.method == config::LvsMethod::Dr) role.directRouting = true;
      if (forwarding.method == config::LvsMethod::Nat) {
        role.nat = true;
        if (ipv6) role.natIpv6 = true;
      }
    };
    if (vs.real_servers.empty()) note(config::effectiveForwarding(vs));
    for (const auto& rs : vs.real_servers) note(config::effectiveRealServer(vs, rs).forwarding);
  }
  return plan;
}

std::vector<PlacedVip> placedVips(const vrrp::InstanceConfig& instance) {
  std::vector<PlacedVip> out;
  for (const auto* list : {&instance.vips, &instance.excludedVips})
    for (const auto& vip : *list) out.push_back({vip.address, vip.device.empty() ? instance.interface : vip.device});
  return out;
}

std::string instanceSubject(const vrrp::InstanceConfig& instance) { return "instance " + instance.params.name; }

}  // namespace tandem::diagnose
