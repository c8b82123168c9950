#include "checkers/linux/tcp_probe.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <optional>

namespace tandem::check {
namespace {

std::string connectError(int error) { return lowerFirst(std::strerror(error)); }

}  // namespace

// A plain non-blocking socket rather than an asio socket: at thousands of checks a second the system calls are the
// cost, and asio's socket adds three to each attempt (FIONBIO, an epoll registration made even when the connection
// completes at once, a poll() after the wake-up). Here an attempt is socket, connect, close when connect() settles
// at once, plus one epoll registration and one getsockopt(SO_ERROR) when it has to wait.
//
// Lives as long as a handler of it is queued on the loop; `probe` is cleared when the probe lets it go.
struct TcpProbe::Attempt {
  Attempt(boost::asio::io_context& io, TcpProbe* owner) : timer(io), probe(owner) {}
  ~Attempt() { closeSocket(); }

  int fd = -1;
  std::optional<boost::asio::posix::stream_descriptor> waiting;  // watches `fd` while the connection is pending
  boost::asio::steady_timer timer;
  TcpProbe* probe;
  Done done;
  std::string where;

  void closeSocket() {
    if (waiting) {
      boost::system::error_code ignored;
      waiting->close(ignored);  // closes fd
      waiting.reset();
      fd = -1;
    } else if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  void finish(Verdict verdict) {
    if (!probe) return;
    probe->attempt_.reset();
    probe = nullptr;
    timer.cancel();
    closeSocket();
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
  attempt->closeSocket();
}

void TcpProbe::start(Done done) {
  cancel();
  auto attempt = std::make_shared<Attempt>(io_, this);
  attempt->done = std::move(done);
  attempt_ = attempt;

  const boost::asio::ip::tcp::endpoint target(options_.address, options_.port);
  attempt->where = "connecting to " + endpointText(options_.address, options_.port);
  // start() never calls back directly.
  auto settle = [attempt](Verdict verdict) {
    boost::asio::post(attempt->timer.get_executor(),
                      [attempt, verdict = std::move(verdict)]() mutable { attempt->finish(std::move(verdict)); });
  };

  attempt->fd = ::socket(target.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (attempt->fd < 0) return settle(Verdict::failure(attempt->where + ": socket: " + connectError(errno)));
  if (auto error = prepareSocket(attempt->fd, options_)) return settle(Verdict::failure(attempt->where + ": " + *error));

  if (::connect(attempt->fd, target.data(), static_cast<socklen_t>(target.size())) == 0)
    return settle(Verdict::ok());
  if (errno != EINPROGRESS) return settle(Verdict::failure(attempt->where + ": " + connectError(errno)));

  boost::system::error_code ec;
  attempt->waiting.emplace(io_);
  attempt->waiting->assign(attempt->fd, ec);
  if (ec) {
    attempt->waiting.reset();
    return settle(Verdict::failure(attempt->where + ": " + lowerFirst(ec.message())));
  }
  attempt->timer.expires_after(options_.timeout);
  attempt->timer.async_wait([attempt, timeout = options_.timeout](const boost::system::error_code& timerError) {
    if (timerError || !attempt->probe) return;
    attempt->finish(Verdict::failure(attempt->where + " timed out after " + secondsText(timeout)));
  });
  attempt->waiting->async_wait(boost::asio::posix::stream_descriptor::wait_write,
                               [attempt](const boost::system::error_code& waitError) {
                                 if (!attempt->probe) return;
                                 if (waitError)
                                   return attempt->finish(Verdict::failure(attempt->where + ": " +
                                                                           lowerFirst(waitError.message())));
                                 int error = 0;
                                 socklen_t length = sizeof error;
                                 if (::getsockopt(attempt->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
                                   error = errno;
                                 if (error != 0)
                                   return attempt->finish(Verdict::failure(attempt->where + ": " +
                                                                           connectError(error)));
                                 attempt->finish(Verdict::ok());
                               });
}

}  // namespace tandem::check
