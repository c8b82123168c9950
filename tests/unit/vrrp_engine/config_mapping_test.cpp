#include "vrrp/config_mapping.h"

#include <gtest/gtest.h>

#include "tests/unit/parser/config_test_util.h"

namespace tandem::vrrp {
namespace {

IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

EngineConfig mapped(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  return mapVrrpConfig(loaded.config);
}

TEST(VrrpEngineConfigMapping, SplitsScriptStringsLikeKeepalived) {
  EXPECT_EQ(splitCommandLine("/bin/x a  'b c' \"d e\" f\\ g"),
            (std::vector<std::string>{"/bin/x", "a", "b c", "d e", "f g"}));
  EXPECT_EQ(splitCommandLine("  "), std::vector<std::string>{});
  EXPECT_EQ(splitCommandLine("a ''"), (std::vector<std::string>{"a", ""}));
}

TEST(VrrpEngineConfigMapping, InstanceWithKeepalivedDefaultsAndGlobalOverrides) {
  const EngineConfig f = mapped(R"(
global_defs {
  vrrp_garp_master_delay 2
  vrrp_garp_master_repeat 3
  vrrp_garp_interval 0.05
  vrrp_garp_master_refresh 60
  script_user nobody nogroup
}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 2
  garp_master_repeat 4
  virtual_ipaddress {
    192.0.2.100/24 dev eth1 label eth1:vip brd +
    192.0.2.101
  }
  virtual_ipaddress_excluded {
    198.51.100.7/32
  }
  notify_master "/etc/k/master.sh 'a b'"
  notify /etc/k/notify.sh root
}
)");
  ASSERT_EQ(f.instances.size(), 1u);
  const InstanceConfig& c = f.instances[0];
  EXPECT_EQ(c.params.name, "VI_1");
  EXPECT_EQ(c.params.vrid, 51);
  EXPECT_EQ(c.params.priority, 150);
  EXPECT_EQ(c.params.initialState, State::Master);
  EXPECT_EQ(c.params.version, Version::V2);  // keepalived's default vrrp_version
  EXPECT_EQ(c.params.advertInterval, Centiseconds{200});
  EXPECT_TRUE(c.params.preempt);
  EXPECT_EQ(c.params.garpMasterDelay, std::chrono::seconds{2});
  EXPECT_EQ(c.params.garpMasterRepeat, 4u);
  EXPECT_EQ(c.garpInterval, Duration{50'000});
  EXPECT_EQ(c.garpMasterRefresh, std::chrono::milliseconds{60'000});
  EXPECT_EQ(c.params.virtualAddresses, (std::vector<IpAddress>{ip("192.0.2.100"), ip("192.0.2.101")}));
  ASSERT_EQ(c.vips.size(), 2u);
  EXPECT_EQ(c.vips[0].prefixLength, 24);
  EXPECT_EQ(c.vips[0].device, "eth1");
  EXPECT_EQ(c.vips[0].label, "eth1:vip");
  EXPECT_EQ(c.vips[0].broadcast, ip("192.0.2.255"));
  EXPECT_EQ(c.vips[1].prefixLength, -1);
  ASSERT_EQ(c.excludedVips.size(), 1u);
  EXPECT_EQ(c.excludedVips[0].address, ip("198.51.100.7"));
  EXPECT_EQ(c.channel.interface, "eth0");
  EXPECT_EQ(c.channel.family, Family::Ipv4);
  EXPECT_EQ(c.channel.multicastGroup, ip("224.0.0.18"));
  EXPECT_TRUE(c.channel.unicastPeers.empty());
  ASSERT_NE(c.notify, nullptr);
  EXPECT_EQ(c.notify->master.argv, (std::vector<std::string>{"/etc/k/master.sh", "a b"}));
  EXPECT_EQ(c.notify->master.user, "nobody:nogroup");  // script_user by default
  EXPECT_EQ(c.notify->generic.argv, (std::vector<std::string>{"/etc/k/notify.sh"}));
  EXPECT_EQ(c.notify->generic.user, "root");
  EXPECT_FALSE(c.notify->backup.set());
}

TEST(VrrpEngineConfigMapping, UnicastAuthenticationAndIpv6) {
  const EngineConfig e = mapped(R"(
vrrp_instance U {
  interface eth0
  virtual_router_id 7
  unicast_src_ip 10.0.0.1
  unicast_peer {
    10.0.0.2
    10.0.0.3
  }
  unicast_ttl 10
  authentication {
    auth_type PASS
    auth_pass secret12345
  }
  virtual_ipaddress {
    10.0.0.100
  }
}
vrrp_instance V6 {
  interface eth0
  virtual_router_id 8
  virtual_ipaddress {
    fe80::100
    2001:db8::100/64
  }
}
)");
  ASSERT_EQ(e.instances.size(), 2u);
  const InstanceConfig& u = e.instances[0];
  EXPECT_EQ(u.channel.unicastPeers, (std::vector<IpAddress>{ip("10.0.0.2"), ip("10.0.0.3")}));
  EXPECT_EQ(u.channel.sourceAddress, ip("10.0.0.1"));
  EXPECT_EQ(u.params.ownAddress, ip("10.0.0.1"));
  EXPECT_EQ(u.channel.unicastTtl, 10);
  EXPECT_EQ(u.params.priority, 100);
  EXPECT_EQ(u.params.initialState, State::Backup);
  EXPECT_EQ(u.params.authType, AuthType::Pass);
  EXPECT_EQ(u.params.authData, makeAuthData("secret12"));
  EXPECT_EQ(u.notify, nullptr);  // no notify script: nothing held
  const InstanceConfig& v6 = e.instances[1];
  EXPECT_EQ(v6.channel.family, Family::Ipv6);
  EXPECT_EQ(v6.params.version, Version::V3);
  EXPECT_EQ(v6.channel.multicastGroup, ip("ff02::12"));
  EXPECT_EQ(v6.params.virtualAddresses.size(), 2u);
}

TEST(VrrpEngineConfigMapping, ScriptsTrackersAndSyncGroups) {
  const EngineConfig e = mapped(R"(
vrrp_script chk_a {
  script "/bin/check a"
  interval 2
  weight -20
  rise 3
  fall 2
  init_fail
}
vrrp_script chk_b {
  script /bin/check_b
  interval 5
  timeout 1
  weight 10 reverse
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  track_script {
    chk_a
    chk_b weight 0
  }
  track_interface {
    eth1 weight -30
    eth2
  }
  dont_track_primary
  virtual_ipaddress {
    192.0.2.1
  }
}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 2
  virtual_ipaddress {
    192.0.2.2
  }
}
vrrp_sync_group G {
  group {
    VI_1
    VI_2
  }
  track_script {
    chk_b
  }
  notify_fault /bin/gfault
}
)");
  ASSERT_EQ(e.scripts.size(), 2u);
  EXPECT_EQ(e.scripts[0].command.argv, (std::vector<std::string>{"/bin/check", "a"}));
  EXPECT_EQ(e.scripts[0].interval, std::chrono::milliseconds{2'000});
  EXPECT_EQ(e.scripts[0].timeout, std::chrono::milliseconds{2'000});  // the interval when unset
  EXPECT_EQ(e.scripts[0].rise, 3);
  EXPECT_EQ(e.scripts[0].fall, 2);
  EXPECT_TRUE(e.scripts[0].initFail);
  EXPECT_EQ(e.scripts[1].timeout, std::chrono::milliseconds{1'000});

  const InstanceConfig& vi1 = e.instances[0];
  EXPECT_EQ(vi1.trackScripts, (std::vector<TrackRef>{{"chk_a", -20, false}, {"chk_b", 0, false}}));
  EXPECT_EQ(vi1.trackInterfaces, (std::vector<TrackRef>{{"eth1", -30, false}, {"eth2", 0, false}}));
  EXPECT_FALSE(vi1.trackPrimaryInterface);
  EXPECT_EQ(vi1.syncGroup, "G");
  // The group's track_script reaches VI_2 with the script's own weight and reverse flag.
  EXPECT_EQ(e.instances[1].trackScripts, (std::vector<TrackRef>{{"chk_b", 10, true}}));
  ASSERT_EQ(e.syncGroups.size(), 1u);
  EXPECT_EQ(e.syncGroups[0].members, (std::vector<std::string>{"VI_1", "VI_2"}));
  EXPECT_EQ(e.syncGroups[0].notify.fault.argv, (std::vector<std::string>{"/bin/gfault"}));
}

TEST(VrrpEngineConfigMapping, DemoDirectorConfigMaps) {
  config::LoadedConfig loaded = config::testing::parse(R"(
vrrp_instance VI_DEMO {
   state MASTER
   interface eth0
   virtual_router_id 51
   priority 150
   advert_int 1
   virtual_ipaddress {
      192.0.2.100/24 dev eth0
   }
}
)");
  const EngineConfig e = mapVrrpConfig(loaded.config);
  ASSERT_EQ(e.instances.size(), 1u);
  EXPECT_EQ(e.instances[0].params.priority, 150);
  EXPECT_EQ(e.instances[0].params.advertInterval, Centiseconds{100});
}

}  // namespace
}  // namespace tandem::vrrp
