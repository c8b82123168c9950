#include "parser/model_checkers.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <functional>

#include "parser/model_lvs_fields.h"

namespace tandem::config {

std::string_view checkerKeyword(CheckerType type) {
  switch (type) {
    case CheckerType::Tcp: return "TCP_CHECK";
    case CheckerType::Http: return "HTTP_GET";
    case CheckerType::Ssl: return "SSL_GET";
    case CheckerType::Misc: return "MISC_CHECK";
    case CheckerType::Smtp: return "SMTP_CHECK";
    case CheckerType::Dns: return "DNS_CHECK";
    case CheckerType::Udp: return "UDP_CHECK";
    case CheckerType::Ping: return "PING_CHECK";
    case CheckerType::File: return "FILE_CHECK";
    case CheckerType::Bfd: return "BFD_CHECK";
  }
  return "?";
}

void Checker::setType(CheckerType t) {
  type = t;
  switch (t) {
    case CheckerType::Http:
    case CheckerType::Ssl: details.emplace<Boxed<HttpFields>>(HttpFields{}); break;
    case CheckerType::Misc: details.emplace<Boxed<MiscFields>>(MiscFields{}); break;
    case CheckerType::Smtp: details.emplace<Boxed<SmtpFields>>(SmtpFields{}); break;
    case CheckerType::Dns: details.emplace<Boxed<DnsFields>>(DnsFields{}); break;
    case CheckerType::Udp: details.emplace<Boxed<UdpFields>>(UdpFields{}); break;
    case CheckerType::File: details.emplace<Boxed<FileFields>>(FileFields{}); break;
    case CheckerType::Bfd: details.emplace<Boxed<BfdFields>>(BfdFields{}); break;
    case CheckerType::Tcp:
    case CheckerType::Ping: details.emplace<std::monostate>(); break;
  }
}

bool HttpUrl::acceptsStatus(int code) const {
  if (status_code.empty()) return code >= 200 && code <= 299;
  for (const auto& [low, high] : status_code)
    if (code >= low && code <= high) return true;
  return false;
}

namespace lvs {
namespace {

using C = Checker;
using U = HttpUrl;

constexpr long long kUintMax = 4294967295LL;

Keyword<U> digestKeyword() {
  return custom<U>(
      "digest",
      [](U& u, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        std::string d = n.args[0].text;
        bool hex = d.size() == 32;
        for (char& c : d) {
          hex = hex && std::isxdigit(static_cast<unsigned char>(c));
          c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (!hex) {
          ctx.diags.error(n.where, "'digest' must be 32 hexadecimal digits (an MD5 sum as genhash prints it), not '" +
                                       n.args[0].text + "'");
          return;
        }
        u.digest = d;
      },
      [](const U& u, DumpWriter& out) {
        if (!u.digest.empty()) out.text("digest", {u.digest});
      });
}

std::optional<std::pair<int, int>> parseStatusRange(std::string_view word) {
  auto dash = word.find('-');
  auto low = parseInteger(word.substr(0, dash));
  auto high = dash == std::string_view::npos ? low : parseInteger(word.substr(dash + 1));
  if (!low || !high) return std::nullopt;
  return std::pair<int, int>{static_cast<int>(std::clamp<long long>(*low, -1, 100000)),
                             static_cast<int>(std::clamp<long long>(*high, -1, 100000))};
}

Keyword<U> statusCodeKeyword() {
  return custom<U>(
      "status_code",
      [](U& u, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1000, ctx)) return;
        for (const Token& t : n.args) {
          auto range = parseStatusRange(t.text);
          if (!range) {
            ctx.diags.error(n.where, "'status_code': '" + t.text + "' is not a status code or a range like 200-299");
            continue;
          }
          if (range->first < 100 || range->first > 599 || range->second < 100 || range->second > 599) {
            ctx.diags.error(n.where, "'status_code' " + t.text + " is outside 100..599");
            continue;
          }
          if (range->first > range->second) {
            ctx.diags.error(n.where, "'status_code' range " + t.text + " ends before it starts");
            continue;
          }
          u.status_code.push_back(*range);
        }
      },
      [](const U& u, DumpWriter& out) {
        if (u.status_code.empty()) return;
        std::vector<std::string> words;
        for (const auto& [low, high] : u.status_code)
          words.push_back(low == high ? std::to_string(low) : std::to_string(low) + "-" + std::to_string(high));
        out.text("status_code", words);
      },
      true);
}

Keyword<U> regexOptionsKeyword() {
  return custom<U>(
      "regex_options",
      [](U& u, const Node& n, BuildContext&) {
        for (const Token& t : n.args) u.regex_options.push_back(t.text);
      },
      [](const U& u, DumpWriter& out) {
        if (!u.regex_options.empty()) out.text("regex_options", u.regex_options);
      });
}

Keyword<U> regexStackKeyword() {
  return custom<U>(
      "regex_stack",
      [](U& u, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 2, 2, ctx)) return;
        auto start = readInteger(n, 0, 0, kUintMax, ctx);
        auto max = readInteger(n, 1, 0, kUintMax, ctx);
        if (!start || !max) return;
        if (*start > *max) {
          ctx.diags.error(n.where, "'regex_stack': the start size " + std::to_string(*start) + " exceeds the maximum " +
                                       std::to_string(*max));
          return;
        }
        u.regex_stack = std::pair{*start, *max};
      },
      [](const U& u, DumpWriter& out) {
        if (u.regex_stack)
          out.text("regex_stack", {std::to_string(u.regex_stack->first), std::to_string(u.regex_stack->second)});
      });
}

}  // namespace

