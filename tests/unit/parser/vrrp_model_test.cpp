// Reading the VRRP side of the model: defaults, each typed keyword, line syntax of list blocks,
// and the dump round trip.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {
using testing::errors;
using testing::messages;
using testing::parse;

const std::string kMinimal =
    "vrrp_instance VI_1 {\n"      // 1
    "  interface eth0\n"          // 2
    "  virtual_router_id 51\n"    // 3
    "  virtual_ipaddress {\n"     // 4
    "    10.0.0.1\n"              // 5
    "  }\n"                       // 6
    "}\n";

TEST(VrrpModel, MinimalInstanceTakesKeepalivedsDefaults) {
  auto c = parse(kMinimal);
  EXPECT_TRUE(messages(c).empty()) << messages(c)[0];
  ASSERT_EQ(c.config.vrrp.instances.size(), 1u);
  const VrrpInstance& i = c.config.vrrp.instances[0];
  EXPECT_EQ(i.name, "VI_1");
  EXPECT_EQ(i.interface, "eth0");
  EXPECT_EQ(i.virtual_router_id, 51);
  EXPECT_EQ(i.effectivePriority(), 100);
  EXPECT_EQ(i.initialState(), VrrpState::Backup);
  EXPECT_EQ(i.effectiveVersion(c.config.global), 2);
  EXPECT_EQ(i.advertIntervalCentis(c.config.global), 100);
  EXPECT_EQ(i.family(), 4);
  EXPECT_FALSE(i.nopreempt);
  EXPECT_FALSE(i.effectiveStrict(c.config.global));
  EXPECT_EQ(i.meta.where.line, 1);
  EXPECT_EQ(i.meta.locationOf("virtual_router_id").line, 3);
  EXPECT_EQ(c.config.vrrp.findInstance("VI_1"), &i);
  EXPECT_EQ(c.config.vrrp.findInstance("VI_2"), nullptr);
}

TEST(VrrpModel, StateMasterWithoutPriorityIsTheAddressOwnerAsInKeepalived) {
  auto c = parse("vrrp_instance A {\n state MASTER\n interface eth0\n virtual_router_id 1\n"
                 " virtual_ipaddress {\n  10.0.0.1\n }\n}\n"
                 "vrrp_instance B {\n priority 255\n interface eth0\n virtual_router_id 2\n"
                 " virtual_ipaddress {\n  10.0.0.2\n }\n}\n");
  ASSERT_TRUE(errors(c).empty());
  EXPECT_EQ(c.config.vrrp.instances[0].effectivePriority(), 255);
  EXPECT_EQ(c.config.vrrp.instances[1].initialState(), VrrpState::Master);
}

