#pragma once
// Keyword name -> position in its keyword table, looked up once per statement. Open addressing
// over a power-of-two table: std::unordered_map's generic string hash and node chasing were
// most of the dispatch cost.
#include <cstddef>
#include <cstdint>
#include <cstring>
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

  // The first and last eight bytes and the length, not every byte: keywords are long ("vrrp_garp_master_refresh")
  // and the lookup runs for every statement. Names alike at both ends only cost a longer probe.
  static std::size_t hash(std::string_view s) {
    const std::size_t n = s.size();
    std::uint64_t head = 0;
    std::uint64_t tail = 0;
    if (n >= 8) {
      std::memcpy(&head, s.data(), 8);
      std::memcpy(&tail, s.data() + n - 8, 8);
    } else if (n >= 4) {
      std::uint32_t a;
      std::uint32_t b;
      std::memcpy(&a, s.data(), 4);
      std::memcpy(&b, s.data() + n - 4, 4);
      head = a;
      tail = b;
    } else if (n > 0) {
      head = static_cast<unsigned char>(s[0]) | static_cast<unsigned char>(s[n / 2]) << 8 |
             static_cast<std::uint64_t>(static_cast<unsigned char>(s[n - 1])) << 16;
    }
    const std::uint64_t h = head * 0x9E3779B97F4A7C15ULL ^ (tail + n) * 0xC2B2AE3D27D4EB4FULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }

  std::vector<Slot> slots_;  // at most half full, so every probe sequence ends at an empty slot
};

}  // namespace tandem::config
