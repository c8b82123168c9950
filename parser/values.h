#pragma once
// Reading typed values out of configuration words, with errors that name the keyword and line.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/diagnostics.h"
#include "parser/syntax_tree.h"

namespace tandem::config {

class SizeHints;
class EarlyLvsChecks;

struct BuildContext {
  Diagnostics& diags;
  // Set while blocks are read as their lines arrive (StatementStream).
  SizeHints* sizes = nullptr;
  EarlyLvsChecks* earlyLvs = nullptr;
};

std::optional<long long> parseInteger(std::string_view text);
std::optional<double> parseDecimal(std::string_view text);
std::optional<bool> parseBoolWord(std::string_view text);  // on/off, yes/no, true/false, 1/0

// Whole words of a statement, joined by single spaces (for scripts given unquoted).
std::string joinArgs(const Node& node, std::size_t from = 0);

// Argument count check; reports "KEYWORD: expects ..." at the statement's line.
bool expectArgs(const Node& node, std::size_t min, std::size_t max, BuildContext& ctx);

std::optional<long long> readInteger(const Node& node, std::size_t index, long long min, long long max, BuildContext& ctx);
std::optional<double> readDecimal(const Node& node, std::size_t index, double min, double max, BuildContext& ctx);

// A flag statement: the keyword alone means on; keepalived also accepts one on/off word after it.
std::optional<bool> readFlag(const Node& node, BuildContext& ctx);

// A number as messages and dumps show it: integers without a fraction, no exponent below 1e10.
std::string formatNumber(double value);

// Addresses: "10.0.0.1", "fe80::1", optionally "/prefix". Family 4 or 6.
struct IpAddress {
  int family = 0;
  std::uint8_t bytes[16] = {};
  std::string text() const;
  bool operator==(const IpAddress& o) const;
  bool operator<(const IpAddress& o) const;
};
std::optional<IpAddress> parseIpAddress(std::string_view text);
// The address at args[index] (which must exist); reports "'KEYWORD': 'WORD' is not an IP address".
std::optional<IpAddress> readAddress(const Node& node, std::size_t index, BuildContext& ctx);

struct IpPrefix {
  IpAddress address;
  int prefixLength = -1;  // -1: none given
  std::string text() const;
};
std::optional<IpPrefix> parseIpPrefix(std::string_view text);

// "did you mean" candidate: the closest of `known` to `word`, when it is close enough.
std::optional<std::string> closestKeyword(std::string_view word, const std::vector<std::string_view>& known);

}  // namespace tandem::config