const Schema<U>& urlSchema() {
  static const Schema<U> schema("url", {
      wordField("path", &U::path),
      digestKeyword(),
      statusCodeKeyword(),
      wordField("virtualhost", &U::virtualhost),
      wordField("regex", &U::regex),
      flagField("regex_no_match", &U::regex_no_match),
      regexOptionsKeyword(),
      intField("regex_min_offset", &U::regex_min_offset, 0, kUintMax),
      intField("regex_max_offset", &U::regex_max_offset, 0, kUintMax),
      regexStackKeyword(),
      flagField("tls_compliant", &U::tls_compliant),
  });
  return schema;
}

namespace {

// A keyword of one type's fields, read into and written from the checker's `details`, which setType gave that type.
template <class Fields>
Keyword<C> ofType(Keyword<Fields> k) {
  Keyword<C> out{k.name, {}, {}, k.support, k.replacement, k.repeatable};
  if (k.read)
    out.read = [read = std::move(k.read)](C& c, const Node& n, BuildContext& ctx) { read(*std::get<Boxed<Fields>>(c.details), n, ctx); };
  if (k.write)
    out.write = [write = std::move(k.write)](const C& c, DumpWriter& w) {
      if (const auto* fields = std::get_if<Boxed<Fields>>(&c.details)) write(**fields, w);
    };
  if (k.reserve)
    out.reserve = [reserve = std::move(k.reserve)](C& c, std::size_t more) { reserve(*std::get<Boxed<Fields>>(c.details), more); };
  if (k.open)
    out.open = [open = std::move(k.open)](C& c, const Node& n, BuildContext& ctx) {
      return open(*std::get<Boxed<Fields>>(c.details), n, ctx);
    };
  return out;
}

void addConnectionKeywords(std::vector<Keyword<C>>& k) {
  k.push_back(addressField("connect_ip", &C::connect_ip));
  k.push_back(intField("connect_port", &C::connect_port, 1, 65535));
  k.push_back(addressField("bindto", &C::bindto));
  k.push_back(intField("bind_port", &C::bind_port, 1, 65535));
  k.push_back(wordField("bind_if", &C::bind_if));
  k.push_back(timerField("connect_timeout", &C::connect_timeout, false, kMaxConnectTimeout));
  k.push_back(intField("fwmark", &C::fwmark, 0, kUintMax));
}

void addTimingKeywords(std::vector<Keyword<C>>& k) {
  k.push_back(intField("retry", &C::retry, 0, kUintMax));
  k.push_back(timerField("delay_before_retry", &C::delay_before_retry, true));
  k.push_back(timerField("warmup", &C::warmup, true));
  k.push_back(timerField("delay_loop", &C::delay_loop, false));
  k.push_back(optionalFlagField("alpha", &C::alpha));
  k.push_back(flagField("log_all_failures", &C::log_all_failures));
  // keepalived only registers it for HTTP_GET/SSL_GET; accepting it everywhere costs nothing and
  // old configurations carry it in TCP_CHECK too.
  k.push_back(deprecated<C>("nb_get_retry", "retry"));
}

std::vector<Keyword<C>> commonKeywords() {
  std::vector<Keyword<C>> k;
  addConnectionKeywords(k);
  addTimingKeywords(k);
  return k;
}

std::vector<Keyword<C>> httpKeywords() {
  using H = HttpFields;
  std::vector<Keyword<C>> k = commonKeywords();
  k.push_back(ofType(wordField("virtualhost", &H::virtualhost)));
  k.push_back(ofType(choiceField("http_protocol", &H::http_protocol,
                                 EnumTable<HttpProtocol>{{"1.0", HttpProtocol::V1_0}, {"1.0C", HttpProtocol::V1_0C},
                                                         {"1.1", HttpProtocol::V1_1}},
                                 true)));
  k.push_back(ofType(flagField("enable_sni", &H::enable_sni)));
  k.push_back(ofType(wordField("sni_name", &H::sni_name)));
  k.push_back(ofType(flagField("fast_recovery", &H::fast_recovery)));
  k.push_back(ofType(flagField("tls_compliant", &H::tls_compliant)));
  k.push_back(ofType(namedBlocks("url", &H::urls, urlSchema())));
  return k;
}

std::vector<Keyword<C>> miscKeywords() {
  using M = MiscFields;
  std::vector<Keyword<C>> k;
  addTimingKeywords(k);
  k.push_back(ofType(commandField("misc_path", &M::misc_path)));
  k.push_back(ofType(intField("misc_timeout", &M::misc_timeout, 0, kUintMax / 1000000)));
  k.push_back(ofType(flagField("misc_dynamic", &M::misc_dynamic)));
  k.push_back(ofType(commandField("user", &M::user)));
  return k;
}

const Schema<C>& smtpHostSchema() {
  static const Schema<C> schema("SMTP_CHECK host", commonKeywords());
  return schema;
}

std::vector<Keyword<C>> smtpKeywords() {
  std::vector<Keyword<C>> k = commonKeywords();
  k.push_back(ofType(commandField("helo_name", &SmtpFields::helo_name)));
  std::function<void(C&, const Node&, BuildContext&)> init = [](C& host, const Node& n, BuildContext& ctx) {
    host.setType(CheckerType::Smtp);
    ctx.diags.warning(n.where, "'host' blocks in SMTP_CHECK are deprecated; use one SMTP_CHECK per server");
  };
  k.push_back(ofType(namedBlocks("host", &SmtpFields::hosts, smtpHostSchema(), init)));
  return k;
}

std::vector<Keyword<C>> dnsKeywords() {
  std::vector<Keyword<C>> k = commonKeywords();
  k.push_back(ofType(choiceField("type", &DnsFields::dns_type,
                                 EnumTable<DnsType>{{"A", DnsType::A}, {"NS", DnsType::NS}, {"CNAME", DnsType::CNAME},
                                                    {"SOA", DnsType::SOA}, {"MX", DnsType::MX}, {"TXT", DnsType::TXT},
                                                    {"AAAA", DnsType::AAAA}},
                                 true)));
  k.push_back(ofType(wordField("name", &DnsFields::dns_name)));
  return k;
}

// keepalived's free-form hex: digits in any grouping, spaces between; X/x (don't care) only in replies.
bool isHexText(const std::string& text, bool allowDontCare) {
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c)) || c == ' ') continue;
    if (allowDontCare && (c == 'x' || c == 'X')) continue;
    return false;
  }
  return true;
}

