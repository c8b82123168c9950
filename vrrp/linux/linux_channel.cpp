#include "vrrp/linux/linux_channel.h"

#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <sys/socket.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <cerrno>
#include <array>
#include <cstring>
#include <vector>

namespace tandem::vrrp {
namespace {

using linux_::errnoText;
using linux_::setOption;
using linux_::UniqueFd;

constexpr int kHopLimit = 255;
constexpr int kIpv6ChecksumOffset = 6;  // the VRRP header's checksum field
constexpr int kTrafficClass = 0xc0;     // keepalived: network control (CS6), as kVrrpTos for IPv4
constexpr std::size_t kReceiveBuffer = 65536;
// Packets per sendmmsg: enough that a thousand adverts take a handful of calls, few enough that a burst never
// fills the socket's send buffer or the device queue.
constexpr std::size_t kBatchSize = 64;

std::string familyName(Family f) { return f == Family::Ipv4 ? "IPv4" : "IPv6"; }

bool isMulticast(const IpAddress& a) {
  return a.family() == Family::Ipv4 ? (a.bytes()[0] & 0xf0) == 0xe0 : a.bytes()[0] == 0xff;
}

// The send socket of a raw protocol receives every matching packet too; a filter that accepts nothing keeps
// them from piling up in its queue.
bool dropEverything(int fd, std::string& error) {
  sock_filter code[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
  sock_fprog program{};
  program.len = 1;
  program.filter = code;
  return setOption(fd, SOL_SOCKET, SO_ATTACH_FILTER, program, "SO_ATTACH_FILTER", error);
}

UniqueFd rawSocket(int domain, int protocol, std::string& error) {
  UniqueFd fd(::socket(domain, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
  if (!fd.valid()) error = errnoText("socket(" + std::string(domain == AF_INET ? "AF_INET" : "AF_INET6") +
                                         ", SOCK_RAW, " + std::to_string(protocol) + ")",
                                     errno);
  return fd;
}

bool bindToDevice(int fd, const std::string& name, std::string& error) {
  return setOption(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size() + 1),
                   "SO_BINDTODEVICE", error);
}

bool bindAddress(int fd, const IpAddress& address, int ifindex, std::string& error) {
  const auto sa = linux_::toSocketAddress(address, ifindex);
  if (::bind(fd, sa.get(), sa.size) == 0) return true;
  error = errnoText("bind to " + address.toString(), errno);
  return false;
}

}  // namespace

class LinuxChannelFactory::Sockets : public std::enable_shared_from_this<Sockets> {
 public:
  using Callback = std::function<void(const ReceivedPacket&)>;

  Sockets(boost::asio::io_context& io, LogSink log, ChannelSpec spec, int ifindex, std::shared_ptr<SendBatch> batch)
      : io_(io),
        log_(std::move(log)),
        spec_(std::move(spec)),
        ifindex_(ifindex),
        batch_(std::move(batch)),
        buffer_(std::make_unique_for_overwrite<std::uint8_t[]>(kReceiveBuffer)) {}

  bool open(const std::optional<IpAddress>& ipv6Source, std::string& error) {
    const bool ok = spec_.family == Family::Ipv4 ? openIpv4(error) : openIpv6(*ipv6Source, error);
    if (!ok) error = where() + ": " + error;
    return ok;
  }

  void start() {
    for (auto& receiver : receivers_) arm(*receiver);
  }

  std::uint64_t subscribe(Callback callback) {
    const auto id = nextId_++;
    subscribers_.emplace(id, std::make_shared<Callback>(std::move(callback)));
    return id;
  }
  void unsubscribe(std::uint64_t id) { subscribers_.erase(id); }

  bool send(std::span<const std::uint8_t> packet, const IpAddress& destination) {
    if (destination.family() != spec_.family) {
      log_(where() + ": cannot send to " + destination.toString() + ", an address of the other family");
      return false;
    }
    const auto sa = linux_::toSocketAddress(destination, ifindex_);
    if (batch_->open) {
      if (queued_.empty()) batch_->waiting.push_back(shared_from_this());
      queued_.push_back({sa, queuedBytes_.size(), packet.size()});
      queuedBytes_.insert(queuedBytes_.end(), packet.begin(), packet.end());
      return true;
    }
    const auto sent = ::sendto(send_.get(), packet.data(), packet.size(), 0, sa.get(), sa.size);
    if (sent == static_cast<ssize_t>(packet.size())) return true;
    logSendFailure(packet.size(), sa, sent < 0 ? errno : 0);
    return false;
  }

  // Sends what the batch queued, up to kBatchSize packets per system call; a packet the kernel refuses is logged
  // and the rest still go.
  void flush() {
    std::array<mmsghdr, kBatchSize> headers{};
    std::array<iovec, kBatchSize> vectors{};
    std::size_t next = 0;
    while (next < queued_.size()) {
      const std::size_t count = std::min(kBatchSize, queued_.size() - next);
      for (std::size_t i = 0; i < count; ++i) {
        Queued& q = queued_[next + i];
        vectors[i] = {queuedBytes_.data() + q.offset, q.size};
        headers[i] = {};
        headers[i].msg_hdr.msg_name = &q.destination.storage;
        headers[i].msg_hdr.msg_namelen = q.destination.size;
        headers[i].msg_hdr.msg_iov = &vectors[i];
        headers[i].msg_hdr.msg_iovlen = 1;
      }
      const int sent = ::sendmmsg(send_.get(), headers.data(), static_cast<unsigned>(count), 0);
      if (sent <= 0) {
        const Queued& q = queued_[next];
        logSendFailure(q.size, q.destination, sent < 0 ? errno : 0);
        ++next;
        continue;
      }
      for (int i = 0; i < sent; ++i) {
        const Queued& q = queued_[next + static_cast<std::size_t>(i)];
        if (headers[static_cast<std::size_t>(i)].msg_len != q.size) logSendFailure(q.size, q.destination, 0);
      }
      next += static_cast<std::size_t>(sent);
    }
    queued_.clear();
    queuedBytes_.clear();
  }

 private:
  struct Receiver {
    std::unique_ptr<boost::asio::posix::stream_descriptor> stream;
  };

  struct Queued {
    linux_::SocketAddress destination;
    std::size_t offset = 0;
    std::size_t size = 0;
  };

  void logSendFailure(std::size_t size, const linux_::SocketAddress& to, int error) {
    const std::string destination = linux_::fromSocketAddress(to.storage).toString();
    if (error) log_(errnoText(where() + ": sending " + std::to_string(size) + " bytes to " + destination + " failed", error));
    else log_(where() + ": short send to " + destination);
  }

  std::string where() const {
    return "VRRP channel on " + spec_.interface + " (" + familyName(spec_.family) + ", " +
           (spec_.unicastPeers.empty() ? "multicast " + spec_.multicastGroup.toString() : std::string("unicast")) +
           ")";
  }

  bool multicast() const { return spec_.unicastPeers.empty(); }

  bool addReceiver(UniqueFd fd, std::string& error) {
    auto stream = std::make_unique<boost::asio::posix::stream_descriptor>(io_);
    boost::system::error_code ec;
    stream->assign(fd.get(), ec);
    if (ec) {
      error = "registering the socket with the event loop: " + ec.message();
      return false;
    }
    fd.release();
    receivers_.push_back(std::make_unique<Receiver>(Receiver{std::move(stream)}));
    return true;
  }

  bool openIpv4Receiver(int protocol, std::string& error) {
    UniqueFd fd = rawSocket(AF_INET, protocol, error);
    if (!fd.valid()) return false;
    const int off = 0;
    const int on = 1;
    // Only the groups this socket joined, not every group some other socket joined on the host.
    if (!setOption(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, off, "IP_MULTICAST_ALL", error)) return false;
    if (!setOption(fd.get(), IPPROTO_IP, IP_PKTINFO, on, "IP_PKTINFO", error)) return false;
    if (multicast()) {
      ip_mreqn join{};
      std::memcpy(&join.imr_multiaddr, spec_.multicastGroup.bytes().data(), 4);
      join.imr_ifindex = ifindex_;
      if (!setOption(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, join,
                     "IP_ADD_MEMBERSHIP " + spec_.multicastGroup.toString(), error)) {
        return false;
      }
      // Bound to the group, as keepalived does, so unicast adverts for unicast instances stay out.
      if (!bindAddress(fd.get(), spec_.multicastGroup, ifindex_, error)) return false;
    } else if (spec_.sourceAddress && !bindAddress(fd.get(), *spec_.sourceAddress, ifindex_, error)) {
      return false;
    }
    if (!bindToDevice(fd.get(), spec_.interface, error)) return false;
    return addReceiver(std::move(fd), error);
  }

  bool openIpv4(std::string& error) {
    send_ = rawSocket(AF_INET, kIpProtoVrrp, error);
    if (!send_.valid()) return false;
    const int on = 1;
    const int off = 0;
    if (!setOption(send_.get(), IPPROTO_IP, IP_HDRINCL, on, "IP_HDRINCL", error)) return false;
    if (!dropEverything(send_.get(), error)) return false;
    if (!bindToDevice(send_.get(), spec_.interface, error)) return false;
    if (multicast()) {
      ip_mreqn out{};
      out.imr_ifindex = ifindex_;
      if (!setOption(send_.get(), IPPROTO_IP, IP_MULTICAST_IF, out, "IP_MULTICAST_IF", error)) return false;
      if (!setOption(send_.get(), IPPROTO_IP, IP_MULTICAST_LOOP, off, "IP_MULTICAST_LOOP", error)) return false;
    }
    return openIpv4Receiver(kIpProtoVrrp, error) && openIpv4Receiver(kIpProtoAh, error);
  }

  bool openIpv6(const IpAddress& source, std::string& error) {
    send_ = rawSocket(AF_INET6, kIpProtoVrrp, error);
    if (!send_.valid()) return false;
    const int off = 0;
    const int on = 1;
    const int unicastHops = multicast() ? kHopLimit : spec_.unicastTtl;
    if (!setOption(send_.get(), IPPROTO_IPV6, IPV6_CHECKSUM, kIpv6ChecksumOffset, "IPV6_CHECKSUM", error) ||
        !dropEverything(send_.get(), error) ||
        !setOption(send_.get(), IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS", error) ||
        !setOption(send_.get(), IPPROTO_IPV6, IPV6_UNICAST_HOPS, unicastHops, "IPV6_UNICAST_HOPS", error) ||
        !setOption(send_.get(), IPPROTO_IPV6, IPV6_MULTICAST_IF, ifindex_, "IPV6_MULTICAST_IF", error) ||
        !setOption(send_.get(), IPPROTO_IPV6, IPV6_MULTICAST_LOOP, off, "IPV6_MULTICAST_LOOP", error) ||
        !setOption(send_.get(), IPPROTO_IPV6, IPV6_TCLASS, kTrafficClass, "IPV6_TCLASS", error) ||
        !bindToDevice(send_.get(), spec_.interface, error) || !bindAddress(send_.get(), source, ifindex_, error)) {
      return false;
    }

    UniqueFd fd = rawSocket(AF_INET6, kIpProtoVrrp, error);
    if (!fd.valid()) return false;
    if (!setOption(fd.get(), IPPROTO_IPV6, IPV6_CHECKSUM, kIpv6ChecksumOffset, "IPV6_CHECKSUM", error) ||
        !setOption(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on, "IPV6_RECVHOPLIMIT", error) ||
        !setOption(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, on, "IPV6_RECVPKTINFO", error)) {
      return false;
    }
    // Linux 4.20+: failure is harmless, the destination check in fillMeta covers older kernels.
    ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off, sizeof off);
    if (multicast()) {
      ipv6_mreq join{};
      std::memcpy(&join.ipv6mr_multiaddr, spec_.multicastGroup.bytes().data(), 16);
      join.ipv6mr_interface = static_cast<unsigned>(ifindex_);
      if (!setOption(fd.get(), IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, join,
                     "IPV6_ADD_MEMBERSHIP " + spec_.multicastGroup.toString(), error)) {
        return false;
      }
    } else if (spec_.sourceAddress && !bindAddress(fd.get(), *spec_.sourceAddress, ifindex_, error)) {
      return false;
    }
    if (!bindToDevice(fd.get(), spec_.interface, error)) return false;
    return addReceiver(std::move(fd), error);
  }

  void arm(Receiver& receiver) {
    std::weak_ptr<Sockets> weak = weak_from_this();
    receiver.stream->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                                [weak, &receiver](const boost::system::error_code& ec) {
                                  if (ec) return;
                                  const auto self = weak.lock();
                                  if (!self) return;
                                  if (self->drain(receiver)) self->arm(receiver);
                                });
  }

  // Reads until the socket is empty. False when the socket failed for good.
  bool drain(Receiver& receiver) {
    const int fd = receiver.stream->native_handle();
    for (;;) {
      sockaddr_storage from{};
      iovec iov{buffer_.get(), kReceiveBuffer};
      alignas(cmsghdr) std::uint8_t control[256];
      msghdr msg{};
      msg.msg_name = &from;
      msg.msg_namelen = sizeof from;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof control;
      const ssize_t got = ::recvmsg(fd, &msg, 0);
      if (got < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
        if (errno == EINTR) continue;
        log_(errnoText(where() + ": receive failed", errno));
        return errno == ENOBUFS || errno == ENOMEM;
      }
      if ((msg.msg_flags & MSG_TRUNC) != 0) continue;
      ReceivedPacket packet;
      packet.family = spec_.family;
      packet.bytes = std::span<const std::uint8_t>(buffer_.get(), static_cast<std::size_t>(got));
      if (!fillMeta(msg, from, packet)) continue;
      dispatch(packet);
    }
  }

  bool fillMeta(msghdr& msg, const sockaddr_storage& from, ReceivedPacket& packet) const {
    packet.meta.ifindex = ifindex_;
    if (spec_.family == Family::Ipv4) {
      const auto b = packet.bytes;
      if (b.size() >= kIpv4HeaderSize) {
        packet.meta.ttl = b[8];
        packet.meta.source = IpAddress::fromBytes(Family::Ipv4, b.subspan(12, 4));
        packet.meta.destination = IpAddress::fromBytes(Family::Ipv4, b.subspan(16, 4));
      }
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO) {
          in_pktinfo info{};
          std::memcpy(&info, CMSG_DATA(c), sizeof info);
          packet.meta.ifindex = info.ipi_ifindex;
        }
      }
      return true;
    }
    packet.meta.source = linux_::fromSocketAddress(from);
    packet.meta.ttl = 0;  // unknown unless the kernel says: the decoder then rejects it
    linux_::readIpv6Ancillary(msg, packet.meta);
    // An IPv6 raw socket cannot be bound to a group, so a multicast channel drops other destinations here.
    return !multicast() || packet.meta.destination == spec_.multicastGroup;
  }

