#pragma once
// vrrp_instance, vrrp_sync_group, vrrp_script and the other VRRP-side blocks.
//
// Fields hold what the configuration said; where keepalived derives a value from other settings
// (priority from state, version from the address family and global_defs, ...), a member function
// computes the effective value, so the model stays a faithful record of the text and the engine
// gets keepalived's semantics from one place.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/common_fields.h"

namespace tandem::config {

struct GlobalDefs;

enum class VrrpState { Backup, Master };
enum class VrrpAuthType { None, Pass, Ah };

// One line of a virtual_ipaddress / virtual_ipaddress_excluded / static_ipaddress block:
// ADDR[/PREFIX] [dev IF] [brd ADDR|+|-] [scope SCOPE] [label LABEL] [peer ADDR] [home] [-nodad]
// [mngtmpaddr] [noprefixroute] [autojoin] [no_track] [use_vmac] [track_group G] [preferred_lft N|forever]
struct VirtualAddress {
  Location where;
  IpPrefix address;            // prefixLength -1 when not given
  std::string dev;
  std::string broadcast;       // address, "+" or "-"
  std::string scope;
  std::string label;
  std::optional<IpPrefix> peer;
  std::string preferredLft;    // number of seconds or "forever"
  std::string trackGroup;
  bool home = false;
  bool nodad = false;
  bool mngtmpaddr = false;
  bool noprefixroute = false;
  bool autojoin = false;
  bool noTrack = false;
  bool useVmac = false;

  int family() const { return address.address.family; }
  // keepalived's default is a host prefix: /32 or /128.
  int prefixLength() const;
  std::vector<std::string> words() const;
};

// A line of virtual_routes / static_routes. The option language is ip-route's and large; the
// words are kept as written (and dumped so) and the parts an engine needs are typed.
struct IpRoute {
  Location where;
  std::vector<std::string> words;
  std::string type;                   // unicast unless blackhole, unreachable, prohibit, throw, ...
  std::optional<IpPrefix> destination;  // "default" is 0/0 of its family
  std::optional<IpAddress> via;
  std::optional<IpAddress> src;
  std::string dev;
  std::string table;
  std::optional<long long> metric;
  std::string trackGroup;
  bool noTrack = false;
  int family = 4;
};

// A line of virtual_rules / static_rules, kept the same way.
struct IpRule {
  Location where;
  std::vector<std::string> words;
  std::optional<IpPrefix> from;
  std::optional<IpPrefix> to;
  std::string table;
  std::optional<long long> preference;
  std::string iif;
  std::string oif;
  std::string trackGroup;
  bool noTrack = false;
  int family = 4;
};

// A line of track_interface / track_script / track_file / track_process / track_bfd:
// NAME [weight N [reverse|noreverse]]
struct TrackedRef {
  Location where;
  std::string name;
  std::optional<int> weight;  // unset: the tracked object's own weight (0 for interfaces)
  bool reverse = false;
  bool noreverse = false;
  std::vector<std::string> words() const;
};

// unicast_peer line: ADDR [min_ttl N] [max_ttl N]
struct UnicastPeer {
  Location where;
  IpAddress address;
  std::optional<int> minTtl;
  std::optional<int> maxTtl;
  std::vector<std::string> words() const;
};

struct VrrpAuthentication {
  BlockMeta meta;
  VrrpAuthType auth_type = VrrpAuthType::None;
  std::string auth_pass;
};

// keepalived's HMAC extension: recognised and kept, not acted on.
struct VrrpAuthHmac {
  BlockMeta meta;
};

struct VrrpInstance {
  BlockMeta meta;
  std::string name;

  std::optional<VrrpState> state;     // unset: MASTER when priority is 255, else BACKUP
  std::string interface;
  std::optional<int> virtual_router_id;
  std::optional<int> priority;        // unset: 255 with state MASTER, else 100 (keepalived)
  double advert_int = 1;              // seconds as written; see advertIntervalCentis()
  std::optional<int> version;         // unset: global vrrp_version, 3 for IPv6
  bool nopreempt = false;
  double preempt_delay = 0;
  VrrpAuthentication authentication;
  VrrpAuthHmac auth_hmac;

  std::vector<VirtualAddress> virtual_ipaddress;
  std::vector<VirtualAddress> virtual_ipaddress_excluded;
  std::vector<IpRoute> virtual_routes;
  std::vector<IpRule> virtual_rules;
  bool no_virtual_ipaddress = false;

  std::vector<TrackedRef> track_interface, track_script, track_file, track_process, track_bfd;
  bool dont_track_primary = false;

  std::optional<IpAddress> unicast_src_ip;
  std::optional<IpAddress> mcast_src_ip;
  std::optional<IpAddress> mcast_dst_ip;
  std::vector<UnicastPeer> unicast_peer;
  std::optional<int> unicast_ttl;
  bool check_unicast_src = false;
  bool unicast_fault_no_peer = false;

  std::optional<double> garp_master_delay;
  std::optional<int> garp_master_repeat;
  std::optional<double> garp_master_refresh;
  std::optional<int> garp_master_refresh_repeat;
  std::optional<double> garp_lower_prio_delay;
  std::optional<int> garp_lower_prio_repeat;
  std::optional<int> down_timer_adverts;

  NotifyScript notify_master, notify_backup, notify_fault, notify_stop, notify_deleted, notify,
      notify_master_rx_lower_pri;
  bool notify_deleted_set = false;    // "notify_deleted" alone is allowed
  std::optional<bool> smtp_alert;

