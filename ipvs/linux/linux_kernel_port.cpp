#include "ipvs/linux/linux_kernel_port.h"

namespace tandem::ipvs::linux_ {

std::optional<Table> LinuxKernelPort::dump(std::string& error) {
  std::optional<Snapshot> snapshot = ipvs_.dump(error);
  if (!snapshot) return std::nullopt;
  return std::move(snapshot->table);
}

ApplyReport LinuxKernelPort::apply(const Plan& plan) {
  const ApplyResult result = ipvs_.apply(plan);
  ApplyReport report;
  report.done = result.outcomes.size() - result.failures();
  report.errors = result.errors();
  report.resync = result.needsResync();
  return report;
}

}  // namespace tandem::ipvs::linux_
