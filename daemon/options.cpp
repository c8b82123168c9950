#include "daemon/options.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include "daemon/metrics_server.h"

namespace tandem::daemon {

namespace {

void addOptions(CLI::App& app, Options& o, std::string& dumpValue, bool& version, bool& genhash) {
  app.add_option("-f,--use-file", o.configFile, "Configuration file (keepalived syntax)")->type_name("FILE");
  app.add_flag("-P,--vrrp", o.vrrpOnly, "Only run the VRRP subsystem");
  app.add_flag("-C,--check", o.checkersOnly, "Only run the health-checker subsystem");
  app.add_flag("-l,--log-console", o.logConsole, "Log to the console");
  app.add_flag("-D,--log-detail", o.logDetail, "Detailed log messages");
  app.add_option("-S,--log-facility", o.logFacility, "Syslog facility LOCAL0..LOCAL7")->check(CLI::Range(0, 7))->type_name("0-7");
  app.add_option("-g,--log-file", o.logFile, "Log to this file")->type_name("FILE");
  app.add_flag("-G,--no-syslog", o.noSyslog, "Do not log through syslog");
  app.add_flag("-n,--dont-fork", o.dontFork, "Stay in the foreground");
  app.add_flag("-X,--release-vips", o.releaseVips, "Remove the VIPs of a previous run at start");
  app.add_flag("-V,--dont-release-vrrp", o.dontReleaseVrrp, "Leave the VIPs bound on exit");
  app.add_flag("-I,--dont-release-ipvs", o.dontReleaseIpvs, "Leave the IPVS rules in place on exit");
  app.add_flag("-R,--dont-respawn", o.dontRespawn, "Do not restart a child process that died");
  app.add_option("-p,--pid", o.pidFile, "Parent pid file")->type_name("FILE");
  app.add_option("-r,--vrrp_pid", o.vrrpPidFile, "VRRP child pid file")->type_name("FILE");
  app.add_option("-c,--checkers_pid", o.checkersPidFile, "Checker child pid file")->type_name("FILE");
  app.add_option("-i,--config-id", o.configId, "Configuration id for @ID lines (default: host name)")->type_name("ID");
  app.add_option("--instance", o.instanceName, "Instance name, for ${_INSTANCE}")->type_name("NAME");
  app.add_flag("-e,--all-config", o.strictIncludes, "Refuse the configuration if any included file is missing");
  app.add_flag("-t,--config-test", o.configTest, "Check the configuration, print every problem, exit 1 on errors");
  app.add_option("-d,--dump-conf", dumpValue, "Print the normalized configuration (text or json)")
      ->expected(0, 1)
      ->type_name("[json]");
  app.add_option("--check-pair", o.checkPair, "Check that two directors' configurations form a working pair")
      ->expected(2)
      ->type_name("A.conf B.conf");
  app.add_flag("--diagnose", o.diagnose,
               "Check the configuration against this host (interfaces, firewall, sysctls, adverts heard, VIPs); "
               "exit 1 on any FAIL");
  app.add_option("--listen", o.listenSeconds, "How long --diagnose listens for adverts (default: 3 advert intervals)")
      ->check(CLI::Range(0.0, 600.0))
      ->type_name("SECONDS");
  app.add_flag("--json", o.json, "With --diagnose: print the findings as JSON");
  app.add_option("--realserver", o.realServerVips,
                 "Real-server helper: bind these VIPs on lo, suppress ARP for them, keep them there until stopped "
                 "(no VIP: the real_server_setup block of -f)")
      ->expected(0, -1)
      ->type_name("[VIP...]");
  app.add_option("--realserver-interface", o.realServerInterfaces,
                 "With --realserver: also set the ARP sysctls on this outward interface (lo and all always are)")
      ->type_name("IF");
  app.add_flag("--no-arp-suppression", o.noArpSuppression, "With --realserver: bind the VIPs only, leave the ARP sysctls");
  app.add_flag("--keep", o.keep, "With --realserver: leave the VIPs and sysctls in place on exit");
  app.add_option("--control-socket", o.controlSocket, "Unix socket for tandemctl (default /run/tandem.sock)")
      ->type_name("PATH");
  app.add_option("--metrics", o.metrics, "Serve Prometheus metrics over HTTP (address defaults to 127.0.0.1)")
      ->type_name("[ADDRESS:]PORT")
      ->check([](const std::string& value) {
        std::string error;
        return parseMetricsEndpoint(value, error) ? std::string() : error;
      });
  app.add_flag("-v,--version", version, "Print the version and exit");
  // main() hands everything after -T to daemon/genhash_mode before this parser runs; listed here for --help.
  app.add_flag("-T,--genhash", genhash,
               "keepalived's genhash: tandemd -T -s ADDRESS -p PORT -u URL prints the MD5 of the url's body, for a url "
               "block's digest (should be the first option: those before it are ignored; tandemd -T -h lists its own)");
}

std::string usageText(CLI::App& app) { return app.help(); }

}  // namespace

ParseOutcome parseCommandLine(int argc, const char* const* argv) {
  CLI::App app{"tandemd: keepalived-compatible VRRP and LVS health-check daemon", "tandemd"};
  app.set_help_flag("-h,--help", "Print this help and exit");
  Options o;
  std::string dumpValue = "\x01";  // sentinel: option not given
  bool version = false;
  bool genhash = false;
  addOptions(app, o, dumpValue, version, genhash);
  ParseOutcome out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp&) {
    out.output = usageText(app);
    return out;
  } catch (const CLI::ParseError& e) {
    out.exitCode = 2;
    out.error = std::string("tandemd: ") + e.what() + "\n" + usageText(app);
    return out;
  }
  if (genhash) {
    out.exitCode = 2;
    out.error = "tandemd: -T/--genhash starts a mode of its own and takes genhash's options, not these\n";
    return out;
  }
  if (version) {
    out.output = "tandemd " TANDEM_VERSION "\n";
    return out;
  }
  if (dumpValue != "\x01") {
    if (dumpValue.empty() || dumpValue == "text") o.dump = DumpFormat::Text;
    else if (dumpValue == "json") o.dump = DumpFormat::Json;
    else {
      out.exitCode = 2;
      out.error = "tandemd: --dump-conf takes no value or 'json', not '" + dumpValue + "'\n" + usageText(app);
      return out;
    }
  }
  o.realServer = app.count("--realserver") > 0;
  std::erase(o.realServerVips, std::string());  // CLI11's value for a bare --realserver
  o.pidFileGiven = app.count("--pid") > 0;
  if (!o.realServer && (o.keep || o.noArpSuppression || !o.realServerInterfaces.empty())) {
    out.exitCode = 2;
    out.error = "tandemd: --keep, --no-arp-suppression and --realserver-interface go with --realserver\n" + usageText(app);
    return out;
  }
  if (o.vrrpOnly && o.checkersOnly) {
    out.exitCode = 2;
    out.error = "tandemd: -P/--vrrp and -C/--check exclude each other\n" + usageText(app);
    return out;
  }
  if ((o.listenSeconds || o.json) && !o.diagnose) {
    out.exitCode = 2;
    out.error = "tandemd: --listen and --json go with --diagnose\n" + usageText(app);
    return out;
  }
  out.options = std::move(o);
  return out;
}

Options withAbsolutePaths(Options options) {
  for (std::string* path : {&options.configFile, &options.pidFile, &options.vrrpPidFile, &options.checkersPidFile,
                            &options.logFile, &options.controlSocket}) {
    std::error_code ec;
    if (!path->empty() && path->front() != '/') {
      const auto absolute = std::filesystem::absolute(*path, ec);
      if (!ec) *path = absolute.lexically_normal().string();
    }
  }
  return options;
}

}  // namespace tandem::daemon
