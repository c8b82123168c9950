#pragma once
// Hand-written doubles of the engine's ports: a simulated clock with a timer wheel, a shared link that carries
// adverts between engines, and recorders for addresses, gratuitous ARPs, scripts and log lines.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "vrrp/engine.h"
#include "vrrp/packet.h"

namespace tandem::vrrp::test {

inline TimePoint atMs(std::int64_t ms) { return TimePoint{} + std::chrono::milliseconds{ms}; }
inline std::int64_t usOf(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
inline IpAddress addr(const char* text) { return IpAddress::parse(text).value(); }

class FakeTimers : public TimerPort {
 public:
  Handle arm(TimePoint at, std::function<void()> fire) override {
    const Handle h = ++next_;
    timers_[h] = {at, std::move(fire)};
    return h;
  }
  // With routineEarly set, a routine timer fires at the earliest time it allows, as AsioTimers may.
  Handle armRoutine(TimePoint at, std::chrono::steady_clock::duration early, std::function<void()> fire) override {
    return arm(routineEarly ? at - early : at, std::move(fire));
  }
  void cancel(Handle handle) override { timers_.erase(handle); }
  TimePoint now() const override { return now_; }
  bool routineEarly = false;

  // Fires every timer due up to `until`, earliest first (arming order on ties), moving the clock to each.
  void advanceTo(TimePoint until) {
    for (;;) {
      auto next = timers_.end();
      for (auto it = timers_.begin(); it != timers_.end(); ++it)
        if (it->second.at <= until && (next == timers_.end() || it->second.at < next->second.at)) next = it;
      if (next == timers_.end()) break;
      now_ = std::max(now_, next->second.at);
      auto fire = std::move(next->second.fire);
      timers_.erase(next);
      fire();
    }
    now_ = std::max(now_, until);
  }
  void advanceBy(std::chrono::microseconds d) { advanceTo(now_ + d); }
  std::size_t pending() const { return timers_.size(); }

 private:
  struct Timer {
    TimePoint at;
    std::function<void()> fire;
  };
  std::map<Handle, Timer> timers_;
  Handle next_ = 0;
  TimePoint now_{};
};

// One Ethernet segment: what a channel sends reaches every other channel of the same family, through a zero-delay
// timer so that no engine is re-entered from inside another's send.
class FakeLink {
 public:
  explicit FakeLink(FakeTimers& timers) : timers_(timers) {}

  struct Endpoint {
    int id;
    Family family;
    std::function<void(const ReceivedPacket&)> onPacket;
    bool transmits = true;
    bool receives = true;
  };

  std::shared_ptr<Endpoint> attach(Family family, std::function<void(const ReceivedPacket&)> onPacket) {
    auto e = std::make_shared<Endpoint>(Endpoint{static_cast<int>(endpoints_.size()), family, std::move(onPacket)});
    endpoints_.push_back(e);
    return e;
  }

  void send(const Endpoint& from, std::vector<std::uint8_t> bytes, const IpAddress& source,
            const IpAddress& destination) {
    sent.push_back(bytes);
    if (!from.transmits) return;
    for (const auto& weak : endpoints_) {
      auto to = weak.lock();
      if (!to || to.get() == &from || to->family != from.family) continue;
      timers_.arm(timers_.now(), [weak, bytes, source, destination, family = from.family] {
        auto target = weak.lock();
        if (!target || !target->receives) return;
        ReceivedPacket p;
        p.family = family;
        p.bytes = bytes;
        p.meta.source = source;
        p.meta.destination = destination;
        p.meta.ifindex = 2;
        target->onPacket(p);
      });
    }
  }

  std::vector<std::vector<std::uint8_t>> sent;

 private:
  FakeTimers& timers_;
  std::vector<std::weak_ptr<Endpoint>> endpoints_;
};

class FakeChannel : public AdvertChannel {
 public:
  FakeChannel(FakeLink& link, std::shared_ptr<FakeLink::Endpoint> endpoint, IpAddress source)
      : link_(link), endpoint_(std::move(endpoint)), source_(source) {}
  bool send(std::span<const std::uint8_t> packet, const IpAddress& destination) override {
    destinations.push_back(destination);
    link_.send(*endpoint_, {packet.begin(), packet.end()}, source_, destination);
    return true;
  }
  FakeLink::Endpoint& endpoint() { return *endpoint_; }
  std::vector<IpAddress> destinations;

 private:
  FakeLink& link_;
  std::shared_ptr<FakeLink::Endpoint> endpoint_;
  IpAddress source_;
};

class FakeChannels : public ChannelFactory {
 public:
  FakeChannels(FakeLink& link, IpAddress source) : link_(link), source_(source) {}
  std::shared_ptr<AdvertChannel> open(const ChannelSpec& spec, std::function<void(const ReceivedPacket&)> onPacket,
                                      std::string& error) override {
    specs.push_back(spec);
    if (fail) {
      error = "refused by the test";
      return nullptr;
    }
    auto c = std::make_shared<FakeChannel>(link_, link_.attach(spec.family, std::move(onPacket)), source_);
    opened.push_back(c);
    return c;
  }
  // A dead host: nothing it sends arrives, nothing reaches it.
  void disconnect() {
    for (auto& c : opened) c->endpoint().transmits = c->endpoint().receives = false;
  }
  // One-way failure: what this host sends is lost, it still hears the others.
  void mute() {
    for (auto& c : opened) c->endpoint().transmits = false;
  }
  std::vector<ChannelSpec> specs;
  std::vector<std::shared_ptr<FakeChannel>> opened;
  bool fail = false;

 private:
  FakeLink& link_;
  IpAddress source_;
};

class FakeInterfaces : public InterfacePort {
 public:
  explicit FakeInterfaces(const char* ipv4 = "192.0.2.1") {
    InterfaceInfo eth0;
    eth0.ifindex = 2;
    eth0.name = "eth0";
    eth0.up = true;
    eth0.primaryIpv4 = addr(ipv4);
    eth0.linkLocalIpv6 = addr("fe80::1");
    links["eth0"] = eth0;
  }
  std::optional<InterfaceInfo> find(const std::string& name) override {
    auto it = links.find(name);
    if (it == links.end()) return std::nullopt;
    return it->second;
  }
  std::optional<InterfaceInfo> find(int ifindex) override {
    for (auto& [name, info] : links)
      if (info.ifindex == ifindex) return info;
    return std::nullopt;
  }
  void watch(std::function<void(const InterfaceInfo&)> onChange) override { watchers_.push_back(std::move(onChange)); }
  void setUp(const std::string& name, bool up) {
    InterfaceInfo& info = links[name];
    info.name = name;
    info.up = up;
    for (auto& w : watchers_) w(info);
  }
  std::map<std::string, InterfaceInfo> links;

 private:
  std::vector<std::function<void(const InterfaceInfo&)>> watchers_;
};

class FakeAddresses : public AddressPort {
 public:
  bool add(const VirtualAddress& vip, const std::string& dev, std::string& error) override {
    if (vip.address == failOn) {
      error = "EPERM";
      return false;
    }
    present_.insert(key(vip, dev));
    ops.push_back("add " + key(vip, dev));
    return true;
  }
  bool remove(const VirtualAddress& vip, const std::string& dev, std::string&) override {
    present_.erase(key(vip, dev));
    ops.push_back("del " + key(vip, dev));
    return true;
  }
  bool present(const VirtualAddress& vip, const std::string& dev) override { return present_.count(key(vip, dev)) > 0; }
  bool has(const char* address, const char* dev = "eth0") const {
    return present_.count(std::string(address) + "%" + dev) > 0;
  }
  void preset(const char* address, const char* dev = "eth0") { present_.insert(std::string(address) + "%" + dev); }
  std::vector<std::string> ops;
  IpAddress failOn;

 private:
  static std::string key(const VirtualAddress& vip, const std::string& dev) {
    return vip.address.toString() + "%" + (vip.device.empty() ? dev : vip.device);
  }
  std::set<std::string> present_;
};

class FakeGratuitous : public GratuitousPort {
 public:
  explicit FakeGratuitous(const FakeTimers& timers) : timers_(timers) {}
  bool announce(const InterfaceInfo& link, const IpAddress& vip, std::string&) override {
    sent.push_back({usOf(timers_.now()), link.name + " " + vip.toString()});
    return true;
  }
  std::vector<std::pair<std::int64_t, std::string>> sent;

 private:
  const FakeTimers& timers_;
};

class FakeScripts : public ScriptPort {
 public:
  struct Run {
    std::vector<std::string> argv;
    std::chrono::milliseconds timeout;
    std::string user;
    std::function<void(int)> done;
  };
  void run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout, const std::string& user,
           std::function<void(int)> done) override {
    runs.push_back({argv, timeout, user, std::move(done)});
    if (!autoStatus) return;
    if (auto status = autoStatus(argv)) std::exchange(runs.back().done, nullptr)(*status);
  }
  // Completes every run of `program` still waiting, with `status`.
  void finish(const std::string& program, int status) {
    for (auto& r : runs)
      if (r.done && r.argv.at(0) == program) std::exchange(r.done, nullptr)(status);
  }
  std::vector<std::vector<std::string>> argvsOf(const std::string& program) const {
    std::vector<std::vector<std::string>> out;
    for (const auto& r : runs)
      if (r.argv.at(0) == program) out.push_back(r.argv);
    return out;
  }
  std::function<std::optional<int>(const std::vector<std::string>&)> autoStatus;
  std::vector<Run> runs;
};

class FakeLog : public EngineLog {
 public:
  explicit FakeLog(const FakeTimers& timers) : timers_(timers) {}
  void log(Level level, const std::string& line) override {
    lines.push_back({usOf(timers_.now()), level, line});
    if (onLine) onLine(line);
  }
  std::function<void(const std::string&)> onLine;  // sees each line as it is written
  // Time (us) of the first line containing `text`, or -1.
  std::int64_t when(const std::string& text) const {
    for (const auto& l : lines)
      if (l.text.find(text) != std::string::npos) return l.us;
    return -1;
  }
  bool has(const std::string& text) const { return when(text) >= 0; }
  struct Line {
    std::int64_t us;
    Level level;
    std::string text;
  };
  std::vector<Line> lines;

