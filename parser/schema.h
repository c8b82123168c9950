#pragma once
// The declarative keyword tables: one place per block lists every keyword, how its value is
// read and checked, its default (the model field's initial value) and how it is written back.
// The same table drives reading, --dump-conf (text and JSON) and "did you mean" suggestions.
#include <algorithm>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "parser/block_table.h"
#include "parser/boxed.h"
#include "parser/dump_writer.h"
#include "parser/keyword_index.h"
#include "parser/seen_keywords.h"
#include "parser/syntax_tree.h"
#include "parser/values.h"

namespace tandem::config {

// Every block of the model carries this: where it was, where each keyword was set (for
// messages about a value), and the statements recognised but not acted on, kept for dumping.
struct BlockMeta {
  Location where;
  SeenKeywords seen;
  std::vector<Node> kept;

  // Where `keyword` was set in this block, or the block itself when it was left at its default.
  const Location& locationOf(std::string_view keyword) const;
  bool has(std::string_view keyword) const;
};

enum class Support { Typed, Kept, Deprecated };

template <class T>
struct Keyword {
  std::string_view name;
  std::function<void(T&, const Node&, BuildContext&)> read;
  std::function<void(const T&, DumpWriter&)> write;  // empty: nothing to write (kept, deprecated)
  Support support = Support::Typed;
  std::string_view replacement = {};  // current spelling of a deprecated keyword
  bool repeatable = false;            // may appear several times without overriding (e.g. include-like lists)
  // Makes room for this many more statements of the keyword in one block (vectors of named blocks).
  std::function<void(T&, std::size_t)> reserve = {};
  // For a keyword whose block can be read as its lines arrive: does what `read` does before the block's first
  // statement and returns where the statements go. Empty: the statement is read whole, block included, by `read`.
  std::function<OpenBlock(T&, const Node& header, BuildContext&)> open = {};
};

template <class T>
class Schema final : public BlockTable {
 public:
  Schema(std::string_view blockName, std::vector<Keyword<T>> keywords)
      : blockName_(blockName), keywords_(std::move(keywords)), index_(names()) {
    for (std::size_t i = 0; i < keywords_.size(); ++i)
      if (keywords_[i].reserve) reservable_.push_back(i);
  }

  std::string_view blockName() const { return blockName_; }
  const std::vector<Keyword<T>>& keywords() const { return keywords_; }

  const Keyword<T>* find(std::string_view name) const {
    const std::size_t i = index_.find(name);
    return i == KeywordIndex::npos ? nullptr : &keywords_[i];
  }

  std::vector<std::string_view> names() const {
    std::vector<std::string_view> out;
    for (const auto& k : keywords_) out.push_back(k.name);
    return out;
  }

  // Reads the statements inside `block` into `target` (its fields already hold the defaults).
  void read(T& target, const std::pmr::vector<Node>& statements, BuildContext& ctx) const {
    target.meta.seen.reserve(target.meta.seen.size() + statements.size());
    // One allocation per vector of named blocks, not a doubling series of moves.
    for (std::size_t i : reservable_) {
      const Keyword<T>& k = keywords_[i];
      const auto count = std::count_if(statements.begin(), statements.end(), [&](const Node& n) { return n.keyword == k.name; });
      if (count > 1) k.reserve(target, static_cast<std::size_t>(count));
    }
    for (const Node& n : statements) readStatement(target, n, ctx);
  }

  void readStatement(T& target, const Node& n, BuildContext& ctx) const {
    const Keyword<T>* k = admit(target, n, ctx);
    if (!k) return;
    switch (k->support) {
      case Support::Typed:
        k->read(target, n, ctx);
        break;
      case Support::Kept:
        target.meta.kept.push_back(n);
        ctx.diags.warning(n.where, "'" + n.keyword + "' is recognised but not acted on by Tandem yet");
        break;
      case Support::Deprecated: {
        ctx.diags.warning(n.where, "'" + n.keyword + "' is deprecated; use '" + std::string(k->replacement) + "'");
        Node renamed = n;
        renamed.keyword = std::string(k->replacement);
        if (const Keyword<T>* current = find(k->replacement)) current->read(target, renamed, ctx);
        break;
      }
    }
  }

  void readStatementOf(void* target, const Node& n, BuildContext& ctx) const override {
    readStatement(*static_cast<T*>(target), n, ctx);
  }

  // Only a typed keyword's block is read as it arrives: a kept one is stored whole, a deprecated one read whole
  // under its new name, an unknown one reported whole.
  std::optional<OpenBlock> openBlockOf(void* target, const Node& header, BuildContext& ctx) const override {
    const Keyword<T>* k = find(header.keyword);
    if (!k || !k->open || k->support != Support::Typed) return std::nullopt;
    T& t = *static_cast<T*>(target);
    admit(t, header, ctx);
    return k->open(t, header, ctx);
  }

  void beginBlockOf(void* target, BuildContext& ctx) const override {
    if (ctx.sizes) static_cast<T*>(target)->meta.seen.reserve(ctx.sizes->of(this, SizeHints::Count::Statements));
  }

