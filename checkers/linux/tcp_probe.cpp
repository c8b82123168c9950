#include "checkers/linux/tcp_probe.h"

#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

namespace tandem::check {
namespace {

std::string connectError(int error) { return lowerFirst(std::strerror(error)); }

}  // namespace

// A plain non-blocking socket handed to the loop's ConnectWatcher: an attempt is socket, connect and close when
// connect() settles at once, plus one epoll_ctl and one getsockopt(SO_ERROR) when it has to wait.
TcpProbe::TcpProbe(boost::asio::io_context& io, ConnectOptions options)
    : io_(io),
      watcher_(boost::asio::use_service<ConnectWatcher>(io)),
      options_(std::move(options)),
      self_(std::make_shared<TcpProbe*>(this)) {}

TcpProbe::~TcpProbe() { cancel(); }

std::string TcpProbe::where() const { return "connecting to " + endpointText(options_.address, options_.port); }

void TcpProbe::closeSocket() {
  if (watched_) {
    watcher_.forget(ticket_);
    watched_ = false;
  }
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void TcpProbe::cancel() {
  closeSocket();
  done_ = nullptr;
  ++attempts_;
}

void TcpProbe::start(Done done) {
  cancel();
  done_ = std::move(done);

  const boost::asio::ip::tcp::endpoint target(options_.address, options_.port);
  fd_ = ::socket(target.protocol().family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
  if (fd_ < 0) return settleLater(Verdict::failure(where() + ": socket: " + connectError(errno)));
  if (auto error = prepareSocket(fd_, options_)) return settleLater(Verdict::failure(where() + ": " + *error));

  if (::connect(fd_, target.data(), static_cast<socklen_t>(target.size())) == 0) return settleLater(Verdict::ok());
  if (errno != EINPROGRESS) return settleLater(Verdict::failure(where() + ": " + connectError(errno)));
  if (const int error = watcher_.watch(fd_, ConnectWatcher::Clock::now() + options_.timeout, *this, ticket_))
    return settleLater(Verdict::failure(where() + ": epoll: " + connectError(error)));
  watched_ = true;
}

// start() never calls back directly.
void TcpProbe::settleLater(Verdict verdict) {
  boost::asio::post(io_, [self = std::weak_ptr<TcpProbe*>(self_), attempt = attempts_,
                          verdict = std::move(verdict)]() mutable {
    const auto alive = self.lock();
    if (alive && (*alive)->attempts_ == attempt) (*alive)->finish(std::move(verdict));
  });
}

void TcpProbe::connectSettled(int error) {
  watched_ = false;
  if (error == ConnectWatcher::kDeadlinePassed)
    return finish(Verdict::failure(where() + " timed out after " + secondsText(options_.timeout)));
  if (error != 0) return finish(Verdict::failure(where() + ": " + connectError(error)));
  finish(Verdict::ok());
}

void TcpProbe::finish(Verdict verdict) {
  if (!done_) return;
  closeSocket();
  ++attempts_;
  auto callback = std::move(done_);
  done_ = nullptr;
  callback(std::move(verdict));
}

}  // namespace tandem::check