TEST(VrrpModel, TypedInstanceKeywords) {
  auto c = parse(
      "global_defs {\n vrrp_version 3\n}\n"
      "vrrp_script chk {\n script \"/bin/true\"\n}\n"
      "vrrp_instance VI_1 {\n"
      " state BACKUP\n interface eth1\n virtual_router_id 7\n priority 150\n advert_int 0.5\n"
      " nopreempt\n preempt_delay 30\n garp_master_delay 3\n garp_master_repeat 2\n garp_master_refresh 60\n"
      " garp_master_refresh_repeat 4\n garp_lower_prio_delay 2\n garp_lower_prio_repeat 1\n"
      " notify_master \"/etc/ka/m.sh arg\" root wheel\n notify_backup /etc/ka/b.sh\n notify /etc/ka/all.sh\n"
      " notify_deleted\n smtp_alert off\n dont_track_primary\n skip_check_adv_addr\n strict_mode off\n no_accept\n"
      " use_vmac vrrp7\n vmac_xmit_base\n debug 2\n v3_checksum_as_v2\n unicast_ttl 10\n check_unicast_src\n"
      " lower_prio_no_advert on\n higher_prio_send_advert false\n promote_secondaries\n kernel_rx_buf_size 65536\n"
      " down_timer_adverts 5\n mcast_src_ip 10.0.0.2\n unicast_src_ip 10.0.0.2\n"
      " unicast_peer {\n  10.0.0.3 min_ttl 250 max_ttl 255\n  10.0.0.4\n }\n"
      " track_interface {\n  eth2 weight -20 reverse\n  eth3\n }\n"
      " track_script {\n  chk weight 10\n }\n"
      " virtual_ipaddress {\n  10.0.0.100/24 dev eth1 label eth1:1\n }\n"
      "}\n");
  ASSERT_TRUE(errors(c).empty()) << errors(c)[0];
  const VrrpInstance& i = c.config.vrrp.instances[0];
  const GlobalDefs& g = c.config.global;
  EXPECT_EQ(i.state, VrrpState::Backup);
  EXPECT_EQ(i.priority, 150);
  EXPECT_EQ(i.advert_int, 0.5);
  EXPECT_EQ(i.effectiveVersion(g), 3);
  EXPECT_EQ(i.advertIntervalCentis(g), 50);
  EXPECT_TRUE(i.nopreempt);
  EXPECT_EQ(i.preempt_delay, 30);
  EXPECT_EQ(*i.garp_master_delay, 3);
  EXPECT_EQ(*i.garp_master_repeat, 2);
  EXPECT_EQ(*i.garp_master_refresh, 60);
  EXPECT_EQ(*i.garp_master_refresh_repeat, 4);
  EXPECT_EQ(*i.garp_lower_prio_delay, 2);
  EXPECT_EQ(*i.garp_lower_prio_repeat, 1);
  EXPECT_EQ(i.notify_master.command, "/etc/ka/m.sh arg");
  EXPECT_EQ(i.notify_master.user, "root");
  EXPECT_EQ(i.notify_master.group, "wheel");
  EXPECT_EQ(i.notify_backup.command, "/etc/ka/b.sh");
  EXPECT_EQ(i.notify.command, "/etc/ka/all.sh");
  EXPECT_TRUE(i.notify_deleted_set);
  EXPECT_FALSE(i.notify_deleted.set());
  EXPECT_EQ(i.smtp_alert, false);
  EXPECT_TRUE(i.dont_track_primary);
  EXPECT_EQ(i.skip_check_adv_addr, true);
  EXPECT_EQ(i.strict_mode, false);
  EXPECT_EQ(i.accept, false);
  EXPECT_TRUE(i.use_vmac);
  EXPECT_EQ(i.use_vmac_options, std::vector<std::string>{"vrrp7"});
  EXPECT_TRUE(i.vmac_xmit_base);
  EXPECT_EQ(i.debug, 2);
  EXPECT_EQ(i.v3_checksum_as_v2, true);
  EXPECT_EQ(i.unicast_ttl, 10);
  EXPECT_TRUE(i.check_unicast_src);
  EXPECT_EQ(i.lower_prio_no_advert, true);
  EXPECT_EQ(i.higher_prio_send_advert, false);
  EXPECT_TRUE(i.promote_secondaries);
  EXPECT_EQ(i.kernel_rx_buf_size, 65536);
  EXPECT_EQ(i.down_timer_adverts, 5);
  EXPECT_EQ(i.mcast_src_ip->text(), "10.0.0.2");
  EXPECT_EQ(i.unicast_src_ip->text(), "10.0.0.2");
  ASSERT_EQ(i.unicast_peer.size(), 2u);
  EXPECT_EQ(i.unicast_peer[0].address.text(), "10.0.0.3");
  EXPECT_EQ(i.unicast_peer[0].minTtl, 250);
  EXPECT_EQ(i.unicast_peer[0].maxTtl, 255);
  EXPECT_FALSE(i.unicast_peer[1].minTtl);
  EXPECT_TRUE(i.isUnicast());
  ASSERT_EQ(i.track_interface.size(), 2u);
  EXPECT_EQ(i.track_interface[0].name, "eth2");
  EXPECT_EQ(i.track_interface[0].weight, -20);
  EXPECT_TRUE(i.track_interface[0].reverse);
  EXPECT_FALSE(i.track_interface[1].weight);
  EXPECT_EQ(i.track_script[0].weight, 10);
  EXPECT_EQ(i.virtual_ipaddress[0].label, "eth1:1");
}

