#include "checkers/linux/connect_watcher.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

namespace tandem::check {
namespace {

constexpr std::size_t kEventsPerCall = 256;

ConnectWatcher::Ticket ticketOf(std::uint32_t index, std::uint32_t generation) {
  return (static_cast<ConnectWatcher::Ticket>(generation) << 32) | index;
}
std::uint32_t indexOf(ConnectWatcher::Ticket ticket) { return static_cast<std::uint32_t>(ticket); }
std::uint32_t generationOf(ConnectWatcher::Ticket ticket) { return static_cast<std::uint32_t>(ticket >> 32); }

}  // namespace

boost::asio::execution_context::id ConnectWatcher::id;

ConnectWatcher::ConnectWatcher(boost::asio::io_context& io)
    : boost::asio::execution_context::service(io), epollWatch_(io), timer_(io), events_(kEventsPerCall) {
  epoll_ = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
  epollWatch_.assign(epoll_);
}

ConnectWatcher::~ConnectWatcher() { shutdown(); }

void ConnectWatcher::shutdown() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  timer_.cancel();
  epollWatch_.close(ignored);  // closes epoll_
  epoll_ = -1;
}

ConnectWatcher::Entry* ConnectWatcher::live(Ticket ticket) {
  const std::uint32_t index = indexOf(ticket);
  if (index >= entries_.size()) return nullptr;
  Entry& entry = entries_[index];
  return entry.client && entry.generation == generationOf(ticket) ? &entry : nullptr;
}

void ConnectWatcher::release(Ticket ticket) {
  Entry& entry = entries_[indexOf(ticket)];
  entry.client = nullptr;
  entry.fd = -1;
  ++entry.generation;
  free_.push_back(indexOf(ticket));
  if (pending() == 0) becomeIdle();
}

// Nothing pending: no wait and no timer stays outstanding, so a loop with nothing else to do can finish.
void ConnectWatcher::becomeIdle() {
  deadlines_ = {};
  if (timerAt_) {
    timerAt_.reset();
    timer_.cancel();
  }
  if (awaiting_) {
    awaiting_ = false;
    ++waits_;
    epollWatch_.cancel();
  }
}

int ConnectWatcher::watch(int fd, Clock::time_point deadline, Client& client, Ticket& ticket) {
  if (stopped_) return ECANCELED;
  std::uint32_t index;
  if (!free_.empty()) {
    index = free_.back();
    free_.pop_back();
  } else {
    index = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  }
  Entry& entry = entries_[index];
  ticket = ticketOf(index, entry.generation);

  epoll_event event{};
  event.events = EPOLLOUT | EPOLLONESHOT;  // EPOLLERR and EPOLLHUP are always reported
  event.data.u64 = ticket;
  if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &event) != 0) {
    const int error = errno;
    free_.push_back(index);
    return error;
  }
  entry.client = &client;
  entry.fd = fd;
  if (!awaiting_) awaitEvents();

  deadlines_.push({deadline, ticket});
  if (!timerAt_ || deadline < *timerAt_) armTimer();
  return 0;
}

void ConnectWatcher::forget(Ticket ticket) {
  if (live(ticket)) release(ticket);
}

// The loop's reactor watches the epoll descriptor edge-triggered, so every wake-up drains the set. A wake-up of a
// wait cancelled after its completion was queued still drains: the edge it consumed is not seen again.
void ConnectWatcher::awaitEvents() {
  awaiting_ = true;
  const std::uint64_t wait = ++waits_;
  epollWatch_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                         [this, wait](const boost::system::error_code& ec) {
                           if (ec || stopped_) return;
                           if (wait == waits_) awaiting_ = false;
                           harvest();
                         });
}

void ConnectWatcher::harvest() {
  int count;
  do {
    count = epoll_wait(epoll_, events_.data(), static_cast<int>(events_.size()), 0);
    if (count < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < count; ++i) {
      const Ticket ticket = events_[static_cast<std::size_t>(i)].data.u64;
      Entry* entry = live(ticket);
      if (!entry) continue;  // forgotten after the event was queued
      int error = 0;
      socklen_t length = sizeof error;
      if (getsockopt(entry->fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0) error = errno;
      Client& client = *entry->client;
      release(ticket);
      client.connectSettled(error);  // may watch or forget others: `entry` is not used after this
    }
  } while (count == static_cast<int>(events_.size()));
  if (pending() > 0 && !awaiting_) awaitEvents();
}

void ConnectWatcher::armTimer() {
  while (!deadlines_.empty() && !live(deadlines_.top().ticket)) deadlines_.pop();
  if (deadlines_.empty()) {
    timerAt_.reset();
    timer_.cancel();
    return;
  }
  timerAt_ = deadlines_.top().at;
  timer_.expires_at(*timerAt_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    timerAt_.reset();
    expire();
  });
}

void ConnectWatcher::expire() {
  const Clock::time_point now = Clock::now();
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    const Ticket ticket = deadlines_.top().ticket;
    deadlines_.pop();
    Entry* entry = live(ticket);
    if (!entry) continue;
    Client& client = *entry->client;
    release(ticket);
    client.connectSettled(kDeadlinePassed);
  }
  if (!timerAt_) armTimer();
}

}  // namespace tandem::check
