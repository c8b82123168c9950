#include "checkers/checker_config.h"

#include <gtest/gtest.h>

#include "ipvs/plan.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::check {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

CheckerConfig mapped(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  return mapCheckerConfig(loaded.config);
}

std::string servicesText(const VirtualServerSpec& spec) {
  std::string out;
  for (const ipvs::Service& s : spec.services) out += ipvs::describe(ipvs::Operation{ipvs::OpKind::AddService, s, {}}) + "\n";
  return out;
}

TEST(CheckerConfigMapping, AddressServiceWithInheritedTimingAndKeepalivedDefaults) {
  const CheckerConfig c = mapped(R"(
virtual_server 192.0.2.1 80 {
  delay_loop 6
  lb_algo rr
  lb_kind DR
  protocol TCP
  persistence_timeout 300
  persistence_granularity 255.255.255.0
  retry 2
  real_server 10.0.0.2 8080 {
    weight 3
    inhibit_on_failure
    notify_down "/usr/local/bin/gone 10.0.0.2" nobody
    TCP_CHECK {
      connect_timeout 2
      delay_before_retry 4
    }
    HTTP_GET {
      url {
        path /health
        status_code 200-204 301
        digest 0123456789abcdef0123456789abcdef
      }
      virtualhost www.example.com
    }
  }
}
)");
  ASSERT_EQ(c.virtualServers.size(), 1U);
  const VirtualServerSpec& vs = c.virtualServers[0];
  EXPECT_EQ(vs.name, "TCP 192.0.2.1:80");
  EXPECT_EQ(servicesText(vs), "-A -t 192.0.2.1:80 -s rr -p 300 -M 255.255.255.0\n");
  ASSERT_EQ(vs.realServers.size(), 1U);
  const RealServerSpec& rs = vs.realServers[0];
  // DR keeps the service's port, as ipvsadm does.
  EXPECT_EQ(rs.name(), "10.0.0.2:80");
  EXPECT_EQ(rs.destination.weight, 3U);
  EXPECT_EQ(rs.destination.method, ipvs::ForwardingMethod::Dr);
  EXPECT_TRUE(rs.inhibitOnFailure);
  EXPECT_EQ(rs.notifyDown.argv, (std::vector<std::string>{"/usr/local/bin/gone", "10.0.0.2"}));
  EXPECT_EQ(rs.notifyDown.user, "nobody");
  ASSERT_EQ(rs.checkers.size(), 2U);

  const CheckerSpec& tcp = rs.checkers[0];
  EXPECT_EQ(tcp.kind, CheckKind::Tcp);
  EXPECT_EQ(tcp.label(), "TCP_CHECK 10.0.0.2:8080");  // the check goes to the real server's own port
  EXPECT_EQ(tcp.timing.delayLoop, seconds(6));
  EXPECT_EQ(tcp.timing.retry, 2U);
  EXPECT_EQ(tcp.timing.delayBeforeRetry, seconds(4));
  EXPECT_EQ(tcp.timing.warmup, seconds(6));  // keepalived: delay_loop unless set
  EXPECT_EQ(tcp.connect.timeout, milliseconds(2000));

  const CheckerSpec& http = rs.checkers[1];
  EXPECT_EQ(http.kind, CheckKind::Http);
  EXPECT_EQ(http.timing.delayBeforeRetry, seconds(3));  // HTTP_GET's own default
  EXPECT_EQ(http.connect.timeout, milliseconds(5000));
  EXPECT_EQ(http.virtualhost, "www.example.com");
  ASSERT_EQ(http.urls.size(), 1U);
  EXPECT_EQ(http.urls[0].spec.path, "/health");
  EXPECT_EQ(http.urls[0].spec.statusCodes, (std::vector<StatusRange>{{200, 204}, {301, 301}}));
  EXPECT_EQ(http.urls[0].spec.digest, "0123456789abcdef0123456789abcdef");
}