TEST(VrrpModel, InstanceSettingsFallBackToGlobalDefsAndStrictMode) {
  auto c = parse("global_defs {\n vrrp_garp_master_delay 7\n vrrp_garp_master_repeat 0\n vrrp_skip_check_adv_addr\n"
                 " vrrp_higher_prio_send_advert\n}\n" +
                 kMinimal + "vrrp_instance S {\n strict_mode\n interface eth0\n virtual_router_id 9\n"
                            " garp_master_delay 1\n down_timer_adverts 4\n virtual_ipaddress {\n  10.0.0.9\n }\n}\n");
  const GlobalDefs& g = c.config.global;
  const VrrpInstance& plain = c.config.vrrp.instances[0];
  const VrrpInstance& strict = c.config.vrrp.instances[1];
  EXPECT_EQ(plain.effectiveGarpMasterDelay(g), 7);
  EXPECT_EQ(plain.effectiveGarpMasterRepeat(g), 1);
  EXPECT_TRUE(plain.effectiveSkipCheckAdvAddr(g));
  EXPECT_TRUE(plain.effectiveHigherPrioSendAdvert(g));
  EXPECT_FALSE(plain.effectiveLowerPrioNoAdvert(g));
  EXPECT_TRUE(plain.effectiveAccept(g));
  EXPECT_EQ(plain.effectiveDownTimerAdverts(), 3);
  EXPECT_EQ(strict.effectiveGarpMasterDelay(g), 1);
  EXPECT_FALSE(strict.effectiveHigherPrioSendAdvert(g));
  EXPECT_TRUE(strict.effectiveLowerPrioNoAdvert(g));
  EXPECT_FALSE(strict.effectiveAccept(g));
  EXPECT_EQ(strict.effectiveDownTimerAdverts(), 4);
}

TEST(VrrpModel, PreemptUndoesNopreemptAndAcceptUndoesNoAccept) {
  auto c = parse("vrrp_instance A {\n nopreempt\n preempt\n no_accept\n accept\n}\n");
  const VrrpInstance& i = c.config.vrrp.instances[0];
  EXPECT_FALSE(i.nopreempt);
  EXPECT_EQ(i.accept, true);
}

TEST(VrrpModel, VirtualAddressLineOptions) {
  auto c = parse("vrrp_instance A {\n virtual_ipaddress {\n"
                 "  192.168.1.10/24 brd + dev eth1 scope link label eth1:vip no_track\n"
                 "  192.168.1.11 peer 192.168.1.1/32 home -nodad mngtmpaddr noprefixroute autojoin use_vmac\n"
                 " }\n virtual_ipaddress_excluded {\n  2001:db8::5/64 dev eth1 preferred_lft forever\n }\n}\n");
  const VrrpInstance& i = c.config.vrrp.instances[0];
  ASSERT_EQ(i.virtual_ipaddress.size(), 2u);
  const VirtualAddress& a = i.virtual_ipaddress[0];
  EXPECT_EQ(a.address.address.text(), "192.168.1.10");
  EXPECT_EQ(a.prefixLength(), 24);
  EXPECT_EQ(a.broadcast, "+");
  EXPECT_EQ(a.dev, "eth1");
  EXPECT_EQ(a.scope, "link");
  EXPECT_EQ(a.label, "eth1:vip");
  EXPECT_TRUE(a.noTrack);
  EXPECT_EQ(a.where.line, 3);
  const VirtualAddress& b = i.virtual_ipaddress[1];
  EXPECT_EQ(b.prefixLength(), 32);
  EXPECT_EQ(b.peer->text(), "192.168.1.1/32");
  EXPECT_TRUE(b.home && b.nodad && b.mngtmpaddr && b.noprefixroute && b.autojoin && b.useVmac);
  const VirtualAddress& e = i.virtual_ipaddress_excluded[0];
  EXPECT_EQ(e.family(), 6);
  EXPECT_EQ(e.prefixLength(), 64);
  EXPECT_EQ(e.preferredLft, "forever");
  EXPECT_EQ(i.family(), 4);
}

