// Keyword tables of the VRRP side other than vrrp_instance, and their place at the top level.
#include <algorithm>

#include "parser/model.h"
#include "parser/model_vrrp_keywords.h"

namespace tandem::config {
namespace {

using namespace vrrp_keywords;

// "weight N [reverse]" as used by vrrp_script, vrrp_track_process and track_file.
template <class T, class W>
Keyword<T> weightField(W T::*weight, bool T::*reverse, long long min, long long max) {
  return custom<T>(
      "weight",
      [weight, reverse, min, max](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 2, ctx)) return;
        auto v = readInteger(n, 0, min, max, ctx);
        if (!v) return;
        if (n.args.size() == 2 && n.args[1].text != "reverse") {
          ctx.diags.error(n.where, "'weight': unknown option '" + n.args[1].text + "' (only 'reverse')");
          return;
        }
        t.*weight = static_cast<W>(*v);
        t.*reverse = n.args.size() == 2;
      },
      [weight, reverse](const T& t, DumpWriter& out) {
        std::vector<std::string> words{std::to_string(t.*weight)};
        if (t.*reverse) words.push_back("reverse");
        out.text("weight", words);
      });
}

template <class T>
std::function<void(T&, const Node&, BuildContext&)> readName(std::string_view block) {
  return [block](T& t, const Node& n, BuildContext& ctx) {
    if (n.args.size() != 1) {
      ctx.diags.error(n.where, "'" + std::string(block) + "' needs exactly one name before '{'");
      if (n.args.empty()) return;
    }
    t.name = n.args[0].text;
  };
}

// A block of names, any number a line: group { VI_1 VI_2 } or one a line.
template <class T>
Keyword<T> nameList(std::string_view name, std::vector<std::string> T::*field, std::string_view what,
                    Location T::*where = nullptr) {
  return custom<T>(
      name,
      [field, what, where](T& t, const Node& n, BuildContext& ctx) {
        if (!n.hasBlock) {
          ctx.diags.error(n.where, "'" + n.keyword + "' expects a block { ... } of " + std::string(what));
          return;
        }
        if (where) t.*where = n.where;
        for (const Node& line : n.children) {
          (t.*field).push_back(line.keyword);
          for (const Token& tok : line.args) (t.*field).push_back(tok.text);
        }
      },
      [field, name](const T& t, DumpWriter& out) {
        if ((t.*field).empty()) return;
        out.open(name, {});
        for (const auto& entry : t.*field) out.item({entry});
        out.close();
      });
}

// ---- vrrp_script ----

Schema<VrrpScript> makeScriptSchema() {
  using S = VrrpScript;
  std::vector<Keyword<S>> k = {
      commandField("script", &S::script),
      decimalField("interval", &S::interval, 0.001, 86400),
      decimalField("timeout", &S::timeout, 0.001, 86400),
      weightField(&S::weight, &S::weight_reverse, -253, 253),
      intField("rise", &S::rise, 1, 1000000),
      intField("fall", &S::fall, 1, 1000000),
      custom<S>(
          "user",
          [](S& s, const Node& n, BuildContext& ctx) {
            if (!expectArgs(n, 1, 2, ctx)) return;
            s.user = n.args[0].text;
            s.group = n.args.size() > 1 ? n.args[1].text : "";
          },
          [](const S& s, DumpWriter& out) {
            if (s.user.empty()) return;
            std::vector<std::string> words{s.user};
            if (!s.group.empty()) words.push_back(s.group);
            out.text("user", words);
          }),
      flagField("init_fail", &S::init_fail),
  };
  return Schema<S>("vrrp_script", std::move(k));
}

// ---- vrrp_sync_group ----

Schema<VrrpSyncGroup> makeSyncGroupSchema() {
  using G = VrrpSyncGroup;
  std::vector<Keyword<G>> k = {
      nameList("group", &G::group, "vrrp_instance names", &G::groupWhere),
      trackList("track_interface", &G::track_interface, -253, 253),
      trackList("track_script", &G::track_script, -253, 253),
      trackList("track_file", &G::track_file, -254, 254),
      trackList("track_process", &G::track_process, -254, 254),
      trackList("track_bfd", &G::track_bfd, -253, 253),
      notifyField("notify_master", &G::notify_master),
      notifyField("notify_backup", &G::notify_backup),
      notifyField("notify_fault", &G::notify_fault),
      notifyField("notify_stop", &G::notify_stop),
      notifyField("notify", &G::notify),
      optionalFlagField("smtp_alert", &G::smtp_alert),
      custom<G>(
          "global_tracking",
          [](G& g, const Node& n, BuildContext& ctx) {
            ctx.diags.warning(n.where, "'global_tracking' is deprecated; use track_interface/track_script/track_file "
                                       "in the vrrp_sync_group (it now means 'sync_group_tracking_weight')");
            g.global_tracking = true;
          },
          [](const G& g, DumpWriter& out) {
            if (g.global_tracking) out.flag("global_tracking");
          }),
      flagField("sync_group_tracking_weight", &G::sync_group_tracking_weight),
      optionalFlagField("notify_priority_changes", &G::notify_priority_changes),
  };
  return Schema<G>("vrrp_sync_group", std::move(k));
}