TEST(CheckerConfigMapping, FwmarkSorryServerQuorumAndMiscDefaults) {
  const CheckerConfig c = mapped(R"(
global_defs {
  script_user checker users
}
virtual_server fwmark 7 {
  delay_loop 10
  lb_algo sh
  sh-port
  lb_kind DR
  quorum 5
  hysteresis 1
  quorum_down /usr/local/bin/page
  sorry_server 2001:db8::29 80
  sorry_server_inhibit
  real_server 2001:db8::16 80 {
    MISC_CHECK {
      misc_path "/usr/local/bin/probe '2001:db8::16' 80"
      misc_dynamic
    }
  }
}
)");
  ASSERT_EQ(c.virtualServers.size(), 1U);
  const VirtualServerSpec& vs = c.virtualServers[0];
  EXPECT_EQ(vs.name, "FWM 7 IPv6");  // the family of its real servers
  EXPECT_EQ(servicesText(vs), "-A -f 7 -6 -s sh -b sh-port\n");
  EXPECT_EQ(vs.quorum.quorum, 5U);
  EXPECT_EQ(vs.quorum.hysteresis, 1U);
  EXPECT_EQ(vs.quorumDown.argv, std::vector<std::string>{"/usr/local/bin/page"});
  EXPECT_EQ(vs.quorumDown.user, "checker:users");
  ASSERT_TRUE(vs.sorryServer);
  EXPECT_TRUE(vs.sorryServer->inhibit);
  EXPECT_EQ(vs.sorryServer->destination.method, ipvs::ForwardingMethod::Dr);
  const RealServerSpec& rs = vs.realServers.at(0);
  EXPECT_EQ(rs.name(), "[2001:db8::16]:0");  // DR to a fwmark service: no port
  const CheckerSpec& misc = rs.checkers.at(0);
  EXPECT_EQ(misc.kind, CheckKind::Misc);
  EXPECT_EQ(misc.timing.retry, 0U);                    // MISC_CHECK's own default
  EXPECT_EQ(misc.miscTimeout, milliseconds(10000));    // the virtual server's delay_loop
  EXPECT_TRUE(misc.miscDynamic);
  EXPECT_EQ(misc.user, "checker:users");
}

TEST(CheckerConfigMapping, GroupGivesOneServicePerEntryAndAddressOfARange) {
  const CheckerConfig c = mapped(R"(
virtual_server_group web {
  192.0.2.1-3 80
  2001:db8::1 443
  fwmark 9 inet
}
virtual_server group web {
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  real_server 10.0.0.2 8080 {
    TCP_CHECK {
    }
  }
}
)");
  ASSERT_EQ(c.virtualServers.size(), 1U);
  EXPECT_EQ(c.virtualServers[0].name, "group web");
  EXPECT_EQ(servicesText(c.virtualServers[0]),
            "-A -t 192.0.2.1:80 -s wrr\n-A -t 192.0.2.2:80 -s wrr\n-A -t 192.0.2.3:80 -s wrr\n"
            "-A -t [2001:db8::1]:443 -s wrr\n-A -f 9 -s wrr\n");
}

TEST(CheckerConfigMapping, DestinationsFollowTheServicePortUnlessNat) {
  ipvs::Destination dr;
  dr.key = {ipvs::address("10.0.0.2"), 8080};
  dr.method = ipvs::ForwardingMethod::Dr;
  EXPECT_EQ(destinationIn(ipvs::ServiceKey::tcp(ipvs::address("192.0.2.1"), 80), dr).key.port, 80);
  EXPECT_EQ(destinationIn(ipvs::ServiceKey::fwmark(3), dr).key.port, 0);
  ipvs::Destination nat = dr;
  nat.method = ipvs::ForwardingMethod::Nat;
  EXPECT_EQ(destinationIn(ipvs::ServiceKey::tcp(ipvs::address("192.0.2.1"), 80), nat).key.port, 8080);
  nat.key.port = 0;
  EXPECT_EQ(destinationIn(ipvs::ServiceKey::tcp(ipvs::address("192.0.2.1"), 80), nat).key.port, 80);
}

TEST(CheckerConfigMapping, CheckerTypesTandemDoesNotRunAreNamedInWarnings) {
  const CheckerConfig c = mapped(R"(
virtual_server 192.0.2.1 25 {
  protocol TCP
  real_server 10.0.0.2 25 {
    SMTP_CHECK {
    }
    TCP_CHECK {
    }
  }
}
)");
  ASSERT_EQ(c.warnings.size(), 1U);
  EXPECT_NE(c.warnings[0].find("SMTP_CHECK is not run by Tandem yet"), std::string::npos) << c.warnings[0];
  EXPECT_EQ(c.virtualServers.at(0).realServers.at(0).checkers.size(), 1U);
}

TEST(CheckerConfigMapping, SameCheckIgnoresOnlyWhereTheCheckerIsWritten) {
  const CheckerConfig a = mapped("virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n"
                                 "  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n");
  const CheckerConfig b = mapped("\n\nvirtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n"
                                 "  TCP_CHECK {\n   connect_timeout 3\n  }\n }\n}\n");
  const CheckerConfig c = mapped("virtual_server 192.0.2.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n"
                                 "  TCP_CHECK {\n   connect_timeout 4\n  }\n }\n}\n");
  const CheckerSpec& first = a.virtualServers[0].realServers[0].checkers[0];
  EXPECT_TRUE(first.sameCheck(b.virtualServers[0].realServers[0].checkers[0]));
  EXPECT_FALSE(first.sameCheck(c.virtualServers[0].realServers[0].checkers[0]));
}

}  // namespace
}  // namespace tandem::check