TEST(VrrpModel, VirtualAddressErrorsNameTheLine) {
  auto c = parse("vrrp_instance A {\n virtual_ipaddress {\n  10.0.0.300\n  10.0.0.1/33\n  10.0.0.2 dev\n"
                 "  2001:db8::1 brd 1.2.3.4\n  10.0.0.3 no-track\n }\n}\n");
  const auto all = messages(c);
  auto has = [&](const std::string& m) { return std::find(all.begin(), all.end(), m) != all.end(); };
  EXPECT_TRUE(has("t.conf:3: error: '10.0.0.300' is not an IP address with an optional /prefix (1..32 or 1..128)"));
  EXPECT_TRUE(has("t.conf:4: error: '10.0.0.1/33' is not an IP address with an optional /prefix (1..32 or 1..128)"));
  EXPECT_TRUE(has("t.conf:5: error: address 10.0.0.2: 'dev' needs a value"));
  EXPECT_TRUE(has("t.conf:6: error: address 2001:db8::1: IPv6 addresses have no broadcast address"));
  EXPECT_TRUE(has("t.conf:7: warning: address 10.0.0.3: unknown option 'no-track' is ignored; did you mean 'no_track'?"));
  // The unknown option only costs a warning: keepalived skips the word and keeps the address.
  EXPECT_EQ(c.config.vrrp.instances[0].virtual_ipaddress.size(), 1u);
}

TEST(VrrpModel, RoutesAndRulesKeepTheirWordsAndTypeTheEssentials) {
  auto c = parse("vrrp_instance A {\n interface eth0\n virtual_router_id 1\n no_virtual_ipaddress\n virtual_routes {\n"
                 "  src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev eth1 table 100 metric 5\n"
                 "  blackhole 192.168.114.0/24\n"
                 "  default6 via fe80::1 dev eth1 no_track\n"
                 "  192.168.200.0/24 dev eth1 tos 0x04 ssthresh lock 107 protocol bird\n"
                 " }\n virtual_rules {\n  from 192.168.2.0/24 table 1 preference 100\n  to 2001:db8::/64 iif eth1 no_track\n"
                 " }\n}\n");
  ASSERT_TRUE(errors(c).empty()) << errors(c)[0];
  const VrrpInstance& i = c.config.vrrp.instances[0];
  ASSERT_EQ(i.virtual_routes.size(), 4u);
  const IpRoute& r = i.virtual_routes[0];
  EXPECT_EQ(r.destination->text(), "192.168.109.0/24");
  EXPECT_EQ(r.src->text(), "192.168.100.1");
  EXPECT_EQ(r.via->text(), "192.168.200.254");
  EXPECT_EQ(r.dev, "eth1");
  EXPECT_EQ(r.table, "100");
  EXPECT_EQ(r.metric, 5);
  EXPECT_EQ(r.words.front(), "src");
  EXPECT_EQ(i.virtual_routes[1].type, "blackhole");
  EXPECT_EQ(i.virtual_routes[2].family, 6);
  EXPECT_EQ(i.virtual_routes[2].destination->prefixLength, 0);
  EXPECT_TRUE(i.virtual_routes[2].noTrack);
  EXPECT_EQ(i.virtual_routes[3].destination->text(), "192.168.200.0/24");
  ASSERT_EQ(i.virtual_rules.size(), 2u);
  EXPECT_EQ(i.virtual_rules[0].from->text(), "192.168.2.0/24");
  EXPECT_EQ(i.virtual_rules[0].table, "1");
  EXPECT_EQ(i.virtual_rules[0].preference, 100);
  EXPECT_EQ(i.virtual_rules[1].family, 6);
  EXPECT_EQ(i.virtual_rules[1].iif, "eth1");
  EXPECT_TRUE(i.virtual_rules[1].noTrack);
}

TEST(VrrpModel, RouteWithoutDestinationIsAnError) {
  auto c = parse("static_routes {\n  via 10.0.0.1 dev eth0\n}\n");
  EXPECT_EQ(errors(c), std::vector<std::string>{
                           "t.conf:2: error: route 'via 10.0.0.1 dev eth0' has no destination (ADDRESS/PREFIX or "
                           "'default')"});
}

