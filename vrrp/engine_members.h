#pragma once
// The Engine's private bookkeeping, shared by its three source files (engine.cpp, engine_actions.cpp,
// engine_tracking.cpp). Not for use outside the engine.
#include <vector>

#include "vrrp/engine.h"
#include "vrrp/sync_group.h"

namespace tandem::vrrp {

// Gratuitous ARPs / NAs still to send, first in first out. Empty, it holds no memory: a std::deque allocates a
// 512-byte block as soon as it is made, which a thousand idle instances paid for nothing.
class GarpQueue {
 public:
  bool empty() const { return next_ >= items_.size(); }
  // Gives the block back too: a burst for a thousand VIPs would otherwise stay allocated between bursts.
  void clear() {
    items_ = {};
    next_ = 0;
  }
  void append(const std::vector<VirtualAddress>& vips) { items_.insert(items_.end(), vips.begin(), vips.end()); }
  VirtualAddress pop() {
    VirtualAddress front = std::move(items_[next_++]);
    if (empty()) clear();
    return front;
  }

 private:
  std::vector<VirtualAddress> items_;
  std::size_t next_ = 0;
};

struct Engine::Member {
  InstanceConfig config;
  std::optional<Instance> instance;  // built at start, once the source address is known
  std::optional<std::size_t> channel;
  std::optional<std::size_t> group;
  std::optional<InterfaceInfo> link;
  std::array<std::optional<TimerPort::Handle>, kMemberTimers> timers{};
  std::vector<TrackState> interfaceStates;  // parallel to config.trackInterfaces
  GarpQueue garpQueue;
  std::vector<VirtualAddress> addedByReload;  // a MASTER handed over with new VIPs: added when the new engine starts
  std::uint16_t ipId = 0;
  std::uint32_t ahSequence = 0;
  std::uint32_t ahSequenceReserved = 0;  // recorded for a successor; kept ahead of ahSequence
  std::optional<TransitionRecord> lastTransition;  // status reports only
  bool started = false;
  bool adopted = false;          // handed over by a reload: already running
  bool resumeMaster = false;     // the VRRP child this process replaces had it MASTER (see resume.h)
  bool waitingForGroup = false;  // Master_Down expired, held until the whole sync group is ready
  bool primaryUp = true;
  bool noAddress = false;
  bool channelFailed = false;
  // What the Instance was last told, so that only changes are delivered.
  bool toldPrimaryUp = true;
  bool toldFault = false;
  int toldPriority = 0;
};

struct Engine::Channel {
  ChannelSpec spec;
  std::shared_ptr<AdvertChannel> channel;
  std::vector<std::size_t> members;
  std::uint64_t unknownVrid = 0;
  std::uint64_t unroutable = 0;
};

struct Engine::Script {
  TrackScriptConfig config;
  ScriptHealth health;
  std::vector<std::size_t> users;
  std::optional<TimerPort::Handle> timer;
  bool running = false;
};

struct Engine::Group {
  SyncGroupConfig config;
  std::vector<std::size_t> members;
  State state = State::Initialize;
};

// A port callback that does nothing once the engine is gone (a reload destroys engines while timers, scripts and
// sockets may still call back).
template <class F>
auto Engine::guarded(F f) {
  return [alive = std::weak_ptr<bool>(alive_), f = std::move(f)](auto&&... args) {
    if (alive.lock()) f(std::forward<decltype(args)>(args)...);
  };
}

std::string instanceTag(const std::string& name);
std::string describeVip(const VirtualAddress& vip);
std::string_view describe(TransitionReason reason);

}  // namespace tandem::vrrp
