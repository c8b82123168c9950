#include "parser/model.h"

#include <algorithm>
#include <array>

namespace tandem::config {
namespace {

using G = GlobalDefs;

Keyword<G> notificationEmail() {
  return custom<G>(
      "notification_email",
      [](G& g, const Node& n, BuildContext& ctx) {
        // Both the block form and addresses on the keyword line are in use.
        for (const Token& t : n.args) g.notification_email.push_back(t.text);
        for (const Node& line : n.children) {
          g.notification_email.push_back(line.keyword);
          for (const Token& t : line.args) g.notification_email.push_back(t.text);
          if (line.hasBlock) ctx.diags.error(line.where, "notification_email lines take addresses, not blocks");
        }
      },
      [](const G& g, DumpWriter& out) {
        if (g.notification_email.empty()) return;
        out.open("notification_email", {});
        for (const auto& e : g.notification_email) out.item({e});
        out.close();
      });
}

Keyword<G> smtpServer() {
  return custom<G>(
      "smtp_server",
      [](G& g, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 2, ctx)) return;
        SmtpServer s;
        s.host = n.args[0].text;
        if (n.args.size() == 2) {
          auto port = readInteger(n, 1, 1, 65535, ctx);
          if (!port) return;
          s.port = static_cast<int>(*port);
        }
        g.smtp_server = s;
      },
      [](const G& g, DumpWriter& out) {
        if (g.smtp_server) out.text("smtp_server", {g.smtp_server->host, std::to_string(g.smtp_server->port)});
      });
}

Keyword<G> lvsTimeouts() {
  return custom<G>(
      "lvs_timeouts",
      [](G& g, const Node& n, BuildContext& ctx) {
        LvsTimeouts t;
        if (n.args.empty() || n.args.size() % 2 != 0) {
          ctx.diags.error(n.where, "'lvs_timeouts' expects pairs: tcp SECONDS tcpfin SECONDS udp SECONDS");
          return;
        }
        for (std::size_t i = 0; i + 1 < n.args.size(); i += 2) {
          auto v = readInteger(n, i + 1, 0, 86400 * 31, ctx);
          if (!v) return;
          const std::string& which = n.args[i].text;
          if (which == "tcp") t.tcp = static_cast<int>(*v);
          else if (which == "tcpfin") t.tcpfin = static_cast<int>(*v);
          else if (which == "udp") t.udp = static_cast<int>(*v);
          else { ctx.diags.error(n.where, "'lvs_timeouts': unknown timeout '" + which + "' (tcp, tcpfin or udp)"); return; }
        }
        g.lvs_timeouts = t;
      },
      [](const G& g, DumpWriter& out) {
        if (!g.lvs_timeouts) return;
        std::vector<std::string> words;
        auto add = [&](const char* name, const std::optional<int>& v) {
          if (v) { words.push_back(name); words.push_back(std::to_string(*v)); }
        };
        add("tcp", g.lvs_timeouts->tcp);
        add("tcpfin", g.lvs_timeouts->tcpfin);
        add("udp", g.lvs_timeouts->udp);
        out.text("lvs_timeouts", words);
      });
}

Keyword<G> lvsSyncDaemon() {
  return custom<G>(
      "lvs_sync_daemon",
      [](G& g, const Node& n, BuildContext& ctx) {
        if (n.args.size() < 2) {
          ctx.diags.error(n.where, "'lvs_sync_daemon' expects INTERFACE VRRP_INSTANCE [id N] [maxlen N] [port N] [ttl N] [group ADDRESS]");
          return;
        }
        LvsSyncDaemon d;
        d.interface = n.args[0].text;
        d.vrrpInstance = n.args[1].text;
        for (std::size_t i = 2; i < n.args.size(); i += 2) {
          const std::string& option = n.args[i].text;
          if (i + 1 >= n.args.size()) { ctx.diags.error(n.where, "'lvs_sync_daemon': '" + option + "' needs a value"); return; }
          if (option == "group") {
            if (!parseIpAddress(n.args[i + 1].text)) { ctx.diags.error(n.where, "'lvs_sync_daemon': group '" + n.args[i + 1].text + "' is not an address"); return; }
            d.group = n.args[i + 1].text;
            continue;
          }
          std::optional<int>* slot = option == "id" ? &d.syncId : option == "maxlen" ? &d.maxlen : option == "port" ? &d.port : option == "ttl" ? &d.ttl : nullptr;
          if (!slot) { ctx.diags.error(n.where, "'lvs_sync_daemon': unknown option '" + option + "'"); return; }
          const long long max = option == "id" ? 255 : option == "ttl" ? 255 : 65535;
          auto v = readInteger(n, i + 1, option == "maxlen" ? 1 : 0, max, ctx);
          if (!v) return;
          *slot = static_cast<int>(*v);
        }
        g.lvs_sync_daemon = d;
      },
      [](const G& g, DumpWriter& out) {
        if (!g.lvs_sync_daemon) return;
        const LvsSyncDaemon& d = *g.lvs_sync_daemon;
        std::vector<std::string> words{d.interface, d.vrrpInstance};
        auto add = [&](const char* name, const std::optional<int>& v) {
          if (v) { words.push_back(name); words.push_back(std::to_string(*v)); }
        };
        add("id", d.syncId);
        add("maxlen", d.maxlen);
        add("port", d.port);
        add("ttl", d.ttl);
        if (d.group) { words.push_back("group"); words.push_back(*d.group); }
        out.text("lvs_sync_daemon", words);
      });
}

