#pragma once
// `tandemd -T ARGS...` / `tandemd --genhash ARGS...`: keepalived's genhash (keepalived 2.2.7's `keepalived -T`, Debian's
// /usr/bin/genhash). Fetches one url the way HTTP_GET/SSL_GET do and prints the MD5 of its body, the digest a url
// block's `digest` wants. Same options (getopt_long syntax: -vS, -s127.0.0.1, --port=80, unique long prefixes), same
// error wording, same output: the digest alone on a line, or with -v the header and hash dumps and the response time.
// Differences from keepalived, each on purpose:
//   - a failed fetch (refused, timeout, TLS) is one line on stderr and exit 1; keepalived prints it on stdout, exit 0;
//   - a bad option is one line on stderr (no usage screen), exit 1 as keepalived; -h prints the usage on stdout, exit 0;
//   - -v cannot dump the body (check::genhash hashes it as it arrives and keeps no copy): it gives its size instead,
//     and SSL uses the same sections as HTTP (keepalived's SSL path drops the section titles);
//   - -t 0 is refused (keepalived times out at once); the test-only protocols 1.0K/1.1K are not offered.
#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "checkers/linux/genhash.h"
#include "checkers/linux/http_request.h"

namespace tandem::daemon {

struct GenhashCommand {
  check::GenhashOptions options;
  std::string url;                     // -u, sent as given
  bool verbose = false;                // -v
};

struct GenhashParse {
  std::optional<GenhashCommand> command;  // set when the fetch can go ahead
  bool help = false;                      // -h: print genhashUsage(), exit 0
  std::string error;                      // keepalived's message for the first bad option, without a prefix
};

// The arguments after -T/--genhash, parsed as keepalived's getopt_long does.
GenhashParse parseGenhashArguments(const std::vector<std::string>& args);

// genhash's usage screen, naming the program `tandemd --genhash`.
std::string genhashUsage();

// keepalived's dump_buffer(): "%.4zu " offsets (decimal), 16 bytes a line in two groups of 8, then the printable
// characters; the last line padded.
std::string hexDump(std::string_view bytes);

// What genhash prints on stdout for a complete reply: the digest line, or with -v the dump sections and the time.
std::string genhashReport(const GenhashCommand& command, const check::HttpResponse& response,
                          std::chrono::microseconds elapsed);

// Where genhash mode starts in tandemd's argv: the index just after the first -T/--genhash (keepalived runs genhash
// wherever -T is, ignoring the options before it, with a warning); nullopt when there is none.
std::optional<int> genhashArgumentStart(int argc, const char* const* argv);

// Parses `args` (what follows -T), fetches, prints; the process's exit status.
int runGenhash(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace tandem::daemon
