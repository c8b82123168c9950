#include "parser/pair_lint.h"

#include <algorithm>
#include <map>
#include <set>

#include "parser/dump_writer.h"
#include "parser/normalize.h"

namespace tandem::config {

std::string PairProblem::format() const { return Diagnostic{where, Severity::Error, message}.format(); }

namespace {

// The normalized model as a tree of keyword -> words, built from the same keyword tables as
// --dump-conf, so that every keyword is compared with its default resolved.
struct FlatValue {
  std::vector<std::string> words;
  Location where;
};

struct FlatBlock {
  std::string title;  // "vrrp_instance VI_1"
  Location where;
  std::map<std::string, FlatValue> values;
  std::vector<std::string> items;
  std::map<std::string, FlatBlock> blocks;
};

class FlatWriter final : public DumpWriter {
 public:
  FlatWriter() { stack_.push_back(&root_); }
  FlatBlock& root() { return root_; }

  void locate(const Location& where) override { next_ = where; }
  void text(std::string_view keyword, const std::vector<std::string>& words) override { set(keyword, words); }
  void integer(std::string_view keyword, long long value) override { set(keyword, {std::to_string(value)}); }
  void decimal(std::string_view keyword, double value) override {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.10g", value);
    set(keyword, {buf});
  }
  void flag(std::string_view keyword) override { set(keyword, {"on"}); }
  void item(const std::vector<std::string>& words) override {
    std::string line;
    for (const auto& w : words) line += (line.empty() ? "" : " ") + w;
    stack_.back()->items.push_back(line);
  }
  void open(std::string_view keyword, const std::vector<std::string>& args) override {
    std::string title(keyword);
    for (const auto& a : args) title += " " + a;
    FlatBlock& parent = *stack_.back();
    std::string key = title;
    for (int n = 2; parent.blocks.count(key); ++n) key = title + " #" + std::to_string(n);
    FlatBlock& block = parent.blocks[key];
    block.title = title;
    block.where = next_;
    stack_.push_back(&block);
  }
  void close() override {
    if (stack_.size() > 1) stack_.pop_back();
  }

 private:
  void set(std::string_view keyword, const std::vector<std::string>& words) {
    FlatValue& v = stack_.back()->values[std::string(keyword)];
    v.words.insert(v.words.end(), words.begin(), words.end());
    v.where = next_;
  }
  FlatBlock root_;
  std::vector<FlatBlock*> stack_;
  Location next_;
};

FlatBlock flatten(const Config& c) {
  FlatWriter w;
  // Compare what each director runs with, not how each file happens to spell it.
  topLevelSchema().write(withDefaultsResolved(c), w);
  return std::move(w.root());
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out.empty() ? "(not set)" : out;
}

std::string describeLocation(const Location& l) {
  return l.valid() ? l.fileName() + ":" + std::to_string(l.line) : "the other file";
}

class PairChecker {
 public:
  std::vector<PairProblem> run(const FlatBlock& a, const FlatBlock& b) {
    checkInstances(a, b);
    checkBlocksOfKind(a, b, "vrrp_sync_group", {"notify", "notify_master", "notify_backup", "notify_fault", "notify_stop", "smtp_alert"});
    checkBlocksOfKind(a, b, "virtual_server_group", {});
    checkBlocksOfKind(a, b, "virtual_server", {"notify_up", "notify_down", "quorum_up", "quorum_down", "smtp_alert"});
    return std::move(problems_);
  }

 private:
  void report(const Location& where, std::string message) { problems_.push_back({where, std::move(message)}); }

  static std::vector<const FlatBlock*> blocksOfKind(const FlatBlock& parent, std::string_view kind) {
    std::vector<const FlatBlock*> out;
    for (const auto& [key, block] : parent.blocks)
      if (block.title == kind || block.title.rfind(std::string(kind) + " ", 0) == 0) out.push_back(&block);
    return out;
  }

  static const FlatValue* value(const FlatBlock& b, const std::string& keyword) {
    auto it = b.values.find(keyword);
    return it == b.values.end() ? nullptr : &it->second;
  }

  static std::vector<std::string> itemsOf(const FlatBlock& b, const std::string& keyword) {
    auto it = b.blocks.find(keyword);
    if (it == b.blocks.end()) return {};
    std::vector<std::string> items = it->second.items;
    std::sort(items.begin(), items.end());
    return items;
  }

