#include "ipvs/linux/genl_channel.h"

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <cerrno>
#include <cstring>

namespace tandem::ipvs::linux_ {
namespace {

// Acks of one batch must fit in the receive buffer (each costs about a kilobyte of skb there, and an ack the
// kernel cannot queue is dropped without trace), and the batch must fit one datagram.
constexpr std::size_t kBatchMessages = 64;
constexpr std::size_t kBatchBytes = 32 * 1024;
// Dump replies come in skbs of at most 32 KiB; a larger buffer never truncates one.
constexpr std::size_t kReceiveBuffer = 64 * 1024;
// The kernel answers synchronously; this only guards the event loop against a wedged socket.
constexpr int kReceiveTimeoutSeconds = 5;

}  // namespace

void NlMsgDeleter::operator()(nl_msg* message) const { nlmsg_free(message); }

GenlChannel::~GenlChannel() { close(); }

void GenlChannel::close() {
  if (socket_ != nullptr) {
    nl_socket_free(socket_);
    socket_ = nullptr;
  }
}

bool GenlChannel::open(const std::string& family, int& error, std::string& why) {
  close();
  socket_ = nl_socket_alloc();
  if (socket_ == nullptr) {
    error = ENOMEM;
    why = "cannot allocate a netlink socket";
    return false;
  }
  if (const int err = genl_connect(socket_); err < 0) {
    error = EPROTONOSUPPORT;
    why = std::string("cannot open a generic netlink socket: ") + nl_geterror(err);
    close();
    return false;
  }
  const int fd = nl_socket_get_fd(socket_);
  const int one = 1;
  // Error acks then carry only the request header, not the whole request: smaller, so batches stay safe.
  setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  timeval timeout{kReceiveTimeoutSeconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  const int resolved = genl_ctrl_resolve(socket_, family.c_str());
  if (resolved < 0) {
    error = resolved == -NLE_OBJ_NOTFOUND ? ENOENT : EIO;
    why = "generic netlink family " + family + " unknown: " + nl_geterror(resolved);
    close();
    return false;
  }
  family_ = resolved;
  return true;
}

NlMsg GenlChannel::request(std::uint8_t command, int flags, std::uint8_t version) const {
  NlMsg message(nlmsg_alloc());
  if (message && genlmsg_put(message.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family_, 0, flags, command, version) ==
                     nullptr) {
    message.reset();
  }
  return message;
}

std::vector<int> GenlChannel::execute(std::vector<NlMsg>& messages) {
  std::vector<int> results(messages.size(), 0);
  std::size_t first = 0;
  while (first < messages.size()) {
    std::size_t count = 0;
    std::size_t bytes = 0;
    while (first + count < messages.size() && count < kBatchMessages) {
      const std::size_t size = messages[first + count] ? nlmsg_hdr(messages[first + count].get())->nlmsg_len : 0;
      if (count > 0 && bytes + NLMSG_ALIGN(size) > kBatchBytes) break;
      bytes += NLMSG_ALIGN(size);
      ++count;
    }
    if (const int err = executeBatch(messages, first, count, results); err != 0) {
      // The transport broke: nothing after this point was even attempted.
      for (std::size_t i = first + count; i < messages.size(); ++i) results[i] = err;
    }
    first += count;
  }
  return results;
}

int GenlChannel::executeBatch(std::vector<NlMsg>& messages, std::size_t first, std::size_t count,
                              std::vector<int>& results) {
  if (socket_ == nullptr) {
    for (std::size_t i = first; i < first + count; ++i) results[i] = ENOTCONN;
    return ENOTCONN;
  }
  // Several requests in one datagram: the kernel runs them in order and acks each (netlink_rcv_skb).
  std::vector<std::uint8_t> datagram;
  const std::uint32_t base = sequence_;
  std::vector<bool> pending(count, true);
  for (std::size_t i = 0; i < count; ++i) {
    nl_msg* message = messages[first + i].get();
    if (message == nullptr) {
      results[first + i] = ENOMEM;
      pending[i] = false;
      continue;
    }
    nlmsghdr* header = nlmsg_hdr(message);
    header->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
    header->nlmsg_seq = base + static_cast<std::uint32_t>(i);
    header->nlmsg_pid = nl_socket_get_local_port(socket_);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(header);
    datagram.insert(datagram.end(), bytes, bytes + header->nlmsg_len);
    datagram.resize(NLMSG_ALIGN(datagram.size()), 0);
  }
  sequence_ += static_cast<std::uint32_t>(count);
  std::size_t outstanding = 0;
  for (bool p : pending) outstanding += p ? 1 : 0;
  if (outstanding == 0) return 0;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl_socket_get_fd(socket_), datagram.data(), datagram.size(), 0,
               reinterpret_cast<const sockaddr*>(&kernel), sizeof kernel) < 0) {
    const int err = errno;
    for (std::size_t i = 0; i < count; ++i) {
      if (pending[i]) results[first + i] = err;
    }
    return err;
  }
  const int err = receive([&](nlmsghdr* header) {
    if (header->nlmsg_seq < base || header->nlmsg_seq >= base + count) return false;  // a stale reply
    const std::size_t index = header->nlmsg_seq - base;
    if (header->nlmsg_type == NLMSG_ERROR && pending[index]) {
      const auto* ack = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
      results[first + index] = -ack->error;
      pending[index] = false;
      --outstanding;
    }
    return outstanding == 0;
  });
  if (err != 0) {
    for (std::size_t i = 0; i < count; ++i) {
      if (pending[i]) results[first + i] = err;
    }
  }
  return err;
}

