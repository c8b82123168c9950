#pragma once
// virtual_server, virtual_server_group, real_server and the health checkers.
//
// Fields hold what the configuration says (optional<> when keepalived inherits a value from the
// enclosing block); the effective*() functions resolve the inheritance chain
// checker -> real_server -> virtual_server -> keepalived's default, so engines never repeat it.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "parser/common_fields.h"

namespace tandem::config {

enum class Scheduler { Rr, Wrr, Lc, Wlc, Lblc, Lblcr, Dh, Sh, Sed, Nq, Fo, Ovf, Mh, Twos };
enum class Protocol { Tcp, Udp, Sctp };
enum class LvsMethod { Nat, Dr, Tun };
enum class TunnelType { Ipip, Gue, Gre };
enum class TunnelChecksum { NoCsum, Csum, RemCsum };

// lvs_method NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]
struct Forwarding {
  LvsMethod method = LvsMethod::Nat;
  TunnelType tunnelType = TunnelType::Ipip;
  int tunnelPort = 0;  // gue only
  TunnelChecksum checksum = TunnelChecksum::NoCsum;
  bool operator==(const Forwarding&) const = default;
};

// ADDRESS [PORT]; keepalived reads a missing port and port 0 alike as "no port".
struct ServerAddress {
  IpAddress address;
  int port = 0;
  bool operator==(const ServerAddress& o) const { return address == o.address && port == o.port; }
};

enum class CheckerType { Tcp, Http, Ssl, Misc, Smtp, Dns, Udp, Ping, File, Bfd };
std::string_view checkerKeyword(CheckerType type);  // "TCP_CHECK", "HTTP_GET", ...

struct HttpUrl {
  BlockMeta meta;
  std::string path;
  std::string digest;                             // 32 hex digits, lower case; empty: none
  std::vector<std::pair<int, int>> status_code;   // inclusive ranges as written; empty: 200-299
  std::optional<std::string> virtualhost;
  std::string regex;
  bool regex_no_match = false;
  std::vector<std::string> regex_options;
  std::optional<long long> regex_min_offset, regex_max_offset;
  std::optional<std::pair<long long, long long>> regex_stack;
  bool tls_compliant = false;

  std::vector<std::string> blockArgs() const { return {}; }
  bool acceptsStatus(int code) const;
};

enum class HttpProtocol { V1_0, V1_0C, V1_1 };
enum class DnsType { A, NS, CNAME, SOA, MX, TXT, AAAA };

struct Checker;

// The fields only one type of checker has. A checker holds its own type's (Checker::details), so the 10,000
// checkers of a large configuration do not each carry every type's strings.
struct HttpFields {  // HTTP_GET and SSL_GET
  std::vector<HttpUrl> urls;
  std::optional<std::string> virtualhost;
  std::optional<HttpProtocol> http_protocol;  // unset: 1.0
  bool enable_sni = false;
  std::string sni_name;
  bool fast_recovery = false;
  bool tls_compliant = false;
};

struct MiscFields {
  std::string misc_path;
  std::optional<long long> misc_timeout;  // seconds; unset: the virtual server's delay_loop
  bool misc_dynamic = false;
  std::string user;
};

struct SmtpFields {
  std::string helo_name;
  std::vector<Checker> hosts;  // keepalived's deprecated way to list several servers
};

struct DnsFields {
  std::optional<DnsType> dns_type;  // unset: SOA
  std::string dns_name = ".";
};

struct UdpFields {
  std::string payload;
  std::optional<std::string> require_reply;  // present with "" when a reply is required, any content
  long long min_reply_length = 0;
  long long max_reply_length = 255;
};

struct FileFields {
  std::string track_file;
  std::optional<long long> file_weight;
  bool file_weight_reverse = false;
  bool dynamic = false;
};

struct BfdFields {
  std::string bfd_name;
};

// One health checker: what every type shares, and its own type's fields. Each type's keyword table only admits its
// own keywords, so a TCP_CHECK never carries a url.
struct Checker {
  BlockMeta meta;
  CheckerType type = CheckerType::Tcp;

  // connection (every type but MISC_CHECK, FILE_CHECK and BFD_CHECK)
  std::optional<IpAddress> connect_ip;
  std::optional<int> connect_port;
  std::optional<IpAddress> bindto;
  std::optional<int> bind_port;
  std::string bind_if;
  std::optional<double> connect_timeout;
  std::optional<std::uint32_t> fwmark;

  // timing, inherited from the real server when unset
  std::optional<long long> retry;
  std::optional<double> delay_before_retry;
  std::optional<double> warmup;
  std::optional<double> delay_loop;
  std::optional<bool> alpha;
  bool log_all_failures = false;

  std::variant<std::monostate, Boxed<HttpFields>, Boxed<MiscFields>, Boxed<SmtpFields>, Boxed<DnsFields>,
               Boxed<UdpFields>, Boxed<FileFields>, Boxed<BfdFields>>
      details;

  // Gives `details` the alternative of this checker's type.
  void setType(CheckerType t);
  // One type's fields; a checker of another type reads as that type's defaults.
  const HttpFields& http() const { return fieldsOr<HttpFields>(); }
  const MiscFields& misc() const { return fieldsOr<MiscFields>(); }
  const SmtpFields& smtp() const { return fieldsOr<SmtpFields>(); }
  const DnsFields& dns() const { return fieldsOr<DnsFields>(); }
  const UdpFields& udp() const { return fieldsOr<UdpFields>(); }
  const FileFields& file() const { return fieldsOr<FileFields>(); }
  const BfdFields& bfd() const { return fieldsOr<BfdFields>(); }

