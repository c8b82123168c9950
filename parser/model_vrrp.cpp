#include "parser/model.h"

namespace tandem::config {

std::vector<Keyword<Config>> vrrpTopLevelKeywords() { return {}; }
void validateVrrp(const Config&, Diagnostics&) {}

}  // namespace tandem::config