Keyword<G> multicastGroup(std::string_view name, std::string G::*field, int family) {
  return custom<G>(
      name,
      [field, family](G& g, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        auto a = parseIpAddress(n.args[0].text);
        if (!a || a->family != family) {
          ctx.diags.error(n.where, "'" + n.keyword + "': '" + n.args[0].text + "' is not an IPv" + std::to_string(family) + " address");
          return;
        }
        const bool multicast = family == 4 ? (a->bytes[0] & 0xf0) == 0xe0 : a->bytes[0] == 0xff;
        if (!multicast) {
          ctx.diags.error(n.where, "'" + n.keyword + "': '" + n.args[0].text + "' is not a multicast address");
          return;
        }
        g.*field = n.args[0].text;
      },
      [field, name](const G& g, DumpWriter& out) { out.text(name, {g.*field}); });
}

Schema<G> makeGlobalDefsSchema() {
  std::vector<Keyword<G>> k = {
      wordField("router_id", &G::router_id),
      deprecated<G>("lvs_id", "router_id"),  // keepalived 1.x spelling, still accepted by 2.x
      notificationEmail(),
      wordField("notification_email_from", &G::notification_email_from),
      smtpServer(),
      wordField("smtp_helo_name", &G::smtp_helo_name),
      intField("smtp_connect_timeout", &G::smtp_connect_timeout, 1, 3600),
      flagField("smtp_alert", &G::smtp_alert),
      flagField("enable_script_security", &G::enable_script_security),
      commandField("script_user", &G::script_user),
      wordField("default_interface", &G::default_interface),
      flagField("dynamic_interfaces", &G::dynamic_interfaces),
      multicastGroup("vrrp_mcast_group4", &G::vrrp_mcast_group4, 4),
      multicastGroup("vrrp_mcast_group6", &G::vrrp_mcast_group6, 6),
      decimalField("vrrp_garp_master_delay", &G::vrrp_garp_master_delay, 0, 86400),
      intField("vrrp_garp_master_repeat", &G::vrrp_garp_master_repeat, 0, 10000),
      decimalField("vrrp_garp_master_refresh", &G::vrrp_garp_master_refresh, 0, 86400),
      intField("vrrp_garp_master_refresh_repeat", &G::vrrp_garp_master_refresh_repeat, 0, 10000),
      decimalField("vrrp_garp_lower_prio_delay", &G::vrrp_garp_lower_prio_delay, 0, 86400),
      intField("vrrp_garp_lower_prio_repeat", &G::vrrp_garp_lower_prio_repeat, 0, 10000),
      decimalField("vrrp_garp_interval", &G::vrrp_garp_interval, 0, 1),
      decimalField("vrrp_gna_interval", &G::vrrp_gna_interval, 0, 1),
      intField("vrrp_version", &G::vrrp_version, 2, 3),
      flagField("vrrp_check_unicast_src", &G::vrrp_check_unicast_src),
      flagField("vrrp_skip_check_adv_addr", &G::vrrp_skip_check_adv_addr),
      flagField("vrrp_strict", &G::vrrp_strict),
      flagField("v3_checksum_as_v2", &G::v3_checksum_as_v2),
      flagField("vrrp_higher_prio_send_advert", &G::vrrp_higher_prio_send_advert),
      flagField("vrrp_lower_prio_no_advert", &G::vrrp_lower_prio_no_advert),
      decimalField("vrrp_startup_delay", &G::vrrp_startup_delay, 0, 3600),
      intField("max_auto_priority", &G::max_auto_priority, -1, 99),
      lvsTimeouts(),
      lvsSyncDaemon(),
      flagField("lvs_flush", &G::lvs_flush),
      flagField("lvs_flush_on_stop", &G::lvs_flush_on_stop),
      deprecated<G>("lvs_flush_onstop", "lvs_flush_on_stop"),
      wordField("state_dump_file", &G::state_dump_file),
      wordField("stats_dump_file", &G::stats_dump_file),
      wordField("json_dump_file", &G::json_dump_file),
  };
  // Recognised keepalived keywords Tandem does not act on: kept, dumped, warned about.
  static constexpr std::array keptNames = {
      "process_names", "process_name", "vrrp_process_name", "checker_process_name", "lvs_process_name",
      "bfd_process_name", "use_symlink_paths", "set_supplementary_groups", "startup_script",
      "startup_script_timeout", "shutdown_script", "shutdown_script_timeout", "min_auto_priority_delay",
      "smtp_alert_vrrp", "smtp_alert_checker", "checker_log_all_failures", "no_email_faults", "disable_local_igmp",
      "vrrp_down_timer_adverts", "vrrp_min_garp", "vrrp_garp_extra_if", "vrrp_vmac_garp_intvl", "vrrp_iptables",
      "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex", "vrrp_priority", "vrrp_no_swap",
      "vrrp_rt_priority", "vrrp_cpu_affinity", "vrrp_rlimit_rttime", "vrrp_rlimit_rtime", "nftables_ipvs",
      "nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "nftables_counters", "notify_fifo",
      "notify_fifo_script", "vrrp_notify_fifo", "vrrp_notify_fifo_script", "vrrp_notify_priority_changes",
      "fifo_write_vrrp_states_on_reload", "lvs_notify_fifo", "lvs_notify_fifo_script", "checker_priority",
      "checker_no_swap", "checker_rt_priority", "checker_cpu_affinity", "checker_rlimit_rttime",
      "checker_rlimit_rtime", "bfd_priority", "bfd_no_swap", "bfd_rt_priority", "bfd_cpu_affinity",
      "bfd_rlimit_rttime", "bfd_rlimit_rtime", "snmp_socket", "enable_traps", "enable_snmp_vrrp",
      "enable_snmp_keepalived", "enable_snmp_rfc", "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker",
      "snmp_vs_stats_update_interval", "snmp_rs_stats_update_interval", "enable_dbus", "dbus_service_name",
      "dbus_no_interface_name", "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_cmd_rcv_bufs_force",
      "vrrp_netlink_monitor_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs_force", "process_monitor_rcv_bufs",
      "process_monitor_rcv_bufs_force", "lvs_netlink_cmd_rcv_bufs", "lvs_netlink_cmd_rcv_bufs_force",
      "lvs_netlink_monitor_rcv_bufs", "lvs_netlink_monitor_rcv_bufs_force", "rs_init_notifies",
      "no_checker_emails", "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier", "vrrp_delay_after_boot",
      "log_unknown_vrids", "vrrp_owner_ignore_adverts", "vmac_prefix", "vmac_addr_prefix", "umask", "random_seed",
      "reload_check_config", "reload_time_file", "reload_repeat", "reload_file", "include_check",
      "config_save_dir", "tmp_config_directory", "data_use_instance", "json_version", "iproute_usr_dir",
      "iproute_etc_dir",
      // Accepted by keepalived 2.2 but gone from its 2.4 tables; kept so old files still load.
      "email_faults"};
  for (const char* name : keptNames) k.push_back(kept<G>(name));
  return Schema<G>("global_defs", std::move(k));
}

}  // namespace

