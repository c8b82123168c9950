#pragma once
// One line of `tandemd --diagnose`: what was checked, how it went, why, and the command that fixes it.
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace tandem::diagnose {

enum class Severity { Ok, Warn, Fail };
std::string_view toString(Severity severity);  // "OK", "WARN", "FAIL"

struct Finding {
  Severity severity = Severity::Ok;
  std::string subject;  // "interface eth0 (VI_1)"
  std::string reason;
  std::string fix;      // a shell command; empty when there is nothing to run
  bool operator==(const Finding&) const = default;
};

inline Finding ok(std::string subject, std::string reason) { return {Severity::Ok, std::move(subject), std::move(reason), {}}; }
inline Finding warn(std::string subject, std::string reason, std::string fix = {}) {
  return {Severity::Warn, std::move(subject), std::move(reason), std::move(fix)};
}
inline Finding fail(std::string subject, std::string reason, std::string fix = {}) {
  return {Severity::Fail, std::move(subject), std::move(reason), std::move(fix)};
}

// "FAIL  interface eth9 (VI_1): does not exist  (fix: ip link add ...)"
std::string formatLine(const Finding& finding);
nlohmann::json toJson(const std::vector<Finding>& findings);
bool anyFail(const std::vector<Finding>& findings);

}  // namespace tandem::diagnose
