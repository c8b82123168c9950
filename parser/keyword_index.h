#pragma once
// Keyword name -> position in its keyword table, looked up once per statement. Open addressing
// over a power-of-two table with FNV-1a: std::unordered_map's generic string hash and node
// chasing were most of the dispatch cost.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace tandem::config {

class KeywordIndex {
 public:
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  // The first of equal names wins, as with unordered_map::emplace.
  explicit KeywordIndex(const std::vector<std::string_view>& names) {
    std::size_t size = 8;
    while (size < names.size() * 2) size *= 2;
    slots_.assign(size, Slot{});
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::size_t at = hash(names[i]) & (size - 1);
      while (slots_[at].position != npos && slots_[at].name != names[i]) at = (at + 1) & (size - 1);
      if (slots_[at].position == npos) slots_[at] = {names[i], i};
    }
  }

  std::size_t find(std::string_view name) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t at = hash(name) & mask;; at = (at + 1) & mask) {
      const Slot& s = slots_[at];
      if (s.position == npos || s.name == name) return s.position;
    }
  }

 private:
  struct Slot {
    std::string_view name;
    std::size_t position = npos;
  };

  static std::size_t hash(std::string_view s) {
    std::uint64_t h = 14695981039346656037ULL;
    for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
  }

  std::vector<Slot> slots_;  // at most half full, so every probe sequence ends at an empty slot
};

}  // namespace tandem::config
