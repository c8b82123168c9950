#pragma once
// Checks of a well-formed advert against the local instance (RFC 3768 / RFC 5798 section 7.1, second half).
#include <cstddef>
#include <string_view>

#include "vrrp/instance_params.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {

enum class AcceptReason : std::uint8_t {
  Accepted,
  VersionMismatch,      // v2 advert on a v3 instance or the reverse
  FamilyMismatch,       // IPv4 advert on an IPv6 instance or the reverse
  VridMismatch,
  IntervalMismatch,     // v2 only: RFC 3768 requires the same interval; v3 backups learn it instead
  AddressListMismatch,  // count or set of virtual addresses differs (keepalived drops, whoever sends)
  FromOwnAddress,       // our own advert looped back, or a duplicate address on the link
  AhReplay,             // AH sequence number not newer than the last one from that sender (Instance only; last)
};
inline constexpr std::size_t kAcceptReasonCount = static_cast<std::size_t>(AcceptReason::AhReplay) + 1;

std::string_view toString(AcceptReason reason);

// checkAddresses=false is keepalived's skip_check_adv_addr for an advert from the known master.
AcceptReason acceptAdvert(const InstanceParams& params, const DecodedAdvert& decoded, bool checkAddresses = true);

}  // namespace tandem::vrrp
