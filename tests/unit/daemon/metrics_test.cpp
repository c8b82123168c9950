#include "daemon/metrics.h"

#include <gtest/gtest.h>

#include "daemon/metrics_server.h"

namespace tandem::daemon {
namespace {

nlohmann::json vrrpReply() {
  return nlohmann::json::parse(R"({"ok": true, "vrrp": {
    "instances": [{"name": "VI_1", "interface": "eth0", "vrid": 51, "state": "MASTER", "priority": 150,
                   "effective_priority": 140, "vips": ["192.0.2.100/24", "192.0.2.101/24"],
                   "counters": {"adverts_received": 3, "adverts_sent": 1200, "priority_zero_received": 0,
                                "priority_zero_sent": 0, "transitions": 2, "became_master": 1, "released_master": 0,
                                "split_brain_alarms": 2, "no_peer_alarms": 0,
                                "dropped": {"bad_ttl": 4, "auth_mismatch": 0}},
                   "alarms": {"split_brain": true, "no_peer": false}}],
    "channels": [{"interface": "eth0", "family": "inet", "unknown_vrid": 7, "unroutable": 0}]}})");
}

TEST(MetricsTest, EachFamilyHasOneHelpAndTypeLineBeforeItsSamples) {
  MetricsText out;
  out.add("a_total", MetricsText::Type::Counter, "A.", {{"x", "1"}}, 1);
  out.add("b", MetricsText::Type::Gauge, "B.", {}, 2);
  out.add("a_total", MetricsText::Type::Counter, "A.", {{"x", "2"}}, 3);
  EXPECT_EQ(out.str(),
            "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"2\"} 3\n"
            "# HELP b B.\n# TYPE b gauge\nb 2\n");
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  MetricsText out;
  out.add("m", MetricsText::Type::Gauge, "M.", {{"name", "a\"b\\c\nd"}}, 0.25);
  EXPECT_NE(out.str().find("m{name=\"a\\\"b\\\\c\\nd\"} 0.25\n"), std::string::npos) << out.str();
}

