#include "vrrp/config_mapping.h"

#include <algorithm>
#include <cmath>

namespace tandem::vrrp {
namespace {

using config::GlobalDefs;
using config::VrrpInstance;

std::chrono::milliseconds millis(double seconds) {
  return std::chrono::milliseconds{std::llround(seconds * 1000)};
}

// keepalived's script_user / notify "USER [GROUP]" as the ScriptPort's "user[:group]".
std::string userSpec(const std::string& user, const std::string& group) {
  if (user.empty()) return {};
  return group.empty() ? user : user + ":" + group;
}

std::string defaultScriptUser(const GlobalDefs& global) {
  const auto words = splitCommandLine(global.script_user);
  if (words.empty()) return {};
  return userSpec(words[0], words.size() > 1 ? words[1] : "");
}

ScriptCommand command(const std::string& text, const std::string& user, const std::string& group,
                      const std::string& fallbackUser) {
  ScriptCommand c;
  c.argv = splitCommandLine(text);
  c.user = user.empty() ? fallbackUser : userSpec(user, group);
  return c;
}

template <class Block>
NotifyScripts notifyScripts(const Block& b, const std::string& fallbackUser) {
  auto one = [&](const config::NotifyScript& s) {
    return s.set() ? command(s.command, s.user, s.group, fallbackUser) : ScriptCommand{};
  };
  return NotifyScripts{one(b.notify_master), one(b.notify_backup), one(b.notify_fault), one(b.notify_stop),
                       one(b.notify)};
}

std::vector<TrackRef> trackInterfaces(const std::vector<config::TrackedRef>& refs) {
  std::vector<TrackRef> out;
  for (const auto& r : refs) out.push_back({r.name, r.weight.value_or(0), r.reverse});
  return out;
}

std::vector<TrackRef> trackScripts(const std::vector<config::TrackedRef>& refs, const config::VrrpSection& vrrp) {
  std::vector<TrackRef> out;
  for (const auto& r : refs) {
    const config::VrrpScript* script = vrrp.findScript(r.name);
    if (!script) continue;
    // A weight on the track_script line replaces the script's weight and its reverse flag.
    if (r.weight) out.push_back({r.name, *r.weight, r.reverse});
    else out.push_back({r.name, script->weight, (script->weight_reverse || r.reverse) && !r.noreverse});
  }
  return out;
}

template <class T>
void appendMissing(std::vector<T>& to, const std::vector<T>& from) {
  for (const auto& x : from)
    if (std::find_if(to.begin(), to.end(), [&](const T& y) { return y.name == x.name; }) == to.end())
      to.push_back(x);
}

ChannelSpec channelSpec(const VrrpInstance& i, const GlobalDefs& global, const std::string& interface) {
  ChannelSpec c;
  c.interface = interface;
  c.family = i.family() == 6 ? Family::Ipv6 : Family::Ipv4;
  const std::string& group = c.family == Family::Ipv6 ? global.vrrp_mcast_group6 : global.vrrp_mcast_group4;
  if (i.mcast_dst_ip) c.multicastGroup = toVrrpAddress(*i.mcast_dst_ip);
  else c.multicastGroup = IpAddress::parse(group).value_or(c.family == Family::Ipv6 ? *IpAddress::parse("ff02::12")
                                                                                    : *IpAddress::parse("224.0.0.18"));
  for (const auto& p : i.unicast_peer) c.unicastPeers.push_back(toVrrpAddress(p.address));
  if (i.unicast_src_ip) c.sourceAddress = toVrrpAddress(*i.unicast_src_ip);
  else if (i.mcast_src_ip) c.sourceAddress = toVrrpAddress(*i.mcast_src_ip);
  c.unicastTtl = i.unicast_ttl.value_or(255);
  return c;
}

InstanceParams instanceParams(const VrrpInstance& i, const GlobalDefs& global, Family family) {
  InstanceParams p;
  p.name = i.name;
  p.version = i.effectiveVersion(global) == 2 ? Version::V2 : Version::V3;
  p.family = family;
  p.vrid = static_cast<std::uint8_t>(std::clamp(i.virtual_router_id.value_or(0), 0, 255));
  p.priority = static_cast<std::uint8_t>(std::clamp(i.effectivePriority(), 1, 255));
  p.advertInterval = Centiseconds{i.advertIntervalCentis(global)};
  p.initialState = i.initialState() == config::VrrpState::Master ? State::Master : State::Backup;
  p.preempt = !i.nopreempt;
  p.preemptDelay = std::chrono::seconds{std::lround(i.preempt_delay)};
  for (const auto& vip : i.virtual_ipaddress)
    if ((vip.family() == 6) == (family == Family::Ipv6)) p.virtualAddresses.push_back(toVrrpAddress(vip.address.address));
  p.skipCheckAdvAddr = i.skip_check_adv_addr.value_or(global.vrrp_skip_check_adv_addr);
  p.downTimerAdverts = static_cast<unsigned>(std::max(1, i.down_timer_adverts.value_or(3)));
  p.lowerPrioNoAdvert = i.lower_prio_no_advert.value_or(global.vrrp_lower_prio_no_advert);
  p.higherPrioSendAdvert = i.higher_prio_send_advert.value_or(global.vrrp_higher_prio_send_advert);
  p.garpMasterRepeat = static_cast<unsigned>(std::max(0, i.garp_master_repeat.value_or(global.vrrp_garp_master_repeat)));
  p.garpMasterDelay = std::chrono::seconds{std::lround(i.garp_master_delay.value_or(global.vrrp_garp_master_delay))};
  // A "state BACKUP" member that stays master without ever hearing its peer for three
  // Master_Down_Intervals is most often cut off from it (a firewall eating VRRP): say so loudly.
  p.noPeerAlarmIntervals = 3;
  switch (i.authentication.auth_type) {
    case config::VrrpAuthType::None: p.authType = AuthType::None; break;
    case config::VrrpAuthType::Pass: p.authType = AuthType::Pass; break;
    case config::VrrpAuthType::Ah: p.authType = AuthType::Ah; break;
  }
  if (p.authType != AuthType::None) p.authData = makeAuthData(i.authentication.auth_pass);
  return p;
}

}  // namespace

IpAddress toVrrpAddress(const config::IpAddress& address) {
  const Family family = address.family == 6 ? Family::Ipv6 : Family::Ipv4;
  return IpAddress::fromBytes(family, std::span<const std::uint8_t>(address.bytes, addressSize(family)));
}

VirtualAddress mapVirtualAddress(const config::VirtualAddress& vip) {
  VirtualAddress v;
  v.address = toVrrpAddress(vip.address.address);
  v.prefixLength = vip.address.prefixLength;
  v.device = vip.dev;
  v.scope = vip.scope;
  v.label = vip.label;
  if (vip.broadcast == "+" && vip.family() == 4) {
    const int length = vip.prefixLength();
    std::array<std::uint8_t, 4> bytes{};
    const auto a = v.address.bytes();
    for (int bit = 0; bit < 32; ++bit) {
      const bool set = bit >= length || ((a[bit / 8] >> (7 - bit % 8)) & 1);
      if (set) bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] | (0x80 >> (bit % 8)));
    }
    v.broadcast = IpAddress::v4(bytes);
  } else if (vip.broadcast != "-" && !vip.broadcast.empty()) {
    v.broadcast = IpAddress::parse(vip.broadcast);
  }
  return v;
}

