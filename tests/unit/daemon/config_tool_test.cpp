#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/config_tool.h"

namespace tandem::daemon {
namespace {

class ConfigTool : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("tandem-config-tool-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  int run(Options o) {
    out_.str("");
    err_.str("");
    return o.checkPair.empty() ? runConfigTest(o, out_, err_) : runCheckPair(o, out_, err_);
  }

  static Options lint(const std::string& file) {
    Options o;
    o.configFile = file;
    o.configTest = true;
    o.configId = "test";
    return o;
  }

  std::filesystem::path dir_;
  std::ostringstream out_, err_;
};

const char* kInstance =
    "vrrp_instance VI_1 {\n  state MASTER\n  interface eth0\n  virtual_router_id 51\n  priority 150\n"
    "  virtual_ipaddress {\n    192.0.2.100/24\n  }\n}\n";

TEST_F(ConfigTool, CleanFileExitsZeroWithSummary) {
  auto f = write("ok.conf", kInstance);
  EXPECT_EQ(run(lint(f)), 0);
  EXPECT_EQ(err_.str(), f + ": 0 errors, 0 warnings\n");
}

// The one-shot process leaves its models to its exit; what it prints and returns is the same either way.
TEST_F(ConfigTool, LeavingTheModelsToProcessExitChangesNoOutput) {
  const auto good = write("good.conf", kInstance);
  const auto bad = write("bad.conf", std::string(kInstance) + "vrrp_instance VI_2 {\n  priority 0\n}\n");
  Options pair = lint(good);
  pair.configTest = false;
  pair.checkPair = {good, bad};
  Options dump = lint(good);
  dump.dump = DumpFormat::Json;
  for (const Options& o : {lint(good), lint(bad), dump, pair}) {
    const int freed = run(o);
    const std::string out = out_.str(), err = err_.str();
    out_.str("");
    err_.str("");
    const int left = o.checkPair.empty() ? runConfigTest(o, out_, err_, ModelTeardown::LeaveToProcessExit)
                                         : runCheckPair(o, out_, err_, ModelTeardown::LeaveToProcessExit);
    EXPECT_EQ(left, freed);
    EXPECT_EQ(out_.str(), out);
    EXPECT_EQ(err_.str(), err);
  }
}

TEST_F(ConfigTool, ErrorsAreGccStyleAndExitOne) {
  auto f = write("bad.conf", "vrrp_instance VI_1 {\n  priorty 100\n  interface eth0\n  virtual_router_id 300\n");
  EXPECT_EQ(run(lint(f)), 1);
  const std::string e = err_.str();
  EXPECT_NE(e.find(f + ":2: error: unknown keyword 'priorty' in vrrp_instance; did you mean 'priority'?"), std::string::npos) << e;
  EXPECT_NE(e.find(f + ":4: error: 'virtual_router_id' 300 is out of range 1..255"), std::string::npos) << e;
  EXPECT_NE(e.find(f + ":1: error: unclosed '{' of 'vrrp_instance VI_1'"), std::string::npos) << e;
}

TEST_F(ConfigTool, MissingMainFileIsAnError) {
  EXPECT_EQ(run(lint((dir_ / "nope.conf").string())), 1);
  EXPECT_NE(err_.str().find("error:"), std::string::npos) << err_.str();
}

TEST_F(ConfigTool, MissingIncludeIsAnErrorAtTheIncludeLine) {
  auto f = write("main.conf", std::string("include missing/*.conf\n") + kInstance);
  EXPECT_EQ(run(lint(f)), 1);
  EXPECT_NE(err_.str().find(f + ":1: error: include"), std::string::npos) << err_.str();
}

TEST_F(ConfigTool, IncludesAndMacrosResolveInTheDump) {
  write("vips.inc", "    ${VIP}/24\n");
  auto f = write("main.conf",
                 "$VIP=192.0.2.77\nvrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n"
                 "  virtual_ipaddress {\n  include vips.inc\n  }\n}\n");
  Options o = lint(f);
  o.configTest = false;
  o.dump = DumpFormat::Text;
  EXPECT_EQ(run(o), 0) << err_.str();
  EXPECT_NE(out_.str().find("192.0.2.77/24"), std::string::npos) << out_.str();
  EXPECT_NE(out_.str().find("priority 100"), std::string::npos) << "defaults are resolved in the dump";
  EXPECT_NE(out_.str().find("version 2"), std::string::npos) << out_.str();
}

TEST_F(ConfigTool, DumpOfTheNormalizedModelReadsBackCleanAndTheSame) {
  auto f = write("lvs.conf", std::string(kInstance) +
                                 "virtual_server 192.0.2.100 80 {\n  delay_loop 6\n  protocol TCP\n"
                                 "  real_server 198.51.100.1 80 {\n    TCP_CHECK {\n    }\n  }\n"
                                 "  real_server 198.51.100.2 80 {\n    MISC_CHECK {\n      misc_path /bin/true\n    }\n  }\n}\n");
  Options o = lint(f);
  o.configTest = false;
  o.dump = DumpFormat::Text;
  ASSERT_EQ(run(o), 0) << err_.str();
  const std::string first = out_.str();
  EXPECT_NE(first.find("lvs_sched wlc"), std::string::npos) << first;
  EXPECT_NE(first.find("connect_timeout 5"), std::string::npos) << first;
  EXPECT_NE(first.find("delay_loop 6"), std::string::npos) << first;
  auto again = write("again.conf", first);
  Options o2 = lint(again);
  ASSERT_EQ(run(o2), 0) << err_.str();
  EXPECT_EQ(err_.str(), again + ": 0 errors, 0 warnings\n");
  o2.configTest = false;
  o2.dump = DumpFormat::Text;
  ASSERT_EQ(run(o2), 0);
  EXPECT_EQ(out_.str(), first);
}

TEST_F(ConfigTool, JsonDumpParses) {
  auto f = write("ok.conf", kInstance);
  Options o = lint(f);
  o.dump = DumpFormat::Json;
  EXPECT_EQ(run(o), 0);
  auto j = nlohmann::json::parse(out_.str());
  ASSERT_TRUE(j["vrrp_instance"].is_array());
  EXPECT_EQ(j["vrrp_instance"][0]["name"], "VI_1");
  EXPECT_EQ(j["vrrp_instance"][0]["virtual_router_id"], 51);
}

TEST_F(ConfigTool, ConditionalLinesFollowTheConfigId) {
  auto f = write("c.conf", std::string("@lb1 $PRIO=200\n@^lb1 $PRIO=100\n") +
                               "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  priority $PRIO\n"
                               "  virtual_ipaddress {\n    192.0.2.1\n  }\n}\n");
  Options o = lint(f);
  o.configId = "lb1";
  o.dump = DumpFormat::Json;
  ASSERT_EQ(run(o), 0) << err_.str();
  EXPECT_EQ(nlohmann::json::parse(out_.str())["vrrp_instance"][0]["priority"], 200);
  o.configId = "lb2";
  ASSERT_EQ(run(o), 0) << err_.str();
  EXPECT_EQ(nlohmann::json::parse(out_.str())["vrrp_instance"][0]["priority"], 100);
}

TEST_F(ConfigTool, CheckPairExitCodes) {
  auto a = write("a.conf", kInstance);
  std::string other = kInstance;
  other.replace(other.find("51"), 2, "52");
  other.replace(other.find("MASTER"), 6, "BACKUP");
  auto b = write("b.conf", other);
  Options o;
  o.configId = "test";
  o.checkPair = {a, b};
  EXPECT_EQ(run(o), 1);
  EXPECT_NE(out_.str().find("'virtual_router_id' is 51 here but 52"), std::string::npos) << out_.str();
  o.checkPair = {a, a};
  EXPECT_EQ(run(o), 1) << "both sides MASTER with the same priority";
}

}  // namespace
}  // namespace tandem::daemon
