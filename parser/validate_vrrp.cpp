// Checks of the VRRP side that need more than one statement: per instance combinations,
// references between blocks, and uniqueness across instances. Severity follows keepalived:
// what makes it drop an instance or a reference is an error; what it repairs and runs with is
// a warning that says what it does instead.
#include <cmath>
#include <map>
#include <set>

#include "parser/model.h"

namespace tandem::config {
namespace {

std::string line(const Location& where) { return "line " + std::to_string(where.line); }
std::string ipv(int family) { return "IPv" + std::to_string(family); }
std::string inst(const VrrpInstance& i) { return "vrrp_instance " + i.name; }

class VrrpValidator {
 public:
  VrrpValidator(const Config& config, Diagnostics& diags) : g_(config.global), v_(config.vrrp), d_(diags) {}

  void run() {
    uniqueNames();
    for (const VrrpScript& s : v_.scripts) script(s);
    for (const VrrpInstance& i : v_.instances) instance(i);
    syncGroups();
    vridConflicts();
    duplicateAddresses();
    unusedScripts();
    lvsSyncDaemon();
  }

 private:
  template <class Blocks>
  void uniqueNamesOf(const Blocks& blocks, const char* kind) {
    std::map<std::string, Location> seen;
    for (const auto& b : blocks) {
      if (b.name.empty()) continue;
      auto [it, fresh] = seen.emplace(b.name, b.meta.where);
      if (!fresh)
        d_.error(b.meta.where, std::string(kind) + " '" + b.name + "' is already defined at " + line(it->second));
    }
  }

  void uniqueNames() {
    uniqueNamesOf(v_.instances, "vrrp_instance");
    uniqueNamesOf(v_.sync_groups, "vrrp_sync_group");
    uniqueNamesOf(v_.scripts, "vrrp_script");
    uniqueNamesOf(v_.track_processes, "vrrp_track_process");
    uniqueNamesOf(v_.track_files, "track_file");
  }

  void script(const VrrpScript& s) {
    if (s.script.empty()) d_.warning(s.meta.where, "vrrp_script " + s.name + " has no 'script' to run and is ignored");
  }

  void instance(const VrrpInstance& i) {
    const BlockMeta& m = i.meta;
    if (!i.virtual_router_id)
      d_.error(m.where, inst(i) + " has no 'virtual_router_id'; set one in 1..255, the same on every router of the group");
    interfaceAndUnicast(i);
    addresses(i);
    versionAndTiming(i);
    preemption(i);
    authentication(i);
    ownerTracking(i);
    references(i);
  }

  void interfaceAndUnicast(const VrrpInstance& i) {
    const BlockMeta& m = i.meta;
    if (i.interface.empty()) {
      if (i.isUnicast()) {
        if (!i.unicast_src_ip)
          d_.error(m.where, inst(i) + " has 'unicast_peer' but neither 'interface' nor 'unicast_src_ip'; keepalived "
                                      "needs one of them to pick the advert source");
      } else if (g_.default_interface.empty()) {
        d_.error(m.where, inst(i) + " has no 'interface'; set one (or 'unicast_peer' with 'unicast_src_ip')");
      } else {
        d_.warning(m.where, inst(i) + " has no 'interface'; using default_interface " + g_.default_interface);
      }
    }
    const int family = i.family();
    for (const UnicastPeer& p : i.unicast_peer) {
      if (p.address.family != family)
        d_.error(p.where, "'unicast_peer' " + p.address.text() + " is " + ipv(p.address.family) + " but " + inst(i) +
                              " is " + ipv(family) + "; all peers must be of the instance's family");
    }
    auto sameFamily = [&](const std::optional<IpAddress>& a, const char* keyword) {
      if (a && a->family != family)
        d_.error(m.locationOf(keyword), std::string("'") + keyword + "' " + a->text() + " is " + ipv(a->family) +
                                            " but " + inst(i) + " is " + ipv(family));
    };
    sameFamily(i.unicast_src_ip, "unicast_src_ip");
    sameFamily(i.mcast_src_ip, "mcast_src_ip");
    sameFamily(i.mcast_dst_ip, "mcast_dst_ip");
    if (i.isUnicast() && !i.unicast_src_ip && !i.interface.empty())
      d_.warning(m.locationOf("unicast_peer"), "'unicast_peer' without 'unicast_src_ip': adverts to the peers are sent "
                                               "from the primary " + ipv(family) + " address of interface " +
                                                   i.interface + ", which the peers must list as their unicast_peer");
    if (i.unicast_ttl && !i.isUnicast())
      d_.warning(m.locationOf("unicast_ttl"), "'unicast_ttl' has no effect without 'unicast_peer'");
    if (i.isUnicast() && i.effectiveStrict(g_))
      d_.error(m.locationOf("unicast_peer"), "'unicast_peer' is not allowed in strict mode (vrrp_strict/strict_mode)");
  }

