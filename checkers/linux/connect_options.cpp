#include "checkers/linux/connect_options.h"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>

namespace tandem::check {
namespace {

std::string errnoText(const std::string& what) { return what + ": " + lowerFirst(std::strerror(errno)); }

}  // namespace

std::optional<std::string> prepareSocket(int fd, const ConnectOptions& options) {
  if (!options.bindInterface.empty()) {
    if (options.bindInterface.size() >= IFNAMSIZ) return "bind_if " + options.bindInterface + ": name too long";
    if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options.bindInterface.c_str(),
                   static_cast<socklen_t>(options.bindInterface.size())) != 0)
      return errnoText("bind_if " + options.bindInterface);
  }
  if (options.fwmark) {
    const std::uint32_t mark = *options.fwmark;
    if (setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
      return errnoText("fwmark " + std::to_string(mark));
  }
  if (!options.bindTo && options.bindPort == 0) return std::nullopt;

  boost::asio::ip::address source = options.bindTo.value_or(
      options.address.is_v6() ? boost::asio::ip::address(boost::asio::ip::address_v6::any())
                              : boost::asio::ip::address(boost::asio::ip::address_v4::any()));
  if (source.is_v6() != options.address.is_v6())
    return "bindto " + source.to_string() + " is not of the family of " + options.address.to_string();
  if (options.bindPort != 0) {
    // A fixed source port is reused at every attempt; the previous connection may still be in TIME_WAIT.
    const int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0) return errnoText("SO_REUSEADDR");
  }
  const boost::asio::ip::tcp::endpoint local(source, options.bindPort);
  if (bind(fd, local.data(), static_cast<socklen_t>(local.size())) != 0)
    return errnoText("bind to " + endpointText(source, options.bindPort));
  return std::nullopt;
}

std::string endpointText(const boost::asio::ip::address& address, std::uint16_t port) {
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(port);
}

std::string secondsText(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  std::string text = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + " s";
}

std::string lowerFirst(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace tandem::check
