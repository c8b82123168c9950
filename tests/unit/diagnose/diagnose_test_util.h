#pragma once
// Shared by the diagnose tests: a plan from configuration text, and a recorded host to check it against.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "diagnose/diagnose.h"
#include "tests/unit/parser/config_test_util.h"

namespace tandem::diagnose::testing {

inline vrrp::IpAddress ip(const char* text) { return vrrp::IpAddress::parse(text).value(); }

inline Plan planOf(const std::string& text) {
  const auto loaded = config::testing::parse(text);
  EXPECT_EQ(config::testing::errors(loaded), std::vector<std::string>{});
  return makePlan(loaded.config);
}

// One IPv4 multicast instance on eth0, VRID 51, priority 100, VIP 192.0.2.100.
inline const char* kPairConfig = R"(
vrrp_instance VI_1 {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority 100
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
  }
}
)";

// eth0 up with 192.0.2.11/24 and a link-local address, plus lo.
inline InterfaceSnapshot healthyHost() {
  InterfaceSnapshot s;
  InterfaceState eth0;
  eth0.ifindex = 2;
  eth0.mac = {0x02, 0, 0, 0, 0, 0x0b};
  eth0.adminUp = eth0.running = true;
  eth0.addresses = {{ip("192.0.2.11"), 24}, {ip("fe80::ff:fe00:b"), 64}};
  s["eth0"] = eth0;
  InterfaceState lo;
  lo.ifindex = 1;
  lo.adminUp = lo.running = true;
  lo.addresses = {{ip("127.0.0.1"), 8}};
  s["lo"] = lo;
  return s;
}

inline std::vector<Finding> withSeverity(const std::vector<Finding>& findings, Severity severity) {
  std::vector<Finding> out;
  std::copy_if(findings.begin(), findings.end(), std::back_inserter(out),
               [&](const Finding& f) { return f.severity == severity; });
  return out;
}

inline bool mentions(const Finding& f, const std::string& text) {
  return f.reason.find(text) != std::string::npos || f.subject.find(text) != std::string::npos;
}

}  // namespace tandem::diagnose::testing