  void addresses(const VrrpInstance& i) {
    const BlockMeta& m = i.meta;
    if (!i.virtual_ipaddress.empty()) {
      const VirtualAddress& first = i.virtual_ipaddress.front();
      for (const VirtualAddress& a : i.virtual_ipaddress) {
        if (a.family() != first.family())
          d_.error(a.where, "'virtual_ipaddress' " + a.address.address.text() + " is " + ipv(a.family()) + " but " + inst(i) +
                                " is " + ipv(first.family()) + " (its first address, " + line(first.where) +
                                "); put addresses of the other family in 'virtual_ipaddress_excluded'");
      }
      if (i.native_ipv6 && first.family() == 4)
        d_.error(m.locationOf("native_ipv6"), "'native_ipv6' cannot be used with IPv4 virtual addresses");
      if (first.family() == 6 && !i.isUnicast() && !isLinkLocal(first.address.address))
        d_.warning(first.where, "the first IPv6 virtual address should be link-local (fe80::/10), as RFC 5798 "
                                "expects");
      if (i.virtual_ipaddress.size() > 255)
        d_.warning(m.locationOf("virtual_ipaddress"), inst(i) + " has " + std::to_string(i.virtual_ipaddress.size()) +
                                                          " virtual addresses; an advert carries at most 255, the "
                                                          "rest are handled like virtual_ipaddress_excluded");
    } else if (!i.no_virtual_ipaddress) {
      const bool required = i.effectiveVersion(g_) == 3 || i.effectiveStrict(g_);
      const std::string text = inst(i) + " has no 'virtual_ipaddress'";
      if (required)
        d_.error(m.where, text + "; VRRPv3 and strict mode need at least one (or say 'no_virtual_ipaddress')");
      else
        d_.warning(m.where, text + "; add at least one, or say 'no_virtual_ipaddress' if that is intended");
    }
  }

  static bool isLinkLocal(const IpAddress& a) { return a.family == 6 && a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80; }

  void versionAndTiming(const VrrpInstance& i) {
    const BlockMeta& m = i.meta;
    const int version = i.effectiveVersion(g_);
    if (i.version == 2 && i.family() == 6)
      d_.warning(m.locationOf("version"), "'version' 2 cannot carry IPv6 addresses; " + inst(i) + " uses VRRP version 3");
    const double seconds = i.advert_int;
    if (version == 2) {
      if (std::fabs(seconds - std::round(seconds)) > 1e-9)
        d_.warning(m.locationOf("advert_int"), "'advert_int' " + formatNumber(seconds) +
                                                   " is not a whole number of seconds, which VRRP version 2 requires; "
                                                   "rounded to " + std::to_string(i.advertIntervalCentis(g_) / 100) +
                                                   " (use 'version 3' for sub-second adverts)");
    } else {
      if (seconds > 40.95 + 1e-9)
        d_.error(m.locationOf("advert_int"), "'advert_int' " + formatNumber(seconds) +
                                                 " is out of range for VRRP version 3 (0.01..40.95)");
      else if (std::fabs(seconds * 100 - std::round(seconds * 100)) > 1e-6)
        d_.warning(m.locationOf("advert_int"), "'advert_int' " + formatNumber(seconds) +
                                                   " is not a multiple of 0.01 s; rounded to " +
                                                   formatNumber(i.advertIntervalCentis(g_) / 100.0));
    }
    if (i.authentication.meta.where.valid() && version == 3)
      d_.error(i.authentication.meta.where, "'authentication' is not supported by VRRP version 3; remove it or use "
                                            "'version 2'");
  }

  void preemption(const VrrpInstance& i) {
    const BlockMeta& m = i.meta;
    const bool master = i.initialState() == VrrpState::Master;
    if (i.nopreempt && i.effectivePriority() == 255)
      d_.warning(m.locationOf("nopreempt"), "'nopreempt' has no effect with priority 255: the address owner always "
                                            "takes over");
    else if (i.nopreempt && master)
      d_.warning(m.locationOf("nopreempt"), "'nopreempt' has no effect with 'state MASTER'; keepalived only honours it "
                                            "with 'state BACKUP'");
    if (i.preempt_delay > 0) {
      if (master)
        d_.warning(m.locationOf("preempt_delay"), "'preempt_delay' has no effect with 'state MASTER'; use 'state BACKUP'");
      else if (i.nopreempt)
        d_.warning(m.locationOf("preempt_delay"), "'preempt_delay' has no effect together with 'nopreempt'");
      else if (i.effectiveStrict(g_))
        d_.warning(m.locationOf("preempt_delay"), "'preempt_delay' is not allowed in strict mode and is ignored");
    }
    if (i.effectiveStrict(g_) && i.state && master != (i.effectivePriority() == 255))
      d_.warning(m.locationOf("state"), "in strict mode 'state MASTER' goes with priority 255 (the address owner) "
                                        "only; the state is derived from the priority instead");
  }