TEST(VrrpModel, StaticBlocksShareTheLineReaders) {
  auto c = parse("static_ipaddress {\n 10.1.0.1/24 dev eth0 scope global\n}\nstatic_ipaddress {\n 10.1.0.2/24\n}\n"
                 "static_routes {\n 10.2.0.0/16 via 10.1.0.254\n}\nstatic_rules {\n from 10.1.0.0/24 table 5\n}\n");
  ASSERT_TRUE(messages(c).empty()) << messages(c)[0];
  const VrrpSection& v = c.config.vrrp;
  ASSERT_EQ(v.static_ipaddress.size(), 2u);
  EXPECT_EQ(v.static_ipaddress[0].scope, "global");
  EXPECT_EQ(v.static_routes[0].via->text(), "10.1.0.254");
  EXPECT_EQ(v.static_rules[0].table, "5");
}

TEST(VrrpModel, TrackAndPeerLineErrors) {
  auto c = parse("vrrp_instance A {\n track_interface {\n  eth1 weight 300\n  eth2 weigth 3\n }\n"
                 " unicast_peer {\n  10.0.0.5 min_ttl 300\n  peer1\n }\n}\n");
  const auto all = errors(c);
  EXPECT_EQ(all, (std::vector<std::string>{
                     "t.conf:3: error: 'track_interface' eth1: weight '300' is out of range -253..253",
                     "t.conf:4: error: 'track_interface' eth2: unknown option 'weigth' (expected 'weight N [reverse]')",
                     "t.conf:7: error: 'unicast_peer' 10.0.0.5: min_ttl '300' is out of range 0..255",
                     "t.conf:8: error: 'unicast_peer': 'peer1' is not an IPv4 or IPv6 address",
                     "t.conf:1: error: vrrp_instance A has no 'virtual_router_id'; set one in 1..255, the same on every "
                     "router of the group",
                     "t.conf:1: error: vrrp_instance A has no 'interface'; set one (or 'unicast_peer' with "
                     "'unicast_src_ip')"}));
}

TEST(VrrpModel, VrrpScriptTypedKeywords) {
  auto c = parse("vrrp_script chk_haproxy {\n script /usr/bin/killall -0 haproxy\n interval 2\n timeout 3\n"
                 " weight -20 reverse\n rise 2\n fall 3\n user nobody nogroup\n init_fail\n}\n"
                 "vrrp_script quoted {\n script \"</dev/tcp/127.0.0.1/80\"\n}\n");
  ASSERT_EQ(c.config.vrrp.scripts.size(), 2u);
  const VrrpScript& s = c.config.vrrp.scripts[0];
  EXPECT_EQ(s.name, "chk_haproxy");
  EXPECT_EQ(s.script, "/usr/bin/killall -0 haproxy");
  EXPECT_EQ(s.interval, 2);
  EXPECT_EQ(s.timeout, 3);
  EXPECT_EQ(s.weight, -20);
  EXPECT_TRUE(s.weight_reverse);
  EXPECT_EQ(s.rise, 2);
  EXPECT_EQ(s.fall, 3);
  EXPECT_EQ(s.user, "nobody");
  EXPECT_EQ(s.group, "nogroup");
  EXPECT_TRUE(s.init_fail);
  EXPECT_EQ(c.config.vrrp.scripts[1].script, "</dev/tcp/127.0.0.1/80");
  EXPECT_EQ(c.config.vrrp.scripts[1].interval, 1);
  EXPECT_EQ(c.config.vrrp.findScript("quoted"), &c.config.vrrp.scripts[1]);
}

TEST(VrrpModel, VrrpScriptWeightRange) {
  auto c = parse("vrrp_script s {\n script x\n weight 254\n}\nvrrp_script t {\n script x\n weight 5 inverse\n}\n");
  EXPECT_EQ(errors(c), (std::vector<std::string>{"t.conf:3: error: 'weight' 254 is out of range -253..253",
                                                 "t.conf:7: error: 'weight': unknown option 'inverse' (only 'reverse')"}));
}

