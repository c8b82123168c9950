#include "vrrp/resume.h"

namespace tandem::vrrp {

std::vector<std::string> vipsFingerprint(const InstanceConfig& config) {
  std::vector<std::string> out;
  for (const auto* list : {&config.vips, &config.excludedVips}) {
    const char* kind = list == &config.vips ? "" : "excluded ";
    for (const auto& v : *list) {
      std::string text = kind + v.address.toString() + "/" + std::to_string(v.prefixLength);
      if (!v.device.empty()) text += " dev " + v.device;
      if (v.broadcast) text += " brd " + v.broadcast->toString();
      if (!v.scope.empty()) text += " scope " + v.scope;
      if (!v.label.empty()) text += " label " + v.label;
      out.push_back(std::move(text));
    }
  }
  return out;
}

ResumeDecision decideResume(const InstanceConfig& config, const ResumeRecord* record) {
  if (!record) return {false, "no record of it from the previous VRRP child"};
  const InstanceParams& p = config.params;
  if (record->interface != config.interface || record->family != p.family || record->vrid != p.vrid)
    return {false, "its interface, family or VRID changed since the previous VRRP child"};
  if (record->state != State::Master)
    return {false, "the previous VRRP child had it in " + std::string(toString(record->state))};
  if (record->vips != vipsFingerprint(config))
    return {false, "its VIPs changed since the previous VRRP child had it MASTER"};
  return {true, "the previous VRRP child had it MASTER with these VIPs"};
}

const ResumeRecord* findRecord(const std::vector<ResumeRecord>& records, std::string_view instance) {
  for (const auto& r : records)
    if (r.instance == instance) return &r;
  return nullptr;
}

}  // namespace tandem::vrrp
