#pragma once
// The typed configuration model: plain structs filled from the keyword tables.
#include <optional>
#include <string>
#include <vector>

#include "parser/model_global.h"
#include "parser/model_lvs.h"
#include "parser/model_real_server.h"
#include "parser/model_vrrp.h"
#include "parser/schema.h"

namespace tandem::config {

struct Config {
  BlockMeta meta;  // top-level statements kept as read land in meta.kept
  GlobalDefs global;
  VrrpSection vrrp;
  LvsSection lvs;
  RealServerSetup real_server_setup;  // Tandem's own block; see model_real_server.h
};

const Schema<Config>& topLevelSchema();

// Keywords that only ever open a top-level block; met nested, they mean a '}' was forgotten.
bool isTopLevelOnlyBlock(std::string_view keyword);

// Keyword sets contributed by each side of the model to the top level.
std::vector<Keyword<Config>> vrrpTopLevelKeywords();
std::vector<Keyword<Config>> lvsTopLevelKeywords();

// The checks of each virtual server, run as soon as its block has been read (StatementStream), while it is still in
// the processor's cache: validateLvs would otherwise read 10,000 real servers and checkers back from memory, which
// cost it more than the checks. validateLvs takes the messages in their place, so nothing else changes. A virtual
// server of a group is left to validateLvs: the group it needs may be defined later in the file.
class EarlyLvsChecks {
 public:
  void check(const LvsSection& lvs, std::size_t index);  // lvs.virtual_servers[index], complete
  const std::vector<Diagnostic>* messagesOf(std::size_t index) const;  // null: not checked early

 private:
  std::vector<std::optional<std::vector<Diagnostic>>> messages_;  // by index; empty: not checked early
};

// Semantic checks that need the whole model (references, uniqueness, combinations).
void validateVrrp(const Config& config, Diagnostics& diags);
void validateLvs(const Config& config, Diagnostics& diags, const EarlyLvsChecks* early = nullptr);
void validateGlobal(const Config& config, Diagnostics& diags);
void validateRealServer(const Config& config, Diagnostics& diags);
void validate(const Config& config, Diagnostics& diags, const EarlyLvsChecks* early = nullptr);

}  // namespace tandem::config
