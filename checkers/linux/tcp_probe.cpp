#include "checkers/linux/tcp_probe.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

namespace tandem::check {

// Lives as long as a handler of it is queued on the loop; `probe` is cleared when the probe lets it go.
struct TcpProbe::Attempt {
  Attempt(boost::asio::io_context& io, TcpProbe* owner) : socket(io), timer(io), probe(owner) {}

  boost::asio::ip::tcp::socket socket;
  boost::asio::steady_timer timer;
  TcpProbe* probe;
  Done done;
  bool timedOut = false;

  void finish(Verdict verdict) {
    if (!probe) return;
    probe->attempt_.reset();
    probe = nullptr;
    timer.cancel();
    boost::system::error_code ignored;
    socket.close(ignored);
    auto callback = std::move(done);
    callback(std::move(verdict));
  }
};

TcpProbe::TcpProbe(boost::asio::io_context& io, ConnectOptions options) : io_(io), options_(std::move(options)) {}

TcpProbe::~TcpProbe() { cancel(); }

void TcpProbe::cancel() {
  if (!attempt_) return;
  auto attempt = std::move(attempt_);
  attempt->probe = nullptr;
  attempt->timer.cancel();
  boost::system::error_code ignored;
  attempt->socket.close(ignored);
}

void TcpProbe::start(Done done) {
  cancel();
  auto attempt = std::make_shared<Attempt>(io_, this);
  attempt->done = std::move(done);
  attempt_ = attempt;

  const boost::asio::ip::tcp::endpoint target(options_.address, options_.port);
  const std::string where = "connecting to " + endpointText(options_.address, options_.port);
  auto failNow = [attempt](std::string reason) {
    // start() never calls back directly.
    boost::asio::post(attempt->socket.get_executor(),
                      [attempt, reason = std::move(reason)] { attempt->finish(Verdict::failure(reason)); });
  };

  boost::system::error_code ec;
  attempt->socket.open(target.protocol(), ec);
  if (ec) return failNow(where + ": socket: " + lowerFirst(ec.message()));
  if (auto error = prepareSocket(attempt->socket.native_handle(), options_)) return failNow(where + ": " + *error);

  attempt->timer.expires_after(options_.timeout);
  attempt->timer.async_wait([attempt](const boost::system::error_code& timerError) {
    if (timerError || !attempt->probe) return;
    attempt->timedOut = true;
    boost::system::error_code ignored;
    attempt->socket.close(ignored);
  });
  attempt->socket.async_connect(target, [attempt, where, timeout = options_.timeout](const boost::system::error_code& connectError) {
    if (!attempt->probe) return;
    if (attempt->timedOut) return attempt->finish(Verdict::failure(where + " timed out after " + secondsText(timeout)));
    if (connectError) return attempt->finish(Verdict::failure(where + ": " + lowerFirst(connectError.message())));
    attempt->finish(Verdict::ok());
  });
}

}  // namespace tandem::check