  bool use_vmac = false;
  std::vector<std::string> use_vmac_options;  // [name] IFNAME, MAC, netlink_notify_msg, group G
  bool vmac_xmit_base = false;
  bool native_ipv6 = false;
  std::string lvs_sync_daemon_interface;
  int debug = 0;
  std::optional<bool> skip_check_adv_addr;   // unset: global vrrp_skip_check_adv_addr
  std::optional<bool> strict_mode;           // unset: global vrrp_strict
  std::optional<bool> accept;                // accept / no_accept; unset: !strict or owner
  std::optional<bool> v3_checksum_as_v2;
  std::optional<bool> lower_prio_no_advert;
  std::optional<bool> higher_prio_send_advert;
  bool promote_secondaries = false;
  std::optional<long long> kernel_rx_buf_size;

  std::vector<std::string> blockArgs() const { return {name}; }

  // ---- effective values, as keepalived derives them ----
  // Address family of the instance: its first VIP's, else unicast_src_ip's / mcast_src_ip's, else IPv4.
  int family() const;
  bool isUnicast() const { return !unicast_peer.empty(); }
  int effectivePriority() const;
  VrrpState initialState() const;
  int effectiveVersion(const GlobalDefs& global) const;
  bool effectiveStrict(const GlobalDefs& global) const;
  // Advert interval in centiseconds after keepalived's rounding: whole seconds for v2,
  // 10 ms steps for v3, clamped to what the advert field can carry.
  int advertIntervalCentis(const GlobalDefs& global) const;
  std::string effectiveInterface(const GlobalDefs& global) const;
  // Per-instance settings that fall back to global_defs; strict mode forces the RFC behaviour.
  bool effectiveAccept(const GlobalDefs& global) const;
  bool effectiveSkipCheckAdvAddr(const GlobalDefs& global) const;
  bool effectiveLowerPrioNoAdvert(const GlobalDefs& global) const;
  bool effectiveHigherPrioSendAdvert(const GlobalDefs& global) const;
  double effectiveGarpMasterDelay(const GlobalDefs& global) const;
  int effectiveGarpMasterRepeat(const GlobalDefs& global) const;
  int effectiveDownTimerAdverts() const { return down_timer_adverts.value_or(3); }
};

struct VrrpScript {
  BlockMeta meta;
  std::string name;
  std::string script;            // the command line
  double interval = 1;
  std::optional<double> timeout; // unset: the interval
  int weight = 0;
  bool weight_reverse = false;
  int rise = 1;
  int fall = 1;
  std::string user, group;
  bool init_fail = false;

  std::vector<std::string> blockArgs() const { return {name}; }
};

struct VrrpSyncGroup {
  BlockMeta meta;
  std::string name;
  std::vector<std::string> group;
  Location groupWhere;
  std::vector<TrackedRef> track_interface, track_script, track_file, track_process, track_bfd;
  NotifyScript notify_master, notify_backup, notify_fault, notify_stop, notify;
  std::optional<bool> smtp_alert;
  bool global_tracking = false;
  bool sync_group_tracking_weight = false;
  std::optional<bool> notify_priority_changes;

  std::vector<std::string> blockArgs() const { return {name}; }
};

struct VrrpTrackProcess {
  BlockMeta meta;
  std::string name;
  std::vector<std::string> process;  // name or path, then parameters
  std::string param_match;           // "", "initial" or "partial"; set alone means exact
  bool param_match_set = false;
  int weight = 0;
  bool weight_reverse = false;
  int quorum = 1;
  std::optional<int> quorum_max;
  std::optional<double> delay, terminate_delay, fork_delay;
  bool full_command = false;

  std::vector<std::string> blockArgs() const { return {name}; }
};

struct TrackFile {
  BlockMeta meta;
  std::string name;
  std::string file;
  long long weight = 1;
  bool weight_reverse = false;
  bool init_file = false;
  std::optional<long long> init_value;
  bool init_overwrite = false;

  std::vector<std::string> blockArgs() const { return {name}; }
};

struct GarpGroup {
  BlockMeta meta;
  std::optional<double> garp_interval;
  std::optional<double> gna_interval;
  std::string interface;
  std::vector<std::string> interfaces;

  std::vector<std::string> blockArgs() const { return {}; }
};

struct VrrpSection {
  BlockMeta meta;
  std::vector<VrrpInstance> instances;
  std::vector<VrrpSyncGroup> sync_groups;
  std::vector<VrrpScript> scripts;
  std::vector<VrrpTrackProcess> track_processes;
  std::vector<TrackFile> track_files;
  std::vector<GarpGroup> garp_groups;
  std::vector<VirtualAddress> static_ipaddress;
  std::vector<IpRoute> static_routes;
  std::vector<IpRule> static_rules;

  const VrrpInstance* findInstance(std::string_view name) const;
  const VrrpScript* findScript(std::string_view name) const;
};

const Schema<VrrpInstance>& vrrpInstanceSchema();
const Schema<VrrpScript>& vrrpScriptSchema();
const Schema<VrrpSyncGroup>& vrrpSyncGroupSchema();

// Line readers shared by the instance and the static blocks; each reports its own errors and
// returns nothing when the line cannot be used.
std::optional<VirtualAddress> readVirtualAddress(const Node& line, BuildContext& ctx);
std::optional<IpRoute> readIpRoute(const Node& line, BuildContext& ctx);
std::optional<IpRule> readIpRule(const Node& line, BuildContext& ctx);
std::optional<TrackedRef> readTrackedRef(const Node& line, std::string_view block, int minWeight, int maxWeight,
                                         BuildContext& ctx);
std::optional<UnicastPeer> readUnicastPeer(const Node& line, BuildContext& ctx);

}  // namespace tandem::config
