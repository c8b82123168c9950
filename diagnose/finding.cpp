#include "diagnose/finding.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace tandem::diagnose {

std::string_view toString(Severity severity) {
  switch (severity) {
    case Severity::Ok: return "OK";
    case Severity::Warn: return "WARN";
    case Severity::Fail: return "FAIL";
  }
  return "?";
}

std::string formatLine(const Finding& finding) {
  std::string line(toString(finding.severity));
  line.resize(6, ' ');
  line += finding.subject + ": " + finding.reason;
  if (!finding.fix.empty()) line += "  (fix: " + finding.fix + ")";
  return line;
}

nlohmann::json toJson(const std::vector<Finding>& findings) {
  nlohmann::json lines = nlohmann::json::array();
  for (const auto& f : findings)
    lines.push_back({{"severity", toString(f.severity)}, {"subject", f.subject}, {"reason", f.reason}, {"fix", f.fix}});
  return {{"findings", lines}, {"failed", anyFail(findings)}};
}

bool anyFail(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(), [](const Finding& f) { return f.severity == Severity::Fail; });
}

}  // namespace tandem::diagnose
