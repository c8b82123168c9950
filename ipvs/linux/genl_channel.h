#pragma once
// A generic netlink socket bound to one family, with the two exchanges the IPVS adapter needs: a batch of "do"
// requests packed into as few datagrams as possible, each answered by its own ack (so one failed operation
// never hides the outcome of the next), and a dump. Raw errno values come back, not libnl's folded codes: the
// caller must tell EEXIST from ENOENT from ESRCH.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct nl_sock;
struct nl_msg;
struct nlmsghdr;

namespace tandem::ipvs::linux_ {

struct NlMsgDeleter {
  void operator()(nl_msg* message) const;
};
using NlMsg = std::unique_ptr<nl_msg, NlMsgDeleter>;

class GenlChannel {
 public:
  GenlChannel() = default;
  ~GenlChannel();
  GenlChannel(const GenlChannel&) = delete;
  GenlChannel& operator=(const GenlChannel&) = delete;

  // Connects and resolves `family`. On failure returns false with `error` set to an errno (ENOENT when the family
  // is unknown to the kernel) and `why` to a sentence.
  bool open(const std::string& family, int& error, std::string& why);
  bool isOpen() const { return socket_ != nullptr; }
  void close();

  // A request of `command` for the family; flags are NLM_F_* beyond NLM_F_REQUEST (which is always set).
  NlMsg request(std::uint8_t command, int flags, std::uint8_t version) const;

  // Sends every message with NLM_F_ACK and returns one errno per message, in order (0 = done). A transport failure
  // (socket error, lost acks) gives that errno to every message whose ack did not arrive.
  std::vector<int> execute(std::vector<NlMsg>& messages);

  // Sends one request and calls `each` for every reply message: the parts of a dump when the request has
  // NLM_F_DUMP, the single answer of a GET otherwise. Returns 0 or an errno; ENOMSG when the kernel sent no reply
  // at all (it acks nothing when a handler returns EINTR).
  int exchange(NlMsg message, const std::function<void(nlmsghdr*)>& each);

 private:
  int executeBatch(std::vector<NlMsg>& messages, std::size_t first, std::size_t count, std::vector<int>& results);
  // Receives datagrams until `done` says the exchange is over; every netlink message goes to `handle`. ENOMSG when
  // nothing at all was queued once the request was sent: the kernel answered with silence (see receive()).
  int receive(const std::function<bool(nlmsghdr*)>& handle);

  nl_sock* socket_ = nullptr;
  int family_ = 0;
  std::uint32_t sequence_ = 1;
};

}  // namespace tandem::ipvs::linux_
