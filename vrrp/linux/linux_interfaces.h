#pragma once
// InterfacePort over rtnetlink (libnl-route): lookups are synchronous netlink requests, which the kernel answers
// at once; changes arrive on a second netlink socket subscribed to link and address groups and read by Asio.
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vrrp/linux/netlink.h"
#include "vrrp/linux/socket_util.h"
#include "vrrp/ports.h"

struct nl_msg;

namespace tandem::vrrp {

class LinuxInterfaces final : public InterfacePort {
 public:
  // Tells which addresses are ours (VIPs), so that none of them is ever taken for the primary IPv4 or the
  // link-local address.
  using IsVirtual = std::function<bool(const IpAddress&)>;

  // Throws std::runtime_error when no netlink socket can be opened.
  explicit LinuxInterfaces(boost::asio::io_context& io, IsVirtual isVirtual = {}, LogSink log = {});
  ~LinuxInterfaces() override;
  LinuxInterfaces(const LinuxInterfaces&) = delete;
  LinuxInterfaces& operator=(const LinuxInterfaces&) = delete;

  std::optional<InterfaceInfo> find(const std::string& name) override;
  std::optional<InterfaceInfo> find(int ifindex) override;
  // The first call subscribes to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR; every callback
  // gets every change. A deleted interface is reported once with up = false and no addresses. Throws
  // std::runtime_error when the subscription fails.
  void watch(std::function<void(const InterfaceInfo&)> onChange) override;

  // Why the last find() returned nullopt (no such device, or a netlink failure).
  const std::string& lastError() const { return lastError_; }

 private:
  std::optional<InterfaceInfo> lookup(int ifindex, const std::string& name);
  void startWatching();
  void armWatch();
  void drainEvents();
  static int onEventMessage(nl_msg* message, void* self);
  void notify(const std::vector<int>& ifindexes);

  boost::asio::io_context& io_;
  IsVirtual isVirtual_;
  LogSink log_;
  linux_::NlSocket requests_;
  linux_::NlSocket events_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> eventStream_;
  std::vector<std::function<void(const InterfaceInfo&)>> watchers_;
  std::vector<int> changed_;                 // filled by onEventMessage while draining
  std::map<int, std::string> deletedNames_;  // RTM_DELLINK carries the name we can no longer look up
  bool resyncAll_ = false;                   // the kernel dropped events (ENOBUFS): report every interface
  std::string lastError_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace tandem::vrrp
