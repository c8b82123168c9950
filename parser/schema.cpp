#include "parser/schema.h"

namespace tandem::config {

const Location& BlockMeta::locationOf(std::string_view keyword) const {
  for (auto it = seen.rbegin(); it != seen.rend(); ++it)
    if (it->first == keyword) return it->second;
  return where;
}

bool BlockMeta::has(std::string_view keyword) const {
  for (const auto& entry : seen)
    if (entry.first == keyword) return true;
  return false;
}

}  // namespace tandem::config