std::vector<Keyword<C>> udpKeywords() {
  using D = UdpFields;
  std::vector<Keyword<C>> k = commonKeywords();
  k.push_back(ofType(custom<D>(
      "payload",
      [](D& c, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1000, ctx)) return;
        std::string text = joinArgs(n);
        if (!isHexText(text, false)) { ctx.diags.error(n.where, "'payload' must be hexadecimal digits, not '" + text + "'"); return; }
        c.payload = text;
      },
      [](const D& c, DumpWriter& out) {
        if (!c.payload.empty()) out.text("payload", {c.payload});
      })));
  k.push_back(ofType(custom<D>(
      "require_reply",
      [](D& c, const Node& n, BuildContext& ctx) {
        std::string text = joinArgs(n);
        if (!isHexText(text, true)) {
          ctx.diags.error(n.where, "'require_reply' must be hexadecimal digits (X for any), not '" + text + "'");
          return;
        }
        c.require_reply = text;
      },
      [](const D& c, DumpWriter& out) {
        if (!c.require_reply) return;
        if (c.require_reply->empty()) out.flag("require_reply");
        else out.text("require_reply", {*c.require_reply});
      })));
  k.push_back(ofType(intField("min_reply_length", &D::min_reply_length, 0, 65535)));
  k.push_back(ofType(intField("max_reply_length", &D::max_reply_length, 0, 65535)));
  return k;
}

