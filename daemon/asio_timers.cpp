#include "daemon/asio_timers.h"

namespace tandem::daemon {
namespace {

constexpr std::uint32_t indexOf(vrrp::TimerPort::Handle h) { return static_cast<std::uint32_t>(h); }
constexpr std::uint32_t generationOf(vrrp::TimerPort::Handle h) { return static_cast<std::uint32_t>(h >> 32); }

}  // namespace

AsioTimers::AsioTimers(boost::asio::io_context& io) : io_(io), timer_(io) {}

AsioTimers::~AsioTimers() { timer_.cancel(); }

void AsioTimers::setBatchHooks(std::function<void()> open, std::function<void()> close) {
  openBatch_ = std::move(open);
  closeBatch_ = std::move(close);
}

AsioTimers::Handle AsioTimers::arm(TimePoint at, std::function<void()> fire) {
  return add(at, at, false, std::move(fire));
}

AsioTimers::Handle AsioTimers::armRoutine(TimePoint at, Duration early, std::function<void()> fire) {
  return add(at, at - std::max(early, Duration::zero()), true, std::move(fire));
}

AsioTimers::Handle AsioTimers::add(TimePoint at, TimePoint earliest, bool routine, std::function<void()> fire) {
  std::uint32_t index;
  if (freeSlots_.empty()) {
    index = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  } else {
    index = freeSlots_.back();
    freeSlots_.pop_back();
  }
  Slot& slot = slots_[index];
  slot.fire = std::move(fire);
  slot.at = at;
  slot.earliest = earliest;
  slot.armed = true;
  slot.routine = routine;
  ++live_;
  const Handle handle = (static_cast<Handle>(slot.generation) << 32) | index;
  due_.push({at, earliest, handle, ++sequence_});
  if (!expiring_ && (!timerAt_ || at < *timerAt_)) schedule();
  return handle;
}

AsioTimers::Slot* AsioTimers::find(Handle handle) {
  const std::uint32_t index = indexOf(handle);
  if (index >= slots_.size()) return nullptr;
  Slot& slot = slots_[index];
  return slot.armed && slot.generation == generationOf(handle) ? &slot : nullptr;
}

void AsioTimers::release(std::uint32_t index) {
  Slot& slot = slots_[index];
  slot.fire = nullptr;
  slot.armed = false;
  ++slot.generation;
  freeSlots_.push_back(index);
  --live_;
}

void AsioTimers::cancel(Handle handle) {
  if (!find(handle)) return;
  release(indexOf(handle));
  // The heap entry stays until it comes to the top; the wake-up it may cause finds nothing to do. With nothing
  // left armed the wait goes too, so that an idle event loop can return.
  compactIfMostlyStale();
  if (live_ == 0 && !expiring_) schedule();
}

void AsioTimers::dropStale() {
  while (!due_.empty() && !find(due_.top().handle)) due_.pop();
}

// Backups re-arm their master-down timer at every advert they hear, so cancelled entries pile up in the heap
// until their time comes; rebuilt when they outnumber the live ones.
void AsioTimers::compactIfMostlyStale() {
  if (due_.size() < 64 || due_.size() < 2 * live_) return;
  std::vector<Due> keep;
  keep.reserve(live_);
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    const Slot& slot = slots_[i];
    if (slot.armed) keep.push_back({slot.at, slot.earliest, (static_cast<Handle>(slot.generation) << 32) | i, 0});
  }
  // Arming order among equal times is kept as well as it can be: by slot, which is close to it.
  for (std::size_t k = 0; k < keep.size(); ++k) keep[k].sequence = k;
  due_ = decltype(due_)(std::greater<Due>(), std::move(keep));
}

void AsioTimers::schedule() {
  dropStale();
  if (due_.empty()) {
    timerAt_.reset();
    timer_.cancel();
    return;
  }
  const TimePoint at = due_.top().at;
  if (timerAt_ && *timerAt_ == at) return;
  timerAt_ = at;
  timer_.expires_at(at);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
    if (ec || !alive.lock()) return;
    expire();
  });
}

void AsioTimers::setBatch(bool open) {
  if (open == batchOpen_) return;
  batchOpen_ = open;
  const auto& hook = open ? openBatch_ : closeBatch_;
  if (hook) hook();
}

// Fires, one at a time and earliest first, every timer whose earliest allowed time has come; a timer fired may arm
// or cancel others, which the heap and the generations see at once.
void AsioTimers::expire() {
  timerAt_.reset();
  const TimePoint now = this->now();
  expiring_ = true;
  try {
    for (;;) {
      dropStale();
      if (due_.empty() || due_.top().earliest > now) break;
      const std::uint32_t index = indexOf(due_.top().handle);
      due_.pop();
      const bool routine = slots_[index].routine;
      std::function<void()> fire = std::move(slots_[index].fire);
      release(index);
      setBatch(routine);
      fire();
    }
  } catch (...) {
    expiring_ = false;
    setBatch(false);
    schedule();
    throw;
  }
  expiring_ = false;
  setBatch(false);
  schedule();
}

}  // namespace tandem::daemon
