#pragma once
// RFC 5798 section 6.1 timer arithmetic, in keepalived's integer microseconds.
#include <cstdint>

#include "vrrp/instance_params.h"

namespace tandem::vrrp {

// v3: ((256 - priority) * Master_Adver_Interval) / 256. v2 (RFC 3768): (256 - priority) / 256 seconds,
// independent of the interval.
Duration skewTime(Version version, std::uint8_t priority, Centiseconds masterAdverInterval);
// The skew of a priority-255 router: keepalived's wait for a non-owner "state MASTER" at startup.
Duration minimalSkewTime(Version version, Centiseconds masterAdverInterval);
// adverts * Master_Adver_Interval + Skew_Time; adverts is 3 in the RFC.
Duration masterDownInterval(Version version, std::uint8_t priority, Centiseconds masterAdverInterval,
                            unsigned adverts = 3);
// How early a MASTER's advert may leave (1/64 of the interval: 15.6 ms at 1 s), so that the adverts of many
// instances due about the same time go out in one wake-up; its backups wait three intervals, and the next advert
// is still due a whole interval after this one was.
Duration advertEarlyAllowance(Centiseconds advertInterval);

}  // namespace tandem::vrrp