// ---- vrrp_track_process ----

Schema<VrrpTrackProcess> makeTrackProcessSchema() {
  using P = VrrpTrackProcess;
  std::vector<Keyword<P>> k = {
      custom<P>(
          "process",
          [](P& p, const Node& n, BuildContext& ctx) {
            if (!expectArgs(n, 1, 64, ctx)) return;
            p.process.clear();
            for (const Token& t : n.args) p.process.push_back(t.text);
          },
          [](const P& p, DumpWriter& out) {
            if (!p.process.empty()) out.text("process", p.process);
          }),
      custom<P>(
          "param_match",
          [](P& p, const Node& n, BuildContext& ctx) {
            expectArgs(n, 0, 1, ctx);
            if (!n.args.empty() && n.args[0].text != "initial" && n.args[0].text != "partial") {
              ctx.diags.error(n.where, "'param_match': '" + n.args[0].text + "' is not one of initial, partial");
              return;
            }
            p.param_match_set = true;
            p.param_match = n.args.empty() ? "" : n.args[0].text;
          },
          [](const P& p, DumpWriter& out) {
            if (!p.param_match_set) return;
            if (p.param_match.empty()) out.flag("param_match");
            else out.text("param_match", {p.param_match});
          }),
      weightField(&P::weight, &P::weight_reverse, -254, 254),
      intField("quorum", &P::quorum, 1, 65535),
      intField("quorum_max", &P::quorum_max, 0, 65535),
      decimalField("delay", &P::delay, 0.000001, 3600),
      decimalField("terminate_delay", &P::terminate_delay, 0.000001, 3600),
      decimalField("fork_delay", &P::fork_delay, 0.000001, 3600),
      flagField("full_command", &P::full_command),
  };
  return Schema<P>("vrrp_track_process", std::move(k));
}

// ---- track_file ----

Schema<TrackFile> makeTrackFileSchema() {
  using F = TrackFile;
  std::vector<Keyword<F>> k = {
      wordField("file", &F::file),
      weightField(&F::weight, &F::weight_reverse, -2147483647LL, 2147483647LL),
      custom<F>(
          "init_file",
          [](F& f, const Node& n, BuildContext& ctx) {
            expectArgs(n, 0, 2, ctx);
            f.init_file = true;
            for (const Token& t : n.args) {
              if (t.text == "overwrite") { f.init_overwrite = true; continue; }
              auto v = parseInteger(t.text);
              if (!v) {
                ctx.diags.error(n.where, "'init_file': '" + t.text + "' is neither a number nor 'overwrite'");
                return;
              }
              f.init_value = *v;
            }
          },
          [](const F& f, DumpWriter& out) {
            if (!f.init_file) return;
            std::vector<std::string> words;
            if (f.init_value) words.push_back(std::to_string(*f.init_value));
            if (f.init_overwrite) words.push_back("overwrite");
            if (words.empty()) out.flag("init_file");
            else out.text("init_file", words);
          }),
  };
  return Schema<F>("track_file", std::move(k));
}

// ---- garp_group ----

Schema<GarpGroup> makeGarpGroupSchema() {
  using A = GarpGroup;
  std::vector<Keyword<A>> k = {
      decimalField("garp_interval", &A::garp_interval, 0, 86400),
      decimalField("gna_interval", &A::gna_interval, 0, 86400),
      wordField("interface", &A::interface),
      nameList<A>("interfaces", &A::interfaces, "interface names"),
  };
  return Schema<A>("garp_group", std::move(k));
}

const Schema<VrrpTrackProcess>& trackProcessSchema() {
  static const Schema<VrrpTrackProcess> schema = makeTrackProcessSchema();
  return schema;
}

