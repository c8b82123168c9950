#pragma once
// vrrp_instance, vrrp_sync_group, vrrp_script and the other VRRP-side blocks.
#include <vector>

#include "parser/schema.h"

namespace tandem::config {

struct VrrpSection {
  BlockMeta meta;
};

}  // namespace tandem::config
