#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <variant>

#include "parser/model_checkers.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::config {
namespace {
using testing::errors;
using testing::messages;
using testing::parse;
using Strings = std::vector<std::string>;

const VirtualServer& onlyVs(const LoadedConfig& c) {
  EXPECT_EQ(c.config.lvs.virtual_servers.size(), 1u);
  return c.config.lvs.virtual_servers.front();
}

IpAddress ip(const char* text) { return *parseIpAddress(text); }

TEST(LvsModel, DefaultsAreKeepalivedsAndTheInheritanceChainResolves) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n"
      " protocol TCP\n"
      " real_server 192.168.1.1 8080 {\n"
      "  TCP_CHECK {\n"
      "  }\n"
      " }\n"
      "}\n");
  EXPECT_TRUE(messages(c).empty()) << messages(c)[0];
  const VirtualServer& vs = onlyVs(c);
  EXPECT_EQ(vs.kind, VirtualServerKind::Address);
  EXPECT_EQ(vs.server.address, ip("10.0.0.1"));
  EXPECT_EQ(vs.server.port, 80);
  EXPECT_EQ(vs.quorum, 1);
  EXPECT_FALSE(vs.lvs_sched.has_value());
  EXPECT_EQ(effectiveScheduler(vs), Scheduler::Wlc);
  EXPECT_EQ(effectiveForwarding(vs).method, LvsMethod::Nat);
  const RealServer& rs = vs.real_servers.at(0);
  const EffectiveRealServer ers = effectiveRealServer(vs, rs);
  EXPECT_EQ(ers.weight, 1);
  EXPECT_EQ(ers.server.port, 8080);  // NAT keeps its own port
  const EffectiveChecker e = effectiveChecker(vs, rs, rs.checkers.at(0));
  EXPECT_EQ(e.connect_ip, ip("192.168.1.1"));
  EXPECT_EQ(e.connect_port, 8080);
  EXPECT_EQ(e.connect_timeout, 5);
  EXPECT_EQ(e.delay_loop, 60);
  EXPECT_EQ(e.warmup, 60);
  EXPECT_EQ(e.retry, 1);
  EXPECT_EQ(e.delay_before_retry, 1);
  EXPECT_FALSE(e.alpha);
}

TEST(LvsModel, MissingProtocolWarnsThatKeepalivedUsesUdp) {
  auto c = parse("virtual_server 10.0.0.1 80 {\n real_server 10.0.0.2 80 {\n }\n}\n");
  EXPECT_EQ(messages(c), Strings{"t.conf:1: warning: virtual_server 10.0.0.1 80 has no 'protocol'; keepalived then uses UDP "
                                 "(set TCP, UDP or SCTP)"});
  EXPECT_EQ(effectiveProtocol(onlyVs(c)), Protocol::Udp);
}

