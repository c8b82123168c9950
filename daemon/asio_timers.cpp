#include "daemon/asio_timers.h"

namespace tandem::daemon {

AsioTimers::~AsioTimers() {
  for (auto& [handle, timer] : timers_) timer->cancel();
}

AsioTimers::Handle AsioTimers::arm(std::chrono::steady_clock::time_point at, std::function<void()> fire) {
  const Handle handle = ++next_;
  auto timer = std::make_unique<boost::asio::steady_timer>(io_, at);
  // The handler owns nothing of ours: a cancelled timer's handler sees operation_aborted, and one that already
  // completed but was cancelled before running finds its handle gone.
  timer->async_wait([this, alive = std::weak_ptr<bool>(alive_), handle,
                     fire = std::move(fire)](const boost::system::error_code& ec) {
    if (ec || !alive.lock()) return;
    auto it = timers_.find(handle);
    if (it == timers_.end()) return;
    timers_.erase(it);
    fire();
  });
  timers_.emplace(handle, std::move(timer));
  return handle;
}

void AsioTimers::cancel(Handle handle) {
  auto it = timers_.find(handle);
  if (it == timers_.end()) return;
  it->second->cancel();
  timers_.erase(it);
}

}  // namespace tandem::daemon
