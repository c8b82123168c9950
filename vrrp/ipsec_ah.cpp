#include "vrrp/ipsec_ah.h"


#include <algorithm>
#include <stdexcept>
#include <vector>

#include "vrrp/libcrypto.h"

namespace tandem::vrrp {

AhIcv computeAhIcv(std::span<const std::uint8_t> packet, std::size_t ipHeaderLength, const AuthData& key,
                   bool unicast) {
  std::vector<std::uint8_t> copy(packet.begin(), packet.end());
  copy[1] = 0;                                              // TOS
  std::fill_n(copy.begin() + 6, 2, std::uint8_t{0});        // flags + fragment offset
  if (unicast) copy[8] = 0;                                 // TTL
  std::fill_n(copy.begin() + 10, 2, std::uint8_t{0});       // header checksum
  std::fill_n(copy.begin() + static_cast<std::ptrdiff_t>(ipHeaderLength + kAhIcvOffset), kAhIcvSize,
              std::uint8_t{0});

  std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
  unsigned int digestLength = 0;
  const LibCrypto& crypto = libcrypto();
  if (crypto.hmac(crypto.md5(), key.data(), static_cast<int>(key.size()), copy.data(), copy.size(), digest.data(),
           &digestLength) == nullptr ||
      digestLength < kAhIcvSize) {
    // Only possible when MD5 is unavailable (FIPS-only OpenSSL): AH cannot work at all there.
    throw std::runtime_error("HMAC-MD5 unavailable");
  }
  AhIcv icv{};
  std::copy_n(digest.begin(), kAhIcvSize, icv.begin());
  return icv;
}

}  // namespace tandem::vrrp