EngineConfig mapVrrpConfig(const config::Config& config) {
  const GlobalDefs& global = config.global;
  const config::VrrpSection& vrrp = config.vrrp;
  const std::string scriptUser = defaultScriptUser(global);
  EngineConfig out;

  for (const auto& s : vrrp.scripts) {
    TrackScriptConfig t;
    t.name = s.name;
    t.command = command(s.script, s.user, s.group, scriptUser);
    t.interval = millis(s.interval);
    t.timeout = millis(s.timeout.value_or(s.interval));
    t.rise = std::max(1, s.rise);
    t.fall = std::max(1, s.fall);
    t.initFail = s.init_fail;
    out.scripts.push_back(std::move(t));
  }

  for (const auto& i : vrrp.instances) {
    InstanceConfig c;
    c.interface = i.effectiveInterface(global);
    c.channel = channelSpec(i, global, c.interface);
    c.params = instanceParams(i, global, c.channel.family);
    if (c.channel.sourceAddress) c.params.ownAddress = *c.channel.sourceAddress;
    for (const auto& vip : i.virtual_ipaddress) c.vips.push_back(mapVirtualAddress(vip));
    for (const auto& vip : i.virtual_ipaddress_excluded) c.excludedVips.push_back(mapVirtualAddress(vip));
    c.v3ChecksumAsV2 = i.v3_checksum_as_v2.value_or(global.v3_checksum_as_v2);
    const double interval = c.channel.family == Family::Ipv6 ? global.vrrp_gna_interval : global.vrrp_garp_interval;
    c.garpInterval = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(interval));
    c.garpMasterRefresh = millis(i.garp_master_refresh.value_or(global.vrrp_garp_master_refresh));
    c.garpMasterRefreshRepeat =
        static_cast<unsigned>(std::max(1, i.garp_master_refresh_repeat.value_or(global.vrrp_garp_master_refresh_repeat)));
    if (NotifyScripts notify = notifyScripts(i, scriptUser); notify.any())
      c.notify = std::make_shared<const NotifyScripts>(std::move(notify));
    c.trackInterfaces = trackInterfaces(i.track_interface);
    c.trackScripts = trackScripts(i.track_script, vrrp);
    c.trackPrimaryInterface = !i.dont_track_primary;
    out.instances.push_back(std::move(c));
  }

  for (const auto& g : vrrp.sync_groups) {
    SyncGroupConfig s;
    s.name = g.name;
    s.notify = notifyScripts(g, scriptUser);
    for (const auto& member : g.group) {
      auto it = std::find_if(out.instances.begin(), out.instances.end(),
                             [&](const InstanceConfig& c) { return c.params.name == member; });
      if (it == out.instances.end() || !it->syncGroup.empty()) continue;  // keepalived: one group per instance
      it->syncGroup = g.name;
      s.members.push_back(member);
      // keepalived applies a group's trackers to every member.
      appendMissing(it->trackInterfaces, trackInterfaces(g.track_interface));
      appendMissing(it->trackScripts, trackScripts(g.track_script, vrrp));
    }
    out.syncGroups.push_back(std::move(s));
  }
  return out;
}

}  // namespace tandem::vrrp
