#include "ipvs/reconciler.h"

#include <gtest/gtest.h>

#include "tests/unit/ipvs/ipvs_test_support.h"

namespace tandem::ipvs {
namespace {

using test::dest;
using test::tableOf;
using test::tcpService;

// A kernel in memory: applies plans the way the kernel would (EEXIST on a second add, ENOENT on a missing entry),
// records what it was asked, and can be made unreachable.
class FakeKernel final : public KernelPort {
 public:
  std::optional<Table> dump(std::string& error) override {
    ++dumps;
    if (!reachable) {
      error = "IPVS is not available";
      return std::nullopt;
    }
    return table;
  }

  ApplyReport apply(const Plan& plan) override {
    ApplyReport report;
    for (const Operation& op : plan) {
      applied.push_back(describe(op));
      if (const std::string error = run(op); !error.empty()) {
        report.errors.push_back(describe(op) + ": " + error);
        report.resync = report.resync || error == "exists" || error == "missing";
      } else {
        ++report.done;
      }
    }
    return report;
  }

  Table table;
  bool reachable = true;
  int dumps = 0;
  std::vector<std::string> applied;
  std::string refuseWith;  // every operation fails with this, when set

 private:
  std::string run(const Operation& op) {
    if (!refuseWith.empty()) return refuseWith;
    const VirtualService* service = table.find(op.service.key);
    Table next;
    switch (op.kind) {
      case OpKind::AddService:
        if (service) return "exists";
        table.addService(op.service);
        return {};
      case OpKind::EditService:
        if (!service) return "missing";
        table.addService(op.service);
        return {};
      case OpKind::DelService:
        if (!service) return "missing";
        for (const auto& [key, entry] : table.services())
          if (!(key == op.service.key)) {
            next.addService(entry.service);
            for (const auto& [k, d] : entry.destinations) next.addDestination(key, d);
          }
        table = next;
        return {};
      case OpKind::AddDest:
      case OpKind::EditDest:
      case OpKind::DelDest: {
        if (!service) return "missing";
        const bool present = service->destinations.contains(op.destination->key);
        if (op.kind == OpKind::AddDest && present) return "exists";
        if (op.kind != OpKind::AddDest && !present) return "missing";
        for (const auto& [key, entry] : table.services()) {
          next.addService(entry.service);
          for (const auto& [k, d] : entry.destinations)
            if (!(key == op.service.key && k == op.destination->key)) next.addDestination(key, d);
        }
        if (op.kind != OpKind::DelDest) next.addDestination(op.service.key, *op.destination);
        table = next;
        return {};
      }
    }
    return {};
  }
};

class ReconcilerTest : public ::testing::Test {
 protected:
  ReconcilerTest() : reconciler(kernel, [this](Reconciler::Level level, const std::string& line) {
    if (level == Reconciler::Level::Error) errors.push_back(line);
  }) {}

  FakeKernel kernel;
  Reconciler reconciler;
  std::vector<std::string> errors;
  const Service web = tcpService("192.0.2.1", 80);
  const Service mail = tcpService("192.0.2.1", 25);
  const Service foreign = tcpService("192.0.2.99", 80);
};

TEST_F(ReconcilerTest, AdoptsMatchingRulesWithoutTouchingThemAndNeverTouchesForeignServices) {
  kernel.table = tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80)});
  kernel.table.addService(foreign);
  const Table wanted = tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80)});
  const auto adopted = reconciler.adopt(tableOf(web, {}));
  ASSERT_TRUE(adopted);
  EXPECT_EQ(*adopted, wanted);
  EXPECT_TRUE(reconciler.sync(wanted));
  EXPECT_TRUE(kernel.applied.empty());
  EXPECT_TRUE(kernel.table.contains(foreign.key));
  EXPECT_TRUE(reconciler.status().converged);
}

TEST_F(ReconcilerTest, PlansAgainstWhatItBelievesWithoutDumpingEachTime) {
  reconciler.adopt(tableOf(web, {}));
  EXPECT_TRUE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80)})));
  EXPECT_TRUE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  EXPECT_EQ(kernel.dumps, 1);
  EXPECT_EQ(kernel.applied, (std::vector<std::string>{"-A -t 192.0.2.1:80 -s rr",
                                                       "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1",
                                                       "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 1",
                                                       "-d -t 192.0.2.1:80 -r 10.0.0.2:80"}));
  EXPECT_EQ(reconciler.status().operations, 4U);
}

TEST_F(ReconcilerTest, ATableEditedBehindItsBackIsReadAgainAndRepaired) {
  reconciler.adopt(tableOf(web, {}));
  reconciler.sync(tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80)}));
  // An operator deletes 10.0.0.2 and adds 10.0.0.3 by hand.
  kernel.table = tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.3", 80)});
  // The next wanted table weighs 10.0.0.2 differently: the edit meets ENOENT.
  EXPECT_TRUE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80, 5)})));
  EXPECT_EQ(kernel.table, tableOf(web, {dest("10.0.0.1", 80), dest("10.0.0.2", 80, 5)}));
  EXPECT_EQ(reconciler.status().resyncs, 1U);
  EXPECT_TRUE(errors.empty());
}

TEST_F(ReconcilerTest, WithoutIpvsItFailsOnceLoudlyAndConvergesWhenTheKernelComesBack) {
  kernel.reachable = false;
  EXPECT_FALSE(reconciler.adopt(tableOf(web, {})));
  EXPECT_FALSE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  EXPECT_FALSE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  EXPECT_EQ(errors, std::vector<std::string>{"IPVS: cannot read the table: IPVS is not available"});
  EXPECT_FALSE(reconciler.status().reachable);
  EXPECT_EQ(reconciler.status().failures, 3U);

  kernel.reachable = true;
  EXPECT_TRUE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  EXPECT_EQ(kernel.table, tableOf(web, {dest("10.0.0.1", 80)}));
  EXPECT_TRUE(reconciler.status().lastError.empty());
}

TEST_F(ReconcilerTest, ARefusedOperationIsReportedWithItsNameAndRetriedFromAFreshDump) {
  reconciler.adopt(tableOf(web, {}));
  kernel.refuseWith = "Invalid argument";
  EXPECT_FALSE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  ASSERT_EQ(errors.size(), 1U);
  EXPECT_EQ(errors[0], "IPVS: -A -t 192.0.2.1:80 -s rr: Invalid argument; "
                       "-a -t 192.0.2.1:80 -r 10.0.0.1:80 -g -w 1: Invalid argument");
  kernel.refuseWith.clear();
  const int dumps = kernel.dumps;
  EXPECT_TRUE(reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)})));
  EXPECT_EQ(kernel.dumps, dumps + 1);
}

TEST_F(ReconcilerTest, AServiceDroppedFromTheConfigurationIsDeletedAndReleaseTakesOnlyWhatItOwns) {
  kernel.table.addService(foreign);
  reconciler.adopt(tableOf(web, {}));
  Table both = tableOf(web, {dest("10.0.0.1", 80)});
  both.addService(mail);
  reconciler.sync(both);
  reconciler.sync(tableOf(web, {dest("10.0.0.1", 80)}));  // a reload dropped the mail service
  EXPECT_FALSE(kernel.table.contains(mail.key));
  EXPECT_TRUE(reconciler.release());
  EXPECT_FALSE(kernel.table.contains(web.key));
  EXPECT_TRUE(kernel.table.contains(foreign.key));
}

}  // namespace
}  // namespace tandem::ipvs