TEST(LvsModel, VirtualServerKeywordsAreTyped) {
  auto c = parse(
      "virtual_server 10.0.0.1 443 {\n"
      " delay_loop 6.5\n lvs_sched sh\n sh-port\n lvs_method DR\n protocol sctp\n persistence_timeout\n"
      " persistence_granularity 255.255.255.0\n persistence_engine sip\n ha_suspend\n alpha\n omega\n"
      " quorum 2\n hysteresis 1\n quorum_up \"/bin/up arg\"\n quorum_down /bin/down nobody nogroup\n"
      " sorry_server 10.0.0.9 443\n sorry_server_inhibit\n sorry_server_lvs_method TUN type gue port 6080 csum\n"
      " connect_timeout 3\n retry 2\n delay_before_retry 0.5\n warmup 0\n inhibit_on_failure\n weight 5\n"
      " virtualhost www.example.com\n smtp_alert off\n"
      " real_server 10.0.0.2 443 {\n }\n"
      "}\n");
  ASSERT_TRUE(errors(c).empty()) << errors(c)[0];
  const VirtualServer& vs = onlyVs(c);
  EXPECT_EQ(*vs.delay_loop, 6.5);
  EXPECT_EQ(*vs.lvs_sched, Scheduler::Sh);
  EXPECT_TRUE(vs.sh_port);
  EXPECT_EQ(vs.lvs_method->method, LvsMethod::Dr);
  EXPECT_EQ(*vs.protocol, Protocol::Sctp);
  EXPECT_EQ(*vs.persistence_timeout, 360);
  EXPECT_EQ(vs.persistence_granularity, "255.255.255.0");
  EXPECT_EQ(vs.persistence_engine, "sip");
  EXPECT_TRUE(vs.ha_suspend && vs.alpha && vs.omega && vs.inhibit_on_failure && vs.sorry_server_inhibit);
  EXPECT_EQ(vs.quorum, 2);
  EXPECT_EQ(vs.hysteresis, 1);
  EXPECT_EQ(vs.quorum_up->command, "/bin/up arg");
  EXPECT_EQ(vs.quorum_down->command, "/bin/down");
  EXPECT_EQ(vs.quorum_down->user, "nobody");
  EXPECT_EQ(vs.quorum_down->group, "nogroup");
  EXPECT_EQ(vs.sorry_server->port, 443);
  EXPECT_EQ(vs.sorry_server_lvs_method->tunnelType, TunnelType::Gue);
  EXPECT_EQ(vs.sorry_server_lvs_method->tunnelPort, 6080);
  EXPECT_EQ(vs.sorry_server_lvs_method->checksum, TunnelChecksum::Csum);
  EXPECT_EQ(*vs.connect_timeout, 3);
  EXPECT_EQ(*vs.retry, 2);
  EXPECT_EQ(*vs.warmup, 0);
  EXPECT_EQ(*vs.weight, 5);
  EXPECT_EQ(*vs.virtualhost, "www.example.com");
  EXPECT_EQ(*vs.smtp_alert, false);
  EXPECT_EQ(effectiveRealServer(vs, vs.real_servers[0]).weight, 5);
  EXPECT_EQ(vs.meta.locationOf("quorum").line, 13);
}

TEST(LvsModel, DeprecatedSpellingsWarnAndStillApply) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n lb_algo rr\n lb_kind DR\n protocol TCP\n"
      " real_server 10.0.0.2 80 {\n  HTTP_GET {\n   nb_get_retry 4\n   url {\n    path /\n   }\n  }\n }\n}\n");
  EXPECT_EQ(messages(c), (Strings{"t.conf:2: warning: 'lb_algo' is deprecated; use 'lvs_sched'",
                                  "t.conf:3: warning: 'lb_kind' is deprecated; use 'lvs_method'",
                                  "t.conf:7: warning: 'nb_get_retry' is deprecated; use 'retry'"}));
  const VirtualServer& vs = onlyVs(c);
  EXPECT_EQ(*vs.lvs_sched, Scheduler::Rr);
  EXPECT_EQ(vs.lvs_method->method, LvsMethod::Dr);
  EXPECT_EQ(*vs.real_servers[0].checkers[0].retry, 4);
}

TEST(LvsModel, BadChoicesSuggestTheNearestWord) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n lvs_sched wrrr\n lvs_method nat\n protocol TPC\n"
      " real_server 10.0.0.2 80 {\n }\n}\n");
  EXPECT_EQ(errors(c),
            (Strings{"t.conf:2: error: 'lvs_sched': 'wrrr' is not one of rr, wrr, lc, wlc, lblc, lblcr, dh, sh, sed, nq, fo, "
                     "ovf, mh, twos; did you mean 'wrr'?",
                     "t.conf:3: error: 'lvs_method': 'nat' is not one of NAT, DR, TUN; did you mean 'NAT'?",
                     "t.conf:4: error: 'protocol': 'TPC' is not one of TCP, UDP, SCTP; did you mean 'TCP'?"}));
}

TEST(LvsModel, UnknownKeywordInACheckerSuggests) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n  TCP_CHECK {\n   conect_timeout 3\n  }\n }\n}\n");
  EXPECT_EQ(errors(c), Strings{"t.conf:5: error: unknown keyword 'conect_timeout' in TCP_CHECK; did you mean 'connect_timeout'?"});
}