  void endBlockOf(void* target, BuildContext& ctx) const override {
    if (ctx.sizes) ctx.sizes->of(this, SizeHints::Count::Statements) = static_cast<T*>(target)->meta.seen.size();
  }

  void write(const T& target, DumpWriter& out) const {
    for (const auto& k : keywords_) {
      if (!k.write) continue;
      out.locate(target.meta.locationOf(k.name));
      k.write(target, out);
    }
    for (const Node& n : target.meta.kept) out.verbatim(n);
  }

 private:
  // What every statement goes through before it is read: the keyword looked up (an unknown one reported), a
  // repeat that overrides an earlier one warned about, and where it was set remembered.
  const Keyword<T>* admit(T& target, const Node& n, BuildContext& ctx) const {
    const Keyword<T>* k = find(n.keyword);
    if (!k) {
      reportUnknown(n, ctx);
      return nullptr;
    }
    BlockMeta& meta = target.meta;
    if (!k->repeatable && k->support != Support::Kept) {
      for (const auto& [name, where] : meta.seen) {
        if (name == n.keyword) {
          ctx.diags.warning(n.where, "'" + n.keyword + "' set again in " + std::string(blockName_) +
                                         "; this overrides line " + std::to_string(where.line));
          break;
        }
      }
    }
    meta.seen.emplace_back(k->name, n.where);
    return k;
  }

  void reportUnknown(const Node& n, BuildContext& ctx) const {
    if (n.keyword.size() > 1 && n.keyword[0] == '$') {
      // keepalived skips a line that starts with a macro nobody defined; so do we, loudly.
      ctx.diags.warning(n.where, "'" + n.keyword + "' is not a defined macro; the line is ignored");
      return;
    }
    std::string message = "unknown keyword '" + n.keyword + "' in " + std::string(blockName_);
    if (auto guess = closestKeyword(n.keyword, names())) message += "; did you mean '" + *guess + "'?";
    ctx.diags.error(n.where, message);
  }

  std::string_view blockName_;
  std::vector<Keyword<T>> keywords_;
  KeywordIndex index_;
  std::vector<std::size_t> reservable_;
};

// Where the statements of `target`'s block go while its lines arrive.
template <class S>
OpenBlock openBlock(const Schema<S>& schema, S& target, std::function<void(BuildContext&)> close = {}) {
  return OpenBlock(schema, &target, std::move(close));
}

// ---- field bindings: each returns a Keyword that reads, checks and writes one model field ----

namespace detail {
template <class F> struct Unwrap { using type = F; static constexpr bool optional = false; };
template <class F> struct Unwrap<std::optional<F>> { using type = F; static constexpr bool optional = true; };
template <class F> struct Unwrap<Boxed<F>> { using type = F; static constexpr bool optional = true; };

template <class F>
bool isSet(const F& value) {
  if constexpr (Unwrap<F>::optional) return value.has_value();
  else if constexpr (requires { value.set(); }) return value.set();
  else return true;
}
template <class F>
const typename Unwrap<F>::type& get(const F& value) {
  if constexpr (Unwrap<F>::optional) return *value;
  else return value;
}
}  // namespace detail

template <class T>
Keyword<T> kept(std::string_view name) {
  return {name, {}, {}, Support::Kept};
}

template <class T>
Keyword<T> deprecated(std::string_view name, std::string_view replacement) {
  return {name, {}, {}, Support::Deprecated, replacement};
}

template <class T>
Keyword<T> custom(std::string_view name, std::function<void(T&, const Node&, BuildContext&)> read,
                  std::function<void(const T&, DumpWriter&)> write, bool repeatable = false) {
  return {name, std::move(read), std::move(write), Support::Typed, {}, repeatable};
}

// A keyword alone means "on"; keepalived also accepts an explicit on/off word after it.
template <class T>
Keyword<T> flagField(std::string_view name, bool T::*field) {
  return custom<T>(
      name,
      [field](T& t, const Node& n, BuildContext& ctx) {
        if (auto v = readFlag(n, ctx)) t.*field = *v;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (t.*field) out.flag(name);
      });
}

template <class T, class F>
Keyword<T> intField(std::string_view name, F T::*field, long long min, long long max) {
  return custom<T>(
      name,
      [field, min, max](T& t, const Node& n, BuildContext& ctx) {
        expectArgs(n, 1, 1, ctx);
        if (auto v = readInteger(n, 0, min, max, ctx)) t.*field = static_cast<typename detail::Unwrap<F>::type>(*v);
      },
      [field, name](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field)) out.integer(name, static_cast<long long>(detail::get(t.*field)));
      });
}

template <class T, class F>
Keyword<T> decimalField(std::string_view name, F T::*field, double min, double max) {
  return custom<T>(
      name,
      [field, min, max](T& t, const Node& n, BuildContext& ctx) {
        expectArgs(n, 1, 1, ctx);
        if (auto v = readDecimal(n, 0, min, max, ctx)) t.*field = *v;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field)) out.decimal(name, detail::get(t.*field));
      });
}