TEST(VrrpModel, SyncGroupTrackProcessTrackFileAndGarpGroup) {
  auto c = parse("vrrp_sync_group G {\n group {\n  VI_1 VI_2\n  VI_3\n }\n notify_master /x.sh\n smtp_alert\n"
                 " sync_group_tracking_weight\n track_file {\n  tf weight 2\n }\n}\n"
                 "vrrp_track_process haproxy {\n process haproxy -f /etc/haproxy.cfg\n param_match partial\n"
                 " weight 10 reverse\n quorum 2\n quorum_max 4\n delay 0.5\n full_command\n}\n"
                 "track_file tf {\n file /run/tf\n weight -3 reverse\n init_file 7 overwrite\n}\n"
                 "vrrp_track_file old {\n file /run/old\n}\n"
                 "garp_group {\n garp_interval 0.01\n gna_interval 0.02\n interfaces {\n  eth0\n  eth1\n }\n}\n");
  const VrrpSection& v = c.config.vrrp;
  ASSERT_EQ(v.sync_groups.size(), 1u);
  EXPECT_EQ(v.sync_groups[0].group, (std::vector<std::string>{"VI_1", "VI_2", "VI_3"}));
  EXPECT_EQ(v.sync_groups[0].notify_master.command, "/x.sh");
  EXPECT_EQ(v.sync_groups[0].smtp_alert, true);
  EXPECT_TRUE(v.sync_groups[0].sync_group_tracking_weight);
  EXPECT_EQ(v.sync_groups[0].track_file[0].weight, 2);
  const VrrpTrackProcess& p = v.track_processes[0];
  EXPECT_EQ(p.process, (std::vector<std::string>{"haproxy", "-f", "/etc/haproxy.cfg"}));
  EXPECT_EQ(p.param_match, "partial");
  EXPECT_EQ(p.weight, 10);
  EXPECT_TRUE(p.weight_reverse);
  EXPECT_EQ(p.quorum, 2);
  EXPECT_EQ(p.quorum_max, 4);
  EXPECT_EQ(p.delay, 0.5);
  EXPECT_TRUE(p.full_command);
  ASSERT_EQ(v.track_files.size(), 2u);
  EXPECT_EQ(v.track_files[0].file, "/run/tf");
  EXPECT_EQ(v.track_files[0].weight, -3);
  EXPECT_EQ(v.track_files[0].init_value, 7);
  EXPECT_TRUE(v.track_files[0].init_overwrite);
  EXPECT_EQ(v.track_files[1].name, "old");
  ASSERT_EQ(v.garp_groups.size(), 1u);
  EXPECT_EQ(v.garp_groups[0].garp_interval, 0.01);
  EXPECT_EQ(v.garp_groups[0].interfaces, (std::vector<std::string>{"eth0", "eth1"}));
  const auto all = messages(c);
  EXPECT_NE(std::find(all.begin(), all.end(), "t.conf:27: warning: 'vrrp_track_file' is deprecated; use 'track_file'"),
            all.end())
      << ::testing::PrintToString(all);
}

