#include "daemon/realserver_mode.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <fstream>
#include <iostream>

#include "daemon/config_tool.h"
#include "daemon/logging.h"
#include "daemon/pid_file.h"
#include "daemon/run_mode.h"
#include "vrrp/linux/linux_addresses.h"
#include "vrrp/linux/linux_interfaces.h"
#include "vrrp/linux/netlink.h"

namespace tandem::daemon {
namespace {

using realserver::Action;
using realserver::Desired;
using realserver::Observed;
using realserver::SysctlKey;

constexpr const char* kLoopback = "lo";

// /proc/sys/net belongs to the namespace of the process that opens it: these are the helper's own namespace's.
std::optional<std::string> readSysctl(const SysctlKey& key) {
  std::ifstream in("/proc/sys/" + key.path());
  std::string value;
  if (!(in >> value)) return std::nullopt;
  return value;
}

bool writeSysctl(const SysctlKey& key, const std::string& value, std::string& error) {
  std::ofstream out("/proc/sys/" + key.path());
  out << value << '\n';
  out.flush();
  if (out) return true;
  error = "cannot write " + key.name() + " (/proc/sys/" + key.path() + ")";
  return false;
}

vrrp::VirtualAddress onLoopback(const vrrp::IpAddress& vip) {
  vrrp::VirtualAddress a;
  a.address = vip;
  a.device = kLoopback;
  return a;
}

class RealServerRuntime {
 public:
  RealServerRuntime(boost::asio::io_context& io, Logger& log, Desired desired)
      : log_(log), interfaces_(io, {}, log.sink()), reconciler_(std::move(desired)) {
    std::string error;
    dumps_ = vrrp::linux_::connectRoute(error);
    if (!dumps_) throw std::runtime_error(error);
  }

  // False when the system refused a change: what was done is undone again.
  bool start() {
    // Subscribed before the first look, so no change between the two is missed; and a subscription that fails
    // throws before anything was changed. Every address or link change, ours included, is one look at lo and the
    // settings: when nothing is to be done, that is all it costs.
    interfaces_.watch([this](const vrrp::InterfaceInfo&) {
      if (running_) carryOut(reconciler_.reconcile(observe()));
    });
    if (!carryOut(reconciler_.start(observe()))) {
      log_.error("real-server helper: could not set everything up; undoing what was done");
      carryOut(reconciler_.rollback(observe()));
      return false;
    }
    running_ = true;
    return true;
  }

  void reconfigure(Desired desired) {
    Observed observed = observe();
    for (const auto& [key, value] : realserver::wantedSysctls(desired))
      if (!observed.sysctls.count(key)) observed.sysctls[key] = readSysctl(key);
    carryOut(reconciler_.reconfigure(std::move(desired), observed));
  }

  void stop() {
    running_ = false;
    carryOut(reconciler_.stop(observe()));
  }

 private:
  Observed observe() {
    Observed o;
    const int lo = vrrp::linux_::ifindexOf(dumps_.get(), kLoopback);
    std::string error;
    if (const auto addresses = vrrp::linux_::dumpAddresses(dumps_.get(), error)) {
      for (const auto& a : *addresses)
        if (a.ifindex == lo) o.loAddresses.push_back(a.address);
    } else {
      log_.error(error);
    }
    for (const SysctlKey& key : reconciler_.sysctlsOfInterest()) o.sysctls[key] = readSysctl(key);
    return o;
  }

  // Logs one line per action; false when any failed.
  bool carryOut(const std::vector<Action>& actions) {
    bool ok = true;
    for (const Action& a : actions) {
      std::string error;
      bool done = true;
      switch (a.kind) {
        case Action::Kind::SetSysctl: done = writeSysctl(a.sysctl, a.value, error); break;
        case Action::Kind::AddVip: done = addresses_.add(onLoopback(a.vip), kLoopback, error); break;
        case Action::Kind::RemoveVip: done = addresses_.remove(onLoopback(a.vip), kLoopback, error); break;
        case Action::Kind::Leave: break;
      }
      if (done) {
        log_.info(a.describe());
      } else {
        log_.error(a.describe() + " failed: " + error);
        ok = false;
      }
    }
    return ok;
  }

