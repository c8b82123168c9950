#pragma once
// The IPVS planner: the minimal ordered list of kernel operations that turns one Table into another (katran's
// "plan as a delta"). Pure; the netlink adapter applies a Plan and dumps the current Table, nothing more.
//
// Order, per service in key order (address services by address/protocol/port, then fwmark services):
//   new service:      AddService, then AddDest for each destination
//   kept service:     EditService (if attributes differ), AddDest, EditDest, DelDest, each in destination order
//   removed service:  DelService only: the kernel deletes a service's destinations with it
// Within a kept service destinations are added before others are deleted (make before break), so a pool
// switching from real servers to its sorry server, or back, is never empty for a moment. keepalived removes
// first and adds second in that case; we deliberately differ.
//
// Ownership (adopt on start, release on exit): a configured virtual service is Tandem's as a whole, including any
// destination found in it that the configuration does not name (a leftover of an earlier run or a manual ipvsadm
// edit): it is reconciled away like any other drift, and the service goes on release. Services the configuration
// does not name are foreign and never touched. keepalived behaves the same for services it configures on reload
// (clear_diff_rs), and never touches services it has no virtual_server for.
#include <optional>
#include <string>
#include <vector>

#include "ipvs/table.h"

namespace tandem::ipvs {

enum class OpKind : std::uint8_t { AddService, EditService, DelService, AddDest, EditDest, DelDest };

struct Operation {
  OpKind kind = OpKind::AddService;
  Service service;                         // for Del*, as the current table had it
  std::optional<Destination> destination;  // set for the three *Dest kinds

  bool operator==(const Operation& other) const;
};

using Plan = std::vector<Operation>;

Plan plan(const Table& current, const Table& wanted);

// The part of the kernel's table Tandem owns: every kernel service whose key is configured, with all its
// destinations. plan(ownedPart(kernel, configured), wanted) therefore never touches a foreign service, and adopting
// rules that already match the wanted table gives an empty plan (no flap on restart).
Table ownedPart(const Table& kernel, const Table& configured);

// What to do on exit: delete every owned service still in the kernel (destinations go with them).
Plan releasePlan(const Table& kernel, const Table& owned);

// ipvsadm syntax, e.g. "-a -t 192.0.2.1:80 -r 10.0.0.2:80 -g -w 1", "-A -f 7 -6 -s rr", "-D -u [2001:db8::1]:53".
std::string describe(const Operation& operation);
std::string describe(const Plan& plan);  // one operation a line

}  // namespace tandem::ipvs
