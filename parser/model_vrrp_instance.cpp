// The vrrp_instance keyword table and the effective values keepalived derives for an instance.
#include <algorithm>
#include <array>
#include <cmath>

#include "parser/model.h"
#include "parser/model_vrrp_keywords.h"

namespace tandem::config {
namespace {

using I = VrrpInstance;
using namespace vrrp_keywords;

Schema<VrrpAuthentication> makeAuthenticationSchema() {
  using A = VrrpAuthentication;
  std::vector<Keyword<A>> k = {
      enumField("auth_type", &A::auth_type, EnumTable<VrrpAuthType>{{"PASS", VrrpAuthType::Pass}, {"AH", VrrpAuthType::Ah}}),
      custom<A>(
          "auth_pass",
          [](A& a, const Node& n, BuildContext& ctx) {
            if (!expectArgs(n, 1, 1, ctx)) return;
            a.auth_pass = n.args[0].text;
            // The VRRPv2 authentication field is 8 bytes; keepalived truncates, silently to the peer.
            if (a.auth_pass.size() > 8)
              ctx.diags.warning(n.where, "'auth_pass' is longer than 8 characters; only '" + a.auth_pass.substr(0, 8) +
                                             "' is used");
          },
          [](const A& a, DumpWriter& out) {
            if (!a.auth_pass.empty()) out.text("auth_pass", {a.auth_pass});
          }),
  };
  return Schema<A>("authentication", std::move(k));
}

const Schema<VrrpAuthentication>& authenticationSchema() {
  static const Schema<VrrpAuthentication> schema = makeAuthenticationSchema();
  return schema;
}

const Schema<VrrpAuthHmac>& authHmacSchema() {
  static const Schema<VrrpAuthHmac> schema("auth_hmac", {kept<VrrpAuthHmac>("key"), kept<VrrpAuthHmac>("active_key"),
                                                         kept<VrrpAuthHmac>("time_window"),
                                                         kept<VrrpAuthHmac>("anti_replay"), kept<VrrpAuthHmac>("mode")});
  return schema;
}

Keyword<I> state() {
  return custom<I>(
      "state",
      [](I& i, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        const std::string& s = n.args[0].text;
        if (s == "MASTER") i.state = VrrpState::Master;
        else if (s == "BACKUP") i.state = VrrpState::Backup;
        else ctx.diags.error(n.where, "'state': '" + s + "' is not one of MASTER, BACKUP");
      },
      [](const I& i, DumpWriter& out) {
        if (i.state) out.text("state", {*i.state == VrrpState::Master ? "MASTER" : "BACKUP"});
      });
}

Keyword<I> advertInt() {
  return custom<I>(
      "advert_int",
      [](I& i, const Node& n, BuildContext& ctx) {
        expectArgs(n, 1, 1, ctx);
        // keepalived's own bounds for the keyword; the per-version limits are checked with the whole model.
        if (auto v = readDecimal(n, 0, 0.01, 255, ctx)) i.advert_int = *v;
      },
      [](const I& i, DumpWriter& out) { out.decimal("advert_int", i.advert_int); });
}

Keyword<I> useVmac() {
  return custom<I>(
      "use_vmac",
      [](I& i, const Node& n, BuildContext&) {
        i.use_vmac = true;
        i.use_vmac_options.clear();
        for (const Token& t : n.args) i.use_vmac_options.push_back(t.text);
      },
      [](const I& i, DumpWriter& out) {
        if (!i.use_vmac) return;
        if (i.use_vmac_options.empty()) out.flag("use_vmac");
        else out.text("use_vmac", i.use_vmac_options);
      });
}

Keyword<I> preempt() {
  return custom<I>(
      "preempt", [](I& i, const Node& n, BuildContext& ctx) { expectArgs(n, 0, 0, ctx); i.nopreempt = false; }, {});
}

Keyword<I> accept(std::string_view name, bool value) {
  return custom<I>(
      name,
      [value](I& i, const Node& n, BuildContext& ctx) {
        expectArgs(n, 0, 0, ctx);
        i.accept = value;
      },
      // One writer for both spellings, so the last one read wins on the way back in too.
      value ? std::function<void(const I&, DumpWriter&)>([](const I& i, DumpWriter& out) {
        if (i.accept) out.flag(*i.accept ? "accept" : "no_accept");
      })
            : std::function<void(const I&, DumpWriter&)>{});
}

Keyword<I> notifyDeleted() {
  return custom<I>(
      "notify_deleted",
      [](I& i, const Node& n, BuildContext& ctx) {
        i.notify_deleted_set = true;
        if (n.args.empty()) return;
        if (auto s = readNotifyScript(n, ctx)) i.notify_deleted = *s;
      },
      [](const I& i, DumpWriter& out) {
        if (!i.notify_deleted_set) return;
        if (i.notify_deleted.set()) out.text("notify_deleted", notifyScriptWords(i.notify_deleted));
        else out.flag("notify_deleted");
      });
}

Keyword<I> lvsSyncDaemonInterface() {
  return custom<I>(
      "lvs_sync_daemon_interface",
      [](I& i, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        ctx.diags.warning(n.where, "'lvs_sync_daemon_interface' in a vrrp_instance is deprecated; use 'lvs_sync_daemon' "
                                   "in global_defs");
        i.lvs_sync_daemon_interface = n.args[0].text;
      },
      [](const I& i, DumpWriter& out) {
        if (!i.lvs_sync_daemon_interface.empty()) out.text("lvs_sync_daemon_interface", {i.lvs_sync_daemon_interface});
      });
}

Keyword<I> mcastDstIp() {
  return custom<I>(
      "mcast_dst_ip",
      [](I& i, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        auto a = parseIpAddress(n.args[0].text);
        // IPv6 VRRP adverts must stay on the link: ff02::/16 style link-local scope.
        const bool multicast = a && (a->family == 4 ? (a->bytes[0] & 0xf0) == 0xe0
                                                    : a->bytes[0] == 0xff && (a->bytes[1] & 0x0f) == 0x02);
        if (!multicast) {
          ctx.diags.error(n.where, "'mcast_dst_ip': '" + n.args[0].text +
                                       "' is not an IPv4 multicast or IPv6 link-local multicast address");
          return;
        }
        i.mcast_dst_ip = a;
      },
      [](const I& i, DumpWriter& out) {
        if (i.mcast_dst_ip) out.text("mcast_dst_ip", {i.mcast_dst_ip->text()});
      });
}

Schema<I> makeInstanceSchema() {
  std::vector<Keyword<I>> k = {
      state(),
      wordField("interface", &I::interface),
      intField("virtual_router_id", &I::virtual_router_id, 1, 255),
      intField("priority", &I::priority, 1, 255),
      advertInt(),
      intField("version", &I::version, 2, 3),
      flagField("nopreempt", &I::nopreempt),
      preempt(),
      decimalField("preempt_delay", &I::preempt_delay, 0, 1000),
      blockField("authentication", &I::authentication, authenticationSchema()),
      blockField("auth_hmac", &I::auth_hmac, authHmacSchema()),
      listBlock<I, VirtualAddress>("virtual_ipaddress", &I::virtual_ipaddress, readVirtualAddress,
                                   [](const VirtualAddress& a) { return a.words(); }),
      listBlock<I, VirtualAddress>("virtual_ipaddress_excluded", &I::virtual_ipaddress_excluded, readVirtualAddress,
                                   [](const VirtualAddress& a) { return a.words(); }),
      flagField("no_virtual_ipaddress", &I::no_virtual_ipaddress),
      listBlock<I, IpRoute>("virtual_routes", &I::virtual_routes, readIpRoute, [](const IpRoute& r) { return r.words; }),
      listBlock<I, IpRule>("virtual_rules", &I::virtual_rules, readIpRule, [](const IpRule& r) { return r.words; }),
      trackList("track_interface", &I::track_interface, -253, 253),
      trackList("track_script", &I::track_script, -253, 253),
      trackList("track_file", &I::track_file, -254, 254),
      trackList("track_process", &I::track_process, -254, 254),
      trackList("track_bfd", &I::track_bfd, -253, 253),
      flagField("dont_track_primary", &I::dont_track_primary),
      addressField("unicast_src_ip", &I::unicast_src_ip),
      addressField("mcast_src_ip", &I::mcast_src_ip),
      mcastDstIp(),
      listBlock<I, UnicastPeer>("unicast_peer", &I::unicast_peer, readUnicastPeer,
                                [](const UnicastPeer& p) { return p.words(); }),
      intField("unicast_ttl", &I::unicast_ttl, 0, 255),
      flagField("check_unicast_src", &I::check_unicast_src),
      flagField("unicast_fault_no_peer", &I::unicast_fault_no_peer),
      decimalField("garp_master_delay", &I::garp_master_delay, 0, 86400),
      intField("garp_master_repeat", &I::garp_master_repeat, 0, 10000),
      decimalField("garp_master_refresh", &I::garp_master_refresh, 0, 86400),
      intField("garp_master_refresh_repeat", &I::garp_master_refresh_repeat, 0, 10000),
      decimalField("garp_lower_prio_delay", &I::garp_lower_prio_delay, 0, 86400),
      intField("garp_lower_prio_repeat", &I::garp_lower_prio_repeat, 0, 10000),
      intField("down_timer_adverts", &I::down_timer_adverts, 1, 100),
      notifyField("notify_master", &I::notify_master),
      notifyField("notify_backup", &I::notify_backup),
      notifyField("notify_fault", &I::notify_fault),
      notifyField("notify_stop", &I::notify_stop),
      notifyDeleted(),
      notifyField("notify", &I::notify),
      notifyField("notify_master_rx_lower_pri", &I::notify_master_rx_lower_pri),
      optionalFlagField("smtp_alert", &I::smtp_alert),
      useVmac(),
      flagField("vmac_xmit_base", &I::vmac_xmit_base),
      flagField("native_ipv6", &I::native_ipv6),
      lvsSyncDaemonInterface(),
      intField("debug", &I::debug, 0, 4),
      optionalFlagField("skip_check_adv_addr", &I::skip_check_adv_addr),
      optionalFlagField("strict_mode", &I::strict_mode),
      accept("accept", true),
      accept("no_accept", false),
      optionalFlagField("v3_checksum_as_v2", &I::v3_checksum_as_v2),
      optionalFlagField("lower_prio_no_advert", &I::lower_prio_no_advert),
      optionalFlagField("higher_prio_send_advert", &I::higher_prio_send_advert),
      flagField("promote_secondaries", &I::promote_secondaries),
      intField("kernel_rx_buf_size", &I::kernel_rx_buf_size, 0, 4294967295LL),
  };
  static constexpr std::array keptNames = {"use_vmac_addr",        "use_ipvlan",         "old_unicast_checksum",
                                           "vrf",                  "track_src_ip",       "linkbeat_use_polling",
                                           "notify_priority_changes", "timer_expired_backup", "garp_extra_if",
                                           "vmac_garp_intvl",      "owner_ignore_adverts", "thread_timer_expired"};
  for (const char* name : keptNames) k.push_back(kept<I>(name));
  return Schema<I>("vrrp_instance", std::move(k));
}

}  // namespace

const Schema<VrrpInstance>& vrrpInstanceSchema() {
  static const Schema<VrrpInstance> schema = makeInstanceSchema();
  return schema;
}

int VrrpInstance::family() const {
  if (!virtual_ipaddress.empty()) return virtual_ipaddress.front().family();
  if (unicast_src_ip) return unicast_src_ip->family;
  if (mcast_src_ip) return mcast_src_ip->family;
  if (native_ipv6) return 6;
  return 4;
}

int VrrpInstance::effectivePriority() const {
  if (priority) return *priority;
  return state == VrrpState::Master ? 255 : 100;
}

VrrpState VrrpInstance::initialState() const {
  if (state) return *state;
  return effectivePriority() == 255 ? VrrpState::Master : VrrpState::Backup;
}

bool VrrpInstance::effectiveStrict(const GlobalDefs& global) const { return strict_mode.value_or(global.vrrp_strict); }

int VrrpInstance::effectiveVersion(const GlobalDefs& global) const {
  if (family() == 6) return 3;
  return version.value_or(global.vrrp_version);
}

int VrrpInstance::advertIntervalCentis(const GlobalDefs& global) const {
  const long centis = std::lround(advert_int * 100);
  if (effectiveVersion(global) == 2) {
    // v2 carries whole seconds in 8 bits: keepalived rounds to the nearest second, at least 1.
    const long seconds = std::max(1L, std::min(255L, (centis + 50) / 100));
    return static_cast<int>(seconds * 100);
  }
  // v3 carries centiseconds in 12 bits.
  return static_cast<int>(std::max(1L, std::min(4095L, centis)));
}

std::string VrrpInstance::effectiveInterface(const GlobalDefs& global) const {
  return interface.empty() ? global.default_interface : interface;
}

bool VrrpInstance::effectiveAccept(const GlobalDefs& global) const {
  if (effectivePriority() == 255) return true;
  // keepalived: accept mode for VRRPv2 in strict mode would break RFC 3768, so it is cleared.
  if (effectiveStrict(global) && effectiveVersion(global) == 2) return false;
  return accept.value_or(!effectiveStrict(global));
}

bool VrrpInstance::effectiveSkipCheckAdvAddr(const GlobalDefs& global) const {
  return skip_check_adv_addr.value_or(global.vrrp_skip_check_adv_addr);
}

bool VrrpInstance::effectiveLowerPrioNoAdvert(const GlobalDefs& global) const {
  return effectiveStrict(global) || lower_prio_no_advert.value_or(global.vrrp_lower_prio_no_advert);
}

bool VrrpInstance::effectiveHigherPrioSendAdvert(const GlobalDefs& global) const {
  return !effectiveStrict(global) && higher_prio_send_advert.value_or(global.vrrp_higher_prio_send_advert);
}

double VrrpInstance::effectiveGarpMasterDelay(const GlobalDefs& global) const {
  return garp_master_delay.value_or(global.vrrp_garp_master_delay);
}

int VrrpInstance::effectiveGarpMasterRepeat(const GlobalDefs& global) const {
  // keepalived turns a repeat of 0 into 1: at least one burst is sent on becoming master.
  return std::max(1, garp_master_repeat.value_or(global.vrrp_garp_master_repeat));
}

}  // namespace tandem::config
