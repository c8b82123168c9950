#pragma once
// What one VRRP instance needs to know about itself. Deliberately small and independent of the config model:
// the daemon maps keepalived's vrrp_instance block onto it.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "vrrp/ip_address.h"
#include "vrrp/packet.h"

namespace tandem::vrrp {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
// keepalived keeps its VRRP timers in microseconds; so do we, so that skew times match it to the microsecond.
using Duration = std::chrono::microseconds;
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

// RFC 5798 section 6.4 states plus keepalived's FAULT. Initialize is also where an instance rests after shutdown.
enum class State : std::uint8_t { Initialize, Backup, Master, Fault };
std::string_view toString(State state);

inline constexpr std::uint8_t kPriorityOwner = 255;
inline constexpr std::uint8_t kPriorityStop = 0;

struct InstanceParams {
  std::string name;
  Version version = Version::V3;
  Family family = Family::Ipv4;
  std::uint8_t vrid = 1;
  std::uint8_t priority = 100;  // base priority; 255 is the address owner
  // v2 adverts carry whole seconds, so a v2 interval must be a multiple of 100 cs.
  Centiseconds advertInterval{100};
  // keepalived's "state MASTER|BACKUP". A non-owner MASTER still starts in Backup but takes over after one
  // advert interval instead of three, as keepalived does.
  State initialState = State::Backup;
  bool preempt = true;  // false = keepalived "nopreempt" (the config layer allows it only with state BACKUP)
  std::chrono::seconds preemptDelay{0};
  IpAddress ownAddress;  // primary address: the RFC's tie-breaker, and our own adverts' source
  std::vector<IpAddress> virtualAddresses;
  // keepalived skip_check_adv_addr: check the address list only when the advert comes from a new master.
  bool skipCheckAdvAddr = false;
  unsigned downTimerAdverts = 3;      // keepalived down_timer_adverts: the RFC's 3
  bool lowerPrioNoAdvert = false;     // keepalived: a master answers a lower-priority advert unless this is set
  bool higherPrioSendAdvert = false;  // keepalived: a master sends one advert before yielding
  unsigned garpMasterRepeat = 5;
  std::chrono::seconds garpMasterDelay{5};  // second burst after becoming master; 0 disables it
  AuthType authType = AuthType::None;
  AuthData authData{};
  // Alarms keepalived lacks (see Instance): both are only reported, they change no election.
  bool splitBrainDetection = true;
  unsigned noPeerAlarmIntervals = 0;  // 0 disables NoPeerHeard
};

}  // namespace tandem::vrrp
