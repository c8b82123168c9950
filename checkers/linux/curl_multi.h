#pragma once
// libcurl's multi interface driven by the Asio loop: one CURLM for the whole process, every HTTP_GET/SSL_GET
// transfer an easy handle in it. curl tells us which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to call
// it back (CURLMOPT_TIMERFUNCTION); each socket is watched through a posix::stream_descriptor that never owns it,
// the timeout through one steady_timer. No thread, no blocking call.
//
// The CurlMulti must outlive every transfer added to it; it is used from the loop's thread only.
#include <curl/curl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>

namespace tandem::check {

class CurlMulti {
 public:
  explicit CurlMulti(boost::asio::io_context& io);
  ~CurlMulti();
  CurlMulti(const CurlMulti&) = delete;
  CurlMulti& operator=(const CurlMulti&) = delete;

  // Starts a configured easy handle (the caller keeps owning it). `done` is called from the loop, outside any curl
  // callback, once the transfer has ended and the handle has left the multi; it may add transfers or destroy
  // the caller. Returns false (and never calls `done`) when curl refuses the handle.
  bool add(CURL* easy, std::function<void(CURLcode)> done);
  // Stops a transfer that has not ended; its `done` is never called. Unknown handles are ignored.
  void remove(CURL* easy);

  std::size_t transfers() const { return transfers_.size(); }
  std::size_t watchedSockets() const { return sockets_.size(); }
  boost::asio::io_context& io() { return io_; }

  struct Watch;

 private:
  static int onSocket(CURL* easy, curl_socket_t fd, int what, void* self, void* socketData);
  static int onTimer(CURLM* multi, long timeoutMs, void* self);
  static int onCloseSocket(void* self, curl_socket_t fd);

  void watch(curl_socket_t fd, int what);
  void unwatch(curl_socket_t fd);
  void arm(const std::shared_ptr<Watch>& watch);
  void act(curl_socket_t fd, int events);
  void collectDone();

  boost::asio::io_context& io_;
  CURLM* multi_ = nullptr;
  boost::asio::steady_timer timer_;
  std::map<curl_socket_t, std::shared_ptr<Watch>> sockets_;
  std::map<CURL*, std::function<void(CURLcode)>> transfers_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // timer handlers may outlive us in the loop
};

}  // namespace tandem::check
