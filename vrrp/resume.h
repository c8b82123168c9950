#pragma once
// Resuming after our own crash. When the VRRP child dies (SIGKILL, a bug) the parent starts a new one within tens
// of milliseconds, long before any backup's Master_Down_Interval runs out. Treating the VIPs the dead child bound
// as an earlier run's leftovers would remove them and add them back a second or more later: a flap the network
// sees, caused only by us. So the child records what each instance is (state, VIPs, AH sequence reservation) and
// a respawned child resumes a recorded MASTER as MASTER: it adopts the VIPs, advertises at once and lets the
// RFC's rules settle any conflict (a better master heard makes it step down and release them). A fresh start of
// the daemon ignores the record and removes leftovers, as keepalived does.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/engine_config.h"

namespace tandem::vrrp {

// What a running child knows about one instance, written for its successor.
struct ResumeRecord {
  std::string instance;
  std::string interface;
  Family family = Family::Ipv4;
  std::uint8_t vrid = 0;
  State state = State::Initialize;
  std::vector<std::string> vips;  // vipsFingerprint(): what the instance binds as master
  // AH sequence numbers below this may have been sent: a successor continues from here, so that backups do not
  // drop its adverts as replays.
  std::uint32_t ahSequenceReserved = 0;
  bool operator==(const ResumeRecord&) const = default;
};

// Where the records go (the daemon writes a file under the run directory). Called on the loop thread.
class ResumePort {
 public:
  virtual ~ResumePort() = default;
  virtual void save(const std::vector<ResumeRecord>& records) = 0;
};

// The configured VIPs (virtual_ipaddress and _excluded), as text that changes when any of them changes.
std::vector<std::string> vipsFingerprint(const InstanceConfig& config);

// How far ahead of the last sent AH sequence number the reservation is kept: the record is rewritten once per
// this many adverts (every ~17 minutes at advert_int 1), never once per advert.
inline constexpr std::uint32_t kAhSequenceReservation = 1024;

struct ResumeDecision {
  bool resumeMaster = false;
  std::string why;  // for the log: why it resumes, or why it starts afresh although a record exists
};

// Whether a respawned child resumes `config` as MASTER, from the record its predecessor left (null: none).
// Only a record of the same instance (name, interface, family, VRID) in MASTER with the same VIPs qualifies:
// anything else may have changed under the dead child, and a fresh start is the safe answer.
ResumeDecision decideResume(const InstanceConfig& config, const ResumeRecord* record);

const ResumeRecord* findRecord(const std::vector<ResumeRecord>& records, std::string_view instance);

}  // namespace tandem::vrrp