TEST(LvsModel, FwmarkGroupAndIpv6Forms) {
  auto c = parse(
      "virtual_server_group G {\n 10.0.0.1 80\n 10.0.1.1-10 80\n 10.0.2.250-10.0.3.5 443\n 10.0.4.8/29 80\n"
      " 2001:db8::1-1f 80\n fwmark 7 inet6\n}\n"
      "virtual_server fwmark 12 {\n real_server 10.0.0.5 80 {\n }\n}\n"
      "virtual_server group G {\n protocol TCP\n real_server 10.0.0.6 80 {\n }\n}\n"
      "virtual_server 2001:db8::80 80 {\n protocol UDP\n real_server 2001:db8::81 80 {\n }\n}\n");
  EXPECT_TRUE(messages(c).empty()) << messages(c)[0];
  const auto& vss = c.config.lvs.virtual_servers;
  ASSERT_EQ(vss.size(), 3u);
  EXPECT_EQ(vss[0].kind, VirtualServerKind::Fwmark);
  EXPECT_EQ(vss[0].fwmark, 12u);
  EXPECT_EQ(vss[1].kind, VirtualServerKind::Group);
  EXPECT_EQ(vss[1].group, "G");
  EXPECT_EQ(vss[2].server.address.family, 6);
  const VirtualServerGroup& g = c.config.lvs.groups.at(0);
  ASSERT_EQ(g.entries.size(), 6u);
  EXPECT_EQ(g.entries[1].first, ip("10.0.1.1"));
  EXPECT_EQ(g.entries[1].last, ip("10.0.1.10"));
  EXPECT_EQ(g.entries[2].last, ip("10.0.3.5"));
  EXPECT_EQ(g.entries[2].port, 443);
  EXPECT_EQ(g.entries[3].first, ip("10.0.4.8"));
  EXPECT_EQ(g.entries[3].last, ip("10.0.4.15"));
  EXPECT_EQ(g.entries[4].last, ip("2001:db8::1f"));
  EXPECT_EQ(g.entries[5].kind, VirtualServerGroupEntry::Kind::Fwmark);
  EXPECT_EQ(*g.entries[5].fwmarkFamily, 6);
}

TEST(LvsModel, BadGroupLinesAndAddressesAreErrorsAtTheirLine) {
  auto c = parse(
      "virtual_server_group G {\n 10.0.1.10-5 80\n 10.0.4.9/29\n 10.0.0.300 80\n fwmark x\n}\n"
      "virtual_server 10.0.0.1 99999 {\n}\n");
  EXPECT_EQ(errors(c), (Strings{"t.conf:2: error: virtual_server_group: '10.0.1.10-5' does not end after it starts",
                                "t.conf:3: error: virtual_server_group: '10.0.4.9/29' has host bits set beyond the prefix",
                                "t.conf:4: error: virtual_server_group: '10.0.0.300' is not an address, address range or "
                                "'fwmark N'",
                                "t.conf:5: error: 'fwmark': 'x' is not a whole number",
                                "t.conf:7: error: 'virtual_server': port '99999' is not in 0..65535"}));
}

