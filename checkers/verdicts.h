#pragma once
// Verdicts of the checkers whose rules are pure. The adapters do the I/O (the HTTP request and the MD5 of its body,
// the MISC_CHECK process) and hand the facts here.
//
// HTTP_GET / SSL_GET, per url block, in keepalived's order (check_http.c): the status code must be in one of the
// status_code ranges (default 200-299; anything outside 100-599 fails), then, if a digest is configured, the body's
// MD5 must equal it (compared case-insensitively: keepalived compares the binary digest). regex is not handled here
// yet. An attempt succeeds when every url succeeds; the adapter stops at the first failing url. Deliberate
// difference: keepalived without fast_recovery checks a recovering server's urls one per delay_loop; Tandem checks
// them all in one attempt, as keepalived's fast_recovery does.
//
// MISC_CHECK (check_misc.c): exit 0 succeeds; with misc_dynamic an exit status 2..255 also succeeds and sets the
// real server's weight to status - 2 (keepalived: "two less than the exit status" for a lone dynamic checker), while
// exit 0 restores the configured weight; any other exit status, a signal or a timeout fails.
#include <string>
#include <string_view>
#include <vector>

#include "checkers/verdict.h"

namespace tandem::check {

struct StatusRange {
  int low = 200;
  int high = 299;  // inclusive
  bool operator==(const StatusRange&) const = default;
};

struct UrlSpec {
  std::string path;
  std::string digest;                    // 32 hex digits; empty: no digest check
  std::vector<StatusRange> statusCodes;  // empty: 200-299
  bool operator==(const UrlSpec&) const = default;
};

Verdict httpVerdict(const UrlSpec& url, int statusCode, std::string_view bodyMd5Hex);

Verdict miscExitVerdict(int exitStatus, bool dynamic);
Verdict miscSignalVerdict(int signal);
Verdict miscTimeoutVerdict();

}  // namespace tandem::check
