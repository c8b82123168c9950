#include "checkers/linux/curl_multi.h"

#include "checkers/linux/curl_api.h"

#include <unistd.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <stdexcept>
#include <utility>
#include <vector>

namespace tandem::check {

// One socket curl asked us to watch. The descriptor is released, never closed: the socket is curl's.
struct CurlMulti::Watch {
  Watch(boost::asio::io_context& io, curl_socket_t socket) : descriptor(io), fd(socket) {}
  boost::asio::posix::stream_descriptor descriptor;
  curl_socket_t fd;
  int what = 0;  // CURL_POLL_IN / OUT / INOUT
  bool reading = false;
  bool writing = false;
  bool gone = false;
};

CurlMulti::CurlMulti(boost::asio::io_context& io) : io_(io), timer_(io) {
  // Reference-counted and thread-safe since curl 7.84.
  if (curl().globalInit(CURL_GLOBAL_DEFAULT) != CURLE_OK) throw std::runtime_error("curl_global_init failed");
  multi_ = curl().multiInit();
  if (!multi_) {
    curl().globalCleanup();
    throw std::runtime_error("curl_multi_init failed");
  }
  curl().multiSetopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::onSocket);
  curl().multiSetopt(multi_, CURLMOPT_SOCKETDATA, this);
  curl().multiSetopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::onTimer);
  curl().multiSetopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
  alive_.reset();
  for (auto& [easy, done] : transfers_) curl().multiRemoveHandle(multi_, easy);
  transfers_.clear();
  // Cleanup closes what curl still holds open; the callbacks it makes meanwhile still find this object whole.
  curl().multiCleanup(multi_);
  for (auto& [fd, watch] : sockets_) {
    watch->gone = true;
    watch->descriptor.release();
  }
  sockets_.clear();
  timer_.cancel();
  curl().globalCleanup();
}

bool CurlMulti::add(CURL* easy, std::function<void(CURLcode)> done) {
  // Sockets are closed through us so that a descriptor number is never reused while we still watch it.
  curl().easySetopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlMulti::onCloseSocket);
  curl().easySetopt(easy, CURLOPT_CLOSESOCKETDATA, this);
  transfers_[easy] = std::move(done);
  if (curl().multiAddHandle(multi_, easy) != CURLM_OK) {
    transfers_.erase(easy);
    return false;
  }
  return true;
}

void CurlMulti::remove(CURL* easy) {
  if (transfers_.erase(easy) == 0) return;
  curl().multiRemoveHandle(multi_, easy);
}

int CurlMulti::onSocket(CURL*, curl_socket_t fd, int what, void* self, void*) {
  auto* multi = static_cast<CurlMulti*>(self);
  if (what == CURL_POLL_REMOVE) multi->unwatch(fd);
  else multi->watch(fd, what);
  return 0;
}

int CurlMulti::onTimer(CURLM*, long timeoutMs, void* self) {
  auto* multi = static_cast<CurlMulti*>(self);
  if (timeoutMs < 0) {
    multi->timer_.cancel();
    return 0;
  }
  // Even a zero timeout goes through the loop: curl must not be re-entered from its own callback.
  multi->timer_.expires_after(std::chrono::milliseconds(timeoutMs));
  multi->timer_.async_wait([multi, alive = std::weak_ptr<bool>(multi->alive_)](const boost::system::error_code& ec) {
    if (ec || !alive.lock()) return;
    multi->act(CURL_SOCKET_TIMEOUT, 0);
  });
  return 0;
}

int CurlMulti::onCloseSocket(void* self, curl_socket_t fd) {
  static_cast<CurlMulti*>(self)->unwatch(fd);
  return close(fd);
}

void CurlMulti::watch(curl_socket_t fd, int what) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) {
    auto watch = std::make_shared<Watch>(io_, fd);
    boost::system::error_code ec;
    watch->descriptor.assign(fd, ec);
    if (ec) return;  // curl then times the transfer out
    it = sockets_.emplace(fd, std::move(watch)).first;
  }
  it->second->what = what;
  arm(it->second);
}

void CurlMulti::unwatch(curl_socket_t fd) {
  auto it = sockets_.find(fd);
  if (it == sockets_.end()) return;
  it->second->gone = true;
  it->second->descriptor.release();  // cancels the waits under way
  sockets_.erase(it);
}

void CurlMulti::arm(const std::shared_ptr<Watch>& watch) {
  using boost::asio::posix::stream_descriptor;
  auto wait = [this](const std::shared_ptr<Watch>& w, stream_descriptor::wait_type type, bool Watch::*pending,
                     int interest, int event) {
    (*w).*pending = true;
    w->descriptor.async_wait(type, [this, weak = std::weak_ptr<Watch>(w), pending, interest,
                                    event](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (!self) return;
      (*self).*pending = false;
      // curl may have stopped wanting this direction while the wait was under way.
      if (ec || self->gone || !(self->what & interest)) return;
      act(self->fd, event);
      if (!self->gone) arm(self);
    });
  };
  if ((watch->what & CURL_POLL_IN) && !watch->reading)
    wait(watch, stream_descriptor::wait_read, &Watch::reading, CURL_POLL_IN, CURL_CSELECT_IN);
  if ((watch->what & CURL_POLL_OUT) && !watch->writing)
    wait(watch, stream_descriptor::wait_write, &Watch::writing, CURL_POLL_OUT, CURL_CSELECT_OUT);
}

void CurlMulti::act(curl_socket_t fd, int events) {
  int running = 0;
  curl().multiSocketAction(multi_, fd, events, &running);
  collectDone();
}

void CurlMulti::collectDone() {
  std::vector<std::pair<CURL*, CURLcode>> ended;
  int queued = 0;
  while (CURLMsg* message = curl().multiInfoRead(multi_, &queued)) {
    if (message->msg == CURLMSG_DONE) ended.emplace_back(message->easy_handle, message->data.result);
  }
  for (auto [easy, result] : ended) {
    // An earlier callback may have removed (and freed) this handle.
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) continue;
    auto done = std::move(it->second);
    transfers_.erase(it);
    curl().multiRemoveHandle(multi_, easy);
    if (done) done(result);
  }
}

}  // namespace tandem::check
