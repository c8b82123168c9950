#include "parser/model_lvs_fields.h"

#include <algorithm>
#include <cctype>

namespace tandem::config::lvs {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::optional<std::size_t> readChoice(const Node& n, std::size_t index, const std::vector<std::string_view>& choices,
                                      bool caseInsensitive, BuildContext& ctx) {
  const std::string& word = n.args[index].text;
  for (std::size_t i = 0; i < choices.size(); ++i)
    if (word == choices[i] || (caseInsensitive && equalsIgnoringCase(word, choices[i]))) return i;
  std::string allowed;
  for (std::string_view c : choices) allowed += (allowed.empty() ? "" : ", ") + std::string(c);
  std::string message = "'" + n.keyword + "': '" + word + "' is not one of " + allowed;
  std::optional<std::string> guess;
  for (std::string_view c : choices)
    if (equalsIgnoringCase(word, c)) guess = std::string(c);
  if (!guess) guess = closestKeyword(word, choices);
  if (guess) message += "; did you mean '" + *guess + "'?";
  ctx.diags.error(n.where, message);
  return std::nullopt;
}

std::optional<double> readTimer(const Node& n, bool allowZero, double max, BuildContext& ctx) {
  if (!expectArgs(n, 1, 1, ctx)) return std::nullopt;
  auto v = parseDecimal(n.args[0].text);
  if (!v) {
    ctx.diags.error(n.where, "'" + n.keyword + "': '" + n.args[0].text + "' is not a number of seconds");
    return std::nullopt;
  }
  if (*v < 0 || (*v == 0 && !allowZero)) {
    ctx.diags.error(n.where, "'" + n.keyword + "' must be " + (allowZero ? "0 or more" : "greater than 0") +
                                 " seconds, not " + n.args[0].text);
    return std::nullopt;
  }
  if (*v > max) {
    ctx.diags.error(n.where, "'" + n.keyword + "' " + n.args[0].text + " is too large (at most " + formatNumber(max) +
                                 " seconds)");
    return std::nullopt;
  }
  return v;
}

std::optional<ServerAddress> readServerAddress(const Node& n, std::size_t index, BuildContext& ctx) {
  if (index >= n.args.size()) {
    ctx.diags.error(n.where, "'" + n.keyword + "' expects an IP address and optionally a port");
    return std::nullopt;
  }
  ServerAddress s;
  auto a = readAddress(n, index, ctx);
  if (!a) return std::nullopt;
  s.address = *a;
  if (index + 1 < n.args.size()) {
    auto port = parseInteger(n.args[index + 1].text);
    if (!port || *port < 0 || *port > 65535) {
      ctx.diags.error(n.where, "'" + n.keyword + "': port '" + n.args[index + 1].text + "' is not in 0..65535");
      return std::nullopt;
    }
    s.port = static_cast<int>(*port);
  }
  if (index + 2 < n.args.size())
    ctx.diags.warning(n.where, "'" + n.keyword + "' expects an IP address and a port; extra words ignored");
  return s;
}

std::vector<std::string> serverAddressWords(const ServerAddress& s) {
  std::vector<std::string> words{s.address.text()};
  if (s.port) words.push_back(std::to_string(s.port));
  return words;
}

std::optional<Forwarding> readForwarding(const Node& n, BuildContext& ctx) {
  if (n.args.empty()) {
    ctx.diags.error(n.where, "'" + n.keyword + "' expects NAT, DR or TUN");
    return std::nullopt;
  }
  Forwarding f;
  // keepalived compares these words case-sensitively; a case slip is an error with a suggestion.
  auto method = readChoice(n, 0, {"NAT", "DR", "TUN"}, false, ctx);
  if (!method) return std::nullopt;
  f.method = static_cast<LvsMethod>(*method);
  if (f.method != LvsMethod::Tun && n.args.size() > 1) {
    ctx.diags.error(n.where, "'" + n.keyword + "': tunnel options only apply to TUN");
    return std::nullopt;
  }
  bool checksumGiven = false;
  for (std::size_t i = 1; i < n.args.size(); ++i) {
    const std::string& word = n.args[i].text;
    if (word == "type" || word == "port") {
      if (i + 1 >= n.args.size()) {
        ctx.diags.error(n.where, "'" + n.keyword + "': '" + word + "' needs a value");
        return std::nullopt;
      }
      if (word == "type") {
        auto type = readChoice(n, i + 1, {"ipip", "gue", "gre"}, false, ctx);
        if (!type) return std::nullopt;
        f.tunnelType = static_cast<TunnelType>(*type);
      } else {
        auto port = readInteger(n, i + 1, 1, 65535, ctx);
        if (!port) return std::nullopt;
        f.tunnelPort = static_cast<int>(*port);
      }
      ++i;
    } else if (word == "nocsum" || word == "csum" || word == "remcsum") {
      f.checksum = word == "nocsum" ? TunnelChecksum::NoCsum : word == "csum" ? TunnelChecksum::Csum : TunnelChecksum::RemCsum;
      checksumGiven = true;
    } else {
      ctx.diags.error(n.where, "'" + n.keyword + "': unknown tunnel option '" + word +
                                   "' (type ipip|gue|gre, port N, nocsum|csum|remcsum)");
      return std::nullopt;
    }
  }
  if ((f.tunnelType == TunnelType::Gue) != (f.tunnelPort != 0)) {
    ctx.diags.error(n.where, "'" + n.keyword + "': a gue tunnel needs 'port N', and only a gue tunnel takes a port");
    return std::nullopt;
  }
  if (checksumGiven && f.tunnelType == TunnelType::Ipip && f.checksum != TunnelChecksum::NoCsum) {
    ctx.diags.error(n.where, "'" + n.keyword + "': ipip tunnels have no checksum option");
    return std::nullopt;
  }
  if (f.tunnelType == TunnelType::Gre && f.checksum == TunnelChecksum::RemCsum) {
    ctx.diags.error(n.where, "'" + n.keyword + "': gre tunnels do not support remcsum");
    return std::nullopt;
  }
  return f;
}

std::vector<std::string> forwardingWords(const Forwarding& f) {
  switch (f.method) {
    case LvsMethod::Nat: return {"NAT"};
    case LvsMethod::Dr: return {"DR"};
    case LvsMethod::Tun: break;
  }
  std::vector<std::string> words{"TUN"};
  if (f.tunnelType == TunnelType::Ipip) return words;
  words.push_back("type");
  if (f.tunnelType == TunnelType::Gue) {
    words.insert(words.end(), {"gue", "port", std::to_string(f.tunnelPort)});
  } else {
    words.push_back("gre");
  }
  words.push_back(f.checksum == TunnelChecksum::NoCsum ? "nocsum" : f.checksum == TunnelChecksum::Csum ? "csum" : "remcsum");
  return words;
}

}  // namespace tandem::config::lvs
