#pragma once
// Indentation is most of the bytes of a configuration; both the preprocessor and the lexer skip
// it, eight bytes at a time.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace tandem::config {

// Length of the run of ' ' in `s` starting at `from`.
inline std::size_t spacesAt(std::string_view s, std::size_t from) {
  constexpr std::uint64_t kSpaces = 0x2020202020202020ULL;
  std::size_t i = from;
  while (i + 8 <= s.size()) {
    std::uint64_t word;
    std::memcpy(&word, s.data() + i, sizeof word);
    const std::uint64_t differs = word ^ kSpaces;
    if (differs != 0) {
      const int bits = std::endian::native == std::endian::little ? std::countr_zero(differs) : std::countl_zero(differs);
      return i + static_cast<std::size_t>(bits / 8) - from;
    }
    i += 8;
  }
  while (i < s.size() && s[i] == ' ') ++i;
  return i - from;
}

}  // namespace tandem::config
