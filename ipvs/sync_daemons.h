#pragma once
// The kernel's IPVS connection-synchronisation daemons, driven by the state of one VRRP instance (lvs_sync_daemon).
// Pure: the wanted daemons for a role, the steps from what the kernel runs to that, and SyncDaemonDriver, which
// carries the steps out through a port and keeps what the operator must see (the role followed, the last failure).
//
// Policy, as keepalived 2.x: while the instance is MASTER only the master daemon runs (it multicasts the
// connections this director schedules); in every other state only the backup daemon runs (it applies the peer's
// messages to the local connection table). The backup daemon is deliberately not kept running beside the master
// one: the peer is a backup and sends nothing, except in a split brain, when two masters would overwrite each
// other's entries for connections both are scheduling. On exit both are stopped unless --dont-release-ipvs.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ipvs/address.h"

namespace tandem::ipvs {

enum class SyncDaemonState : std::uint32_t { Master = 1, Backup = 2 };  // IP_VS_STATE_MASTER / _BACKUP

// One daemon as lvs_sync_daemon configures it and the kernel lists it. 0 (or no group) lets the kernel choose its
// default; the kernel lists the value it chose.
struct SyncDaemon {
  SyncDaemonState state = SyncDaemonState::Master;
  std::string interface;
  std::uint32_t syncId = 0;
  std::uint16_t maxLength = 0;   // sync_maxlen, UDP payload; the kernel's default follows the interface MTU
  std::optional<Address> group;  // multicast group; 224.0.0.81 by default
  std::uint16_t port = 0;        // 8848 by default
  std::uint8_t ttl = 0;          // 1 by default

  bool operator==(const SyncDaemon&) const = default;
};

std::string_view toString(SyncDaemonState state);  // "master" / "backup"

// What the followed instance's state asks for. Stopped: Tandem is exiting (or the configuration dropped
// lvs_sync_daemon) and releases the daemons.
enum class SyncRole : std::uint8_t { Stopped, Master, Backup };

std::string_view toString(SyncRole role);  // "stopped" / "master" / "backup"

// The daemons that should run for `role`, each with the configured settings.
std::vector<SyncDaemon> wantedSyncDaemons(const SyncDaemon& configured, SyncRole role);

// True when the kernel's `listed` daemon is `wanted` once the kernel's defaults are filled in (a listed daemon
// always carries the group, port, TTL and maximum length the kernel chose).
bool satisfies(const SyncDaemon& listed, const SyncDaemon& wanted);

struct SyncStep {
  enum class Kind : std::uint8_t { Stop, Start };
  Kind kind = Kind::Stop;
  SyncDaemon daemon;  // Stop: only `state` matters
  bool operator==(const SyncStep&) const = default;
};

// From the kernel's daemons to the wanted ones: stops first (a daemon not wanted, or running with other settings),
// then starts, so the old role's daemon is gone before the new one starts (keepalived's order). Nothing for a
// daemon that already runs as wanted.
std::vector<SyncStep> syncSteps(const std::vector<SyncDaemon>& listed, const std::vector<SyncDaemon>& wanted);

// The kernel as the driver sees it (LinuxIpvs in tandemd, a fake in tests).
class SyncDaemonPort {
 public:
  virtual ~SyncDaemonPort() = default;
  // nullopt with `error` set when the kernel cannot be asked (no IPVS, no permission).
  virtual std::optional<std::vector<SyncDaemon>> list(std::string& error) = 0;
  virtual bool start(const SyncDaemon& daemon, std::string& error) = 0;
  virtual bool stop(SyncDaemonState state, std::string& error) = 0;
};

struct SyncDaemonStatus {
  bool configured = false;
  std::string instance;  // the VRRP instance followed
  SyncDaemon settings;   // `state` unused
  SyncRole role = SyncRole::Stopped;
  bool converged = false;           // the last attempt left the kernel as wanted
  std::string lastError;            // empty after a success
  std::uint64_t failures = 0;       // attempts that did not converge
  std::vector<SyncDaemon> listed;   // the kernel's daemons after the last attempt, as far as known
};

// Follows one VRRP instance. Each role change lists the kernel's daemons and runs the steps; a failure (no IPVS in
// this kernel, a missing interface) is logged once with its reason, logged again only when the reason changes, and
// retried on the next role change. Nothing here throws or blocks VRRP: the caller goes on whatever happens.
class SyncDaemonDriver {
 public:
  enum class Level : std::uint8_t { Error, Info, Debug };
  using Log = std::function<void(Level, const std::string&)>;

  SyncDaemonDriver(SyncDaemonPort& port, Log log);

  // The lvs_sync_daemon in force and the instance it follows; nullopt when none is configured. A change of settings
  // is applied at the next follow(); dropping the configuration stops the daemons Tandem started.
  void configure(std::optional<std::string> instance, const SyncDaemon& settings);
  // A state change of `instance`; other instances are ignored. True when the kernel was asked something.
  bool follow(const std::string& instance, SyncRole role);
  // Exit: both daemons stopped (not called with --dont-release-ipvs).
  void release();

  const SyncDaemonStatus& status() const { return status_; }
  // The status with the kernel's daemons listed now (for status requests).
  SyncDaemonStatus refreshedStatus();

 private:
  void apply(SyncRole role);
  void failed(const std::string& error);

  SyncDaemonPort& port_;
  Log log_;
  SyncDaemonStatus status_;
  bool ownsDaemons_ = false;  // a role was applied since the last release: ours to stop if the config drops them
};

}  // namespace tandem::ipvs
