#pragma once
// From keepalived's configuration model to what the Engine runs: effective values (priority from state, version
// from family and global_defs, global garp defaults, script weights) resolved once, here, purely.
#include "parser/model.h"
#include "vrrp/engine_config.h"

namespace tandem::vrrp {

// Expects a config that validated without errors; whatever validation would reject is mapped as best it can be.
EngineConfig mapVrrpConfig(const config::Config& config);

// One virtual_ipaddress line; "brd +" becomes the computed IPv4 broadcast address.
VirtualAddress mapVirtualAddress(const config::VirtualAddress& vip);

IpAddress toVrrpAddress(const config::IpAddress& address);

}  // namespace tandem::vrrp
