#pragma once
// Tiny servers on loopback for the checker adapters' tests: an HTTP/HTTPS server that records each request (and
// the SNI name it was sent) and answers with a canned reply, or never answers; listeners whose accept queue is
// full. All on the test's own Asio loop, on ports the kernel picks.
#include <openssl/ssl.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tandem::check::testing {

struct RecordedRequest {
  std::string requestLine;                     // "GET /path HTTP/1.0"
  std::vector<std::pair<std::string, std::string>> headers;  // as received, names as written
  std::string sni;                             // TLS only; empty when the client sent none
  std::optional<std::string> header(const std::string& name) const;  // case-insensitive
};

// A self-signed certificate and key made for the test (EC P-256), loaded into a server TLS context.
std::shared_ptr<boost::asio::ssl::context> selfSignedServerContext(const std::string& commonName);

class TestHttpServer {
 public:
  // Listens on `address` (127.0.0.1, ::1) at a port the kernel picks; TLS when `tls` is given.
  TestHttpServer(boost::asio::io_context& io, const std::string& address,
                 std::shared_ptr<boost::asio::ssl::context> tls = nullptr);
  ~TestHttpServer();

  std::uint16_t port() const { return port_; }
  // What every connection gets once its request head is in; nullopt: keep the connection open and say nothing.
  void setReply(std::optional<std::string> reply) { reply_ = std::move(reply); }
  const std::vector<RecordedRequest>& requests() const { return requests_; }

  struct Session;

 private:
  void accept();

  boost::asio::io_context& io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::uint16_t port_ = 0;
  std::optional<std::string> reply_;
  std::vector<RecordedRequest> requests_;
  std::vector<std::shared_ptr<Session>> sessions_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// "HTTP/1.0 <status> X\r\nContent-Length: n\r\n<extra>\r\n<body>"
std::string httpReply(int status, const std::string& body, const std::string& extraHeaders = "");

// A port on which nothing listens: bound, then closed.
std::uint16_t closedPort(const std::string& address);

// A listener that accepts nothing, its accept queue full, so that another connect to it gets no SYN-ACK.
class FullListener {
 public:
  explicit FullListener(const std::string& address);
  ~FullListener();
  std::uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  int filler_ = -1;
  std::uint16_t port_ = 0;
};

bool haveIpv6Loopback();

}  // namespace tandem::check::testing
