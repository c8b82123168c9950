// Applying 10,000 destinations through LinuxIpvs beside ipvsadm -R restoring the same rules. Disabled by
// default (it measures, it does not judge); bench/ipvs_apply_bench.sh runs it in the test VM and prints the ratio.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "tests/unit/ipvs_linux/ipvs_fixture.h"

namespace tandem::ipvs::test {
namespace {

constexpr int kServices = 100;
constexpr int kDestinationsPerService = 100;

Table largeTable() {
  Table table;
  for (int s = 0; s < kServices; ++s) {
    const Service vs = service(ServiceKey::tcp(Address::v4(192, 0, 2, static_cast<std::uint8_t>(s + 1)), 80), "wlc");
    table.addService(vs);
    for (int d = 0; d < kDestinationsPerService; ++d) {
      Destination real;
      real.key = DestinationKey{Address::v4(10, static_cast<std::uint8_t>(s), static_cast<std::uint8_t>(d / 200),
                                            static_cast<std::uint8_t>(1 + d % 200)),
                                80};  // ipvsadm forces a DR/TUN destination onto the service's port
      real.weight = 1 + static_cast<std::uint32_t>(d % 10);
      real.method = d % 2 == 0 ? ForwardingMethod::Dr : ForwardingMethod::Nat;
      table.addDestination(vs.key, real);
    }
  }
  return table;
}

double millisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

class LinuxIpvsBench : public LinuxIpvsFixture {};

TEST_F(LinuxIpvsBench, DISABLED_TenThousandDestinations) {
  if (!hasIpvsadm()) GTEST_SKIP() << "ipvsadm is not installed (scripts/setup-vm.sh)";
  const Table table = largeTable();
  const Plan adds = plan(Table{}, table);

  auto start = std::chrono::steady_clock::now();
  const auto applied = ipvs_.apply(adds);
  const double applyMs = millisecondsSince(start);
  std::printf("BENCH LinuxIpvs apply:   %9.1f ms\n", applyMs);
  ASSERT_TRUE(applied.ok()) << applied.errors().front();

  start = std::chrono::steady_clock::now();
  const Table dumped = dumpTable();
  const double dumpMs = millisecondsSince(start);
  std::printf("BENCH LinuxIpvs dump:    %9.1f ms\n", dumpMs);
  ASSERT_TRUE(dumped == table);

  Table reweighted = table;
  for (const auto& [key, entry] : table.services()) {
    for (const auto& [destKey, dest] : entry.destinations) {
      Destination heavier = dest;
      heavier.weight += 1;
      reweighted.addDestination(key, heavier);
    }
  }
  start = std::chrono::steady_clock::now();
  const auto edited = ipvs_.apply(plan(dumped, reweighted));
  const double editMs = millisecondsSince(start);
  std::printf("BENCH LinuxIpvs reweigh: %9.1f ms (%zu edits)\n", editMs, edited.outcomes.size());
  ASSERT_TRUE(edited.ok());

  ASSERT_TRUE(ipvs_.apply(releasePlan(dumpTable(), table)).ok());
  ASSERT_TRUE(dumpTable().empty());

  const std::string path = "/tmp/tandem-ipvs-bench-" + std::to_string(::getpid());
  {
    std::ofstream out(path);
    out << describe(adds);
  }
  start = std::chrono::steady_clock::now();
  const int restored = std::system(("ipvsadm -R < " + path).c_str());
  const double ipvsadmMs = millisecondsSince(start);
  std::printf("BENCH ipvsadm -R:        %9.1f ms\n", ipvsadmMs);
  ::unlink(path.c_str());
  ASSERT_EQ(restored, 0);
  const Table restoredTable = dumpTable();
  const Plan difference = plan(restoredTable, table);
  ASSERT_TRUE(difference.empty()) << difference.size() << " differences after ipvsadm -R, first: "
                                  << describe(difference.front());

  std::printf("BENCH %d services, %d destinations (%zu operations)\n", kServices, kServices * kDestinationsPerService,
              adds.size());
  std::printf("BENCH ratio ipvsadm -R / LinuxIpvs apply: %.2f\n", ipvsadmMs / applyMs);
}

}  // namespace
}  // namespace tandem::ipvs::test
