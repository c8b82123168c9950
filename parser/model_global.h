#pragma once
// global_defs: process-wide settings and the defaults instances inherit.
#include <optional>
#include <string>
#include <vector>

#include "parser/schema.h"

namespace tandem::config {

struct SmtpServer {
  std::string host;
  int port = 25;
};

struct LvsTimeouts {
  std::optional<int> tcp, tcpfin, udp;
};

struct LvsSyncDaemon {
  std::string interface;
  std::string vrrpInstance;
  std::optional<int> syncId, maxlen, port, ttl;
  std::optional<std::string> group;
};

struct GlobalDefs {
  BlockMeta meta;
  std::string router_id;                 // keepalived: the host name when unset
  std::vector<std::string> notification_email;
  std::string notification_email_from;
  std::optional<SmtpServer> smtp_server;
  std::string smtp_helo_name;
  int smtp_connect_timeout = 30;
  bool smtp_alert = false;
  bool enable_script_security = false;
  std::string script_user;               // user [group]
  std::string default_interface;
  bool dynamic_interfaces = false;
  std::string vrrp_mcast_group4 = "224.0.0.18";
  std::string vrrp_mcast_group6 = "ff02::12";
  double vrrp_garp_master_delay = 5;
  int vrrp_garp_master_repeat = 5;
  double vrrp_garp_master_refresh = 0;
  int vrrp_garp_master_refresh_repeat = 1;
  double vrrp_garp_lower_prio_delay = 5;
  int vrrp_garp_lower_prio_repeat = 5;
  double vrrp_garp_interval = 0;         // seconds between gratuitous ARPs of a burst
  double vrrp_gna_interval = 0;          // same for unsolicited neighbour advertisements
  int vrrp_version = 2;
  bool vrrp_check_unicast_src = false;
  bool vrrp_skip_check_adv_addr = false;
  bool vrrp_strict = false;
  bool v3_checksum_as_v2 = false;
  bool vrrp_higher_prio_send_advert = false;
  bool vrrp_lower_prio_no_advert = false;
  double vrrp_startup_delay = 0;
  std::optional<int> max_auto_priority;  // keepalived: -1 means "no limit"
  std::optional<LvsTimeouts> lvs_timeouts;
  std::optional<LvsSyncDaemon> lvs_sync_daemon;
  bool lvs_flush = false;
  bool lvs_flush_on_stop = false;
  std::string state_dump_file, stats_dump_file, json_dump_file;
};

const Schema<GlobalDefs>& globalDefsSchema();

}  // namespace tandem::config