const Schema<TrackFile>& trackFileSchema() {
  static const Schema<TrackFile> schema = makeTrackFileSchema();
  return schema;
}

const Schema<GarpGroup>& garpGroupSchema() {
  static const Schema<GarpGroup> schema = makeGarpGroupSchema();
  return schema;
}

// static_ipaddress { } and friends sit at the top level but land in the VRRP section.
template <class Item>
Keyword<Config> staticList(std::string_view name, std::vector<Item> VrrpSection::*field,
                           std::function<std::optional<Item>(const Node&, BuildContext&)> readLine,
                           std::function<std::vector<std::string>(const Item&)> words) {
  Keyword<VrrpSection> inner = listBlock<VrrpSection, Item>(name, field, std::move(readLine), std::move(words));
  return custom<Config>(
      name, [read = inner.read](Config& c, const Node& n, BuildContext& ctx) { read(c.vrrp, n, ctx); },
      [write = inner.write](const Config& c, DumpWriter& out) { write(c.vrrp, out); }, true);
}

// A keyword of the VRRP section's blocks, read at the top level.
Keyword<Config> inSection(std::string_view name, const Keyword<VrrpSection>& inner) {
  Keyword<Config> k = custom<Config>(
      name, [read = inner.read](Config& c, const Node& n, BuildContext& ctx) { read(c.vrrp, n, ctx); },
      [write = inner.write](const Config& c, DumpWriter& out) { write(c.vrrp, out); }, true);
  if (inner.open)
    k.open = [open = inner.open](Config& c, const Node& n, BuildContext& ctx) { return open(c.vrrp, n, ctx); };
  return k;
}

// A named block whose vector lives in the VRRP section.
template <class S>
Keyword<Config> sectionBlocks(std::string_view name, std::vector<S> VrrpSection::*field, const Schema<S>& schema) {
  Keyword<VrrpSection> inner = namedBlocks(name, field, schema, readName<S>(name));
  return inSection(name, inner);
}

}  // namespace

const Schema<VrrpScript>& vrrpScriptSchema() {
  static const Schema<VrrpScript> schema = makeScriptSchema();
  return schema;
}

const Schema<VrrpSyncGroup>& vrrpSyncGroupSchema() {
  static const Schema<VrrpSyncGroup> schema = makeSyncGroupSchema();
  return schema;
}

std::vector<Keyword<Config>> vrrpTopLevelKeywords() {
  std::vector<Keyword<Config>> k = {
      sectionBlocks("vrrp_script", &VrrpSection::scripts, vrrpScriptSchema()),
      sectionBlocks("vrrp_track_process", &VrrpSection::track_processes, trackProcessSchema()),
      sectionBlocks("track_file", &VrrpSection::track_files, trackFileSchema()),
      sectionBlocks("vrrp_sync_group", &VrrpSection::sync_groups, vrrpSyncGroupSchema()),
      sectionBlocks("vrrp_instance", &VrrpSection::instances, vrrpInstanceSchema()),
      staticList<VirtualAddress>("static_ipaddress", &VrrpSection::static_ipaddress, readVirtualAddress,
                                 [](const VirtualAddress& a) { return a.words(); }),
      staticList<IpRoute>("static_routes", &VrrpSection::static_routes, readIpRoute,
                          [](const IpRoute& r) { return r.words; }),
      staticList<IpRule>("static_rules", &VrrpSection::static_rules, readIpRule,
                         [](const IpRule& r) { return r.words; }),
  };
  // The old spelling of track_file; like the current one it may repeat.
  Keyword<Config> oldTrackFile = deprecated<Config>("vrrp_track_file", "track_file");
  oldTrackFile.repeatable = true;
  k.push_back(std::move(oldTrackFile));
  // garp_group has no name; a plain namedBlocks would still collect repeats into the vector.
  Keyword<VrrpSection> garp = namedBlocks("garp_group", &VrrpSection::garp_groups, garpGroupSchema());
  k.push_back(inSection("garp_group", garp));
  return k;
}

const VrrpInstance* VrrpSection::findInstance(std::string_view name) const {
  auto it = std::find_if(instances.begin(), instances.end(), [&](const VrrpInstance& i) { return i.name == name; });
  return it == instances.end() ? nullptr : &*it;
}

const VrrpScript* VrrpSection::findScript(std::string_view name) const {
  auto it = std::find_if(scripts.begin(), scripts.end(), [&](const VrrpScript& s) { return s.name == name; });
  return it == scripts.end() ? nullptr : &*it;
}

}  // namespace tandem::config
