#include "parser/model.h"

namespace tandem::config {

std::vector<Keyword<Config>> lvsTopLevelKeywords() { return {}; }
void validateLvs(const Config&, Diagnostics&) {}

}  // namespace tandem::config
