#pragma once
// The VRRP engine: owns every Instance of a configuration and carries out what they ask through the ports.
// It decides nothing about the protocol itself (Instance does); it routes packets, runs timers, scripts and
// trackers, keeps vrrp_sync_group members together and logs. No sockets and no clock of its own: everything goes
// through EnginePorts, so tests drive it with fakes and simulated time. Single-threaded, like the ports.
#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/engine_config.h"
#include "vrrp/ports.h"
#include "vrrp/resume.h"
#include "vrrp/state_machine.h"
#include "vrrp/sync_group.h"
#include "vrrp/tracking.h"

namespace tandem::vrrp {

class EngineLog {
 public:
  enum class Level : std::uint8_t { Error, Warning, Info, Debug };
  virtual ~EngineLog() = default;
  virtual void log(Level level, const std::string& line) = 0;
};

struct EnginePorts {
  InterfacePort& interfaces;
  ChannelFactory& channels;
  AddressPort& addresses;
  GratuitousPort& gratuitous;
  ScriptPort& scripts;
  TimerPort& timers;
  EngineLog& log;
  ResumePort* resume = nullptr;  // null: nothing is recorded for a successor
};

// The last state change of an instance, for status reports (time on the TimerPort's clock).
struct TransitionRecord {
  State from = State::Initialize;
  State to = State::Initialize;
  TransitionReason reason = TransitionReason::Startup;
  TimePoint at{};
};

// Packets a receive channel could not hand to any instance.
struct ChannelCounters {
  std::string interface;
  Family family = Family::Ipv4;
  std::uint64_t unknownVrid = 0;
  std::uint64_t unroutable = 0;
};

struct EngineOptions {
  // -V / --dont-release-vrrp. keepalived then skips its whole instance shutdown: no priority 0 advert, VIPs
  // left in place; only the notify_stop scripts still run.
  bool dontReleaseVrrp = false;
  // Called after each state change of an instance, its own actions carried out (startup and shutdown included):
  // what follows an instance outside VRRP, such as the IPVS sync daemon, hangs here. It must not call the engine.
  std::function<void(const std::string& instance, State from, State to)> onStateChange{};
  // What the VRRP child this process replaces recorded (see resume.h); empty on a fresh start, which removes
  // leftover VIPs instead.
  std::vector<ResumeRecord> resumeFrom{};
};

class Engine {
 public:
  Engine(EngineConfig config, EnginePorts ports, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resolves interfaces, opens channels, watches interfaces, removes VIPs an earlier run left behind (unless the
  // instance starts as MASTER, or resumes as the MASTER its crashed predecessor was), starts the track scripts
  // and the instances.
  void start();
  // Every instance leaves: a master sends priority 0 and releases its VIPs (not with dontReleaseVrrp), notify_stop
  // runs. Timers and track scripts stop; later port callbacks are ignored.
  void shutdown();

  const Instance* instance(std::string_view name) const;
  const InstanceConfig* instanceConfig(std::string_view name) const;
  std::optional<State> groupState(std::string_view group) const;
  std::optional<TrackState> scriptState(std::string_view script) const;
  // Packets for a VRID no instance on that channel runs, and packets too short to name a VRID.
  std::uint64_t unknownVrid(const std::string& interface, Family family) const;
  std::uint64_t unroutable(const std::string& interface, Family family) const;
  // Read-only views for status reports and dumps; they change nothing.
  std::vector<std::string> instanceNames() const;
  std::optional<TransitionRecord> lastTransition(std::string_view name) const;
  std::vector<ChannelCounters> channelCounters() const;

  // An instance that keeps running across a reload: moved out of this engine into `to`, which must have an
  // instance of that name with the same interface, family and VRID and must not have started yet. It takes the new
  // settings; a MASTER removes now the VIPs the new configuration drops, and `to` adds those it gains when it
  // starts (after this engine's shutdown has released what other instances give up).
  bool handOver(std::string_view name, Engine& to);

 private:
  struct Member;
  struct Channel;
  struct Script;
  struct Group;
  enum class MemberTimer : std::uint8_t { Garp = kTimerCount, GarpRefresh, Count };
  static constexpr std::size_t kMemberTimers = static_cast<std::size_t>(MemberTimer::Count);

  // engine.cpp: lifecycle, packets, timers
  void openChannel(std::size_t m);
  void startMember(std::size_t m);
  void removeLeftoverVips(std::size_t m);
  void decideResumes();
  std::vector<ResumeRecord> resumeRecords() const;
  void saveResumeRecords();
  void scheduleResumeSave();
  void onPacket(std::size_t channel, const ReceivedPacket& packet);
  void deliver(std::size_t m, const Event& event);
  void armTimer(std::size_t m, std::size_t slot, TimePoint at);
  void cancelTimer(std::size_t m, std::size_t slot);
  void onInstanceTimer(std::size_t m, TimerId timer);
  template <class F>
  auto guarded(F f);

  // engine_actions.cpp: carrying out Actions
  void execute(std::size_t m, const Actions& actions);
  void sendAdvert(std::size_t m, std::uint8_t priority);
  void reserveAhSequence(Member& member);
  void setVips(std::size_t m, bool add);
  void queueGratuitous(std::size_t m, unsigned repeat);
  void queueGratuitous(std::size_t m, unsigned repeat, const std::vector<VirtualAddress>& vips);
  void reconcileReloadedVips(const Member& src, Member& dst);
  void addReloadedVips(std::size_t m);
  void sendNextGratuitous(std::size_t m);
  void onGarpRefresh(std::size_t m);
  void notifyInstance(std::size_t m, State state);
  void notifyGroup(std::size_t g, State state);
  void runNotify(const NotifyScripts& scripts, State state, const char* type, const std::string& name, int priority);
  void runScript(const ScriptCommand& command, std::chrono::milliseconds timeout, std::string what);
  void log(EngineLog::Level level, const std::string& line);

  // engine_tracking.cpp: track scripts, interfaces, fault/priority inputs, sync groups
  void scheduleScript(std::size_t s, TimePoint at);
  void runTrackScript(std::size_t s);
  void onScriptResult(std::size_t s, int status);
  void onInterfaceChange(const InterfaceInfo& info);
  // withPrimary: count the instance's own interface, which the Instance itself hears about separately.
  bool ownFault(const Member& member, bool withPrimary) const;
  void updateInputs(std::size_t m);
  void updateAllInputs();
  void startWaitingMembers();
  bool startHeld(std::size_t m) const;
  void afterTransition(std::size_t m, State from, State to);
  void updateGroupState(std::size_t g);
  std::vector<MemberView> groupViews(std::size_t g) const;
  int trackedPriority(const Member& member) const;

  EnginePorts ports_;
  EngineOptions options_;
  std::vector<std::unique_ptr<Member>> members_;
  std::vector<Channel> channels_;
  std::vector<Script> scripts_;
  std::vector<Group> groups_;
  std::optional<TimerPort::Handle> resumeSaveTimer_;
  std::shared_ptr<bool> alive_;  // port callbacks hold a weak_ptr: nothing runs after destruction
  // Lines logged while Actions are carried out, written once they are all done (see execute()).
  int executing_ = 0;
  std::vector<std::pair<EngineLog::Level, std::string>> heldLog_;
  bool started_ = false;
  bool stopping_ = false;
};

}  // namespace tandem::vrrp
