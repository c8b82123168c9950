#pragma once
// TCP_CHECK: a non-blocking connect on the event loop; the attempt succeeds when the connection is established
// (and it is closed at once, as keepalived does) and fails on any error or when connect_timeout expires first.
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <memory>

#include "checkers/linux/connect_options.h"
#include "checkers/linux/connect_watcher.h"
#include "checkers/probe.h"

namespace tandem::check {

class TcpProbe final : public Probe, private ConnectWatcher::Client {
 public:
  TcpProbe(boost::asio::io_context& io, ConnectOptions options);
  ~TcpProbe() override;

  void start(Done done) override;
  void cancel() override;
  bool running() const override { return static_cast<bool>(done_); }

  const ConnectOptions& options() const { return options_; }

 private:
  void connectSettled(int error) override;
  void settleLater(Verdict verdict);
  void finish(Verdict verdict);
  void closeSocket();
  std::string where() const;

  boost::asio::io_context& io_;
  ConnectWatcher& watcher_;
  ConnectOptions options_;
  int fd_ = -1;
  bool watched_ = false;
  ConnectWatcher::Ticket ticket_ = 0;
  Done done_;
  std::uint64_t attempts_ = 0;  // tells a settlement posted for an abandoned attempt from the current one
  std::shared_ptr<TcpProbe*> self_;  // posted settlements hold it weakly: the probe may be gone when they run
};

}  // namespace tandem::check
