#include "parser/model_real_server.h"

#include <algorithm>

#include "parser/model.h"

namespace tandem::config {
namespace {

using R = RealServerSetup;

// One address per word; a prefix is refused because the helper always binds a host route (/32, /128): a wider one
// on lo would make the server claim the whole subnet.
Keyword<R> vipList() {
  return custom<R>(
      "vip",
      [](R& r, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 64, ctx)) return;
        for (std::size_t i = 0; i < n.args.size(); ++i) {
          const std::string& word = n.args[i].text;
          if (word.find('/') != std::string::npos) {
            ctx.diags.error(n.where, "'vip': '" + word + "' has a prefix; real-server VIPs are always bound as /32 (/128)");
            continue;
          }
          if (auto a = readAddress(n, i, ctx)) r.vip.push_back(*a);
        }
      },
      [](const R& r, DumpWriter& out) {
        if (r.vip.empty()) return;
        std::vector<std::string> words;
        for (const IpAddress& a : r.vip) words.push_back(a.text());
        out.text("vip", words);
      },
      true);
}

Keyword<R> interfaceList() {
  return custom<R>(
      "interface",
      [](R& r, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 64, ctx)) return;
        for (const Token& t : n.args) r.interface.push_back(t.text);
      },
      [](const R& r, DumpWriter& out) {
        if (!r.interface.empty()) out.text("interface", r.interface);
      },
      true);
}

// Written out both ways: "off" is the non-default value and must survive a dump.
Keyword<R> onOffField(std::string_view name, bool R::*field) {
  return custom<R>(
      name,
      [field](R& r, const Node& n, BuildContext& ctx) {
        if (auto v = readFlag(n, ctx)) r.*field = *v;
      },
      [field, name](const R& r, DumpWriter& out) { out.text(name, {r.*field ? "on" : "off"}); });
}

Schema<R> makeRealServerSetupSchema() {
  return Schema<R>("real_server_setup", {
                                            vipList(),
                                            interfaceList(),
                                            onOffField("arp_suppression", &R::arp_suppression),
                                            onOffField("keep_on_exit", &R::keep_on_exit),
                                        });
}

}  // namespace

const Schema<RealServerSetup>& realServerSetupSchema() {
  static const Schema<RealServerSetup> schema = makeRealServerSetupSchema();
  return schema;
}

void validateRealServer(const Config& config, Diagnostics& diags) {
  const RealServerSetup& r = config.real_server_setup;
  if (!r.present()) return;
  if (r.vip.empty()) diags.error(r.meta.where, "real_server_setup has no 'vip': there is nothing to bind on lo");
  for (std::size_t i = 0; i < r.vip.size(); ++i) {
    if (std::find(r.vip.begin(), r.vip.begin() + static_cast<std::ptrdiff_t>(i), r.vip[i]) != r.vip.begin() + static_cast<std::ptrdiff_t>(i))
      diags.warning(r.meta.locationOf("vip"), "real_server_setup: vip " + r.vip[i].text() + " is listed twice");
  }
  for (const std::string& name : r.interface) {
    if (name == "lo" || name == "all")
      diags.warning(r.meta.locationOf("interface"),
                    "real_server_setup: 'interface " + name + "' is redundant; lo and all are always set");
  }
}

}  // namespace tandem::config