  static std::set<std::string> firstWords(const std::vector<std::string>& items) {
    std::set<std::string> out;
    for (const auto& i : items) out.insert(i.substr(0, i.find(' ')));
    return out;
  }

  void compareValue(const FlatBlock& a, const FlatBlock& b, const std::string& keyword) {
    const FlatValue* va = value(a, keyword);
    const FlatValue* vb = value(b, keyword);
    const std::vector<std::string> none;
    const auto& wa = va ? va->words : none;
    const auto& wb = vb ? vb->words : none;
    if (wa == wb) return;
    const Location& where = va ? va->where : a.where;
    report(where, a.title + ": '" + keyword + "' is " + joined(wa) + " here but " + joined(wb) + " in " +
                      describeLocation(vb ? vb->where : b.where));
  }

  void compareItems(const FlatBlock& a, const FlatBlock& b, const std::string& keyword) {
    auto ia = itemsOf(a, keyword);
    auto ib = itemsOf(b, keyword);
    if (ia == ib) return;
    std::vector<std::string> onlyA, onlyB;
    std::set_difference(ia.begin(), ia.end(), ib.begin(), ib.end(), std::back_inserter(onlyA));
    std::set_difference(ib.begin(), ib.end(), ia.begin(), ia.end(), std::back_inserter(onlyB));
    auto blockA = a.blocks.find(keyword);
    auto blockB = b.blocks.find(keyword);
    const Location& where = blockA != a.blocks.end() ? blockA->second.where : a.where;
    std::string message = a.title + ": '" + keyword + "' differs from " +
                          describeLocation(blockB != b.blocks.end() ? blockB->second.where : b.where);
    if (!onlyA.empty()) message += "; only here: " + joinedList(onlyA);
    if (!onlyB.empty()) message += "; only there: " + joinedList(onlyB);
    report(where, message);
  }

  static std::string joinedList(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  }

  // Instances pair up by name, else by VRID: renaming an instance on one director is common.
  void checkInstances(const FlatBlock& a, const FlatBlock& b) {
    auto left = blocksOfKind(a, "vrrp_instance");
    auto right = blocksOfKind(b, "vrrp_instance");
    std::set<const FlatBlock*> matched;
    auto vrid = [](const FlatBlock* x) {
      const FlatValue* v = value(*x, "virtual_router_id");
      return v ? joined(v->words) : std::string();
    };
    for (const FlatBlock* l : left) {
      const FlatBlock* partner = nullptr;
      for (const FlatBlock* r : right)
        if (r->title == l->title && !matched.count(r)) partner = r;
      if (!partner)
        for (const FlatBlock* r : right)
          if (!matched.count(r) && vrid(r) == vrid(l) && !vrid(l).empty()) partner = r;
      if (!partner) {
        report(l->where, l->title + " exists only on this director; its peer never hears it and both hold its VIPs");
        continue;
      }
      matched.insert(partner);
      compareInstance(*l, *partner);
    }
    for (const FlatBlock* r : right)
      if (!matched.count(r))
        report(r->where, r->title + " exists only on this director; its peer never hears it and both hold its VIPs");
  }

  void compareInstance(const FlatBlock& a, const FlatBlock& b) {
    for (const char* keyword : {"virtual_router_id", "advert_int", "version", "use_vmac", "native_ipv6"})
      compareValue(a, b, keyword);
    for (const char* keyword : {"virtual_ipaddress", "virtual_ipaddress_excluded", "virtual_routes", "virtual_rules"})
      compareItems(a, b, keyword);
    compareAuthentication(a, b);
    compareUnicast(a, b);
    compareRoles(a, b);
  }

  void compareAuthentication(const FlatBlock& a, const FlatBlock& b) {
    auto ia = a.blocks.find("authentication");
    auto ib = b.blocks.find("authentication");
    const bool hasA = ia != a.blocks.end(), hasB = ib != b.blocks.end();
    if (!hasA && !hasB) return;
    if (hasA != hasB) {
      report(hasA ? ia->second.where : a.where,
             a.title + ": authentication is " + (hasA ? "set here but not in " : "missing here but set in ") +
                 describeLocation(hasB ? ib->second.where : b.where) + "; each side drops the other's adverts");
      return;
    }
    FlatBlock la = ia->second, lb = ib->second;
    la.title = lb.title = a.title + " authentication";
    compareValue(la, lb, "auth_type");
    compareValue(la, lb, "auth_pass");
  }

