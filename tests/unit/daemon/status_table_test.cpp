// tandemctl's table rendering of the merged status, including replies of unexpected shapes.
#include <gtest/gtest.h>

#include "daemon/status_table.h"

namespace tandem::daemon {
namespace {

nlohmann::json parentReply() {
  return nlohmann::json::parse(R"({"ok":true,"daemon":{"pid":42,"config_file":"/etc/k.conf","children":[
    {"subsystem":"vrrp","wanted":true,"running":true,"pid":43,"respawns":1,"socket":"/run/tandem-vrrp.sock"},
    {"subsystem":"checker","wanted":false,"running":false,"respawns":0,"socket":"/run/tandem-checker.sock"}]}})");
}

nlohmann::json vrrpReply() {
  return nlohmann::json::parse(R"({"ok":true,"vrrp":{"instances":[
    {"name":"VI_1","state":"MASTER","priority":150,"effective_priority":140,"interface":"eth0","vrid":51,
     "vips":["192.0.2.100/24","192.0.2.101/24"],
     "last_transition":{"from":"BACKUP","to":"MASTER","reason":"master_down_timer","at":"2024-01-02T03:03:58.414Z"}},
    {"name":"VI_2","state":"BACKUP","priority":100,"effective_priority":100,"interface":"eth1","vrid":7,
     "vips":[],"last_transition":null}],"channels":[]}})");
}

TEST(DaemonStatusTable, ShowsProcessesInstancesAndAlignedColumns) {
  const std::string out = formatStatusTable(mergeStatus(parentReply(), vrrpReply(), nullptr, {}));
  EXPECT_NE(out.find("tandemd pid 42, configuration /etc/k.conf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  vrrp child: running, pid 43, respawns 1\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("checker child"), std::string::npos) << "not wanted, not running: not shown\n" << out;
  EXPECT_NE(out.find("NAME  STATE   PRIORITY  EFFECTIVE  INTERFACE  VRID  VIPS                           LAST TRANSITION\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("VI_1  MASTER  150       140        eth0       51    192.0.2.100/24,192.0.2.101/24  "
                     "2024-01-02T03:03:58.414Z BACKUP->MASTER (master_down_timer)\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("VI_2  BACKUP  100       100        eth1       7     -                              -\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Virtual servers\n  (none)\n"), std::string::npos) << out;
}

TEST(DaemonStatusTable, MergedJsonKeepsEachPartAndTheErrors) {
  const nlohmann::json checker = {{"ok", true}, {"virtual_servers", nlohmann::json::array()},
                                  {"ipvs", {{"converged", true}}}};
  const nlohmann::json m = mergeStatus(parentReply(), vrrpReply(), checker, {"the vrrp child did not answer"});
  EXPECT_EQ(m.at("daemon").at("pid"), 42);
  EXPECT_EQ(m.at("vrrp").at("instances").size(), 2u);
  EXPECT_EQ(m.at("virtual_servers"), nlohmann::json::array());
  EXPECT_EQ(m.at("ipvs").at("converged"), true);
  EXPECT_EQ(m.at("errors").at(0), "the vrrp child did not answer");
  const std::string out = formatStatusTable(m);
  EXPECT_NE(out.find("warning: the vrrp child did not answer"), std::string::npos) << out;
}

TEST(DaemonStatusTable, RealServersWithTheirPlaceInThePoolCheckersAndStatistics) {
  const nlohmann::json checker = nlohmann::json::parse(R"({"ok":true,"virtual_servers":[
    {"name":"TCP 192.0.2.1:80","services":[{"name":"TCP 192.0.2.1:80","scheduler":"rr",
      "stats":{"connections":12,"in_packets":40,"out_packets":38,"in_bytes":4000,"out_bytes":9000,
               "connections_per_second":1,"in_packets_per_second":3,"out_packets_per_second":3,
               "in_bytes_per_second":300,"out_bytes_per_second":700}}],
     "quorum":{"up":true,"quorum":1,"hysteresis":0,"live_weight":3},
     "sorry_server":{"name":"10.0.0.9:80","active":false},
     "real_servers":[
      {"name":"10.0.0.1:80","health":"up","drained":false,"weight":3,"pool_weight":3,
       "checkers":[{"checker":"TCP_CHECK 10.0.0.1:80","state":"up","last_latency_ms":0.42,"last_result":"success"}],
       "stats":{"connections":12,"active_connections":2,"inactive_connections":5}},
      {"name":"10.0.0.2:80","health":"up","drained":true,"weight":2,"pool_weight":0,"checkers":[]},
      {"name":"10.0.0.3:80","health":"down","drained":false,"weight":1,"pool_weight":null,
       "checkers":[{"checker":"TCP_CHECK 10.0.0.3:80","state":"down","last_latency_ms":0.2,"last_result":"failure",
                    "last_failure":"connection refused"}]}]}],
    "ipvs":{"reachable":false,"converged":false,"failures":4,"last_error":"cannot read the table: no IPVS"}})");
  const std::string out = formatStatusTable(mergeStatus(parentReply(), nullptr, checker, {}));
  EXPECT_NE(out.find("VIRTUAL SERVER    REAL SERVER  HEALTH  WEIGHT  IN POOL      ACTIVE  INACTIVE  CHECKERS\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("TCP 192.0.2.1:80  10.0.0.1:80  up      3       3            2       5         "
                     "TCP_CHECK 10.0.0.1:80 up 0.4 ms\n"), std::string::npos) << out;
  EXPECT_NE(out.find("TCP 192.0.2.1:80  10.0.0.2:80  up      2       0 (drained)  -       -         -\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("10.0.0.3:80  down    1       -            -       -         "
                     "TCP_CHECK 10.0.0.3:80 down 0.2 ms (connection refused)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  TCP 192.0.2.1:80: quorum up (live weight 3, quorum 1, hysteresis 0); sorry server "
                     "10.0.0.9:80 idle\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  IPVS: NOT in sync (4 failed attempt(s)): cannot read the table: no IPVS\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("TCP 192.0.2.1:80       12     40      38       4000     9000      1    3      3       300    "
                     "700\n"), std::string::npos) << out;
}

TEST(DaemonStatusTable, RepliesOfUnexpectedShapeDoNotThrow) {
  for (const char* text : {"null", "[]", "42", R"({"daemon":7})", R"({"daemon":{"children":"x"}})",
                           R"({"vrrp":{"instances":[1,"x",null,{"vips":"notalist","name":5}]}})",
                           R"({"virtual_servers":[{"real_servers":3}],"errors":[1]})"}) {
    const auto j = nlohmann::json::parse(text);
    EXPECT_NO_THROW(formatStatusTable(j)) << text;
    EXPECT_NO_THROW(formatStatusTable(mergeStatus(j, j, j, {}))) << text;
  }
}

}  // namespace
}  // namespace tandem::daemon
