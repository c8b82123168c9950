#pragma once
// Field bindings the VRRP and the LVS keyword tables both use: flags whose absence means
// "inherit", single IP addresses and keepalived's SCRIPT [USER [GROUP]] notify scripts.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/schema.h"

namespace tandem::config {

// notify_master, notify_up, quorum_down, ...: the script (one word, or one quoted string with its
// parameters), then optionally the user and group to run it as. keepalived takes an unquoted
// second word as the user name, so parameters must be quoted with the script.
struct NotifyScript {
  std::string command;
  std::string user;
  std::string group;
  bool set() const { return !command.empty(); }
};

std::optional<NotifyScript> readNotifyScript(const Node& statement, BuildContext& ctx);
std::vector<std::string> notifyScriptWords(const NotifyScript& script);

template <class T, class F>
Keyword<T> notifyField(std::string_view name, F T::*field) {
  return readerField(name, field, readNotifyScript, notifyScriptWords);
}

// A flag whose absence means "inherit" (from global_defs or the enclosing block), so an explicit
// "off" must survive a dump.
template <class T>
Keyword<T> optionalFlagField(std::string_view name, std::optional<bool> T::*field) {
  return custom<T>(
      name,
      [field](T& t, const Node& n, BuildContext& ctx) {
        if (auto v = readFlag(n, ctx)) t.*field = *v;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (!(t.*field)) return;
        if (*(t.*field)) out.flag(name);
        else out.text(name, {"off"});
      });
}

template <class T>
Keyword<T> addressField(std::string_view name, std::optional<IpAddress> T::*field) {
  return custom<T>(
      name,
      [field](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        if (auto a = readAddress(n, 0, ctx)) t.*field = *a;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (t.*field) out.text(name, {(t.*field)->text()});
      });
}

}  // namespace tandem::config