  void dispatch(const ReceivedPacket& packet) {
    std::vector<std::uint64_t> ids;
    ids.reserve(subscribers_.size());
    for (const auto& [id, callback] : subscribers_) ids.push_back(id);
    for (const auto id : ids) {
      const auto it = subscribers_.find(id);
      if (it == subscribers_.end()) continue;  // unsubscribed by an earlier callback
      const auto callback = it->second;        // keeps it alive if it unsubscribes itself
      (*callback)(packet);
    }
  }

  boost::asio::io_context& io_;
  LogSink log_;
  ChannelSpec spec_;
  int ifindex_;
  UniqueFd send_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::map<std::uint64_t, std::shared_ptr<Callback>> subscribers_;
  std::uint64_t nextId_ = 1;
  std::shared_ptr<SendBatch> batch_;
  std::vector<Queued> queued_;
  std::vector<std::uint8_t> queuedBytes_;
  // Not zero-filled: adverts are small, and only the pages a datagram reaches become resident.
  std::unique_ptr<std::uint8_t[]> buffer_;
};

void LinuxChannelFactory::beginBatch() { batch_->open = true; }

void LinuxChannelFactory::endBatch() {
  batch_->open = false;
  auto waiting = std::move(batch_->waiting);
  batch_->waiting.clear();
  for (const auto& sockets : waiting) sockets->flush();
}

