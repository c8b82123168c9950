#include "diagnose/linux/gather.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netlink/route/link.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <memory>
#include <thread>

#include "vrrp/linux/netlink.h"
#include "vrrp/linux/socket_util.h"

extern char** environ;

namespace tandem::diagnose::linux_ {

using vrrp::linux_::UniqueFd;
using Clock = std::chrono::steady_clock;

// ---------------------------------------------------------------- interfaces

InterfaceSnapshot readInterfaces(std::string& error) {
  InterfaceSnapshot snapshot;
  auto socket = vrrp::linux_::connectRoute(error);
  if (!socket) return snapshot;
  nl_cache* raw = nullptr;
  if (const int err = rtnl_link_alloc_cache(socket.get(), AF_UNSPEC, &raw); err < 0) {
    error = vrrp::linux_::nlErrorText("link dump", err);
    return snapshot;
  }
  std::unique_ptr<nl_cache, void (*)(nl_cache*)> cache(raw, nl_cache_free);
  std::map<int, std::string> names;
  for (nl_object* o = nl_cache_get_first(cache.get()); o != nullptr; o = nl_cache_get_next(o)) {
    auto* link = reinterpret_cast<rtnl_link*>(o);
    const char* name = rtnl_link_get_name(link);
    if (!name) continue;
    InterfaceState state;
    state.ifindex = rtnl_link_get_ifindex(link);
    const unsigned flags = rtnl_link_get_flags(link);
    state.adminUp = (flags & IFF_UP) != 0;
    state.running = (flags & IFF_RUNNING) != 0;
    if (const nl_addr* mac = rtnl_link_get_addr(link); mac != nullptr && nl_addr_get_len(mac) == state.mac.size())
      std::memcpy(state.mac.data(), nl_addr_get_binary_addr(mac), state.mac.size());
    names[state.ifindex] = name;
    snapshot[name] = std::move(state);
  }
  auto addresses = vrrp::linux_::dumpAddresses(socket.get(), error);
  if (!addresses) return snapshot;
  for (const auto& a : *addresses)
    if (auto name = names.find(a.ifindex); name != names.end())
      snapshot[name->second].addresses.push_back({a.address, a.prefixLength});
  return snapshot;
}

// ---------------------------------------------------------------- tools and /proc

ToolOutput runTool(const std::vector<std::string>& argv) {
  ToolOutput result;
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) return result;
  if (pipe2(err, O_CLOEXEC) != 0) {
    close(out[0]);
    close(out[1]);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int spawned = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  close(err[1]);
  UniqueFd outFd(out[0]), errFd(err[0]);
  if (spawned != 0) {
    result.present = spawned != ENOENT;
    result.status = 127;
    result.error = std::strerror(spawned);
    return result;
  }
  result.present = true;
  pollfd fds[2] = {{outFd.get(), POLLIN, 0}, {errFd.get(), POLLIN, 0}};
  std::string* sinks[2] = {&result.output, &result.error};
  int open = 2;
  char buffer[65536];
  while (open > 0 && poll(fds, 2, -1) >= 0) {
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  // posix_spawnp reports a missing program from the child on some C libraries: exit 127 and nothing read.
  if (result.status == 127 && result.output.empty()) result.present = false;
  return result;
}

KernelFacts readKernelFacts(const std::vector<std::string>& keys) {
  KernelFacts facts;
  for (const auto& key : keys) {
    std::string path = "/proc/sys/" + key;
    for (std::size_t i = std::string("/proc/sys/").size(); i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    std::ifstream in(path);
    std::string value;
    if (in >> value) facts.sysctls[key] = value;
  }
  facts.ipvsLoaded = access("/proc/net/ip_vs", F_OK) == 0;
  return facts;
}

// ---------------------------------------------------------------- listening

namespace {

struct Listener {
  ListenTarget target;
  UniqueFd fd;
};

bool bindToDevice(int fd, const std::string& name, std::string& error) {
  return vrrp::linux_::setOption(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size() + 1),
                                 "SO_BINDTODEVICE", error);
}

// IPv4: one socket per protocol (VRRP, and AH which carries VRRP for keepalived's auth_type AH).
std::vector<UniqueFd> openIpv4(const ListenTarget& target, int ifindex, std::string& error) {
  std::vector<UniqueFd> fds;
  for (int protocol : {int{vrrp::kIpProtoVrrp}, int{vrrp::kIpProtoAh}}) {
    UniqueFd fd(::socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
    if (!fd.valid()) {
      error = vrrp::linux_::errnoText("socket(AF_INET, SOCK_RAW)", errno);
      return {};
    }
    ip_mreqn join{};
    std::memcpy(&join.imr_multiaddr, target.group.bytes().data(), 4);
    join.imr_ifindex = ifindex;
    const int off = 0;
    if (!bindToDevice(fd.get(), target.interface, error) ||
        !vrrp::linux_::setOption(fd.get(), IPPROTO_IP, IP_MULTICAST_ALL, off, "IP_MULTICAST_ALL", error) ||
        !vrrp::linux_::setOption(fd.get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, join, "IP_ADD_MEMBERSHIP", error))
      return {};
    fds.push_back(std::move(fd));
  }
  return fds;
}

UniqueFd openIpv6(const ListenTarget& target, int ifindex, std::string& error) {
  UniqueFd fd(::socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, vrrp::kIpProtoVrrp));
  if (!fd.valid()) {
    error = vrrp::linux_::errnoText("socket(AF_INET6, SOCK_RAW)", errno);
    return {};
  }
  ipv6_mreq join{};
  std::memcpy(&join.ipv6mr_multiaddr, target.group.bytes().data(), 16);
  join.ipv6mr_interface = static_cast<unsigned>(ifindex);
  const int on = 1;
  if (!bindToDevice(fd.get(), target.interface, error) ||
      !vrrp::linux_::setOption(fd.get(), IPPROTO_IPV6, IPV6_RECVPKTINFO, on, "IPV6_RECVPKTINFO", error) ||
      !vrrp::linux_::setOption(fd.get(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, on, "IPV6_RECVHOPLIMIT", error) ||
      !vrrp::linux_::setOption(fd.get(), IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, join, "IPV6_ADD_MEMBERSHIP", error))
    return {};
  return fd;
}

void readPackets(const Listener& l, ListenResult& result) {
  std::uint8_t buffer[4096];
  for (;;) {
    sockaddr_in6 from{};
    iovec iov{buffer, sizeof buffer};
    alignas(cmsghdr) char control[256];
    msghdr msg{};
    msg.msg_name = &from;
    msg.msg_namelen = sizeof from;
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    const ssize_t n = recvmsg(l.fd.get(), &msg, 0);
    if (n <= 0) return;
    HeardPacket packet;
    packet.interface = l.target.interface;
    packet.family = l.target.family;
    packet.bytes.assign(buffer, buffer + n);
    if (l.target.family == vrrp::Family::Ipv6) {
      packet.meta.source = vrrp::IpAddress::fromBytes(vrrp::Family::Ipv6, std::span(from.sin6_addr.s6_addr));
      packet.meta.destination = l.target.group;
      packet.meta.ttl = 0;  // unknown unless the kernel says
      vrrp::linux_::readIpv6Ancillary(msg, packet.meta);
    }
    result.packets.push_back(std::move(packet));
  }
}

}  // namespace

ListenResult listenForAdverts(const std::vector<ListenTarget>& targets, const InterfaceSnapshot& snapshot, double seconds) {
  ListenResult result;
  result.seconds = seconds;
  std::vector<Listener> listeners;
  for (const auto& target : targets) {
    auto found = snapshot.find(target.interface);
    if (found == snapshot.end()) {
      result.errors[target.interface] = "no such interface";
      continue;
    }
    std::string error;
    if (target.family == vrrp::Family::Ipv4) {
      auto fds = openIpv4(target, found->second.ifindex, error);
      for (auto& fd : fds) listeners.push_back({target, std::move(fd)});
    } else if (auto fd = openIpv6(target, found->second.ifindex, error); fd.valid()) {
      listeners.push_back({target, std::move(fd)});
    }
    if (!error.empty()) result.errors[target.interface] = error;
  }
  // The same interfaces seen from below the IP layer: what arrives, whatever the firewall then does with it.
  std::vector<std::pair<std::string, UniqueFd>> taps;
  std::set<std::string> tapped;
  for (const auto& target : targets) {
    auto found = snapshot.find(target.interface);
    if (found == snapshot.end() || !tapped.insert(target.interface).second) continue;
    UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    sockaddr_ll bound{};
    bound.sll_family = AF_PACKET;
    bound.sll_protocol = htons(ETH_P_ALL);
    bound.sll_ifindex = found->second.ifindex;
    if (!fd.valid() || bind(fd.get(), reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0) {
      result.errors.emplace(target.interface, vrrp::linux_::errnoText("AF_PACKET socket", errno));
      continue;
    }
    taps.emplace_back(target.interface, std::move(fd));
  }
  std::vector<pollfd> fds;
  for (const auto& l : listeners) fds.push_back({l.fd.get(), POLLIN, 0});
  for (const auto& [name, fd] : taps) fds.push_back({fd.get(), POLLIN, 0});
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  for (auto now = Clock::now(); now < deadline; now = Clock::now()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    if (fds.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(left));
      break;
    }
    if (poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (i < listeners.size()) {
        readPackets(listeners[i], result);
        continue;
      }
      const std::string& interface = taps[i - listeners.size()].first;
      std::uint8_t frame[4096];
      sockaddr_ll from{};
      socklen_t size = sizeof from;
      ssize_t n;
      while ((n = recvfrom(fds[i].fd, frame, sizeof frame, 0, reinterpret_cast<sockaddr*>(&from), &size)) > 0) {
        size = sizeof from;
        if (from.sll_pkttype == PACKET_OUTGOING) continue;
        if (auto packet = packetFromFrame(interface, std::span(frame, static_cast<std::size_t>(n))))
          result.wire.push_back(std::move(*packet));
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------- ARP probes

std::vector<ProbeResult> probeAddresses(const std::vector<ProbeTarget>& targets, std::chrono::milliseconds wait) {
  std::vector<ProbeResult> results;
  std::map<int, UniqueFd> sockets;  // by ifindex
  for (const auto& target : targets) {
    ProbeResult r{target, std::nullopt, {}};
    if (!sockets.count(target.ifindex)) {
      UniqueFd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP)));
      sockaddr_ll bound{};
      bound.sll_family = AF_PACKET;
      bound.sll_protocol = htons(ETH_P_ARP);
      bound.sll_ifindex = target.ifindex;
      if (!fd.valid() || bind(fd.get(), reinterpret_cast<sockaddr*>(&bound), sizeof bound) != 0)
        r.error = vrrp::linux_::errnoText("AF_PACKET socket on " + target.interface, errno);
      else
        sockets[target.ifindex] = std::move(fd);
    }
    results.push_back(std::move(r));
  }
  auto send = [&] {
    for (auto& r : results) {
      if (!r.error.empty()) continue;
      const auto frame = buildArpProbe(r.target.mac, r.target.vip);
      sockaddr_ll to{};
      to.sll_family = AF_PACKET;
      to.sll_protocol = htons(ETH_P_ARP);
      to.sll_ifindex = r.target.ifindex;
      to.sll_halen = 6;
      std::memset(to.sll_addr, 0xff, 6);
      if (sendto(sockets[r.target.ifindex].get(), frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to),
                 sizeof to) < 0)
        r.error = vrrp::linux_::errnoText("ARP probe on " + r.target.interface, errno);
    }
  };
  auto receiveUntil = [&](Clock::time_point until) {
    std::vector<pollfd> fds;
    std::vector<int> indexes;
    for (auto& [ifindex, fd] : sockets) {
      fds.push_back({fd.get(), POLLIN, 0});
      indexes.push_back(ifindex);
    }
    for (auto now = Clock::now(); now < until && !fds.empty(); now = Clock::now()) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count() + 1;
      if (poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) return;
      for (std::size_t i = 0; i < fds.size(); ++i) {
        if (!(fds[i].revents & POLLIN)) continue;
        std::uint8_t frame[1514];
        ssize_t n;
        while ((n = recv(fds[i].fd, frame, sizeof frame, 0)) > 0)
          for (auto& r : results)
            if (r.target.ifindex == indexes[i] && !r.answeredBy)
              r.answeredBy = arpClaim(std::span(frame, static_cast<std::size_t>(n)), r.target.vip, r.target.mac);
      }
    }
  };
  if (sockets.empty()) return results;
  for (int i = 0; i < 3; ++i) {
    send();
    receiveUntil(Clock::now() + (i < 2 ? std::chrono::milliseconds(200) : wait));
  }
  return results;
}

}  // namespace tandem::diagnose::linux_