TEST(MetricsTest, VrrpInstanceStateIsAStateSet) {
  const std::string text = renderMetrics({nlohmann::json::object(), vrrpReply(), nullptr});
  EXPECT_NE(text.find("tandem_vrrp_state{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\",state=\"MASTER\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tandem_vrrp_state{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\",state=\"BACKUP\"} 0\n"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_effective_priority{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 140\n"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_vips{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 2\n"), std::string::npos);
}

TEST(MetricsTest, VrrpCountersAndDropsByReason) {
  const std::string text = renderMetrics({nlohmann::json::object(), vrrpReply(), nullptr});
  EXPECT_NE(text.find("# TYPE tandem_vrrp_adverts_sent_total counter\n"
                      "tandem_vrrp_adverts_sent_total{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 1200\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tandem_vrrp_adverts_dropped_total{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\","
                      "reason=\"bad_ttl\"} 4\n"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_channel_dropped_total{interface=\"eth0\",family=\"inet\",reason=\"unknown_vrid\"} 7"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_split_brain_alarms_total{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 2\n"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_split_brain{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("tandem_vrrp_no_peer{instance=\"VI_1\",interface=\"eth0\",vrid=\"51\"} 0\n"),
            std::string::npos);
}

TEST(MetricsTest, LvsSyncDaemonRoleKernelStateAndFailures) {
  nlohmann::json reply = vrrpReply();
  EXPECT_EQ(renderMetrics({nlohmann::json::object(), reply, nullptr}).find("tandem_lvs_sync"), std::string::npos)
      << "nothing when lvs_sync_daemon is not configured";
  reply["vrrp"]["lvs_sync_daemon"] = nlohmann::json::parse(R"({"instance": "VI_1", "role": "master",
      "converged": false, "failures": 3, "last_error": "x", "settings": {},
      "kernel": [{"state": "backup", "interface": "eth1", "sync_id": 51}]})");
  const std::string text = renderMetrics({nlohmann::json::object(), reply, nullptr});
  EXPECT_NE(text.find("tandem_lvs_sync_daemon_role{instance=\"VI_1\",role=\"master\"} 1\n"
                      "tandem_lvs_sync_daemon_role{instance=\"VI_1\",role=\"backup\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tandem_lvs_sync_daemon_kernel_running{state=\"master\"} 0\n"
                      "tandem_lvs_sync_daemon_kernel_running{state=\"backup\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("tandem_lvs_sync_daemon_converged{instance=\"VI_1\"} 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tandem_lvs_sync_daemon_failures_total{instance=\"VI_1\"} 3\n"), std::string::npos) << text;
}

TEST(MetricsTest, ChildrenOfTheSupervisor) {
  const auto daemon = nlohmann::json::parse(
      R"({"children": [{"subsystem": "vrrp", "running": true, "respawns": 2},
                       {"subsystem": "checker", "running": false, "respawns": 0}]})");
  const std::string text = renderMetrics({daemon, nullptr, nullptr});
  EXPECT_NE(text.find("tandem_up 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("tandem_child_running{subsystem=\"vrrp\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tandem_child_running{subsystem=\"checker\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("tandem_child_respawns_total{subsystem=\"vrrp\"} 2\n"), std::string::npos);
  EXPECT_EQ(text.find("tandem_vrrp_state"), std::string::npos);
}

TEST(MetricsTest, RealServersChecksAndIpvsCounters) {
  const auto checker = nlohmann::json::parse(R"({"ok": true, "ipvs": {"reachable": true, "converged": false,
    "failures": 2, "operations": 40, "resyncs": 1},
    "virtual_servers": [{"name": "TCP 192.0.2.1:80", "quorum": {"up": true, "live_weight": 3},
      "sorry_server": {"name": "10.0.0.9:80", "active": false},
      "services": [{"name": "TCP 192.0.2.1:80", "stats": {"connections": 12, "in_packets": 40, "out_packets": 38,
        "in_bytes": 4000, "out_bytes": 9000, "connections_per_second": 1}}],
      "real_servers": [
        {"name": "10.0.0.1:80", "health": "up", "drained": false, "pool_weight": 3,
         "checkers": [{"checker": "TCP_CHECK 10.0.0.1:80", "state": "up", "attempts": 10, "failures": 1,
                       "latency_sum_ms": 5, "last_latency_ms": 0.25}],
         "stats": {"connections": 12, "active_connections": 2, "inactive_connections": 5}},
        {"name": "10.0.0.2:80", "health": "down", "drained": true, "pool_weight": null, "checkers": []}]}]})");
  const std::string text = renderMetrics({nullptr, nullptr, checker});
  const std::string rs1 = "{virtual_server=\"TCP 192.0.2.1:80\",real_server=\"10.0.0.1:80\"}";
  const std::string rs2 = "{virtual_server=\"TCP 192.0.2.1:80\",real_server=\"10.0.0.2:80\"}";
  for (const std::string& line : std::vector<std::string>{
           "tandem_ipvs_converged 0\n", "tandem_ipvs_sync_failures_total 2\n", "tandem_ipvs_resyncs_total 1\n",
        "tandem_virtual_server_quorum_up{virtual_server=\"TCP 192.0.2.1:80\"} 1\n",
        "tandem_virtual_server_sorry_server_active{virtual_server=\"TCP 192.0.2.1:80\"} 0\n",
        "tandem_ipvs_service_connections_total{service=\"TCP 192.0.2.1:80\"} 12\n",
        "tandem_ipvs_service_bytes_total{service=\"TCP 192.0.2.1:80\",direction=\"out\"} 9000\n",
        "tandem_real_server_up" + rs1 + " 1\n", "tandem_real_server_up" + rs2 + " 0\n",
        "tandem_real_server_drained" + rs2 + " 1\n", "tandem_real_server_in_pool" + rs2 + " 0\n",
        "tandem_real_server_weight" + rs1 + " 3\n",
        "tandem_ipvs_real_server_active_connections" + rs1 + " 2\n",
        "tandem_ipvs_real_server_inactive_connections" + rs1 + " 5\n",
        "tandem_check_attempts_total{virtual_server=\"TCP 192.0.2.1:80\",real_server=\"10.0.0.1:80\","
        "checker=\"TCP_CHECK 10.0.0.1:80\"} 10\n",
        "tandem_check_latency_seconds_sum{virtual_server=\"TCP 192.0.2.1:80\",real_server=\"10.0.0.1:80\","
        "checker=\"TCP_CHECK 10.0.0.1:80\"} 0.005\n"})
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  EXPECT_EQ(text.find("tandem_ipvs_real_server_connections_total" + rs2), std::string::npos) << "no statistics, no sample";
}

TEST(MetricsTest, ParentThatDidNotAnswerIsDown) {
  EXPECT_NE(renderMetrics({nullptr, nullptr, nullptr}).find("tandem_up 0\n"), std::string::npos);
}

TEST(MetricsTest, MalformedRepliesGiveNoSamplesAndNoCrash) {
  const auto odd = nlohmann::json::parse(R"({"vrrp": {"instances": [1, "x", {"counters": 5}], "channels": {}}})");
  EXPECT_NO_THROW(renderMetrics({nlohmann::json::array(), odd, odd}));
}

TEST(MetricsEndpointTest, PortAloneBindsLoopback) {
  std::string error;
  const auto e = parseMetricsEndpoint("9650", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->address, "127.0.0.1");
  EXPECT_EQ(e->port, 9650);
}

TEST(MetricsEndpointTest, AddressAndPort) {
  std::string error;
  auto e = parseMetricsEndpoint("0.0.0.0:80", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->address, "0.0.0.0");
  e = parseMetricsEndpoint("[::1]:9650", error);
  ASSERT_TRUE(e) << error;
  EXPECT_EQ(e->address, "::1");
  EXPECT_EQ(e->port, 9650);
}

TEST(MetricsEndpointTest, RefusesWhatIsNotAnEndpoint) {
  std::string error;
  for (const char* bad : {"", "x", "70000", "host.example:80", "[::1]9650", "1.2.3.4:", "-1"})
    EXPECT_FALSE(parseMetricsEndpoint(bad, error)) << bad;
}

}  // namespace
}  // namespace tandem::daemon