 private:
  const FakeTimers& timers_;
};

// The resume record as a file would keep it: the last one saved, and how many saves there were.
class FakeResume : public ResumePort {
 public:
  void save(const std::vector<ResumeRecord>& records) override {
    last = records;
    ++saves;
  }
  std::vector<ResumeRecord> last;
  int saves = 0;
};

// One simulated host: an engine and its ports, on a shared link and clock.
struct Host {
  Host(FakeTimers& timers, FakeLink& link, const char* ipv4)
      : interfaces(ipv4), channels(link, addr(ipv4)), gratuitous(timers), log(timers), timers_(timers) {}

  void run(EngineConfig config, EngineOptions options = {}) {
    engine = std::make_unique<Engine>(std::move(config),
                                      EnginePorts{interfaces, channels, addresses, gratuitous, scripts, timers_, log, &resume},
                                      options);
    engine->start();
  }
  // Dies without a word: no priority 0, nothing received any more.
  void crash() {
    channels.disconnect();
    engine.reset();
  }
  // After crash(): the VRRP child started again by its parent. The addresses stayed; the new engine gets the record.
  void respawn(EngineConfig config, EngineOptions options = {}) {
    options.resumeFrom = resume.last;
    run(std::move(config), std::move(options));
  }
  State state(const char* name) const { return engine->instance(name)->state(); }