  void authentication(const VrrpInstance& i) {
    const VrrpAuthentication& a = i.authentication;
    if (!a.meta.where.valid()) return;
    if (a.auth_type == VrrpAuthType::None) {
      d_.error(a.meta.where, "'authentication' without 'auth_type' (PASS or AH)");
      return;
    }
    if (a.auth_pass.empty()) d_.error(a.meta.where, "'authentication' without 'auth_pass'");
    if (i.effectiveStrict(g_)) d_.error(a.meta.where, "'authentication' is not allowed in strict mode");
    if (a.auth_type == VrrpAuthType::Ah && i.family() == 6)
      d_.error(a.meta.locationOf("auth_type"), "'auth_type AH' cannot be used with IPv6");
    if (i.auth_hmac.meta.where.valid())
      d_.error(i.auth_hmac.meta.where, "'auth_hmac' and 'authentication' cannot be used together");
  }

  // The address owner's priority is fixed, and sync group members move together: keepalived
  // drops the weights of their trackers.
  void ownerTracking(const VrrpInstance& i) {
    if (i.effectivePriority() != 255) return;
    auto check = [&](const std::vector<TrackedRef>& refs, const char* keyword) {
      for (const TrackedRef& r : refs)
        if (r.weight && *r.weight != 0)
          d_.warning(r.where, std::string("'") + keyword + "' " + r.name + ": the weight is ignored because priority "
                                                                           "255 (address owner) cannot change");
    };
    check(i.track_interface, "track_interface");
    check(i.track_script, "track_script");
    check(i.track_file, "track_file");
    check(i.track_process, "track_process");
    check(i.track_bfd, "track_bfd");
  }

  template <class Blocks>
  static bool defined(const Blocks& blocks, const std::string& name) {
    for (const auto& b : blocks)
      if (b.name == name) return true;
    return false;
  }

  void references(const std::vector<TrackedRef>& scripts, const std::vector<TrackedRef>& files,
                  const std::vector<TrackedRef>& processes) {
    for (const TrackedRef& r : scripts) {
      if (!defined(v_.scripts, r.name))
        d_.error(r.where, "'track_script' names '" + r.name + "', which is not a defined vrrp_script");
      else
        usedScripts_.insert(r.name);
    }
    for (const TrackedRef& r : files)
      if (!defined(v_.track_files, r.name))
        d_.error(r.where, "'track_file' names '" + r.name + "', which is not a defined track_file");
    for (const TrackedRef& r : processes)
      if (!defined(v_.track_processes, r.name))
        d_.error(r.where, "'track_process' names '" + r.name + "', which is not a defined vrrp_track_process");
  }

  void references(const VrrpInstance& i) { references(i.track_script, i.track_file, i.track_process); }

  void syncGroups() {
    std::map<std::string, std::pair<const VrrpSyncGroup*, Location>> memberOf;
    for (const VrrpSyncGroup& g : v_.sync_groups) {
      references(g.track_script, g.track_file, g.track_process);
      const Location& where = g.groupWhere.valid() ? g.groupWhere : g.meta.where;
      if (g.group.empty()) {
        d_.warning(where, "vrrp_sync_group " + g.name + " has no members and is ignored");
        continue;
      }
      if (g.group.size() == 1)
        d_.warning(where, "vrrp_sync_group " + g.name + " has only one member, " + g.group[0] +
                              "; a sync group is meant to move several instances together");
      bool hasOwner = false;
      for (const std::string& name : g.group) {
        const VrrpInstance* member = v_.findInstance(name);
        if (!member) {
          d_.error(where, "vrrp_sync_group " + g.name + ": 'group' names '" + name +
                              "', which is not a defined vrrp_instance");
          continue;
        }
        hasOwner = hasOwner || member->effectivePriority() == 255;
        auto [it, fresh] = memberOf.emplace(name, std::make_pair(&g, where));
        if (!fresh && it->second.first != &g)
          d_.error(where, "vrrp_instance " + name + " is already in vrrp_sync_group " + it->second.first->name + " (" +
                              line(it->second.second) + "); an instance can be in one sync group only");
        if (!g.sync_group_tracking_weight && !g.global_tracking) memberTrackerWeights(*member, g);
      }
      if (hasOwner) {
        for (const auto* refs : {&g.track_interface, &g.track_script, &g.track_file, &g.track_process, &g.track_bfd})
          for (const TrackedRef& r : *refs)
            if (r.weight && *r.weight != 0)
              d_.warning(r.where, "vrrp_sync_group " + g.name + ": the weight of " + r.name +
                                      " is ignored because a member has priority 255");
      }
    }
  }