const Schema<GlobalDefs>& globalDefsSchema() {
  static const Schema<GlobalDefs> schema = makeGlobalDefsSchema();
  return schema;
}

namespace {

Schema<Config> makeTopLevelSchema() {
  std::vector<Keyword<Config>> k = {
      blockField("global_defs", &Config::global, globalDefsSchema()),
  };
  for (auto& kw : vrrpTopLevelKeywords()) k.push_back(std::move(kw));
  for (auto& kw : lvsTopLevelKeywords()) k.push_back(std::move(kw));
  k.push_back(blockField("real_server_setup", &Config::real_server_setup, realServerSetupSchema()));
  static constexpr std::array keptNames = {
      "linkbeat_use_polling", "net_namespace", "net_namespace_ipvs", "namespace_with_ipsets", "use_pid_dir",
      "instance", "child_wait_time", "track_group", "linkbeat_interfaces", "interface_up_down_delays", "SSL",
      "bfd_instance"};
  for (const char* name : keptNames) {
    bool taken = std::any_of(k.begin(), k.end(), [&](const Keyword<Config>& existing) { return existing.name == name; });
    if (!taken) k.push_back(kept<Config>(name));
  }
  return Schema<Config>("the top level", std::move(k));
}

}  // namespace

const Schema<Config>& topLevelSchema() {
  static const Schema<Config> schema = makeTopLevelSchema();
  return schema;
}

bool isTopLevelOnlyBlock(std::string_view keyword) {
  static constexpr std::array names = {"global_defs", "vrrp_instance", "vrrp_sync_group", "vrrp_script",
                                       "virtual_server", "virtual_server_group", "static_ipaddress", "static_routes",
                                       "static_rules", "garp_group", "vrrp_track_process", "vrrp_track_file",
                                       "bfd_instance", "linkbeat_interfaces", "real_server_setup"};
  return std::find(names.begin(), names.end(), keyword) != names.end();
}

void validateGlobal(const Config& config, Diagnostics& diags) {
  const GlobalDefs& g = config.global;
  if (g.smtp_alert && !g.smtp_server)
    diags.warning(g.meta.locationOf("smtp_alert"), "'smtp_alert' is set but no 'smtp_server' is configured");
}

void validate(const Config& config, Diagnostics& diags, const EarlyLvsChecks* early) {
  validateGlobal(config, diags);
  validateVrrp(config, diags);
  validateLvs(config, diags, early);
  validateRealServer(config, diags);
}

}  // namespace tandem::config
