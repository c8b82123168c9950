#include "vrrp/accept.h"

#include <algorithm>

namespace tandem::vrrp {

AcceptReason acceptAdvert(const InstanceParams& params, const DecodedAdvert& decoded, bool checkAddresses) {
  const Advert& a = decoded.advert;
  if (a.version != params.version) return AcceptReason::VersionMismatch;
  if (a.family != params.family) return AcceptReason::FamilyMismatch;
  if (a.vrid != params.vrid) return AcceptReason::VridMismatch;
  if (a.version == Version::V2 && Centiseconds{std::int64_t{a.advertInterval} * 100} != params.advertInterval)
    return AcceptReason::IntervalMismatch;
  if (checkAddresses) {
    const auto& mine = params.virtualAddresses;
    const bool sameSet = a.addresses.size() == mine.size() &&
                         std::all_of(mine.begin(), mine.end(), [&](const IpAddress& vip) {
                           return std::find(a.addresses.begin(), a.addresses.end(), vip) != a.addresses.end();
                         });
    if (!sameSet) return AcceptReason::AddressListMismatch;
  }
  if (decoded.meta.source == params.ownAddress) return AcceptReason::FromOwnAddress;
  return AcceptReason::Accepted;
}

std::string_view toString(AcceptReason reason) {
  switch (reason) {
    case AcceptReason::Accepted: return "accepted";
    case AcceptReason::VersionMismatch: return "version_mismatch";
    case AcceptReason::FamilyMismatch: return "family_mismatch";
    case AcceptReason::VridMismatch: return "vrid_mismatch";
    case AcceptReason::IntervalMismatch: return "interval_mismatch";
    case AcceptReason::AddressListMismatch: return "address_list_mismatch";
    case AcceptReason::FromOwnAddress: return "from_own_address";
    case AcceptReason::AhReplay: return "ah_replay";
  }
  return "unknown";
}

}  // namespace tandem::vrrp