TEST(LvsModel, CheckersInheritFromRealAndVirtualServer) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_method DR\n delay_loop 10\n virtualhost vs.example\n"
      " real_server 10.0.0.2 {\n  retry 4\n  alpha\n"
      "  HTTP_GET {\n   connect_timeout 2\n   url {\n    path /health\n   }\n  }\n"
      "  MISC_CHECK {\n   misc_path /bin/true\n  }\n"
      "  DNS_CHECK {\n   type A\n  }\n"
      "  TCP_CHECK {\n   retry 0\n   warmup 3\n   connect_ip 10.9.9.9\n   connect_port 81\n  }\n"
      " }\n}\n");
  ASSERT_TRUE(messages(c).empty()) << messages(c)[0];
  const VirtualServer& vs = onlyVs(c);
  const RealServer& rs = vs.real_servers.at(0);
  ASSERT_EQ(rs.checkers.size(), 4u);
  EXPECT_EQ(effectiveRealServer(vs, rs).server.port, 80);  // DR takes the service port

  const EffectiveChecker http = effectiveChecker(vs, rs, rs.checkers[0]);
  EXPECT_EQ(http.connect_timeout, 2);
  EXPECT_EQ(http.delay_loop, 10);
  EXPECT_EQ(http.warmup, 10);
  EXPECT_EQ(http.retry, 4);
  EXPECT_EQ(http.delay_before_retry, 3);  // HTTP_GET's own default
  EXPECT_TRUE(http.alpha);
  EXPECT_EQ(http.virtualhost, "vs.example");
  EXPECT_EQ(http.connect_port, 80);
  auto dr = parse("virtual_server 10.0.0.1 443 {\n protocol TCP\n lvs_method DR\n real_server 10.0.0.2 8443 {\n"
                  "  TCP_CHECK {\n  }\n }\n}\n");
  const VirtualServer& drVs = onlyVs(dr);
  EXPECT_EQ(effectiveRealServer(drVs, drVs.real_servers[0]).server.port, 443);  // IPVS forwards to the service port
  EXPECT_EQ(effectiveChecker(drVs, drVs.real_servers[0], drVs.real_servers[0].checkers[0]).connect_port, 8443);

  const EffectiveChecker misc = effectiveChecker(vs, rs, rs.checkers[1]);
  EXPECT_EQ(misc.retry, 4);           // the real server's retry beats MISC_CHECK's default of 0
  EXPECT_EQ(misc.misc_timeout, 10);   // unset: the service's delay_loop

  const EffectiveChecker dns = effectiveChecker(vs, rs, rs.checkers[2]);
  EXPECT_EQ(*rs.checkers[2].dns().dns_type, DnsType::A);
  EXPECT_EQ(dns.delay_before_retry, 10);  // DNS_CHECK retries after delay_loop

  const EffectiveChecker tcp = effectiveChecker(vs, rs, rs.checkers[3]);
  EXPECT_EQ(tcp.retry, 0);
  EXPECT_EQ(tcp.warmup, 3);
  EXPECT_EQ(tcp.connect_ip, ip("10.9.9.9"));
  EXPECT_EQ(tcp.connect_port, 81);
}

TEST(LvsModel, CheckerTypeDefaultsWithoutOverrides) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n"
      "  MISC_CHECK {\n   misc_path \"/bin/check x\"\n   misc_timeout 4\n  }\n  DNS_CHECK {\n  }\n }\n}\n");
  ASSERT_TRUE(messages(c).empty()) << messages(c)[0];
  const VirtualServer& vs = onlyVs(c);
  const RealServer& rs = vs.real_servers[0];
  EXPECT_EQ(effectiveChecker(vs, rs, rs.checkers[0]).retry, 0);
  EXPECT_EQ(effectiveChecker(vs, rs, rs.checkers[0]).misc_timeout, 4);
  EXPECT_EQ(rs.checkers[0].misc().misc_path, "/bin/check x");
  EXPECT_EQ(effectiveChecker(vs, rs, rs.checkers[1]).retry, 3);
  EXPECT_EQ(effectiveChecker(vs, rs, rs.checkers[1]).delay_before_retry, 60);
}

TEST(LvsModel, RealServerValuesAndRanges) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n"
      " real_server 10.0.0.2 80 {\n  weight 70000\n }\n"
      " real_server 10.0.0.3 80 {\n  weight 0\n  uthreshold 10\n  lthreshold 20\n  notify_up /bin/up\n"
      "  inhibit_on_failure off\n  lvs_method TUN\n }\n}\n");
  EXPECT_EQ(errors(c), (Strings{"t.conf:4: error: 'weight' 70000 is out of range 0..65535",
                                "t.conf:8: error: 'uthreshold' 10 is below 'lthreshold' 20"}));
  const RealServer& rs = onlyVs(c).real_servers[1];
  EXPECT_EQ(*rs.weight, 0);
  EXPECT_EQ(rs.notify_up->command, "/bin/up");
  EXPECT_EQ(*rs.inhibit_on_failure, false);
  EXPECT_EQ(rs.lvs_method->method, LvsMethod::Tun);
}

