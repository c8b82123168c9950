#include "vrrp/linux/linux_interfaces.h"

#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/socket.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace tandem::vrrp {
namespace {

constexpr unsigned kUnusableIpv6 = IFA_F_TENTATIVE | IFA_F_DADFAILED;

bool isLinkLocalUnicast(const IpAddress& a) {
  const auto b = a.bytes();
  return a.family() == Family::Ipv6 && b[0] == 0xfe && (b[1] & 0xc0) == 0x80;
}

struct LinkDeleter {
  void operator()(rtnl_link* link) const { rtnl_link_put(link); }
};

}  // namespace

LinuxInterfaces::LinuxInterfaces(boost::asio::io_context& io, IsVirtual isVirtual, LogSink log)
    : io_(io), isVirtual_(std::move(isVirtual)), log_(linux_::orStderr(std::move(log))) {
  std::string error;
  requests_ = linux_::connectRoute(error);
  if (!requests_) throw std::runtime_error("interfaces: " + error);
}

LinuxInterfaces::~LinuxInterfaces() {
  if (eventStream_) {
    // libnl owns the descriptor and closes it in nl_socket_free.
    eventStream_->cancel();
    eventStream_->release();
  }
}

std::optional<InterfaceInfo> LinuxInterfaces::find(const std::string& name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    lastError_ = "interface name '" + name + "' is not a valid device name";
    return std::nullopt;
  }
  return lookup(0, name);
}

std::optional<InterfaceInfo> LinuxInterfaces::find(int ifindex) {
  if (ifindex <= 0) {
    lastError_ = "interface index " + std::to_string(ifindex) + " is not valid";
    return std::nullopt;
  }
  return lookup(ifindex, {});
}

std::optional<InterfaceInfo> LinuxInterfaces::lookup(int ifindex, const std::string& name) {
  const std::string what = name.empty() ? "interface index " + std::to_string(ifindex) : "interface " + name;
  rtnl_link* raw = nullptr;
  if (const int err = rtnl_link_get_kernel(requests_.get(), ifindex, name.empty() ? nullptr : name.c_str(), &raw);
      err < 0) {
    lastError_ = linux_::nlErrorText(what, err);
    return std::nullopt;
  }
  std::unique_ptr<rtnl_link, LinkDeleter> link(raw);

  InterfaceInfo info;
  info.ifindex = rtnl_link_get_ifindex(link.get());
  if (const char* linkName = rtnl_link_get_name(link.get())) info.name = linkName;
  const unsigned flags = rtnl_link_get_flags(link.get());
  info.up = (flags & IFF_UP) != 0 && (flags & IFF_RUNNING) != 0;
  if (const nl_addr* mac = rtnl_link_get_addr(link.get()); mac != nullptr && nl_addr_get_len(mac) == info.mac.size()) {
    std::memcpy(info.mac.data(), nl_addr_get_binary_addr(mac), info.mac.size());
  }

  std::string error;
  const auto addresses = linux_::dumpAddresses(requests_.get(), error);
  if (!addresses) {
    lastError_ = what + ": " + error;
    return std::nullopt;
  }
  for (const auto& k : *addresses) {
    if (k.ifindex != info.ifindex) continue;
    if (isVirtual_ && isVirtual_(k.address)) continue;
    if (k.address.family() == Family::Ipv4) {
      if (!info.primaryIpv4 && (k.flags & IFA_F_SECONDARY) == 0) info.primaryIpv4 = k.address;
    } else if (!info.linkLocalIpv6 && isLinkLocalUnicast(k.address) && (k.flags & kUnusableIpv6) == 0) {
      // A tentative address cannot be bound or used as a source until DAD finishes; its completion is
      // reported through watch().
      info.linkLocalIpv6 = k.address;
    }
  }
  lastError_.clear();
  return info;
}

void LinuxInterfaces::watch(std::function<void(const InterfaceInfo&)> onChange) {
  if (!events_) startWatching();
  watchers_.push_back(std::move(onChange));
}

