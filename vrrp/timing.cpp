#include "vrrp/timing.h"

namespace tandem::vrrp {
namespace {

Duration skewFor(Version version, std::int64_t weight, Centiseconds interval) {
  // 1 cs = 10000 us, and 10000 / 256 = 625 / 16: exact integers, as keepalived computes them.
  if (version == Version::V3) return Duration{weight * interval.count() * 625 / 16};
  return Duration{weight * 1'000'000 / 256};
}

}  // namespace

Duration skewTime(Version version, std::uint8_t priority, Centiseconds masterAdverInterval) {
  return skewFor(version, 256 - std::int64_t{priority}, masterAdverInterval);
}

Duration minimalSkewTime(Version version, Centiseconds masterAdverInterval) {
  return skewFor(version, 1, masterAdverInterval);
}

Duration masterDownInterval(Version version, std::uint8_t priority, Centiseconds masterAdverInterval,
                            unsigned adverts) {
  return std::chrono::duration_cast<Duration>(masterAdverInterval) * adverts +
         skewTime(version, priority, masterAdverInterval);
}

Duration advertEarlyAllowance(Centiseconds advertInterval) {
  return std::chrono::duration_cast<Duration>(advertInterval) / 64;
}

}  // namespace tandem::vrrp