  FakeInterfaces interfaces;
  FakeChannels channels;
  FakeAddresses addresses;
  FakeGratuitous gratuitous;
  FakeScripts scripts;
  FakeLog log;
  FakeResume resume;
  std::unique_ptr<Engine> engine;

 private:
  FakeTimers& timers_;
};

// An instance as keepalived would map "vrrp_instance NAME { interface eth0; virtual_router_id VRID; priority P;
// advert_int 1; virtual_ipaddress { VIP/24 } }" (VRRPv2 by default in keepalived; v3 here unless asked).
inline InstanceConfig instanceConfig(const char* name, int vrid, int priority, const char* vip = "192.0.2.100",
                                     Version version = Version::V3) {
  InstanceConfig c;
  c.params.name = name;
  c.params.version = version;
  c.params.vrid = static_cast<std::uint8_t>(vrid);
  c.params.priority = static_cast<std::uint8_t>(priority);
  c.params.advertInterval = Centiseconds{100};
  c.params.virtualAddresses = {addr(vip)};
  c.params.garpMasterDelay = std::chrono::seconds{0};
  c.params.garpMasterRepeat = 1;
  c.interface = "eth0";
  c.channel.interface = "eth0";
  c.channel.family = Family::Ipv4;
  c.channel.multicastGroup = addr("224.0.0.18");
  VirtualAddress v;
  v.address = addr(vip);
  v.prefixLength = 24;
  c.vips = {v};
  return c;
}

// VI_1 (VRID 51, VRRPv2) with IPsec AH authentication, key "key".
inline InstanceConfig ahInstanceConfig(int priority) {
  InstanceConfig c = instanceConfig("VI_1", 51, priority, "192.0.2.100", Version::V2);
  c.params.authType = AuthType::Ah;
  c.params.authData = makeAuthData("key");
  return c;
}

// Two hosts on one link and one clock.
class TwoHosts : public ::testing::Test {
 protected:
  FakeTimers timers;
  FakeLink link{timers};
  Host a{timers, link, "192.0.2.1"};
  Host b{timers, link, "192.0.2.2"};
};

inline EngineConfig oneInstance(InstanceConfig c) {
  EngineConfig e;
  e.instances.push_back(std::move(c));
  return e;
}

}  // namespace tandem::vrrp::test
