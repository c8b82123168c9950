#include "tests/unit/checkers_linux/test_servers.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <cctype>
#include <istream>
#include <stdexcept>

namespace tandem::check::testing {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;

bool sameIgnoringCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

RecordedRequest parseHead(const std::string& head) {
  RecordedRequest request;
  std::size_t start = 0;
  bool first = true;
  while (start < head.size()) {
    std::size_t end = head.find("\r\n", start);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(start, end - start);
    start = end + 2;
    if (line.empty()) break;
    if (first) {
      request.requestLine = line;
      first = false;
      continue;
    }
    const auto colon = line.find(':');
    std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.erase(0, 1);
    request.headers.emplace_back(line.substr(0, colon), value);
  }
  return request;
}

sockaddr_storage socketAddress(const std::string& address, std::uint16_t port, socklen_t& size) {
  sockaddr_storage storage{};
  if (address.find(':') != std::string::npos) {
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr);
    size = sizeof(sockaddr_in6);
  } else {
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    inet_pton(AF_INET, address.c_str(), &v4->sin_addr);
    size = sizeof(sockaddr_in);
  }
  return storage;
}

// A socket bound to address:0 (listening when `backlog` is set); returns the fd and the port.
int boundSocket(const std::string& address, std::uint16_t& port, std::optional<int> backlog) {
  socklen_t size = 0;
  sockaddr_storage storage = socketAddress(address, 0, size);
  const int fd = socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&storage), size) != 0 || (backlog && listen(fd, *backlog) != 0)) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("cannot bind a test socket on " + address);
  }
  socklen_t length = sizeof storage;
  getsockname(fd, reinterpret_cast<sockaddr*>(&storage), &length);
  port = ntohs(storage.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port
                                             : reinterpret_cast<sockaddr_in*>(&storage)->sin_port);
  return fd;
}

}  // namespace

std::optional<std::string> RecordedRequest::header(const std::string& name) const {
  for (const auto& [key, value] : headers)
    if (sameIgnoringCase(key, name)) return value;
  return std::nullopt;
}

std::shared_ptr<asio::ssl::context> selfSignedServerContext(const std::string& commonName) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* cert = X509_new();
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(commonName.c_str()), -1,
                             -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
  const bool loaded = SSL_CTX_use_certificate(context->native_handle(), cert) == 1 &&
                      SSL_CTX_use_PrivateKey(context->native_handle(), key) == 1;
  X509_free(cert);
  EVP_PKEY_free(key);
  if (!loaded) throw std::runtime_error("cannot load the test certificate");
  return context;
}

struct TestHttpServer::Session {
  explicit Session(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::unique_ptr<asio::ssl::stream<tcp::socket&>> tls;
  asio::streambuf buffer;
  std::string reply;
};

TestHttpServer::TestHttpServer(asio::io_context& io, const std::string& address,
                               std::shared_ptr<asio::ssl::context> tls)
    : io_(io), acceptor_(io, tcp::endpoint(asio::ip::make_address(address), 0)), tls_(std::move(tls)) {
  port_ = acceptor_.local_endpoint().port();
  accept();
}

TestHttpServer::~TestHttpServer() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  for (auto& session : sessions_) session->socket.close(ignored);
}

void TestHttpServer::accept() {
  acceptor_.async_accept([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec, tcp::socket socket) {
    if (ec || !alive.lock()) return;
    auto session = std::make_shared<Session>(std::move(socket));
    sessions_.push_back(session);
    accept();

    auto serve = [this, alive, session](auto& stream) {
      asio::async_read_until(stream, session->buffer, "\r\n\r\n",
                             [this, alive, session, &stream](const boost::system::error_code& readError, std::size_t) {
        if (readError || !alive.lock()) return;
        std::string head(asio::buffers_begin(session->buffer.data()), asio::buffers_end(session->buffer.data()));
        RecordedRequest request = parseHead(head);
        if (session->tls) {
          const char* name = SSL_get_servername(session->tls->native_handle(), TLSEXT_NAMETYPE_host_name);
          request.sni = name ? name : "";
        }
        requests_.push_back(std::move(request));
        if (!reply_) return;  // say nothing, keep the connection open
        session->reply = *reply_;
        asio::async_write(stream, asio::buffer(session->reply), [session](const boost::system::error_code&, std::size_t) {
          if (!session->tls) {
            boost::system::error_code ignored;
            session->socket.shutdown(tcp::socket::shutdown_both, ignored);
            session->socket.close(ignored);
            return;
          }
          session->tls->async_shutdown([session](const boost::system::error_code&) {
            boost::system::error_code ignored;
            session->socket.close(ignored);
          });
        });
      });
    };
    if (!tls_) return serve(session->socket);
    session->tls = std::make_unique<asio::ssl::stream<tcp::socket&>>(session->socket, *tls_);
    session->tls->async_handshake(asio::ssl::stream_base::server,
                                  [session, serve, alive](const boost::system::error_code& handshakeError) {
                                    if (handshakeError || !alive.lock()) return;
                                    serve(*session->tls);
                                  });
  });
}

std::string httpReply(int status, const std::string& body, const std::string& extraHeaders) {
  return "HTTP/1.0 " + std::to_string(status) + " X\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         extraHeaders + "\r\n" + body;
}

std::uint16_t closedPort(const std::string& address) {
  std::uint16_t port = 0;
  close(boundSocket(address, port, std::nullopt));
  return port;
}

FullListener::FullListener(const std::string& address) {
  // With a backlog of 0 the accept queue holds one connection; a SYN that finds it full is dropped.
  listener_ = boundSocket(address, port_, 0);
  socklen_t size = 0;
  sockaddr_storage target = socketAddress(address, port_, size);
  filler_ = socket(target.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (filler_ < 0 || connect(filler_, reinterpret_cast<sockaddr*>(&target), size) != 0)
    throw std::runtime_error("cannot fill the test listener's queue");
}

FullListener::~FullListener() {
  close(filler_);
  close(listener_);
}

bool haveIpv6Loopback() {
  try {
    std::uint16_t port = 0;
    close(boundSocket("::1", port, std::nullopt));
    return true;
  } catch (const std::runtime_error&) {
    return false;
  }
}

}  // namespace tandem::check::testing