int GenlChannel::exchange(NlMsg message, const std::function<void(nlmsghdr*)>& each) {
  if (socket_ == nullptr) return ENOTCONN;
  if (!message) return ENOMEM;
  nlmsghdr* header = nlmsg_hdr(message.get());
  // A dump ends with NLMSG_DONE; any other request ends with its ack.
  const bool isDump = (header->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
  header->nlmsg_flags |= NLM_F_REQUEST | (isDump ? 0 : NLM_F_ACK);
  const std::uint32_t sequence = sequence_++;
  header->nlmsg_seq = sequence;
  header->nlmsg_pid = nl_socket_get_local_port(socket_);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(nl_socket_get_fd(socket_), header, header->nlmsg_len, 0, reinterpret_cast<const sockaddr*>(&kernel),
               sizeof kernel) < 0) {
    return errno;
  }
  int result = 0;
  const int err = receive([&](nlmsghdr* reply) {
    if (reply->nlmsg_seq != sequence) return false;
    if (reply->nlmsg_type == NLMSG_DONE) {
      // Since Linux 4.x a failing dump reports its error in the DONE message.
      if (reply->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
        const int code = *static_cast<const int*>(NLMSG_DATA(reply));
        if (code < 0) result = -code;
      }
      return true;
    }
    if (reply->nlmsg_type == NLMSG_ERROR) {
      result = -static_cast<const nlmsgerr*>(NLMSG_DATA(reply))->error;
      return true;
    }
    each(reply);
    return false;
  });
  return err != 0 ? err : result;
}

int GenlChannel::receive(const std::function<bool(nlmsghdr*)>& handle) {
  std::vector<std::uint8_t> buffer(kReceiveBuffer);
  const int fd = nl_socket_get_fd(socket_);
  // The kernel runs a request inside sendto() and queues its replies (acks, the first part of a dump) before
  // sendto() returns. So an empty queue on the first read means no reply is coming: netlink_rcv_skb() sends no ack
  // when a handler returns -EINTR, as IPVS_CMD_DEL_DAEMON does for a sync thread that has not run yet. Waiting for
  // the timeout would block the caller's event loop for nothing.
  bool first = true;
  for (;;) {
    const ssize_t received = ::recv(fd, buffer.data(), buffer.size(), first ? MSG_DONTWAIT : 0);
    if (received < 0) {
      if (errno == EINTR) continue;
      const bool empty = errno == EAGAIN || errno == EWOULDBLOCK;
      if (empty && first) return ENOMSG;
      return empty ? ETIMEDOUT : errno;
    }
    first = false;
    int remaining = static_cast<int>(received);
    for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(header, remaining);
         header = NLMSG_NEXT(header, remaining)) {
      if (handle(header)) return 0;
    }
  }
}

}  // namespace tandem::ipvs::linux_