TEST(LvsModel, TimersMustBePositiveWhereKeepalivedSaysSo) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n delay_loop 0\n real_server 10.0.0.2 80 {\n"
      "  TCP_CHECK {\n   connect_timeout -1\n   delay_before_retry 0\n   retry x\n  }\n }\n}\n");
  EXPECT_EQ(errors(c), (Strings{"t.conf:3: error: 'delay_loop' must be greater than 0 seconds, not 0",
                                "t.conf:6: error: 'connect_timeout' must be greater than 0 seconds, not -1",
                                "t.conf:8: error: 'retry': 'x' is not a whole number"}));
}

TEST(LvsModel, HttpUrlChecks) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n  SSL_GET {\n"
      "   http_protocol 1.1\n   enable_sni\n   sni_name api.example\n"
      "   url {\n    path /a\n    digest 9B3A0C85A887A256D6939DA88AABD8CD\n    status_code 200 300-302\n   }\n"
      "   url {\n    digest 1234\n    status_code 99 600 abc\n   }\n  }\n }\n}\n");
  EXPECT_EQ(errors(c), (Strings{"t.conf:14: error: 'digest' must be 32 hexadecimal digits (an MD5 sum as genhash prints it), "
                                "not '1234'",
                                "t.conf:15: error: 'status_code' 99 is outside 100..599",
                                "t.conf:15: error: 'status_code' 600 is outside 100..599",
                                "t.conf:15: error: 'status_code': 'abc' is not a status code or a range like 200-299",
                                "t.conf:13: error: 'url' block in SSL_GET has no 'path'"}));
  const Checker& ssl = onlyVs(c).real_servers[0].checkers[0];
  EXPECT_EQ(ssl.type, CheckerType::Ssl);
  EXPECT_EQ(*ssl.http().http_protocol, HttpProtocol::V1_1);
  EXPECT_TRUE(ssl.http().enable_sni);
  const HttpUrl& u = ssl.http().urls.at(0);
  EXPECT_EQ(u.digest, "9b3a0c85a887a256d6939da88aabd8cd");
  EXPECT_TRUE(u.acceptsStatus(301));
  EXPECT_FALSE(u.acceptsStatus(250));
  EXPECT_TRUE(HttpUrl{}.acceptsStatus(250));  // keepalived's default 200-299
}

TEST(LvsModel, CrossReferenceAndUniquenessChecksNameBothLines) {
  auto c = parse(
      "virtual_server group NOPE {\n protocol TCP\n real_server 10.0.0.2 80 {\n }\n}\n"
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n quorum 5\n"
      " real_server 10.0.0.2 80 {\n }\n real_server 10.0.0.2 80 {\n }\n"
      " real_server 2001:db8::2 80 {\n }\n}\n"
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.3 80 {\n }\n}\n");
  EXPECT_EQ(messages(c),
            (Strings{"t.conf:1: error: virtual_server group NOPE: no virtual_server_group 'NOPE' is defined",
                     "t.conf:11: error: real_server 10.0.0.2 80 is already defined in virtual_server 10.0.0.1 80 at line 9",
                     "t.conf:13: error: real_server 2001:db8::2 is IPv6 but virtual_server 10.0.0.1 80 is IPv4; only a TUN "
                     "real server may differ",
                     "t.conf:8: warning: 'quorum' 5 exceeds the total weight 3 of the real servers of virtual_server "
                     "10.0.0.1 80; keepalived lowers it to 3",
                     "t.conf:16: warning: virtual_server 10.0.0.1 80 is already defined at line 6; IPVS holds one service "
                     "for both"}));
}

