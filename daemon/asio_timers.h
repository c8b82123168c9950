#pragma once
// TimerPort on the event loop's monotonic clock: one boost::asio::steady_timer for every timer armed, woken at the
// earliest due time. A thousand VRRP instances re-arm a timer at every advert; one asio timer each cost a heap
// allocation, an asio queue insertion and often a timerfd update per advert, and woke the process once per
// instance.
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <queue>
#include <vector>

#include "vrrp/ports.h"

namespace tandem::daemon {

class AsioTimers final : public vrrp::TimerPort {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  using Duration = std::chrono::steady_clock::duration;

  explicit AsioTimers(boost::asio::io_context& io);
  ~AsioTimers() override;
  AsioTimers(const AsioTimers&) = delete;
  AsioTimers& operator=(const AsioTimers&) = delete;

  Handle arm(TimePoint at, std::function<void()> fire) override;
  Handle armRoutine(TimePoint at, Duration early, std::function<void()> fire) override;
  void cancel(Handle handle) override;
  TimePoint now() const override { return std::chrono::steady_clock::now(); }
  std::size_t pending() const { return live_; }

  // Brackets each run of routine timers fired together (open before the first, close after the last or before a
  // timer that is not routine), so that an adapter can send what they produce in one batch.
  void setBatchHooks(std::function<void()> open, std::function<void()> close);

 private:
  struct Slot {
    std::function<void()> fire;
    TimePoint at{};
    TimePoint earliest{};
    std::uint32_t generation = 1;
    bool armed = false;
    bool routine = false;
  };
  struct Due {
    TimePoint at;
    TimePoint earliest;
    Handle handle;
    std::uint64_t sequence;  // arming order breaks ties
    bool operator>(const Due& o) const { return at > o.at || (at == o.at && sequence > o.sequence); }
  };

  Handle add(TimePoint at, TimePoint earliest, bool routine, std::function<void()> fire);
  Slot* find(Handle handle);
  void release(std::uint32_t index);
  void dropStale();
  void compactIfMostlyStale();
  void schedule();
  void expire();
  void setBatch(bool open);

  boost::asio::io_context& io_;
  boost::asio::steady_timer timer_;
  std::optional<TimePoint> timerAt_;
  std::vector<Slot> slots_;
  std::vector<std::uint32_t> freeSlots_;
  std::priority_queue<Due, std::vector<Due>, std::greater<Due>> due_;
  std::size_t live_ = 0;
  std::uint64_t sequence_ = 0;
  std::function<void()> openBatch_, closeBatch_;
  bool batchOpen_ = false;
  bool expiring_ = false;  // arming from a timer being fired: expire() schedules once at its end
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // a completed wait may run after we are gone
};

}  // namespace tandem::daemon
