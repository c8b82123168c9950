#pragma once
// The Reconciler's port on the real kernel: LinuxIpvs's dump and apply, reported the way the Reconciler reads them.
#include "ipvs/linux/linux_ipvs.h"
#include "ipvs/reconciler.h"

namespace tandem::ipvs::linux_ {

class LinuxKernelPort final : public KernelPort {
 public:
  explicit LinuxKernelPort(LinuxIpvs& ipvs) : ipvs_(ipvs) {}

  std::optional<Table> dump(std::string& error) override;
  ApplyReport apply(const Plan& plan) override;

 private:
  LinuxIpvs& ipvs_;
};

}  // namespace tandem::ipvs::linux_
