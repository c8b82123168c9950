#include "realserver/reconciler.h"

#include <algorithm>

namespace tandem::realserver {
namespace {

bool contains(const std::vector<IpAddress>& list, const IpAddress& a) {
  return std::find(list.begin(), list.end(), a) != list.end();
}

std::string withPrefix(const IpAddress& a) {
  return a.toString() + (a.family() == vrrp::Family::Ipv4 ? "/32" : "/128");
}

std::optional<std::string> currentValue(const Observed& observed, const SysctlKey& key) {
  const auto it = observed.sysctls.find(key);
  return it == observed.sysctls.end() ? std::nullopt : it->second;
}

Action setSysctl(const SysctlKey& key, std::string value, std::string reason) {
  Action a;
  a.kind = Action::Kind::SetSysctl;
  a.sysctl = key;
  a.value = std::move(value);
  a.reason = std::move(reason);
  return a;
}

Action onVip(Action::Kind kind, const IpAddress& vip, std::string reason) {
  Action a;
  a.kind = kind;
  a.vip = vip;
  a.reason = std::move(reason);
  return a;
}

Action leave(std::string reason) {
  Action a;
  a.reason = std::move(reason);
  return a;
}

}  // namespace

std::string SysctlKey::path() const { return "net/ipv4/conf/" + interface + "/" + setting; }

std::string SysctlKey::name() const {
  std::string device = interface;
  std::replace(device.begin(), device.end(), '.', '/');
  return "net.ipv4.conf." + device + "." + setting;
}

std::vector<std::pair<SysctlKey, std::string>> wantedSysctls(const Desired& desired) {
  std::vector<std::pair<SysctlKey, std::string>> out;
  if (!desired.arpSuppression) return out;
  std::vector<std::string> devices = {"lo", "all"};
  for (const std::string& d : desired.interfaces)
    if (std::find(devices.begin(), devices.end(), d) == devices.end()) devices.push_back(d);
  for (const std::string& d : devices) {
    out.push_back({{d, "arp_ignore"}, "1"});
    out.push_back({{d, "arp_announce"}, "2"});
  }
  return out;
}

std::string Action::describe() const {
  switch (kind) {
    case Kind::SetSysctl: return "setting " + sysctl.name() + " = " + value + " (" + reason + ")";
    case Kind::AddVip: return "adding " + withPrefix(vip) + " to lo (" + reason + ")";
    case Kind::RemoveVip: return "removing " + withPrefix(vip) + " from lo (" + reason + ")";
    case Kind::Leave: return reason;
  }
  return reason;
}

std::vector<Action> Reconciler::start(const Observed& observed) {
  started_ = true;
  for (const IpAddress& vip : desired_.vips)
    if (contains(observed.loAddresses, vip)) preexisting_.insert(vip);
  std::vector<Action> out;
  for (const IpAddress& vip : preexisting_)
    out.push_back(leave(withPrefix(vip) + " is already on lo: kept, and left there on exit"));
  const std::vector<Action> rest = closeGap(observed, "missing");
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::vector<Action> Reconciler::reconcile(const Observed& observed) {
  if (!started_) return start(observed);
  return closeGap(observed, "it disappeared");
}

std::vector<Action> Reconciler::closeGap(const Observed& observed, const std::string& missingVipReason) {
  std::vector<Action> out;
  for (const auto& [key, wanted] : wantedSysctls(desired_)) {
    const auto current = currentValue(observed, key);
    if (!current) {
      // An interface that is not there yet gets its settings when it appears; said once, not at every event.
      if (unreadable_.insert(key).second)
        out.push_back(leave("cannot read " + key.name() + " (no interface " + key.interface + "?): set when it appears"));
      continue;
    }
    unreadable_.erase(key);
    if (*current == wanted) continue;
    const bool first = originals_.emplace(key, *current).second;
    out.push_back(setSysctl(key, wanted, first ? "was " + *current : "reset to " + *current + " since"));
  }
  for (const IpAddress& vip : desired_.vips) {
    if (contains(observed.loAddresses, vip)) continue;
    out.push_back(onVip(Action::Kind::AddVip, vip, missingVipReason));
  }
  return out;
}

std::vector<Action> Reconciler::reconfigure(Desired desired, const Observed& observed) {
  std::vector<IpAddress> droppedVips;
  for (const IpAddress& vip : desired_.vips)
    if (!contains(desired.vips, vip)) droppedVips.push_back(vip);
  std::set<SysctlKey> droppedSysctls;
  const auto stillWanted = wantedSysctls(desired);
  for (const auto& [key, value] : wantedSysctls(desired_)) {
    const bool kept = std::any_of(stillWanted.begin(), stillWanted.end(), [&](const auto& w) { return w.first == key; });
    if (!kept) droppedSysctls.insert(key);
  }
  const Desired old = desired_;
  // Undone with the old setup's values (what the helper wrote), then forgotten.
  std::vector<Action> out = undo(droppedVips, droppedSysctls, observed);
  for (const SysctlKey& key : droppedSysctls) originals_.erase(key);
  for (const IpAddress& vip : droppedVips) preexisting_.erase(vip);
  desired_ = std::move(desired);
  // VIPs new to the setup that are on lo already belong to someone else, as at start.
  for (const IpAddress& vip : desired_.vips)
    if (!contains(old.vips, vip) && contains(observed.loAddresses, vip)) preexisting_.insert(vip);
  const std::vector<Action> rest = closeGap(observed, "new in the configuration");
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

std::vector<Action> Reconciler::stop(const Observed& observed) const {
  if (desired_.keepOnExit) {
    return {leave("keeping the VIPs on lo and the ARP settings as they are (keep on exit)")};
  }
  return rollback(observed);
}

std::vector<Action> Reconciler::rollback(const Observed& observed) const {
  std::set<SysctlKey> all;
  for (const auto& entry : originals_) all.insert(entry.first);
  return undo(desired_.vips, all, observed);
}

std::vector<Action> Reconciler::undo(const std::vector<IpAddress>& vips, const std::set<SysctlKey>& sysctls,
                                     const Observed& observed) const {
  std::vector<Action> out;
  for (const IpAddress& vip : vips) {
    if (preexisting_.count(vip) != 0) {
      out.push_back(leave("leaving " + withPrefix(vip) + " on lo: it was there before the helper started"));
    } else if (contains(observed.loAddresses, vip)) {
      out.push_back(onVip(Action::Kind::RemoveVip, vip, "added by the helper"));
    }
  }
  const auto wanted = wantedSysctls(desired_);
  for (const SysctlKey& key : sysctls) {
    const auto original = originals_.find(key);
    if (original == originals_.end()) continue;  // never changed by the helper
    const auto current = currentValue(observed, key);
    const auto ours = std::find_if(wanted.begin(), wanted.end(), [&](const auto& w) { return w.first == key; });
    if (!current) continue;  // the interface is gone, and its settings with it
    if (ours != wanted.end() && *current != ours->second) {
      out.push_back(leave("leaving " + key.name() + " = " + *current + ": changed by someone else since"));
      continue;
    }
    if (*current != original->second) out.push_back(setSysctl(key, original->second, "restoring"));
  }
  return out;
}

std::set<SysctlKey> Reconciler::sysctlsOfInterest() const {
  std::set<SysctlKey> out;
  for (const auto& entry : wantedSysctls(desired_)) out.insert(entry.first);
  for (const auto& entry : originals_) out.insert(entry.first);
  return out;
}

}  // namespace tandem::realserver