// Every repeat names the first real server of its address and port, as IPVS sees them (DR takes the service's port),
// in the order the repeats stand in the file.
TEST(LvsModel, EachRepeatedRealServerNamesTheFirstOne) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n lvs_method DR\n"
      " real_server 10.0.0.5 80 { }\n"
      " real_server 10.0.0.4 80 { }\n"
      " real_server 10.0.0.5 80 { }\n"
      " real_server 10.0.0.4 81 { }\n"
      " real_server 10.0.0.6 80 { }\n"
      " real_server 10.0.0.5 80 { }\n}\n");
  EXPECT_EQ(messages(c),
            (Strings{"t.conf:6: error: real_server 10.0.0.5 80 is already defined in virtual_server 10.0.0.1 80 at line 4",
                     "t.conf:7: error: real_server 10.0.0.4 80 is already defined in virtual_server 10.0.0.1 80 at line 5",
                     "t.conf:7: warning: real_server port 81 differs from the service port 80; DR and TUN cannot change "
                     "ports, so keepalived uses 80",
                     "t.conf:9: error: real_server 10.0.0.5 80 is already defined in virtual_server 10.0.0.1 80 at line 4"}));
}

TEST(LvsModel, SorryServerFamilyFwmarkProtocolAndMiscPath) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n sorry_server 2001:db8::9 80\n"
      " real_server 10.0.0.2 80 {\n  MISC_CHECK {\n   misc_timeout 5\n  }\n }\n}\n"
      "virtual_server fwmark 3 {\n protocol TCP\n real_server 10.0.0.2 80 {\n }\n}\n");
  EXPECT_EQ(messages(c),
            (Strings{"t.conf:3: error: 'sorry_server' 2001:db8::9 is IPv6 but virtual_server 10.0.0.1 80 is IPv4; only a "
                     "TUN sorry server may differ",
                     "t.conf:5: error: MISC_CHECK has no 'misc_path' (the script to run)",
                     "t.conf:11: warning: 'protocol' is ignored by a fwmark virtual_server"}));
}

TEST(LvsModel, RealServerWithoutCheckerIsFine) {
  auto c = parse("virtual_server 10.0.0.1 80 {\n protocol TCP\n real_server 10.0.0.2 80 {\n  weight 3\n }\n}\n");
  EXPECT_TRUE(messages(c).empty());
  EXPECT_TRUE(onlyVs(c).real_servers[0].checkers.empty());
}

const char* kRich =
    "virtual_server_group G {\n 10.0.1.1-10 80\n fwmark 7 inet\n}\n"
    "virtual_server 10.0.0.1 80 {\n delay_loop 6.5\n lvs_sched sh\n sh-fallback\n lvs_method TUN type gre csum\n"
    " protocol TCP\n persistence_timeout 600\n quorum_up \"/bin/up a\"\n sorry_server 10.0.0.9 80\n"
    " ip_family inet\n smtp_alert off\n\n"
    " real_server 10.0.0.2 80 {\n  weight 3\n  alpha off\n  notify_down \"/bin/down x\" nobody\n"
    "  TCP_CHECK {\n   connect_timeout 2.5\n   bindto 10.0.0.100\n  }\n"
    "  HTTP_GET {\n   http_protocol 1.0C\n   url {\n    path \"/a b\"\n    status_code 200-204 301\n"
    "    digest 9b3a0c85a887a256d6939da88aabd8cd\n   }\n   url {\n    path /c\n   }\n  }\n"
    "  MISC_CHECK {\n   misc_path \"/bin/check --x\"\n   misc_dynamic\n  }\n"
    "  SMTP_CHECK {\n   helo_name me\n   host {\n    connect_ip 10.0.0.50\n   }\n  }\n"
    "  UDP_CHECK {\n   payload 01 02\n   require_reply\n  }\n"
    "  FILE_CHECK {\n   track_file f1\n   weight -3 reverse\n  }\n"
    " }\n"
    "}\n"
    "virtual_server group G {\n protocol UDP\n real_server 10.0.0.3 {\n  TCP_CHECK {\n  }\n }\n}\n";

std::string dumpText(const Config& config) {
  std::ostringstream text;
  TextDumpWriter w(text);
  topLevelSchema().write(config, w);
  return text.str();
}