  std::vector<std::string> blockArgs() const { return {}; }

 private:
  template <class Fields>
  const Fields& fieldsOr() const {
    static const Boxed<Fields> none;
    const Boxed<Fields>* own = std::get_if<Boxed<Fields>>(&details);
    return (own ? *own : none).valueOrDefault();
  }
};

struct RealServer {
  BlockMeta meta;
  ServerAddress server;
  std::optional<long long> weight;                 // unset: the virtual server's weight (1)
  std::optional<Forwarding> lvs_method;            // unset: the virtual server's
  std::optional<long long> uthreshold, lthreshold;
  std::optional<bool> inhibit_on_failure;
  Boxed<NotifyScript> notify_up, notify_down;
  std::optional<bool> alpha;
  std::optional<long long> retry;
  std::optional<double> delay_before_retry, warmup, connect_timeout, delay_loop;
  std::optional<bool> smtp_alert;
  Boxed<std::string> virtualhost;
  Boxed<std::string> snmp_name;
  // No checker at all is valid: keepalived then treats the real server as always up.
  std::vector<Checker> checkers;

  std::vector<std::string> blockArgs() const;
};

enum class VirtualServerKind { Address, Fwmark, Group };

struct VirtualServer {
  BlockMeta meta;
  VirtualServerKind kind = VirtualServerKind::Address;
  ServerAddress server;          // Address
  std::uint32_t fwmark = 0;      // Fwmark
  std::string group;             // Group: a virtual_server_group name

  std::optional<Scheduler> lvs_sched;        // unset: wlc
  std::optional<Forwarding> lvs_method;      // unset: NAT
  std::optional<Protocol> protocol;          // unset: UDP for address services (keepalived warns)
  std::optional<long long> persistence_timeout;  // keyword alone: 360
  std::string persistence_granularity;       // IPv4 netmask or IPv6 prefix length
  std::string persistence_engine;
  bool hashed = false, ops = false, flag_1 = false, flag_2 = false, flag_3 = false;
  bool sh_port = false, sh_fallback = false, mh_port = false, mh_fallback = false;
  bool ha_suspend = false;
  std::optional<bool> smtp_alert;
  Boxed<std::string> virtualhost;
  Boxed<std::string> snmp_name;
  bool alpha = false, omega = false;
  long long quorum = 1;
  long long hysteresis = 0;
  Boxed<NotifyScript> quorum_up, quorum_down;
  std::optional<int> ip_family;              // 4 or 6
  std::optional<ServerAddress> sorry_server;
  bool sorry_server_inhibit = false;
  std::optional<Forwarding> sorry_server_lvs_method;
  std::optional<double> connect_timeout, delay_before_retry, warmup, delay_loop;
  std::optional<long long> retry;
  bool inhibit_on_failure = false;
  std::optional<long long> weight;           // default weight of its real servers
  std::vector<RealServer> real_servers;

  std::vector<std::string> blockArgs() const;
  std::string describe() const;  // "virtual_server 10.0.0.1 80", for messages
};

// One line of a virtual_server_group: an address or address range with optional port, or a fwmark.
struct VirtualServerGroupEntry {
  enum class Kind { Address, Fwmark };
  Kind kind = Kind::Address;
  Location where;
  std::string text;          // the address or range as written ("10.0.0.1-10", "10.0.1.0/29")
  IpAddress first, last;     // inclusive; equal for a single address
  int port = 0;
  std::uint32_t fwmark = 0;
  std::optional<int> fwmarkFamily;  // 4 or 6 when "inet"/"inet6" follows the mark
};

struct VirtualServerGroup {
  BlockMeta meta;
  std::string name;
  std::vector<VirtualServerGroupEntry> entries;
};

struct LvsSection {
  BlockMeta meta;
  std::vector<VirtualServerGroup> groups;
  std::vector<VirtualServer> virtual_servers;

  const VirtualServerGroup* findGroup(std::string_view name) const;
};

// ---- effective values: keepalived's inheritance, resolved ----

inline constexpr double kDefaultDelayLoop = 60;
inline constexpr double kDefaultConnectTimeout = 5;
inline constexpr long long kDefaultPersistenceTimeout = 360;

Scheduler effectiveScheduler(const VirtualServer& vs);
Protocol effectiveProtocol(const VirtualServer& vs);
Forwarding effectiveForwarding(const VirtualServer& vs);

struct EffectiveRealServer {
  ServerAddress server;  // port filled from the virtual server where keepalived does so
  long long weight = 1;
  Forwarding forwarding;
  bool inhibit_on_failure = false;
  bool alpha = false;
};
EffectiveRealServer effectiveRealServer(const VirtualServer& vs, const RealServer& rs);

struct EffectiveChecker {
  IpAddress connect_ip;
  int connect_port = 0;
  double connect_timeout = kDefaultConnectTimeout;
  long long retry = 1;
  double delay_before_retry = 1;
  double delay_loop = kDefaultDelayLoop;
  double warmup = kDefaultDelayLoop;  // upper bound of the random start delay
  bool alpha = false;
  std::string virtualhost;            // HTTP_GET/SSL_GET: Host header unless a url overrides it
  double misc_timeout = kDefaultDelayLoop;
};
EffectiveChecker effectiveChecker(const VirtualServer& vs, const RealServer& rs, const Checker& checker);

}  // namespace tandem::config
