#pragma once
// Runs an Asio loop until a condition holds, for at most `limit`: the only way these tests wait. A 10 ms tick on
// the loop re-checks conditions that change outside it (a script writing a file, a process dying).
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>

namespace tandem::check::testing {

inline bool runUntil(boost::asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  boost::asio::steady_timer tick(io);
  std::function<void()> arm = [&tick, &arm] {
    tick.expires_after(std::chrono::milliseconds(10));
    tick.async_wait([&arm](const boost::system::error_code& ec) {
      if (!ec) arm();
    });
  };
  arm();
  if (io.stopped()) io.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
  tick.cancel();
  io.poll();  // lets the cancelled tick go while `arm` still exists
  return done();
}

// Runs the loop for `duration` whatever happens: for checking that something does NOT happen.
inline void runFor(boost::asio::io_context& io, std::chrono::milliseconds duration) {
  if (io.stopped()) io.restart();
  boost::asio::steady_timer end(io, duration);
  end.async_wait([](const boost::system::error_code&) {});
  io.run_until(std::chrono::steady_clock::now() + duration);
}

}  // namespace tandem::check::testing
