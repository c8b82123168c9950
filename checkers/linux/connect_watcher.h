#pragma once
// Waits for the outcome of every pending TCP_CHECK connect of an event loop at once: an epoll set of its own, seen
// by the loop as one descriptor, and one timer for all the deadlines. At thousands of checks a second the system
// calls are the cost of a check; a socket handed to the loop's reactor one by one costs an extra epoll_ctl to add
// the write interest, an ioctl(FIONBIO) on a socket that is already non-blocking, and a timer per attempt. Here a
// pending connect costs one epoll_ctl and one getsockopt(SO_ERROR).
//
// One per io_context: boost::asio::use_service<ConnectWatcher>(io).
#include <sys/epoll.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <queue>
#include <vector>

namespace tandem::check {

class ConnectWatcher final : public boost::asio::execution_context::service {
 public:
  using key_type = ConnectWatcher;
  static boost::asio::execution_context::id id;

  using Clock = std::chrono::steady_clock;
  using Ticket = std::uint64_t;
  static constexpr int kDeadlinePassed = -1;

  class Client {
   public:
    // 0: connected; an errno value: the connect failed; kDeadlinePassed: still pending at the deadline.
    virtual void connectSettled(int error) = 0;

   protected:
    ~Client() = default;
  };

  explicit ConnectWatcher(boost::asio::io_context& io);
  ~ConnectWatcher() override;

  // `fd` is a non-blocking socket whose connect() returned EINPROGRESS; it stays the caller's, who closes it once
  // told or after forget() (closing is what takes it out of the epoll set). The client is told exactly once, never
  // from inside watch(), unless forgotten first. Returns 0, or the errno of a failed registration.
  int watch(int fd, Clock::time_point deadline, Client& client, Ticket& ticket);
  void forget(Ticket ticket);

  std::size_t pending() const { return entries_.size() - free_.size(); }

 private:
  struct Entry {
    Client* client = nullptr;
    int fd = -1;
    std::uint32_t generation = 0;
  };
  struct Deadline {
    Clock::time_point at;
    Ticket ticket;
    bool operator>(const Deadline& other) const { return at > other.at; }
  };

  void shutdown() override;
  Entry* live(Ticket ticket);
  void release(Ticket ticket);
  void becomeIdle();
  void awaitEvents();
  void harvest();
  void armTimer();
  void expire();

  int epoll_ = -1;
  boost::asio::posix::stream_descriptor epollWatch_;
  boost::asio::steady_timer timer_;
  std::optional<Clock::time_point> timerAt_;
  std::vector<Entry> entries_;
  std::vector<std::uint32_t> free_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;  // stale ones skipped when due
  std::vector<epoll_event> events_;
  bool awaiting_ = false;
  std::uint64_t waits_ = 0;  // tells the current wait from cancelled ones
  bool stopped_ = false;
};

}  // namespace tandem::check