// One word (quoted or not).
template <class T, class F>
Keyword<T> wordField(std::string_view name, F T::*field) {
  return custom<T>(
      name,
      [field](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        t.*field = n.args[0].text;
      },
      [field, name](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field) && !detail::get(t.*field).empty()) out.text(name, {detail::get(t.*field)});
      });
}

// A command line: one quoted string, or the unquoted words of the rest of the statement.
template <class T, class F>
Keyword<T> commandField(std::string_view name, F T::*field) {
  return custom<T>(
      name,
      [field](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 64, ctx)) return;
        t.*field = n.args.size() == 1 ? n.args[0].text : joinArgs(n);
      },
      [field, name](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field) && !detail::get(t.*field).empty()) out.text(name, {detail::get(t.*field)});
      });
}

// A value with its own reader (which reports its own errors) and its own words for dumping.
template <class T, class F>
Keyword<T> readerField(std::string_view name, F T::*field,
                       std::optional<typename detail::Unwrap<F>::type> (*read)(const Node&, BuildContext&),
                       std::vector<std::string> (*words)(const typename detail::Unwrap<F>::type&)) {
  return custom<T>(
      name,
      [field, read](T& t, const Node& n, BuildContext& ctx) {
        if (auto v = read(n, ctx)) t.*field = std::move(*v);
      },
      [field, name, words](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field)) out.text(name, words(detail::get(t.*field)));
      });
}

template <class E>
using EnumTable = std::vector<std::pair<std::string_view, E>>;

template <class E>
std::string_view enumName(const EnumTable<E>& table, E value) {
  for (const auto& [name, v] : table)
    if (v == value) return name;
  return "?";
}

template <class T, class F>
Keyword<T> enumField(std::string_view name, F T::*field, EnumTable<typename detail::Unwrap<F>::type> table) {
  return custom<T>(
      name,
      [field, table](T& t, const Node& n, BuildContext& ctx) {
        if (!expectArgs(n, 1, 1, ctx)) return;
        for (const auto& [word, value] : table) {
          if (n.args[0].text == word) { t.*field = value; return; }
        }
        std::string allowed;
        for (const auto& entry : table) allowed += (allowed.empty() ? "" : ", ") + std::string(entry.first);
        ctx.diags.error(n.where, "'" + n.keyword + "': '" + n.args[0].text + "' is not one of " + allowed);
      },
      [field, name, table](const T& t, DumpWriter& out) {
        if (detail::isSet(t.*field)) out.text(name, {std::string(enumName(table, detail::get(t.*field)))});
      });
}

// A nested block read with its own schema into a single member (e.g. authentication { }).
template <class T, class S>
Keyword<T> blockField(std::string_view name, S T::*field, const Schema<S>& schema) {
  Keyword<T> k = custom<T>(
      name,
      [field, &schema](T& t, const Node& n, BuildContext& ctx) {
        if (!n.hasBlock) { ctx.diags.error(n.where, "'" + n.keyword + "' expects a block { ... }"); return; }
        S& s = t.*field;
        s.meta.where = n.where;
        schema.read(s, n.children, ctx);
      },
      [field, name, &schema](const T& t, DumpWriter& out) {
        const S& s = t.*field;
        if (!s.meta.where.valid()) return;
        out.open(name, {});
        schema.write(s, out);
        out.close();
      });
  k.open = [field, &schema](T& t, const Node& n, BuildContext&) {
    S& s = t.*field;
    s.meta.where = n.where;
    return openBlock(schema, s);
  };
  return k;
}

// Named blocks that may repeat (vrrp_instance NAME { }), each appended to a vector.
template <class T, class S>
Keyword<T> namedBlocks(std::string_view name, std::vector<S> T::*field, const Schema<S>& schema,
                       std::function<void(S&, const Node&, BuildContext&)> init = {}) {
  Keyword<T> k = custom<T>(
      name,
      [field, &schema, init](T& t, const Node& n, BuildContext& ctx) {
        if (!n.hasBlock) { ctx.diags.error(n.where, "'" + n.keyword + "' expects a block { ... }"); return; }
        S& s = (t.*field).emplace_back();  // read in place: a block can be large to move
        s.meta.where = n.where;
        if (init) init(s, n, ctx);
        schema.read(s, n.children, ctx);
      },
      [field, name, &schema](const T& t, DumpWriter& out) {
        for (const S& s : t.*field) {
          out.locate(s.meta.where);
          out.open(name, s.blockArgs());
          schema.write(s, out);
          out.close();
        }
      },
      true);
  k.reserve = [field](T& t, std::size_t more) { (t.*field).reserve((t.*field).size() + more); };
  k.open = [field, &schema, init](T& t, const Node& n, BuildContext& ctx) {
    std::vector<S>& blocks = t.*field;
    if (ctx.sizes) {
      std::size_t& last = ctx.sizes->of(&schema, SizeHints::Count::Blocks);
      if (blocks.empty()) blocks.reserve(last);
      last = blocks.size() + 1;
    }
    S& s = blocks.emplace_back();
    s.meta.where = n.where;
    if (init) init(s, n, ctx);
    return openBlock(schema, s);
  };
  return k;
}

}  // namespace tandem::config
