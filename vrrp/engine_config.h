#pragma once
// Everything the Engine runs, already resolved from keepalived's configuration language (see config_mapping.h):
// per-instance protocol parameters plus the settings that only the engine's edges need (interface, VIPs,
// channel, gratuitous ARP timing, scripts, trackers). Plain data; no reference to the config model.
#include <chrono>
#include <optional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/instance_params.h"
#include "vrrp/ports.h"

namespace tandem::vrrp {

// A script to run: argv already split the way keepalived splits a script string, and the user to run it as
// ("" = the daemon's own user; "user" or "user:group").
struct ScriptCommand {
  std::vector<std::string> argv;
  std::string user;
  bool set() const { return !argv.empty(); }
  bool operator==(const ScriptCommand&) const = default;
};

struct NotifyScripts {
  ScriptCommand master, backup, fault, stop;
  ScriptCommand generic;  // keepalived's "notify": gets TYPE NAME STATE PRIORITY appended
  bool any() const { return master.set() || backup.set() || fault.set() || stop.set() || generic.set(); }
  bool operator==(const NotifyScripts&) const = default;
};

// track_interface / track_script line, with the weight already resolved (line's weight, else the script's).
// weight 0: failure puts the instance in FAULT. Otherwise keepalived's rule: a positive weight is added while
// the object is OK, a negative one while it fails; reverse swaps OK and failing.
struct TrackRef {
  std::string name;
  int weight = 0;
  bool reverse = false;
  bool operator==(const TrackRef&) const = default;
};

// A vrrp_script block.
struct TrackScriptConfig {
  std::string name;
  ScriptCommand command;
  std::chrono::milliseconds interval{1000};
  std::chrono::milliseconds timeout{1000};
  int rise = 1;
  int fall = 1;
  bool initFail = false;  // keepalived init_fail: failed until its first success instead of unknown
  bool operator==(const TrackScriptConfig&) const = default;
};

struct InstanceConfig {
  InstanceParams params;  // ownAddress is filled at start from the interface unless a source address is set
  std::string interface;
  ChannelSpec channel;
  std::vector<VirtualAddress> vips;          // virtual_ipaddress: in adverts, added as master
  std::vector<VirtualAddress> excludedVips;  // virtual_ipaddress_excluded: added as master, not advertised
  bool v3ChecksumAsV2 = false;
  // Gratuitous ARP / NA: pause between packets of one burst, and the periodic refresh while master (0 = off).
  Duration garpInterval{0};
  std::chrono::milliseconds garpMasterRefresh{0};
  unsigned garpMasterRefreshRepeat = 1;
  // Null when the instance has none, as most have: five empty commands cost 280 bytes in each of a thousand.
  std::shared_ptr<const NotifyScripts> notify;
  std::vector<TrackRef> trackInterfaces;  // besides the instance's own interface
  std::vector<TrackRef> trackScripts;
  bool trackPrimaryInterface = true;      // false: keepalived dont_track_primary
  std::string syncGroup;                  // empty: none
};

struct SyncGroupConfig {
  std::string name;
  std::vector<std::string> members;
  NotifyScripts notify;
};

struct EngineConfig {
  std::vector<InstanceConfig> instances;
  std::vector<SyncGroupConfig> syncGroups;
  std::vector<TrackScriptConfig> scripts;
};

// keepalived's splitting of a script string: words separated by blanks; single quotes keep everything literally,
// double quotes keep blanks, a backslash outside single quotes escapes the next character.
std::vector<std::string> splitCommandLine(std::string_view text);

}  // namespace tandem::vrrp