void LinuxInterfaces::startWatching() {
  linux_::NlSocket socket(nl_socket_alloc());
  if (!socket) throw std::runtime_error("interfaces: cannot allocate a netlink socket for link events");
  nl_socket_disable_seq_check(socket.get());
  nl_socket_modify_cb(socket.get(), NL_CB_VALID, NL_CB_CUSTOM, &LinuxInterfaces::onEventMessage, this);
  if (const int err = nl_connect(socket.get(), NETLINK_ROUTE); err < 0) {
    throw std::runtime_error(linux_::nlErrorText("interfaces: cannot connect the netlink event socket", err));
  }
  if (const int err = nl_socket_add_memberships(socket.get(), RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, 0);
      err < 0) {
    throw std::runtime_error(linux_::nlErrorText("interfaces: cannot subscribe to link and address events", err));
  }
  if (const int err = nl_socket_set_nonblocking(socket.get()); err < 0) {
    throw std::runtime_error(linux_::nlErrorText("interfaces: cannot make the netlink event socket non-blocking", err));
  }
  // A burst of address changes (a sync group taking over) must not overflow the default buffer.
  nl_socket_set_buffer_size(socket.get(), 1 << 20, 0);
  eventStream_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, nl_socket_get_fd(socket.get()));
  events_ = std::move(socket);
  armWatch();
}

void LinuxInterfaces::armWatch() {
  std::weak_ptr<int> alive = alive_;
  eventStream_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [this, alive](const boost::system::error_code& ec) {
                             if (ec || alive.expired()) return;
                             drainEvents();
                             if (!alive.expired()) armWatch();
                           });
}

void LinuxInterfaces::drainEvents() {
  changed_.clear();
  deletedNames_.clear();
  resyncAll_ = false;
  for (;;) {
    const int err = nl_recvmsgs_default(events_.get());
    if (err >= 0) continue;
    if (err == -NLE_AGAIN) break;
    if (err == -NLE_NOMEM) {
      // ENOBUFS: the kernel dropped events; what changed is unknown, so everything is reported.
      log_("interfaces: netlink event buffer overrun, rereading every interface");
      resyncAll_ = true;
      continue;
    }
    log_(linux_::nlErrorText("interfaces: reading netlink events failed", err));
    break;
  }
  if (resyncAll_) {
    nl_cache* cache = nullptr;
    if (const int err = rtnl_link_alloc_cache(requests_.get(), AF_UNSPEC, &cache); err < 0) {
      log_(linux_::nlErrorText("interfaces: link dump failed", err));
    } else {
      for (nl_object* o = nl_cache_get_first(cache); o != nullptr; o = nl_cache_get_next(o)) {
        const int ifindex = rtnl_link_get_ifindex(reinterpret_cast<rtnl_link*>(o));
        if (std::find(changed_.begin(), changed_.end(), ifindex) == changed_.end()) changed_.push_back(ifindex);
      }
      nl_cache_free(cache);
    }
  }
  const std::vector<int> changed = std::move(changed_);
  changed_.clear();
  notify(changed);
}

int LinuxInterfaces::onEventMessage(nl_msg* message, void* self) {
  auto& me = *static_cast<LinuxInterfaces*>(self);
  nlmsghdr* header = nlmsg_hdr(message);
  int ifindex = 0;
  switch (header->nlmsg_type) {
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifinfomsg))) return NL_SKIP;
      ifindex = static_cast<const ifinfomsg*>(nlmsg_data(header))->ifi_index;
      if (header->nlmsg_type == RTM_DELLINK) {
        if (nlattr* name = nlmsg_find_attr(header, sizeof(ifinfomsg), IFLA_IFNAME)) {
          me.deletedNames_[ifindex] = nla_get_string(name);
        }
      }
      break;
    }
    case RTM_NEWADDR:
    case RTM_DELADDR:
      if (header->nlmsg_len < NLMSG_LENGTH(sizeof(ifaddrmsg))) return NL_SKIP;
      ifindex = static_cast<int>(static_cast<const ifaddrmsg*>(nlmsg_data(header))->ifa_index);
      break;
    default:
      return NL_SKIP;
  }
  if (std::find(me.changed_.begin(), me.changed_.end(), ifindex) == me.changed_.end()) {
    me.changed_.push_back(ifindex);
  }
  return NL_OK;
}

void LinuxInterfaces::notify(const std::vector<int>& ifindexes) {
  std::weak_ptr<int> alive = alive_;
  const auto deletedNames = deletedNames_;
  for (const int ifindex : ifindexes) {
    auto info = lookup(ifindex, {});
    if (!info) {
      InterfaceInfo gone;
      gone.ifindex = ifindex;
      if (const auto it = deletedNames.find(ifindex); it != deletedNames.end()) gone.name = it->second;
      info = gone;
    }
    // A watcher may destroy us (shutdown on a fatal change); stop touching members if it does.
    const auto watchers = watchers_;
    for (const auto& watcher : watchers) {
      watcher(*info);
      if (alive.expired()) return;
    }
  }
}

}  // namespace tandem::vrrp
