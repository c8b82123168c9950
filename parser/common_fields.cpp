#include "parser/common_fields.h"

namespace tandem::config {

std::optional<NotifyScript> readNotifyScript(const Node& statement, BuildContext& ctx) {
  if (!expectArgs(statement, 1, 64, ctx)) return std::nullopt;
  NotifyScript s;
  s.command = statement.args[0].text;
  if (statement.args.size() > 1) s.user = statement.args[1].text;
  if (statement.args.size() > 2) s.group = statement.args[2].text;
  if (statement.args.size() > 3) {
    ctx.diags.warning(statement.where, "'" + statement.keyword + "' takes SCRIPT [USER [GROUP]]; words after '" +
                                           s.group + "' are ignored (quote the script to give it parameters)");
  }
  return s;
}

std::vector<std::string> notifyScriptWords(const NotifyScript& script) {
  std::vector<std::string> w{script.command};
  if (!script.user.empty()) w.push_back(script.user);
  if (!script.group.empty()) w.push_back(script.group);
  return w;
}

}  // namespace tandem::config