namespace {

// What one instance holds: its subscription to the shared sockets.
class Subscription final : public AdvertChannel {
 public:
  Subscription(std::shared_ptr<LinuxChannelFactory::Sockets> sockets, std::uint64_t id)
      : sockets_(std::move(sockets)), id_(id) {}
  ~Subscription() override { sockets_->unsubscribe(id_); }
  Subscription(const Subscription&) = delete;
  Subscription& operator=(const Subscription&) = delete;

  bool send(std::span<const std::uint8_t> packet, const IpAddress& destination) override {
    return sockets_->send(packet, destination);
  }

 private:
  std::shared_ptr<LinuxChannelFactory::Sockets> sockets_;
  std::uint64_t id_;
};

std::string shareKey(const ChannelSpec& spec) {
  std::string key = spec.interface + (spec.family == Family::Ipv4 ? "|4|" : "|6|");
  if (spec.unicastPeers.empty()) return key + "m|" + spec.multicastGroup.toString();
  return key + "u|" + (spec.sourceAddress ? spec.sourceAddress->toString() : std::string());
}

std::string checkSpec(const ChannelSpec& spec) {
  if (spec.interface.empty()) return "VRRP channel: no interface given";
  if (spec.interface.size() >= IFNAMSIZ) return "VRRP channel: '" + spec.interface + "' is not a valid device name";
  const std::string prefix = "VRRP channel on " + spec.interface + ": ";
  if (spec.unicastPeers.empty()) {
    if (spec.multicastGroup.family() != spec.family || !isMulticast(spec.multicastGroup)) {
      return prefix + spec.multicastGroup.toString() + " is not an " + familyName(spec.family) + " multicast group";
    }
  }
  for (const auto& peer : spec.unicastPeers) {
    if (peer.family() != spec.family) return prefix + "unicast peer " + peer.toString() + " is of the other family";
  }
  if (spec.sourceAddress && spec.sourceAddress->family() != spec.family) {
    return prefix + "source address " + spec.sourceAddress->toString() + " is of the other family";
  }
  if (spec.unicastTtl < 1 || spec.unicastTtl > 255) return prefix + "unicast TTL must be 1..255";
  return {};
}

}  // namespace

