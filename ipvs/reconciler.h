#pragma once
// Keeps the part of the kernel's IPVS table Tandem owns equal to the wanted table, through a port (LinuxIpvs in
// tandemd, a fake in tests). It plans against what it believes the kernel holds, so a health change costs one
// small plan and no dump; when the kernel surprises it (an add meets EEXIST, an edit or delete ENOENT: someone
// else edited the table) it dumps, plans again and retries once. Ownership follows plan.h: every configured
// service is Tandem's as a whole; a service dropped from the configuration stays owned until it is deleted.
//
// Failures never throw and never stop the checker process: they are logged once per distinct message (again only
// when it changes), counted, and the caller retries later (sync() returns false). IPVS missing from the kernel is
// one such failure, with the reason.
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ipvs/plan.h"
#include "ipvs/table.h"

namespace tandem::ipvs {

struct ApplyReport {
  std::size_t done = 0;             // operations the kernel accepted
  std::vector<std::string> errors;  // one message per refused operation, naming it
  bool resync = false;              // some refusal means the kernel's table was not what the plan assumed
  bool ok() const { return errors.empty(); }
};

class KernelPort {
 public:
  virtual ~KernelPort() = default;
  // The kernel's whole table; nullopt with `error` set when it cannot be read (no IPVS, no permission).
  virtual std::optional<Table> dump(std::string& error) = 0;
  virtual ApplyReport apply(const Plan& plan) = 0;
};

struct ReconcilerStatus {
  bool reachable = false;          // the last contact with the kernel worked
  bool converged = false;          // the kernel's owned part is the last wanted table
  std::string lastError;           // empty after a success
  std::uint64_t failures = 0;      // sync/release attempts that did not converge
  std::uint64_t operations = 0;    // operations the kernel accepted, in all
  std::uint64_t resyncs = 0;       // dumps forced by a surprise
};

class Reconciler {
 public:
  enum class Level : std::uint8_t { Error, Info, Debug };
  using Log = std::function<void(Level, const std::string&)>;

  Reconciler(KernelPort& port, Log log) : port_(port), log_(std::move(log)) {}

  // First contact: the kernel's services that `configured` names, as they are (what a fresh start adopts);
  // nullopt when the kernel cannot be read (logged).
  std::optional<Table> adopt(const Table& configured);
  // Makes the owned part equal `wanted`. True when the kernel now holds exactly that.
  bool sync(const Table& wanted);
  // Exit: deletes every owned service still in the kernel (not called with --dont-release-ipvs).
  bool release();

  const ReconcilerStatus& status() const { return status_; }

 private:
  std::optional<Table> dumpOwned(const std::set<ServiceKey>& owned);
  bool applyPlan(const Plan& plan, ApplyReport& report);
  void failed(const std::string& error);
  void succeeded();

  KernelPort& port_;
  Log log_;
  std::optional<Table> believed_;  // the owned part as last known; nullopt: unknown, dump before planning
  std::set<ServiceKey> owned_;
  ReconcilerStatus status_;
};

}  // namespace tandem::ipvs
