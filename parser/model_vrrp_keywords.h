#pragma once
// Keyword bindings the VRRP-side blocks share beyond the generic ones in schema.h and
// common_fields.h: list blocks read line by line and the track_* lists.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/model_vrrp.h"

namespace tandem::config::vrrp_keywords {

// A block whose lines each become one Item (virtual_ipaddress { ... }). Repeating the block appends.
template <class T, class Item>
Keyword<T> listBlock(std::string_view name, std::vector<Item> T::*field,
                     std::function<std::optional<Item>(const Node&, BuildContext&)> readLine,
                     std::function<std::vector<std::string>(const Item&)> words) {
  return custom<T>(
      name,
      [field, readLine](T& t, const Node& n, BuildContext& ctx) {
        if (!n.hasBlock) {
          ctx.diags.error(n.where, "'" + n.keyword + "' expects a block { ... } with one entry per line");
          return;
        }
        if (!n.args.empty()) ctx.diags.warning(n.where, "'" + n.keyword + "': words before '{' are ignored");
        for (const Node& line : n.children) {
          if (line.hasBlock) {
            ctx.diags.error(line.where, "'" + n.keyword + "' lines take values, not blocks");
            continue;
          }
          if (auto item = readLine(line, ctx)) (t.*field).push_back(std::move(*item));
        }
      },
      [field, name, words](const T& t, DumpWriter& out) {
        if ((t.*field).empty()) return;
        out.open(name, {});
        for (const Item& item : t.*field) out.item(words(item));
        out.close();
      },
      true);
}

template <class T>
Keyword<T> trackList(std::string_view name, std::vector<TrackedRef> T::*field, int minWeight, int maxWeight) {
  return listBlock<T, TrackedRef>(
      name, field,
      [name, minWeight, maxWeight](const Node& line, BuildContext& ctx) {
        return readTrackedRef(line, name, minWeight, maxWeight, ctx);
      },
      [](const TrackedRef& r) { return r.words(); });
}

}  // namespace tandem::config::vrrp_keywords