LinuxChannelFactory::LinuxChannelFactory(boost::asio::io_context& io, InterfacePort& interfaces, LogSink log)
    : io_(io), interfaces_(interfaces), log_(linux_::orStderr(std::move(log))) {}

LinuxChannelFactory::~LinuxChannelFactory() = default;

std::shared_ptr<AdvertChannel> LinuxChannelFactory::open(const ChannelSpec& spec,
                                                         std::function<void(const ReceivedPacket&)> onPacket,
                                                         std::string& error) {
  if (error = checkSpec(spec); !error.empty()) return nullptr;
  std::erase_if(open_, [](const auto& entry) { return entry.second.expired(); });

  const auto key = shareKey(spec);
  if (const auto it = open_.find(key); it != open_.end()) {
    auto sockets = it->second.lock();
    const auto id = sockets->subscribe(std::move(onPacket));
    return std::make_shared<Subscription>(std::move(sockets), id);
  }

  const auto info = interfaces_.find(spec.interface);
  if (!info) {
    error = "VRRP channel: interface " + spec.interface + " does not exist";
    return nullptr;
  }
  std::optional<IpAddress> ipv6Source;
  if (spec.family == Family::Ipv6) {
    ipv6Source = spec.sourceAddress ? spec.sourceAddress : info->linkLocalIpv6;
    if (!ipv6Source) {
      error = "VRRP channel on " + spec.interface +
              ": no usable IPv6 link-local address to send from (none configured, or duplicate address detection "
              "has not finished)";
      return nullptr;
    }
  }
  auto sockets = std::make_shared<Sockets>(io_, log_, spec, info->ifindex, batch_);
  if (!sockets->open(ipv6Source, error)) return nullptr;
  sockets->start();
  open_[key] = sockets;
  const auto id = sockets->subscribe(std::move(onPacket));
  return std::make_shared<Subscription>(std::move(sockets), id);
}

std::size_t LinuxChannelFactory::openSocketSets() const {
  std::size_t n = 0;
  for (const auto& [key, weak] : open_) n += weak.expired() ? 0 : 1;
  return n;
}

}  // namespace tandem::vrrp
