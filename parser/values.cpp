#include "parser/values.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace tandem::config {

std::optional<long long> parseInteger(std::string_view text) {
  if (text.empty()) return std::nullopt;
  long long value = 0;
  const char* first = text.data();
  if (*first == '+') ++first;
  auto [end, ec] = std::from_chars(first, text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> parseDecimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> parseBoolWord(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  if (lower == "on" || lower == "yes" || lower == "true" || lower == "1") return true;
  if (lower == "off" || lower == "no" || lower == "false" || lower == "0") return false;
  return std::nullopt;
}

std::string joinArgs(const Node& node, std::size_t from) {
  std::string out;
  for (std::size_t i = from; i < node.args.size(); ++i) {
    if (!out.empty()) out += ' ';
    out += node.args[i].text;
  }
  return out;
}

bool expectArgs(const Node& node, std::size_t min, std::size_t max, BuildContext& ctx) {
  const std::size_t n = node.args.size();
  if (n >= min && n <= max) return true;
  std::string expected;
  if (min == max) expected = min == 0 ? "no value" : std::to_string(min) + (min == 1 ? " value" : " values");
  else if (n < min) expected = "at least " + std::to_string(min) + (min == 1 ? " value" : " values");
  else expected = "at most " + std::to_string(max) + (max == 1 ? " value" : " values");
  if (n < min) {
    ctx.diags.error(node.where, "'" + node.keyword + "' expects " + expected);
    return false;
  }
  ctx.diags.warning(node.where, "'" + node.keyword + "' expects " + expected + "; extra words ignored");
  return true;
}

std::optional<long long> readInteger(const Node& node, std::size_t index, long long min, long long max, BuildContext& ctx) {
  if (index >= node.args.size()) {
    ctx.diags.error(node.where, "'" + node.keyword + "' expects a number");
    return std::nullopt;
  }
  auto v = parseInteger(node.args[index].text);
  if (!v) {
    ctx.diags.error(node.where, "'" + node.keyword + "': '" + node.args[index].text + "' is not a whole number");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    ctx.diags.error(node.where, "'" + node.keyword + "' " + std::to_string(*v) + " is out of range " +
                                    std::to_string(min) + ".." + std::to_string(max));
    return std::nullopt;
  }
  return v;
}

std::string formatNumber(double value) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", value);
  return buf;
}

std::optional<bool> readFlag(const Node& node, BuildContext& ctx) {
  if (node.args.empty()) return true;
  auto v = parseBoolWord(node.args[0].text);
  if (!v) {
    ctx.diags.error(node.where, "'" + node.keyword + "' takes no value or one of on/off, yes/no, true/false");
    return std::nullopt;
  }
  expectArgs(node, 0, 1, ctx);
  return v;
}

std::optional<double> readDecimal(const Node& node, std::size_t index, double min, double max, BuildContext& ctx) {
  if (index >= node.args.size()) {
    ctx.diags.error(node.where, "'" + node.keyword + "' expects a number");
    return std::nullopt;
  }
  auto v = parseDecimal(node.args[index].text);
  if (!v) {
    ctx.diags.error(node.where, "'" + node.keyword + "': '" + node.args[index].text + "' is not a number");
    return std::nullopt;
  }
  if (*v < min || *v > max) {
    ctx.diags.error(node.where, "'" + node.keyword + "' " + node.args[index].text + " is out of range " +
                                    formatNumber(min) + ".." + formatNumber(max));
    return std::nullopt;
  }
  return v;
}

std::string IpAddress::text() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == 6 ? AF_INET6 : AF_INET, bytes, buf, sizeof buf);
  return buf;
}

bool IpAddress::operator==(const IpAddress& o) const {
  return family == o.family && std::memcmp(bytes, o.bytes, sizeof bytes) == 0;
}

bool IpAddress::operator<(const IpAddress& o) const {
  if (family != o.family) return family < o.family;
  return std::memcmp(bytes, o.bytes, sizeof bytes) < 0;
}

std::optional<IpAddress> parseIpAddress(std::string_view text) {
  std::string s(text);
  IpAddress a;
  if (s.find(':') != std::string::npos) {
    // Link-local addresses may carry a zone ("fe80::1%eth0"); the zone is not part of the address.
    if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);
    if (inet_pton(AF_INET6, s.c_str(), a.bytes) != 1) return std::nullopt;
    a.family = 6;
  } else {
    if (inet_pton(AF_INET, s.c_str(), a.bytes) != 1) return std::nullopt;
    a.family = 4;
  }
  return a;
}

std::optional<IpAddress> readAddress(const Node& node, std::size_t index, BuildContext& ctx) {
  auto a = parseIpAddress(node.args[index].text);
  if (!a) ctx.diags.error(node.where, "'" + node.keyword + "': '" + node.args[index].text + "' is not an IP address");
  return a;
}

std::string IpPrefix::text() const {
  return prefixLength < 0 ? address.text() : address.text() + "/" + std::to_string(prefixLength);
}

std::optional<IpPrefix> parseIpPrefix(std::string_view text) {
  IpPrefix p;
  auto slash = text.find('/');
  auto addr = parseIpAddress(text.substr(0, slash));
  if (!addr) return std::nullopt;
  p.address = *addr;
  if (slash != std::string_view::npos) {
    auto len = parseInteger(text.substr(slash + 1));
    if (!len || *len < 0 || *len > (addr->family == 6 ? 128 : 32)) return std::nullopt;
    p.prefixLength = static_cast<int>(*len);
  }
  return p;
}

namespace {
std::size_t editDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}
}  // namespace

std::optional<std::string> closestKeyword(std::string_view word, const std::vector<std::string_view>& known) {
  std::optional<std::string> best;
  std::size_t bestDistance = std::max<std::size_t>(2, word.size() / 4) + 1;
  for (std::string_view k : known) {
    // The length difference bounds the distance from below: most keywords need no table at all.
    const std::size_t lengthGap = k.size() > word.size() ? k.size() - word.size() : word.size() - k.size();
    if (lengthGap >= bestDistance) continue;
    std::size_t d = editDistance(word, k);
    if (d < bestDistance) {
      bestDistance = d;
      best = std::string(k);
    }
  }
  return best;
}

}  // namespace tandem::config
