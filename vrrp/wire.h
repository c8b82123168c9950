#pragma once
// Big-endian field access and the RFC 1071 internet checksum, shared by the VRRP and IPv4/AH codecs.
#include <cstddef>
#include <cstdint>
#include <span>

namespace tandem::vrrp::wire {

inline std::uint16_t get16(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}
inline std::uint32_t get32(std::span<const std::uint8_t> b, std::size_t at) {
  return (std::uint32_t{get16(b, at)} << 16) | get16(b, at + 2);
}
inline void put16(std::span<std::uint8_t> b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
inline void put32(std::span<std::uint8_t> b, std::size_t at, std::uint32_t v) {
  put16(b, at, static_cast<std::uint16_t>(v >> 16));
  put16(b, at + 2, static_cast<std::uint16_t>(v));
}

// Ones' complement sum kept unfolded so that pseudo-header and message can be summed in pieces.
// Every piece but the last must have an even length.
class ChecksumAccumulator {
 public:
  void add(std::span<const std::uint8_t> bytes) {
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum_ += get16(bytes, i);
    if (i < bytes.size()) sum_ += std::uint32_t{bytes[i]} << 8;
  }
  void add16(std::uint16_t v) { sum_ += v; }
  // The value to put in a checksum field that was zero while summing; 0 when verifying a good packet.
  std::uint16_t finish() const {
    std::uint64_t s = sum_;
    while (s >> 16) s = (s & 0xffff) + (s >> 16);
    return static_cast<std::uint16_t>(~s & 0xffff);
  }

 private:
  std::uint64_t sum_ = 0;
};

inline std::uint16_t internetChecksum(std::span<const std::uint8_t> bytes) {
  ChecksumAccumulator acc;
  acc.add(bytes);
  return acc.finish();
}

}  // namespace tandem::vrrp::wire
