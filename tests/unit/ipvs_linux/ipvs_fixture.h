#pragma once
// Tests of LinuxIpvs against the kernel. They need root and a kernel with IPVS, which in practice means the test
// VM (tests/vm/run-in-vm.sh, ctest -L vm); anywhere else they skip with the reason. Each test runs in a private
// network namespace: IPVS tables are per namespace, so a test starts from an empty table and never touches the
// host's rules.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/plan.h"
#include "tests/unit/vrrp_linux/netns_fixture.h"

namespace tandem::ipvs::test {

class LinuxIpvsFixture : public tandem::test::NetnsFixture {
 protected:
  void SetUp() override {
    NetnsFixture::SetUp();
    if (IsSkipped()) return;
    // Opened after entering the namespace: a netlink socket stays bound to the namespace it was made in.
    std::string why;
    if (!ipvs_.available(why)) GTEST_SKIP() << why;
  }

  // Applies the plan from the kernel's current table to `wanted` and expects every operation to succeed.
  void reach(const Table& wanted) {
    const Table current = dumpTable();
    const auto result = ipvs_.apply(plan(current, wanted));
    for (const std::string& error : result.errors()) ADD_FAILURE() << error;
  }

  Table dumpTable() {
    std::string error;
    auto snapshot = ipvs_.dump(error);
    EXPECT_TRUE(snapshot.has_value()) << error;
    return snapshot ? snapshot->table : Table{};
  }

  static bool hasIpvsadm() { return sh("ipvsadm -v"); }

  linux_::LinuxIpvs ipvs_;
};

inline Service service(ServiceKey key, std::string scheduler, std::uint32_t flags = 0, std::uint32_t timeout = 0,
                       std::optional<std::uint8_t> prefix = std::nullopt) {
  Service out;
  out.key = key;
  out.scheduler = std::move(scheduler);
  out.flags = flags;
  out.timeout = timeout;
  out.netmaskPrefix = prefix;
  return out;
}

inline Destination destination(std::string_view address, std::uint16_t port, std::uint32_t weight,
                               ForwardingMethod method, std::uint32_t upper = 0, std::uint32_t lower = 0) {
  Destination out;
  out.key = DestinationKey{ipvs::address(address), port};
  out.weight = weight;
  out.method = method;
  out.upperThreshold = upper;
  out.lowerThreshold = lower;
  return out;
}

}  // namespace tandem::ipvs::test
