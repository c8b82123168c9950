#pragma once
// virtual_server, virtual_server_group, real_server and the health checkers.
#include <vector>

#include "parser/schema.h"

namespace tandem::config {

struct LvsSection {
  BlockMeta meta;
};

}  // namespace tandem::config
