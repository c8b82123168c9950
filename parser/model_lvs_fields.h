#pragma once
// Field bindings shared by the virtual_server, real_server and checker keyword tables: timers,
// addresses, forwarding methods and choice words with "did you mean" suggestions.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/common_fields.h"
#include "parser/model_lvs.h"

namespace tandem::config::lvs {

// Largest timer keepalived can hold in its microsecond counters for connect_timeout.
inline constexpr double kMaxConnectTimeout = 4294;
inline constexpr double kMaxTimer = 1e9;

// Index of the argument's word in `choices`, or reports "'KEY': 'WORD' is not one of ...; did you
// mean ...?" and returns nullopt. Case-insensitive matching is allowed where keepalived allows it.
std::optional<std::size_t> readChoice(const Node& n, std::size_t index, const std::vector<std::string_view>& choices,
                                      bool caseInsensitive, BuildContext& ctx);

// A timer in seconds (fractions allowed). allowZero: 0 means "none" (warmup, delay_before_retry).
std::optional<double> readTimer(const Node& n, bool allowZero, double max, BuildContext& ctx);

// ADDRESS [PORT] as used by virtual_server, real_server and sorry_server.
std::optional<ServerAddress> readServerAddress(const Node& n, std::size_t index, BuildContext& ctx);
std::vector<std::string> serverAddressWords(const ServerAddress& s);

std::optional<Forwarding> readForwarding(const Node& n, BuildContext& ctx);
std::vector<std::string> forwardingWords(const Forwarding& f);

template <class T>
Keyword<T> timerField(std::string_view name, std::optional<double> T::*field, bool allowZero,
                      double max = kMaxTimer) {
  return custom<T>(
      name,
      [field, allowZero, max](T& t, const Node& n, BuildContext& ctx) {
        if (auto v = readTimer(n, allowZero, max, ctx)) t.*field = *v;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (t.*field) out.decimal(name, *(t.*field));
      });
}

template <class T, class E>
Keyword<T> choiceField(std::string_view name, std::optional<E> T::*field, EnumTable<E> table, bool caseInsensitive) {
  return custom<T>(
      name,
      [field, table, caseInsensitive](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        std::vector<std::string_view> names;
        for (const auto& entry : table) names.push_back(entry.first);
        if (auto i = readChoice(n, 0, names, caseInsensitive, ctx)) t.*field = table[*i].second;
      },
      [field, name, table](const T& t, DumpWriter& out) {
        if (t.*field) out.text(name, {std::string(enumName(table, *(t.*field)))});
      });
}

template <class T>
Keyword<T> forwardingField(std::string_view name, std::optional<Forwarding> T::*field) {
  return readerField(name, field, readForwarding, forwardingWords);
}

}  // namespace tandem::config::lvs
