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
                                  {"health_checking", "not running yet"}};
  const nlohmann::json m = mergeStatus(parentReply(), vrrpReply(), checker, {"the vrrp child did not answer"});
  EXPECT_EQ(m.at("daemon").at("pid"), 42);
  EXPECT_EQ(m.at("vrrp").at("instances").size(), 2u);
  EXPECT_EQ(m.at("virtual_servers"), nlohmann::json::array());
  EXPECT_EQ(m.at("errors").at(0), "the vrrp child did not answer");
  const std::string out = formatStatusTable(m);
  EXPECT_NE(out.find("(none: health checking not running yet)"), std::string::npos) << out;
  EXPECT_NE(out.find("warning: the vrrp child did not answer"), std::string::npos) << out;
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