  void memberTrackerWeights(const VrrpInstance& i, const VrrpSyncGroup& g) {
    for (const auto* refs : {&i.track_interface, &i.track_script, &i.track_file, &i.track_process, &i.track_bfd})
      for (const TrackedRef& r : *refs)
        if (r.weight && *r.weight != 0)
          d_.warning(r.where, inst(i) + " is in vrrp_sync_group " + g.name + ": the weight of " + r.name +
                                  " is ignored unless the group sets 'sync_group_tracking_weight'");
  }

  // keepalived: the same VRID may not appear twice on one interface for one address family, unless
  // the instances talk to disjoint peers (unicast) or different multicast groups.
  void vridConflicts() {
    const auto& all = v_.instances;
    for (std::size_t a = 0; a < all.size(); ++a) {
      for (std::size_t b = a + 1; b < all.size(); ++b) {
        const VrrpInstance& x = all[a];
        const VrrpInstance& y = all[b];
        if (!x.virtual_router_id || x.virtual_router_id != y.virtual_router_id || x.family() != y.family()) continue;
        if (x.isUnicast() != y.isUnicast()) continue;
        const std::string ifx = x.effectiveInterface(g_), ify = y.effectiveInterface(g_);
        if (x.isUnicast()) {
          if (!ifx.empty() && !ify.empty() && ifx != ify) continue;
          if (!x.unicast_src_ip || !y.unicast_src_ip || !(*x.unicast_src_ip == *y.unicast_src_ip)) continue;
        } else {
          if (ifx != ify) continue;
          if (x.mcast_dst_ip.value_or(IpAddress{}) != y.mcast_dst_ip.value_or(IpAddress{})) continue;
        }
        d_.error(y.meta.locationOf("virtual_router_id"),
                 "'virtual_router_id' " + std::to_string(*y.virtual_router_id) + " of " + inst(y) + " is already used " +
                     "by " + inst(x) + " (" + line(x.meta.locationOf("virtual_router_id")) + ") on interface " +
                     (ifx.empty() ? std::string("(none)") : ifx) + " with " + ipv(x.family()) +
                     "; each instance on a link needs its own VRID");
      }
    }
  }

  void duplicateAddresses() {
    std::map<IpAddress, std::pair<const VrrpInstance*, Location>> owner;
    for (const VrrpInstance& i : v_.instances) {
      for (const auto* list : {&i.virtual_ipaddress, &i.virtual_ipaddress_excluded}) {
        for (const VirtualAddress& a : *list) {
          auto [it, fresh] = owner.emplace(a.address.address, std::make_pair(&i, a.where));
          if (fresh) continue;
          const VrrpInstance* first = it->second.first;
          d_.warning(a.where, "virtual address " + a.address.address.text() + " is also configured " +
                                  (first == &i ? std::string("in this instance") : "in " + inst(*first)) + " (" +
                                  line(it->second.second) + ")");
        }
      }
    }
  }

  void unusedScripts() {
    for (const VrrpScript& s : v_.scripts)
      if (!s.name.empty() && !usedScripts_.count(s.name))
        d_.warning(s.meta.where, "vrrp_script " + s.name + " is not used by any vrrp_instance or vrrp_sync_group");
  }

  void lvsSyncDaemon() {
    if (!g_.lvs_sync_daemon || g_.lvs_sync_daemon->vrrpInstance.empty()) return;
    if (!v_.findInstance(g_.lvs_sync_daemon->vrrpInstance))
      d_.error(g_.meta.locationOf("lvs_sync_daemon"), "'lvs_sync_daemon' names vrrp_instance '" +
                                                          g_.lvs_sync_daemon->vrrpInstance + "', which is not defined");
  }

  const GlobalDefs& g_;
  const VrrpSection& v_;
  Diagnostics& d_;
  std::set<std::string> usedScripts_;
};

}  // namespace

void validateVrrp(const Config& config, Diagnostics& diags) { VrrpValidator(config, diags).run(); }

}  // namespace tandem::config