TEST(LvsModel, DumpReadsBackTheSame) {
  auto c = parse(kRich);
  ASSERT_TRUE(errors(c).empty()) << errors(c)[0];
  const std::string first = dumpText(c.config);
  auto again = parse(first);
  ASSERT_TRUE(errors(again).empty()) << errors(again)[0] << "\n" << first;
  EXPECT_EQ(dumpText(again.config), first);

  const VirtualServer& vs = again.config.lvs.virtual_servers.at(0);
  EXPECT_EQ(*vs.delay_loop, 6.5);
  EXPECT_EQ(vs.lvs_method->tunnelType, TunnelType::Gre);
  EXPECT_EQ(*vs.smtp_alert, false);
  EXPECT_EQ(vs.quorum_up->command, "/bin/up a");
  const RealServer& rs = vs.real_servers.at(0);
  EXPECT_EQ(*rs.alpha, false);
  EXPECT_EQ(rs.notify_down->command, "/bin/down x");
  EXPECT_EQ(rs.notify_down->user, "nobody");
  ASSERT_EQ(rs.checkers.size(), 6u);
  EXPECT_EQ(rs.checkers[0].type, CheckerType::Tcp);
  EXPECT_EQ(*rs.checkers[0].connect_timeout, 2.5);
  EXPECT_EQ(rs.checkers[1].http().urls.at(0).path, "/a b");
  EXPECT_EQ(rs.checkers[1].http().urls.at(0).status_code, (std::vector<std::pair<int, int>>{{200, 204}, {301, 301}}));
  EXPECT_EQ(rs.checkers[1].http().urls.size(), 2u);
  EXPECT_EQ(rs.checkers[2].misc().misc_path, "/bin/check --x");
  EXPECT_EQ(*rs.checkers[3].smtp().hosts.at(0).connect_ip, ip("10.0.0.50"));
  EXPECT_EQ(*rs.checkers[4].udp().require_reply, "");
  EXPECT_EQ(*rs.checkers[5].file().file_weight, -3);
  EXPECT_TRUE(rs.checkers[5].file().file_weight_reverse);
  EXPECT_EQ(again.config.lvs.groups.at(0).entries.at(1).fwmark, 7u);
  EXPECT_EQ(again.config.lvs.virtual_servers.at(1).group, "G");
}

// A checker holds only its own type's fields; asked for another type's, it answers that type's defaults, and a copy
// keeps its own.
TEST(LvsModel, EachCheckerHoldsItsOwnTypesFields) {
  auto c = parse(kRich);
  ASSERT_TRUE(errors(c).empty()) << errors(c)[0];
  const RealServer rs = c.config.lvs.virtual_servers.at(0).real_servers.at(0);  // a copy
  ASSERT_EQ(rs.checkers.size(), 6u);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(rs.checkers[0].details));  // TCP_CHECK
  EXPECT_TRUE(std::holds_alternative<Boxed<HttpFields>>(rs.checkers[1].details));
  EXPECT_TRUE(std::holds_alternative<Boxed<MiscFields>>(rs.checkers[2].details));
  EXPECT_TRUE(std::holds_alternative<Boxed<SmtpFields>>(rs.checkers[3].details));
  EXPECT_TRUE(std::holds_alternative<Boxed<UdpFields>>(rs.checkers[4].details));
  EXPECT_TRUE(std::holds_alternative<Boxed<FileFields>>(rs.checkers[5].details));
  EXPECT_TRUE(std::holds_alternative<Boxed<SmtpFields>>(rs.checkers[3].smtp().hosts.at(0).details));
  EXPECT_TRUE(rs.checkers[0].http().urls.empty());
  EXPECT_EQ(rs.checkers[0].dns().dns_name, ".");
  EXPECT_EQ(rs.checkers[1].udp().max_reply_length, 255);
  EXPECT_EQ(rs.checkers[2].http().urls.size(), 0u);
  EXPECT_EQ(rs.checkers[1].http().urls.size(), 2u);
  // What the split and the boxed fields are for: a checker was 744 bytes with every type's fields inline, a real
  // server 552 with its notify scripts inline (both before their first two keyword locations moved inline too).
  EXPECT_LT(sizeof(Checker), 350u);
  EXPECT_LT(sizeof(RealServer), 400u);
}

