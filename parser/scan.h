#pragma once
// Indentation is most of the bytes of a configuration; both the preprocessor and the lexer skip
// it, eight bytes at a time.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(__SSE2__)
// Lines are classified sixteen bytes at a time where the processor can: each lane of the result is all ones where
// the byte matches.
inline __m128i bytesEqual(__m128i v, char c) { return _mm_cmpeq_epi8(v, _mm_set1_epi8(c)); }

// Bytes from `low` to `high`, compared unsigned (SSE2 compares bytes as signed, and UTF-8's bytes are above 0x7f):
// v - low is at most high - low exactly for them.
inline __m128i bytesBetween(__m128i v, unsigned char low, unsigned char high) {
  const __m128i offset = _mm_sub_epi8(v, _mm_set1_epi8(static_cast<char>(low)));
  return _mm_cmpeq_epi8(_mm_min_epu8(offset, _mm_set1_epi8(static_cast<char>(high - low))), offset);
}
#endif

}  // namespace tandem::config
