#pragma once
// What the checker process runs, resolved once from the configuration model: every virtual_server as the IPVS
// services it programs (one, or one per virtual_server_group entry), its real servers as IPVS destinations with
// their checkers, and each checker's timing and target with keepalived's inheritance and defaults applied
// (config::effectiveChecker). Pure; the runtime builds probes from CheckerSpec and the HealthBoard keeps the state.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "checkers/health_tracker.h"
#include "checkers/verdicts.h"
#include "ipvs/table.h"
#include "ipvs/wanted.h"
#include "parser/model.h"

namespace tandem::check {

// A notify_up / notify_down / quorum_up / quorum_down script, split into words as keepalived splits it.
struct ScriptSpec {
  std::vector<std::string> argv;  // empty: none configured
  std::string user;               // "user" or "user:group"; empty: the daemon's own
  bool operator==(const ScriptSpec&) const = default;
};

enum class CheckKind : std::uint8_t { Tcp, Http, Ssl, Misc };

// keepalived's conn_opts: where a TCP/HTTP/SSL checker connects and from where.
struct ConnectSpec {
  ipvs::Address address;
  std::uint16_t port = 0;
  std::optional<ipvs::Address> bindTo;
  std::uint16_t bindPort = 0;
  std::string bindInterface;
  std::optional<std::uint32_t> fwmark;
  std::chrono::milliseconds timeout{5000};
  bool operator==(const ConnectSpec&) const = default;
};

struct UrlCheck {
  UrlSpec spec;
  std::string virtualhost;  // the url block's own; empty: the checker's
  bool operator==(const UrlCheck&) const = default;
};

struct CheckerSpec {
  CheckKind kind = CheckKind::Tcp;
  CheckTiming timing;
  ConnectSpec connect;  // Tcp, Http, Ssl
  // Http, Ssl
  std::vector<UrlCheck> urls;
  std::string virtualhost;  // the checker's, else the real server's, else the virtual server's
  config::HttpProtocol httpProtocol = config::HttpProtocol::V1_0;
  bool enableSni = false;
  std::string sniName;
  // Misc
  std::string miscPath;
  std::string user;  // misc user, else global_defs script_user
  std::chrono::milliseconds miscTimeout{60000};
  bool miscDynamic = false;
  config::Location where;  // of the checker block, for messages

  // "TCP_CHECK 10.0.0.2:80", "HTTP_GET 10.0.0.2:80", "MISC_CHECK /usr/local/bin/check"
  std::string label() const;
  // Same probe, same timing: a reload keeps such a checker's state.
  bool sameCheck(const CheckerSpec& other) const;
};

struct RealServerSpec {
  ipvs::Destination destination;  // address, port, configured weight, forwarding method, thresholds
  bool inhibitOnFailure = false;
  ScriptSpec notifyUp, notifyDown;
  std::vector<CheckerSpec> checkers;
  config::Location where;

  std::string name() const;  // "10.0.0.2:80", "[2001:db8::2]:80"
};

struct VirtualServerSpec {
  std::string name;                     // "TCP 192.0.2.1:80", "FWM 7", "group web"
  std::vector<ipvs::Service> services;  // a group gives one per entry (and per address of a range)
  std::vector<RealServerSpec> realServers;
  std::optional<ipvs::SorryServer> sorryServer;
  ipvs::QuorumSettings quorum;
  ScriptSpec quorumUp, quorumDown;
  bool omega = false;
  config::Location where;
};

struct CheckerConfig {
  std::vector<VirtualServerSpec> virtualServers;
  std::optional<config::LvsTimeouts> lvsTimeouts;
  bool scriptSecurity = false;  // global_defs enable_script_security
  // What the checker process will not do as configured (checker types it does not run), one line each,
  // "FILE:LINE: ..." for the log.
  std::vector<std::string> warnings;
};

// Expects a configuration that validated without errors.
CheckerConfig mapCheckerConfig(const config::Config& config);

// Every configured service, without destinations: what the checker process owns in the kernel.
ipvs::Table configuredServices(const CheckerConfig& config);

// The destination a real server has in one of its virtual server's services: DR and TUN cannot change the port, so
// their destinations carry the service's port (none for fwmark services), as ipvsadm and keepalived do; NAT
// without a port takes the service's.
ipvs::Destination destinationIn(const ipvs::ServiceKey& service, const ipvs::Destination& destination);

ipvs::Address toIpvsAddress(const config::IpAddress& address);

}  // namespace tandem::check
