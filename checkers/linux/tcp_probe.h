#pragma once
// TCP_CHECK: a non-blocking connect on the event loop; the attempt succeeds when the connection is established
// (and it is closed at once, as keepalived does) and fails on any error or when connect_timeout expires first.
#include <boost/asio/io_context.hpp>
#include <memory>

#include "checkers/linux/connect_options.h"
#include "checkers/probe.h"

namespace tandem::check {

class TcpProbe final : public Probe {
 public:
  TcpProbe(boost::asio::io_context& io, ConnectOptions options);
  ~TcpProbe() override;

  void start(Done done) override;
  void cancel() override;
  bool running() const override { return attempt_ != nullptr; }

  const ConnectOptions& options() const { return options_; }

  struct Attempt;

 private:
  boost::asio::io_context& io_;
  ConnectOptions options_;
  std::shared_ptr<Attempt> attempt_;
};

}  // namespace tandem::check
