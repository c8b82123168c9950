#include "checkers/verdicts.h"

#include <algorithm>
#include <cctype>

namespace tandem::check {
namespace {

constexpr int kLowestStatus = 100;
constexpr int kHighestStatus = 599;

std::string rangesText(const std::vector<StatusRange>& ranges) {
  std::string text;
  for (const StatusRange& range : ranges) {
    text += text.empty() ? "" : " ";
    text += std::to_string(range.low);
    if (range.high != range.low) {
      text += "-" + std::to_string(range.high);
    }
  }
  return text;
}

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
  });
}

}  // namespace

Verdict httpVerdict(const UrlSpec& url, int statusCode, std::string_view bodyMd5Hex) {
  const std::vector<StatusRange> ranges = url.statusCodes.empty() ? std::vector<StatusRange>{{}} : url.statusCodes;
  const bool accepted =
      statusCode >= kLowestStatus && statusCode <= kHighestStatus &&
      std::any_of(ranges.begin(), ranges.end(),
                  [statusCode](const StatusRange& range) { return statusCode >= range.low && statusCode <= range.high; });
  if (!accepted) {
    return Verdict::failure("HTTP status code " + std::to_string(statusCode) + " for " + url.path + " (expected " +
                            rangesText(ranges) + ")");
  }
  if (!url.digest.empty() && !equalsIgnoringCase(url.digest, bodyMd5Hex)) {
    return Verdict::failure("MD5 digest " + std::string(bodyMd5Hex) + " for " + url.path + " (expected " + url.digest +
                            ")");
  }
  return Verdict::ok();
}

Verdict miscExitVerdict(int exitStatus, bool dynamic) {
  if (exitStatus == 0) {
    return Verdict::ok();
  }
  if (dynamic && exitStatus >= 2 && exitStatus <= 255) {
    return Verdict::ok(static_cast<std::uint32_t>(exitStatus - 2));
  }
  return Verdict::failure("exited with status " + std::to_string(exitStatus));
}

Verdict miscSignalVerdict(int signal) { return Verdict::failure("killed by signal " + std::to_string(signal)); }

Verdict miscTimeoutVerdict() { return Verdict::failure("timed out"); }

}  // namespace tandem::check