  void compareUnicast(const FlatBlock& a, const FlatBlock& b) {
    auto peersA = firstWords(itemsOf(a, "unicast_peer"));
    auto peersB = firstWords(itemsOf(b, "unicast_peer"));
    if (peersA.empty() && peersB.empty()) return;
    if (peersA.empty() != peersB.empty()) {
      report(a.where, a.title + ": " + (peersA.empty() ? "multicast here but unicast in " : "unicast here but multicast in ") +
                          describeLocation(b.where) + "; the two directors cannot hear each other");
      return;
    }
    auto check = [&](const FlatBlock& self, const std::set<std::string>& selfPeers, const FlatBlock& other) {
      const FlatValue* src = value(other, "unicast_src_ip");
      if (!src || src->words.empty()) return;
      if (!selfPeers.count(src->words[0]))
        report(self.blocks.at("unicast_peer").where,
               self.title + ": unicast_peer does not list the peer's unicast_src_ip " + src->words[0] + " (" +
                   describeLocation(src->where) + ")");
    };
    check(a, peersA, b);
    check(b, peersB, a);
  }

  void compareRoles(const FlatBlock& a, const FlatBlock& b) {
    const FlatValue* sa = value(a, "state");
    const FlatValue* sb = value(b, "state");
    const FlatValue* pa = value(a, "priority");
    const FlatValue* pb = value(b, "priority");
    if (!pa || !pb || pa->words != pb->words) return;
    const bool bothMaster = sa && sb && joined(sa->words) == "MASTER" && joined(sb->words) == "MASTER";
    if (bothMaster)
      report(pa->where, a.title + ": both directors start as MASTER with priority " + joined(pa->words) +
                            " (also " + describeLocation(pb->where) + "); give the backup a lower priority");
    else if (joined(pa->words) == "255")
      report(pa->where, a.title + ": both directors claim to own the addresses (priority 255, also " +
                            describeLocation(pb->where) + ")");
  }

  // Blocks that must be identical on both directors, apart from `ignored` keywords.
  void checkBlocksOfKind(const FlatBlock& a, const FlatBlock& b, std::string_view kind, const std::set<std::string>& ignored) {
    auto left = blocksOfKind(a, kind);
    auto right = blocksOfKind(b, kind);
    for (const FlatBlock* l : left) {
      auto it = std::find_if(right.begin(), right.end(), [&](const FlatBlock* r) { return r->title == l->title; });
      if (it == right.end()) {
        report(l->where, l->title + " exists only on this director");
        continue;
      }
      compareWhole(*l, **it, ignored);
    }
    for (const FlatBlock* r : right) {
      bool found = std::any_of(left.begin(), left.end(), [&](const FlatBlock* l) { return l->title == r->title; });
      if (!found) report(r->where, r->title + " exists only on this director");
    }
  }

  void compareWhole(const FlatBlock& a, const FlatBlock& b, const std::set<std::string>& ignored) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.values) keys.insert(k);
    for (const auto& [k, v] : b.values) keys.insert(k);
    for (const auto& k : keys)
      if (!ignored.count(k)) compareValue(a, b, k);
    std::vector<std::string> ia = a.items, ib = b.items;
    std::sort(ia.begin(), ia.end());
    std::sort(ib.begin(), ib.end());
    if (ia != ib) report(a.where, a.title + ": its lines differ from " + describeLocation(b.where));
    for (const auto& [key, child] : a.blocks) {
      auto it = b.blocks.find(key);
      if (it == b.blocks.end()) {
        report(child.where, a.title + ": '" + child.title + "' exists only on this director");
        continue;
      }
      FlatBlock ca = child, cb = it->second;
      ca.title = cb.title = a.title + " > " + child.title;
      compareWhole(ca, cb, ignored);
    }
    for (const auto& [key, child] : b.blocks)
      if (!a.blocks.count(key)) report(child.where, b.title + ": '" + child.title + "' exists only on this director");
  }

  std::vector<PairProblem> problems_;
};

}  // namespace

std::vector<PairProblem> checkPair(const Config& left, const Config& right) {
  return PairChecker().run(flatten(left), flatten(right));
}

}  // namespace tandem::config