  Logger& log_;
  vrrp::LinuxInterfaces interfaces_;
  vrrp::LinuxAddresses addresses_;
  vrrp::linux_::NlSocket dumps_;
  realserver::Reconciler reconciler_;
  bool running_ = false;
};

std::optional<Desired> desiredFromFile(const Options& options, std::string& error) {
  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  if (loaded.diagnostics.hasErrors()) {
    std::string first;
    for (const auto& d : loaded.diagnostics.all())
      if (d.severity == config::Severity::Error && first.empty()) first = d.format();
    error = options.configFile + " has errors (`tandemd -t -f " + options.configFile + "` lists them all), first: " + first;
    return std::nullopt;
  }
  return realServerDesired(options, &loaded.config, error);
}

void waitForSignal(boost::asio::signal_set& signals, RealServerRuntime& runtime, const Options& options, Logger& log,
                   boost::asio::io_context& io) {
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (!options.realServerVips.empty()) {
        log.info("SIGHUP: the VIPs come from the command line; nothing to reread");
      } else {
        std::string error;
        if (auto desired = desiredFromFile(options, error)) {
          log.info("SIGHUP: rereading " + options.configFile);
          runtime.reconfigure(std::move(*desired));
        } else {
          log.error("SIGHUP: " + error);
          log.error("SIGHUP: keeping the current setup");
        }
      }
      waitForSignal(signals, runtime, options, log, io);
      return;
    }
    log.info(std::string("stopping on ") + (signal == SIGINT ? "SIGINT" : "SIGTERM"));
    runtime.stop();
    io.stop();
  });
}

}  // namespace

std::optional<Desired> realServerDesired(const Options& options, const config::Config* config, std::string& error) {
  Desired d;
  if (!options.realServerVips.empty()) {
    for (const std::string& word : options.realServerVips) {
      const auto address = vrrp::IpAddress::parse(word);
      if (!address) {
        error = "--realserver: '" + word + "' is not an IPv4 or IPv6 address (VIPs are bound as /32 or /128)";
        return std::nullopt;
      }
      d.vips.push_back(*address);
    }
    d.interfaces = options.realServerInterfaces;
    d.arpSuppression = !options.noArpSuppression;
    d.keepOnExit = options.keep;
    return d;
  }
  if (!config || !config->real_server_setup.present()) {
    error = "--realserver: no VIP on the command line and no real_server_setup block in " + options.configFile;
    return std::nullopt;
  }
  const config::RealServerSetup& block = config->real_server_setup;
  for (const config::IpAddress& a : block.vip) d.vips.push_back(*vrrp::IpAddress::parse(a.text()));
  d.interfaces = block.interface;
  for (const std::string& extra : options.realServerInterfaces) d.interfaces.push_back(extra);
  d.arpSuppression = block.arp_suppression && !options.noArpSuppression;
  d.keepOnExit = block.keep_on_exit || options.keep;
  return d;
}

int runRealServer(const Options& given) {
  const Options options = withAbsolutePaths(given);
  std::string error;
  const auto desired = options.realServerVips.empty() ? desiredFromFile(options, error)
                                                      : realServerDesired(options, nullptr, error);
  if (!desired) {
    std::cerr << "tandemd: " << error << "\n";
    return 1;
  }
  const std::string pidPath = options.pidFileGiven ? options.pidFile : kRealServerPidFile;
  if (auto pid = livePidIn(pidPath)) {
    std::cerr << "tandemd: the real-server helper already runs as pid " << *pid << " (pid file " << pidPath << ")\n";
    return 1;
  }
  if (!options.dontFork && !daemonize()) return 1;

  LogSettings settings = logSettingsFor(options);
  settings.ident = "Tandem_realserver";
  if (!options.dontFork) settings.console = false;
  Logger log(settings);
  PidFile pidFile(pidPath);
  if (!pidFile.write(error)) {
    log.error(error);
    return 1;
  }
  std::string vips;
  for (const auto& vip : desired->vips) vips += " " + vip.toString();
  log.info(std::string("Starting tandemd ") + TANDEM_VERSION + " real-server helper for" + vips);

  boost::asio::io_context io;
  // Caught from here on: a stop that arrives during the setup is handled after it, and undoes all of it.
  boost::asio::signal_set signals(io, SIGTERM, SIGINT, SIGHUP);
  try {
    RealServerRuntime runtime(io, log, *desired);
    if (!runtime.start()) return 1;
    waitForSignal(signals, runtime, options, log, io);
    io.run();
  } catch (const std::exception& e) {
    log.error(std::string("real-server helper: ") + e.what());
    return 1;
  }
  log.info("Stopped the real-server helper");
  return 0;
}

}  // namespace tandem::daemon