TEST(LvsModel, JsonDumpHasVirtualServersWithNestedRealServersAndCheckers) {
  auto c = parse(
      "virtual_server 10.0.0.1 80 {\n protocol TCP\n quorum 2\n real_server 10.0.0.2 80 {\n  weight 2\n"
      "  TCP_CHECK {\n   connect_port 81\n  }\n }\n}\n");
  JsonDumpWriter w;
  topLevelSchema().write(c.config, w);
  const nlohmann::json& vs = w.result().at("virtual_server").at(0);
  EXPECT_EQ(vs.at("name"), nlohmann::json({"10.0.0.1", "80"}));
  EXPECT_EQ(vs.at("protocol"), "TCP");
  EXPECT_EQ(vs.at("quorum"), 2);
  const nlohmann::json& rs = vs.at("real_server").at(0);
  EXPECT_EQ(rs.at("weight"), 2);
  EXPECT_EQ(rs.at("TCP_CHECK").at("connect_port"), 81);
}

}  // namespace
}  // namespace tandem::config

namespace tandem::config {
namespace {

std::vector<std::string> splitWords(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::string word;
  std::istringstream in(text);
  while (std::getline(in, word, sep))
    if (!word.empty()) out.push_back(word);
  return out;
}

// Every keyword keepalived registers in the LVS blocks has a row in our tables.
TEST(LvsModel, EveryKeepalivedKeywordOfTheLvsBlocksIsInTheTables) {
  const std::string keywordList = std::string(TANDEM_CONFORMANCE_DIR) + "/keepalived-keywords.tsv";
  // The shared corpus sits beside the clone (../shared); a clone elsewhere has none to compare with.
  if (!std::filesystem::exists(TANDEM_CONFORMANCE_DIR))
    GTEST_SKIP() << "no conformance corpus at " << TANDEM_CONFORMANCE_DIR;
  std::ifstream tsv(keywordList);
  ASSERT_TRUE(tsv.good()) << keywordList;
  std::string line;
  int checked = 0;
  std::vector<std::string> missing;
  while (std::getline(tsv, line)) {
    auto tab = line.find('\t');
    if (line.empty() || line[0] == '#' || tab == std::string::npos) continue;
    const std::string block = line.substr(0, tab), rest = line.substr(tab + 1);
    std::vector<std::string> keywords;
    if (rest.rfind("(common:", 0) == 0) keywords = splitWords(rest.substr(8, rest.size() - 9), ' ');
    else keywords = splitWords(rest, '|');
    const std::vector<std::string> path = splitWords(block, '/');
    if (path.empty() || path[0] != "virtual_server") {
      if (block == "(top level)" && rest.rfind("virtual_server", 0) == 0) {
        EXPECT_NE(topLevelSchema().find(rest), nullptr) << rest;
        ++checked;
      }
      continue;
    }
    for (const std::string& k : keywords) {
      bool found = false;
      if (path.size() == 1) found = lvs::virtualServerSchema().find(k) != nullptr;
      else if (path.size() == 2) found = lvs::realServerSchema().find(k) != nullptr;
      else if (path.size() == 4 && path[3] == "url") found = lvs::urlSchema().find(k) != nullptr;
      else {
        found = true;
        for (const std::string& checker : splitWords(path[2], '|')) {
          bool inThis = false;
          for (CheckerType t : {CheckerType::Tcp, CheckerType::Http, CheckerType::Ssl, CheckerType::Misc, CheckerType::Smtp,
                                CheckerType::Dns, CheckerType::Udp, CheckerType::Ping, CheckerType::File, CheckerType::Bfd})
            if (checkerKeyword(t) == checker) inThis = lvs::checkerSchema(t).find(k) != nullptr;
          found = found && inThis;
        }
      }
      if (!found) missing.push_back(block + " " + k);
      ++checked;
    }
  }
  EXPECT_TRUE(missing.empty()) << missing.size() << " missing, first: " << missing.front();
  EXPECT_GT(checked, 150);
}

}  // namespace
}  // namespace tandem::config