std::vector<Keyword<C>> fileKeywords() {
  using F = FileFields;
  return {
      ofType(wordField("track_file", &F::track_file)),
      ofType(custom<F>(
          "weight",
          [](F& c, const Node& n, BuildContext& ctx) {
            if (!expectArgs(n, 1, 2, ctx)) return;
            auto w = readInteger(n, 0, -2147483647LL, 2147483647LL, ctx);
            if (!w) return;
            if (n.args.size() == 2 && n.args[1].text != "reverse") {
              ctx.diags.error(n.where, "'weight': expected 'reverse' after the weight, not '" + n.args[1].text + "'");
              return;
            }
            c.file_weight = *w;
            c.file_weight_reverse = n.args.size() == 2;
          },
          [](const F& c, DumpWriter& out) {
            if (!c.file_weight) return;
            std::vector<std::string> words{std::to_string(*c.file_weight)};
            if (c.file_weight_reverse) words.push_back("reverse");
            out.text("weight", words);
          })),
      ofType(flagField("dynamic", &F::dynamic)),
  };
}

std::vector<Keyword<C>> bfdKeywords() {
  return {ofType(wordField("name", &BfdFields::bfd_name)), optionalFlagField("alpha", &C::alpha)};
}

Schema<C> makeSchema(CheckerType type) {
  const std::string_view name = checkerKeyword(type);
  switch (type) {
    case CheckerType::Http:
    case CheckerType::Ssl: return Schema<C>(name, httpKeywords());
    case CheckerType::Misc: return Schema<C>(name, miscKeywords());
    case CheckerType::Smtp: return Schema<C>(name, smtpKeywords());
    case CheckerType::Dns: return Schema<C>(name, dnsKeywords());
    case CheckerType::Udp: return Schema<C>(name, udpKeywords());
    case CheckerType::File: return Schema<C>(name, fileKeywords());
    case CheckerType::Bfd: return Schema<C>(name, bfdKeywords());
    case CheckerType::Tcp:
    case CheckerType::Ping: break;
  }
  return Schema<C>(name, commonKeywords());
}

constexpr std::array kAllTypes = {CheckerType::Tcp,  CheckerType::Http, CheckerType::Ssl,  CheckerType::Misc,
                                  CheckerType::Smtp, CheckerType::Dns,  CheckerType::Udp,  CheckerType::Ping,
                                  CheckerType::File, CheckerType::Bfd};

}  // namespace

const Schema<Checker>& checkerSchema(CheckerType type) {
  static const std::array<Schema<C>, kAllTypes.size()> schemas = [] {
    return std::array<Schema<C>, kAllTypes.size()>{
        makeSchema(kAllTypes[0]), makeSchema(kAllTypes[1]), makeSchema(kAllTypes[2]), makeSchema(kAllTypes[3]),
        makeSchema(kAllTypes[4]), makeSchema(kAllTypes[5]), makeSchema(kAllTypes[6]), makeSchema(kAllTypes[7]),
        makeSchema(kAllTypes[8]), makeSchema(kAllTypes[9])};
  }();
  return schemas[static_cast<std::size_t>(type)];
}

std::vector<Keyword<RealServer>> checkerKeywords() {
  std::vector<Keyword<RealServer>> k;
  for (CheckerType type : kAllTypes) {
    // Every checker lands in one vector so their order survives; the first keyword writes them all.
    const bool writesAll = type == kAllTypes.front();
    Keyword<RealServer> checker = custom<RealServer>(
        checkerKeyword(type),
        [type](RealServer& rs, const Node& n, BuildContext& ctx) {
          if (!n.hasBlock) { ctx.diags.error(n.where, "'" + n.keyword + "' expects a block { ... }"); return; }
          Checker& c = rs.checkers.emplace_back();  // read in place: a Checker is large to move
          c.setType(type);
          c.meta.where = n.where;
          checkerSchema(type).read(c, n.children, ctx);
        },
        writesAll ? std::function<void(const RealServer&, DumpWriter&)>([](const RealServer& rs, DumpWriter& out) {
          for (const Checker& c : rs.checkers) {
            out.open(checkerKeyword(c.type), {});
            checkerSchema(c.type).write(c, out);
            out.close();
          }
        })
                  : std::function<void(const RealServer&, DumpWriter&)>(),
        true);
    checker.open = [type](RealServer& rs, const Node& n, BuildContext&) {
      Checker& c = rs.checkers.emplace_back();
      c.setType(type);
      c.meta.where = n.where;
      return openBlock(checkerSchema(type), c);
    };
    k.push_back(std::move(checker));
  }
  return k;
}

}  // namespace lvs
}  // namespace tandem::config
