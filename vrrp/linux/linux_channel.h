#pragma once
// ChannelFactory over raw sockets, read through Asio. One set of sockets per (interface, family, mode) is shared
// by every instance that opens it; each open() returns its own handle, and the sockets close with the last one.
//
// IPv4: a send socket (protocol 112, IP_HDRINCL: the engine builds the whole packet, TTL included) and receive
// sockets for protocol 112 and 51 (AH), each joined to the group on the interface only (IP_MULTICAST_ALL off).
// IPv6: as keepalived does, IPV6_CHECKSUM is set to offset 6 on both sockets: the kernel recomputes the VRRP
// checksum on send (subtracting whatever the codec put there, so a correct one is left unchanged) and drops a
// received advert whose checksum is wrong. Source is the interface's link-local address (bound), hop limit 255.
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "vrrp/linux/socket_util.h"
#include "vrrp/ports.h"

namespace tandem::vrrp {

class LinuxChannelFactory final : public ChannelFactory {
 public:
  // `interfaces` resolves the interface's index and (IPv6) link-local address at open time.
  LinuxChannelFactory(boost::asio::io_context& io, InterfacePort& interfaces, LogSink log = {});
  ~LinuxChannelFactory() override;

  // Multicast specs (no unicast peers) share by (interface, family, group); unicast specs by (interface, family,
  // source). A shared channel keeps the settings of the spec that opened it.
  std::shared_ptr<AdvertChannel> open(const ChannelSpec& spec, std::function<void(const ReceivedPacket&)> onPacket,
                                      std::string& error) override;

  // Socket sets currently open: what tests use to see sharing and closing.
  std::size_t openSocketSets() const;

  // Between the two, sends are queued and then leave with sendmmsg, per socket in the order queued: for the adverts
  // of many instances due together (see AsioTimers::setBatchHooks).
  void beginBatch();
  void endBatch();

  class Sockets;

 private:
  struct SendBatch {
    bool open = false;
    std::vector<std::shared_ptr<Sockets>> waiting;  // with packets queued
  };

  boost::asio::io_context& io_;
  InterfacePort& interfaces_;
  LogSink log_;
  std::map<std::string, std::weak_ptr<Sockets>> open_;
  std::shared_ptr<SendBatch> batch_ = std::make_shared<SendBatch>();
};

}  // namespace tandem::vrrp