// Every keyword keepalived registers in the VRRP-side blocks is read (typed, kept or deprecated),
// never reported as unknown.
TEST(VrrpModel, EveryKeepalivedKeywordOfTheVrrpBlocksIsInTheTables) {
  const std::map<std::string, std::pair<std::string, std::string>> wrappers = {
      {"vrrp_instance", {"vrrp_instance X {\n", "}\n"}},
      {"vrrp_instance/authentication", {"vrrp_instance X {\n authentication {\n", " }\n}\n"}},
      {"vrrp_instance/auth_hmac", {"vrrp_instance X {\n auth_hmac {\n", " }\n}\n"}},
      {"vrrp_script", {"vrrp_script X {\n", "}\n"}},
      {"vrrp_sync_group", {"vrrp_sync_group X {\n", "}\n"}},
      {"vrrp_track_process", {"vrrp_track_process X {\n", "}\n"}},
      {"track_file", {"track_file X {\n", "}\n"}},
      {"vrrp_track_file", {"vrrp_track_file X {\n", "}\n"}},
      {"garp_group", {"garp_group {\n", "}\n"}},
  };
  const std::set<std::string> ownTopLevel = {"static_ipaddress", "static_routes", "static_rules", "vrrp_sync_group",
                                             "garp_group", "vrrp_instance", "vrrp_script", "vrrp_track_process",
                                             "track_file", "vrrp_track_file"};
  const std::string keywordList = std::string(TANDEM_CONFORMANCE_DIR) + "/keepalived-keywords.tsv";
  // The shared corpus sits beside the clone (../shared); a clone elsewhere has none to compare with.
  if (!std::filesystem::exists(TANDEM_CONFORMANCE_DIR))
    GTEST_SKIP() << "no conformance corpus at " << TANDEM_CONFORMANCE_DIR;
  std::ifstream tsv(keywordList);
  ASSERT_TRUE(tsv.good()) << keywordList;
  std::string row;
  int checked = 0;
  std::vector<std::string> missing;
  while (std::getline(tsv, row)) {
    const auto tab = row.find('\t');
    if (row.empty() || row[0] == '#' || tab == std::string::npos) continue;
    const std::string block = row.substr(0, tab), keyword = row.substr(tab + 1);
    if (block == "(top level)") {
      if (!ownTopLevel.count(keyword)) continue;
      if (!topLevelSchema().find(keyword)) missing.push_back(block + " " + keyword);
      ++checked;
      continue;
    }
    auto wrap = wrappers.find(block);
    if (wrap == wrappers.end()) continue;
    auto c = parse(wrap->second.first + "  " + keyword + "\n" + wrap->second.second);
    for (const auto& m : messages(c))
      if (m.find("unknown keyword '" + keyword + "'") != std::string::npos) missing.push_back(block + " " + keyword);
    ++checked;
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing, first: " << missing.front();
  EXPECT_GT(checked, 120);
}

TEST(VrrpModel, UnknownKeywordSuggestsTheClosestOne) {
  auto c = parse("vrrp_instance A {\n priorty 100\n}\n");
  EXPECT_EQ(errors(c).front(), "t.conf:2: error: unknown keyword 'priorty' in vrrp_instance; did you mean 'priority'?");
}

TEST(VrrpModel, KeptKeywordsWarnAndSurviveTheDump) {
  auto c = parse(kMinimal + "vrrp_instance B {\n interface eth0\n virtual_router_id 52\n track_src_ip\n"
                            " auth_hmac {\n  key 1 hex:00\n  mode enforce\n }\n virtual_ipaddress {\n  10.0.0.2\n }\n}\n");
  EXPECT_TRUE(errors(c).empty()) << errors(c)[0];
  const auto all = messages(c);
  EXPECT_NE(std::find(all.begin(), all.end(), "t.conf:11: warning: 'track_src_ip' is recognised but not acted on by "
                                              "Tandem yet"),
            all.end());
  std::ostringstream text;
  TextDumpWriter w(text);
  topLevelSchema().write(c.config, w);
  EXPECT_NE(text.str().find("track_src_ip"), std::string::npos);
  EXPECT_NE(text.str().find("mode enforce"), std::string::npos);
}

TEST(VrrpModel, DumpRoundTripReadsBackTheSameModel) {
  const std::string source =
      "vrrp_script chk {\n script \"/usr/bin/pgrep -x haproxy\"\n interval 2\n weight 5 reverse\n user nobody\n}\n"
      "vrrp_sync_group G {\n group {\n  VI_1\n  VI_2\n }\n notify \"/n.sh x\"\n}\n"
      "static_routes {\n 10.9.0.0/16 via 10.0.0.254 dev eth0 ssthresh lock 107\n}\n"
      "vrrp_instance VI_1 {\n state MASTER\n interface eth0\n virtual_router_id 51\n priority 200\n advert_int 2\n"
      " version 2\n authentication {\n  auth_type PASS\n  auth_pass secret\n }\n"
      " virtual_ipaddress {\n  10.0.0.1/24 dev eth0 label eth0:1\n  10.0.0.2 brd 10.0.0.255 no_track\n }\n"
      " virtual_ipaddress_excluded {\n  2001:db8::1/64\n }\n"
      " virtual_routes {\n  default via 10.0.0.254 table 100\n }\n"
      " track_script {\n  chk weight -10\n }\n unicast_src_ip 10.0.0.10\n unicast_peer {\n  10.0.0.11 max_ttl 255\n }\n"
      " notify_master \"/m.sh a b\" root\n smtp_alert\n no_accept\n garp_master_delay 2\n use_vmac\n}\n"
      "vrrp_instance VI_2 {\n interface eth1\n virtual_router_id 52\n nopreempt\n virtual_ipaddress {\n  10.1.0.1\n }\n"
      " track_script {\n  chk\n }\n}\n";
  auto first = parse(source);
  std::ostringstream text;
  TextDumpWriter w(text);
  topLevelSchema().write(first.config, w);
  auto again = parse(text.str());
  EXPECT_TRUE(errors(again).empty()) << errors(again)[0] << "\n" << text.str();
  const VrrpSection& a = first.config.vrrp;
  const VrrpSection& b = again.config.vrrp;
  ASSERT_EQ(b.instances.size(), 2u);
  ASSERT_EQ(b.scripts.size(), 1u);
  EXPECT_EQ(b.scripts[0].script, a.scripts[0].script);
  EXPECT_EQ(b.scripts[0].weight, 5);
  EXPECT_TRUE(b.scripts[0].weight_reverse);
  EXPECT_EQ(b.sync_groups[0].group, a.sync_groups[0].group);
  EXPECT_EQ(b.sync_groups[0].notify.command, "/n.sh x");
  EXPECT_EQ(b.static_routes[0].words, a.static_routes[0].words);
  const VrrpInstance& x = a.instances[0];
  const VrrpInstance& y = b.instances[0];
  EXPECT_EQ(y.state, x.state);
  EXPECT_EQ(y.priority, x.priority);
  EXPECT_EQ(y.advert_int, x.advert_int);
  EXPECT_EQ(y.version, x.version);
  EXPECT_EQ(y.authentication.auth_type, VrrpAuthType::Pass);
  EXPECT_EQ(y.authentication.auth_pass, "secret");
  ASSERT_EQ(y.virtual_ipaddress.size(), 2u);
  for (std::size_t n = 0; n < 2; ++n) EXPECT_EQ(y.virtual_ipaddress[n].words(), x.virtual_ipaddress[n].words());
  EXPECT_EQ(y.virtual_ipaddress_excluded[0].words(), x.virtual_ipaddress_excluded[0].words());
  EXPECT_EQ(y.virtual_routes[0].words, x.virtual_routes[0].words);
  EXPECT_EQ(y.track_script[0].words(), x.track_script[0].words());
  EXPECT_EQ(y.unicast_src_ip, x.unicast_src_ip);
  EXPECT_EQ(y.unicast_peer[0].words(), x.unicast_peer[0].words());
  EXPECT_EQ(y.notify_master.command, "/m.sh a b");
  EXPECT_EQ(y.notify_master.user, "root");
  EXPECT_EQ(y.smtp_alert, true);
  EXPECT_EQ(y.accept, false);
  EXPECT_EQ(y.garp_master_delay, 2);
  EXPECT_TRUE(y.use_vmac);
  EXPECT_TRUE(b.instances[1].nopreempt);
  EXPECT_FALSE(b.instances[1].priority);  // a default is not written out as if it had been set
  EXPECT_FALSE(b.instances[1].state);
}

TEST(VrrpModel, JsonDumpHasOneObjectPerInstance) {
  auto c = parse(kMinimal);
  JsonDumpWriter w;
  topLevelSchema().write(c.config, w);
  const nlohmann::json& j = w.result();
  ASSERT_TRUE(j.contains("vrrp_instance"));
  ASSERT_TRUE(j["vrrp_instance"].is_array());
  const nlohmann::json& i = j["vrrp_instance"][0];
  EXPECT_EQ(i["name"], "VI_1");
  EXPECT_EQ(i["interface"], "eth0");
  EXPECT_EQ(i["virtual_router_id"], 51);
  EXPECT_EQ(i["advert_int"], 1.0);
  EXPECT_EQ(i["virtual_ipaddress"]["items"], nlohmann::json::array({"10.0.0.1"}));
}

}  // namespace
}  // namespace tandem::config
