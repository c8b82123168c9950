#pragma once
// Simulated time and advert builders for the VRRP state machine tests. Time zero is the clock's epoch, so an
// ArmTimer prints as "at <microseconds since start>".
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/state_machine.h"

namespace tandem::vrrp::test {

inline TimePoint atUs(std::int64_t us) { return TimePoint{} + Duration{us}; }
inline TimePoint atS(std::int64_t s) { return atUs(s * 1'000'000); }

inline IpAddress ip(const char* text) { return IpAddress::parse(text).value(); }

inline InstanceParams baseParams() {
  InstanceParams p;
  p.name = "VI_1";
  p.version = Version::V3;
  p.vrid = 51;
  p.priority = 100;
  p.advertInterval = Centiseconds{100};
  p.ownAddress = ip("10.0.0.1");
  p.virtualAddresses = {ip("10.0.0.100")};
  return p;
}

// An advert that passes acceptAdvert for baseParams(), from `source`.
inline DecodedAdvert advertFrom(const char* source, int priority, int intervalCs = 100,
                                Version version = Version::V3) {
  DecodedAdvert d;
  d.advert.version = version;
  d.advert.vrid = 51;
  d.advert.priority = static_cast<std::uint8_t>(priority);
  d.advert.advertInterval = static_cast<std::uint16_t>(version == Version::V3 ? intervalCs : intervalCs / 100);
  d.advert.addresses = {ip("10.0.0.100")};
  d.meta.source = ip(source);
  d.meta.destination = ip("224.0.0.18");
  return d;
}

inline std::vector<std::string> describe(const Actions& actions) {
  std::vector<std::string> out;
  for (const auto& a : actions) out.push_back(toString(a));
  return out;
}

// Drives one Instance and keeps the action strings of the last event.
class Sim {
 public:
  explicit Sim(InstanceParams params) : instance_(std::move(params)) {}

  std::vector<std::string> on(const Event& event, TimePoint now) {
    last_ = instance_.onEvent(event, now);
    return describe(last_);
  }
  std::vector<std::string> start(TimePoint now = atUs(0)) { return on(event::Startup{}, now); }
  std::vector<std::string> receive(const DecodedAdvert& d, TimePoint now) {
    return on(event::AdvertReceived{d}, now);
  }
  std::vector<std::string> fire(TimerId timer, TimePoint now) { return on(event::TimerExpired{timer}, now); }
  // Fires `timer` at the deadline the instance asked for.
  std::vector<std::string> fireDue(TimerId timer) { return fire(timer, instance_.deadline(timer).value()); }

  // A fake timer wheel: fires every deadline up to and including `until`, earliest first, and returns all lines.
  std::vector<std::string> advanceTo(TimePoint until) {
    std::vector<std::string> all;
    for (;;) {
      std::optional<TimerId> next;
      for (std::size_t i = 0; i < kTimerCount; ++i) {
        const auto id = static_cast<TimerId>(i);
        const auto d = instance_.deadline(id);
        if (d && *d <= until && (!next || *d < *instance_.deadline(*next))) next = id;
      }
      if (!next) return all;
      const auto lines = fireDue(*next);
      all.insert(all.end(), lines.begin(), lines.end());
    }
  }

  Instance& instance() { return instance_; }
  const Actions& lastActions() const { return last_; }

 private:
  Instance instance_;
  Actions last_;
};

using Lines = std::vector<std::string>;

}  // namespace tandem::vrrp::test
