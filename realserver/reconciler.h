#pragma once
// The real-server helper's decisions: what a DR/TUN real server needs (its VIPs on lo as /32 or /128, ARP
// suppression through arp_ignore/arp_announce), compared with what the system shows, gives the actions that close
// the gap; and, on stop, the actions that undo what the helper itself did and nothing else. Pure: observations in,
// actions out; the edge (daemon/realserver_mode.cpp) reads the system and carries the actions out.
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vrrp/ip_address.h"

namespace tandem::realserver {

using vrrp::IpAddress;

// An IPv4 per-interface setting, net.ipv4.conf.INTERFACE.SETTING.
struct SysctlKey {
  std::string interface;  // "lo", "all", "eth0", "eth0.100"
  std::string setting;    // "arp_ignore", "arp_announce"

  // Under /proc/sys: net/ipv4/conf/eth0.100/arp_ignore.
  std::string path() const;
  // As sysctl(8) names it: net.ipv4.conf.eth0/100.arp_ignore (a dot in the interface name becomes a slash).
  std::string name() const;
  auto operator<=>(const SysctlKey&) const = default;
};

struct Desired {
  std::vector<IpAddress> vips;
  std::vector<std::string> interfaces;  // outward interfaces; lo and all are always set
  bool arpSuppression = true;
  bool keepOnExit = false;
};

// Each setting of `desired` with the value it needs: arp_ignore=1 (answer ARP only for addresses of the receiving
// interface, so never for a VIP on lo) and arp_announce=2 (never use a VIP as the source of an ARP request), on lo,
// all and each outward interface. Empty when ARP suppression is off. IPv6 needs nothing: Linux answers a neighbour
// solicitation only for addresses of the interface it arrived on.
std::vector<std::pair<SysctlKey, std::string>> wantedSysctls(const Desired& desired);

struct Observed {
  std::vector<IpAddress> loAddresses;  // every address on lo
  // The current value of each wanted setting; nullopt when it cannot be read (the interface does not exist).
  std::map<SysctlKey, std::optional<std::string>> sysctls;
};

struct Action {
  enum class Kind {
    SetSysctl,    // write `value` to `sysctl`
    AddVip,       // bind `vip` on lo with a full-length prefix
    RemoveVip,    // unbind `vip` from lo
    Leave,        // nothing to do on the system; `reason` says what is left as it is and why
  };
  Kind kind = Kind::Leave;
  IpAddress vip;
  SysctlKey sysctl;
  std::string value;
  std::string reason;  // why, for the log line

  // One log line: "adding 10.0.0.100/32 to lo (missing)".
  std::string describe() const;
};

class Reconciler {
 public:
  explicit Reconciler(Desired desired) : desired_(std::move(desired)) {}

  const Desired& desired() const { return desired_; }

  // The first look: VIPs already on lo belong to someone else and stay on exit; sysctls are set before VIPs are
  // bound, so the server never answers ARP for a VIP, not even for an instant.
  std::vector<Action> start(const Observed& observed);
  // After any address or link change: bring back what is missing (a VIP deleted, a setting reset by a network
  // restart). Each setting's value from before the helper first changed it is remembered, whatever happens later.
  std::vector<Action> reconcile(const Observed& observed);
  // A new setup (configuration reloaded): what is no longer wanted is undone as on stop, the rest reconciled.
  // `observed` must carry the sysctls of both the old and the new setup.
  std::vector<Action> reconfigure(Desired desired, const Observed& observed);
  // On stop: VIPs the helper added are removed first, then the settings it changed are restored, each only when it
  // still holds the helper's value (someone who changed it since meant it). Nothing at all with keepOnExit.
  std::vector<Action> stop(const Observed& observed) const;
  // As stop, keepOnExit or not: after a start the system refused, nothing of it stays.
  std::vector<Action> rollback(const Observed& observed) const;

  // Every setting whose value this reconciler may want to read: the wanted ones and the ones it changed.
  std::set<SysctlKey> sysctlsOfInterest() const;

 private:
  std::vector<Action> closeGap(const Observed& observed, const std::string& missingVipReason);
  std::vector<Action> undo(const std::vector<IpAddress>& vips, const std::set<SysctlKey>& sysctls,
                           const Observed& observed) const;

  Desired desired_;
  bool started_ = false;
  std::set<IpAddress> preexisting_;               // on lo before the helper started: never removed
  std::map<SysctlKey, std::string> originals_;    // value before the helper first changed it
  std::set<SysctlKey> unreadable_;                // reported as unreadable, until it can be read again
};

}  // namespace tandem::realserver
