#pragma once
// tandemctl's rendering of a merged status (see mergeStatus): plain text tables. Pure.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace tandem::daemon {

// One object from the parent's and the children's status replies:
//   {"daemon": {...}, "vrrp": {"instances": [...], ...} | null, "virtual_servers": [...] | null, "errors": [...]}
// `vrrp`/`checker`: the children's replies, null when a child was not asked or did not answer.
nlohmann::json mergeStatus(const nlohmann::json& parent, const nlohmann::json& vrrp, const nlohmann::json& checker,
                           std::vector<std::string> errors);

// Columns padded to their widest cell, two spaces apart.
std::string formatTable(const std::vector<std::vector<std::string>>& rows);
std::string formatStatusTable(const nlohmann::json& merged);

}  // namespace tandem::daemon
