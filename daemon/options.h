#pragma once
// tandemd's command line: keepalived's flags with keepalived's meanings, plus Tandem's own tools.
#include <optional>
#include <string>
#include <vector>

namespace tandem::daemon {

enum class DumpFormat { None, Text, Json };
// Which process this is: the supervising parent, or a subsystem child it forked.
enum class ProcessRole { Parent, VrrpChild, CheckerChild };

struct Options {
  std::string configFile = "/etc/keepalived/keepalived.conf";
  std::string configId;  // -i; empty: the host name up to its first dot
  bool strictIncludes = false;  // -e

  bool vrrpOnly = false;     // -P
  bool checkersOnly = false; // -C
  bool logConsole = false;   // -l
  bool logDetail = false;    // -D
  int logFacility = 0;       // -S: LOG_LOCAL0 + n
  std::string logFile;       // -g
  bool noSyslog = false;     // -G
  bool dontFork = false;     // -n
  bool releaseVips = false;  // -X
  bool dontReleaseVrrp = false;  // -V
  bool dontReleaseIpvs = false;  // -I
  bool dontRespawn = false;      // -R
  std::string pidFile = "/run/keepalived.pid";
  std::string vrrpPidFile = "/run/vrrp.pid";
  std::string checkersPidFile = "/run/checkers.pid";
  std::string instanceName;  // --instance (for ${_INSTANCE})
  std::string controlSocket = "/run/tandem.sock";  // --control-socket (Tandem's own)
  std::string metrics;  // --metrics [ADDRESS:]PORT: the Prometheus endpoint, off when empty (Tandem's own)
  ProcessRole role = ProcessRole::Parent;          // set in a forked child only
  bool respawned = false;  // set in a forked child only: this child replaces one that died

  bool configTest = false;   // -t
  DumpFormat dump = DumpFormat::None;  // -d / --dump-conf[=json]
  std::vector<std::string> checkPair;  // --check-pair A B
  bool diagnose = false;               // --diagnose: check the configuration against the live system
  std::optional<double> listenSeconds; // --listen: how long --diagnose listens for adverts
  bool json = false;                   // --json: --diagnose prints JSON

  // --realserver [VIP...]: the real-server helper instead of the director daemon (see realserver_mode.h).
  bool realServer = false;
  std::vector<std::string> realServerVips;        // empty: the real_server_setup block of the configuration
  std::vector<std::string> realServerInterfaces;  // --realserver-interface
  bool noArpSuppression = false;                  // --no-arp-suppression
  bool keep = false;                              // --keep: leave VIPs and sysctls in place on exit
  bool pidFileGiven = false;                      // -p was on the command line
};

struct ParseOutcome {
  std::optional<Options> options;  // empty: exit with `exitCode` after printing `output`
  int exitCode = 0;
  std::string output;      // --help / --version text (stdout)
  std::string error;       // one-line message plus usage (stderr)
};

ParseOutcome parseCommandLine(int argc, const char* const* argv);

// The file and socket paths made absolute against the current directory: the daemon runs from / (and its
// children re-read the configuration, and reload it, long after the shell's directory is gone).
Options withAbsolutePaths(Options options);

}  // namespace tandem::daemon
