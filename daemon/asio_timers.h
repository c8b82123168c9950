#pragma once
// TimerPort on the event loop's monotonic clock (boost::asio::steady_timer).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "vrrp/ports.h"

namespace tandem::daemon {

class AsioTimers final : public vrrp::TimerPort {
 public:
  explicit AsioTimers(boost::asio::io_context& io) : io_(io) {}
  ~AsioTimers() override;

  Handle arm(std::chrono::steady_clock::time_point at, std::function<void()> fire) override;
  void cancel(Handle handle) override;
  std::chrono::steady_clock::time_point now() const override { return std::chrono::steady_clock::now(); }
  std::size_t pending() const { return timers_.size(); }

 private:
  boost::asio::io_context& io_;
  std::map<Handle, std::unique_ptr<boost::asio::steady_timer>> timers_;
  Handle next_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // handlers may outlive us in the io_context
};

}  // namespace tandem::daemon
