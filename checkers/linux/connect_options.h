#pragma once
// Where and how a checker connects (keepalived's conn_opts: connect_ip/connect_port, bindto, bind_port, bind_if,
// fwmark, connect_timeout), and the socket preparation that TCP_CHECK and HTTP_GET/SSL_GET share.
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tandem::check {

struct ConnectOptions {
  boost::asio::ip::address address;  // connect_ip, else the real server's address
  std::uint16_t port = 0;            // connect_port, else the real server's port
  std::optional<boost::asio::ip::address> bindTo;
  std::uint16_t bindPort = 0;  // 0: any
  std::string bindInterface;   // SO_BINDTODEVICE; empty: none
  std::optional<std::uint32_t> fwmark;
  std::chrono::milliseconds timeout{5000};  // connect_timeout (keepalived's default: 5 s)
};

// Applies bind_if, fwmark, bindto and bind_port to a fresh, unconnected socket. Returns why it failed, or nullopt.
std::optional<std::string> prepareSocket(int fd, const ConnectOptions& options);

// "192.0.2.1:80", "[2001:db8::1]:80"
std::string endpointText(const boost::asio::ip::address& address, std::uint16_t port);
// "3 s", "0.5 s": durations as log messages give them.
std::string secondsText(std::chrono::milliseconds duration);
// strerror-style text with a lower-case first letter, for reasons such as "connection refused".
std::string lowerFirst(std::string text);

}  // namespace tandem::check
