#include "daemon/metrics_server.h"

#include <signal.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <chrono>
#include <thread>

#include "daemon/control_client.h"
#include "daemon/metrics.h"

namespace tandem::daemon {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// A scrape must finish well inside Prometheus' default 10 s timeout even when a child hangs.
constexpr std::chrono::milliseconds kChildTimeout{1500};
constexpr std::chrono::seconds kRequestTimeout{5};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const std::string& controlSocket)
      : stream_(std::move(socket)), controlSocket_(controlSocket) {}

  void run() {
    stream_.expires_after(kRequestTimeout);
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->onRead(ec); });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec) return;
    response_.version(request_.version());
    response_.keep_alive(false);
    response_.set(http::field::server, "tandemd");
    const auto target = request_.target();
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      response_.result(http::status::method_not_allowed);
      response_.set(http::field::allow, "GET, HEAD");
      response_.body() = "only GET\n";
    } else if (target == "/metrics" || target.starts_with("/metrics?")) {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response_.body() = scrapeMetrics(controlSocket_);
    } else if (target == "/") {
      response_.result(http::status::ok);
      response_.set(http::field::content_type, "text/plain; charset=utf-8");
      response_.body() = "tandemd: Prometheus metrics at /metrics\n";
    } else {
      response_.result(http::status::not_found);
      response_.body() = "not found; try /metrics\n";
    }
    response_.prepare_payload();
    if (request_.method() == http::verb::head) response_.body().clear();
    stream_.expires_after(kRequestTimeout);
    http::async_write(stream_, response_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  const std::string& controlSocket_;
  beast::flat_buffer buffer_;
  http::request<http::empty_body> request_;
  http::response<http::string_body> response_;
};

}  // namespace

std::optional<MetricsEndpoint> parseMetricsEndpoint(const std::string& text, std::string& error) {
  MetricsEndpoint endpoint;
  std::string portText = text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos) {
      error = "--metrics: expected [ADDRESS]:PORT, got '" + text + "'";
      return std::nullopt;
    }
    endpoint.address = text.substr(1, close - 1);
    portText = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    endpoint.address = text.substr(0, colon);
    portText = text.substr(colon + 1);
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
  if (ec != std::errc() || end != portText.data() + portText.size() || portText.empty() || value > 65535) {
    error = "--metrics: '" + portText + "' is not a port number";
    return std::nullopt;
  }
  endpoint.port = static_cast<unsigned short>(value);
  boost::system::error_code addressError;
  asio::ip::make_address(endpoint.address, addressError);
  if (addressError) {
    error = "--metrics: '" + endpoint.address + "' is not an IP address";
    return std::nullopt;
  }
  return endpoint;
}

std::string scrapeMetrics(const std::string& controlSocket) {
  MetricsInput input;
  std::string error;
  if (auto parent = askControlSocket(controlSocket, ControlCommand::Status, error, kChildTimeout))
    input.daemon = parent->value("daemon", nlohmann::json());
  if (input.daemon.is_object())
    for (const auto& child : input.daemon.value("children", nlohmann::json::array())) {
      if (!child.is_object() || !child.value("running", false)) continue;
      auto reply = askControlSocket(child.value("socket", ""), ControlCommand::Status, error, kChildTimeout);
      if (!reply) continue;
      const std::string subsystem = child.value("subsystem", "");
      if (subsystem == "vrrp") input.vrrp = std::move(*reply);
      else if (subsystem == "checker") input.checker = std::move(*reply);
    }
  return renderMetrics(input);
}

struct MetricsServer::State {
  MetricsEndpoint endpoint;
  std::string controlSocket;
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::thread thread;

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<Session>(std::move(socket), controlSocket)->run();
      accept();
    });
  }
};

MetricsServer::MetricsServer(MetricsEndpoint endpoint, std::string controlSocket) : state_(new State) {
  state_->endpoint = std::move(endpoint);
  state_->controlSocket = std::move(controlSocket);
}

MetricsServer::~MetricsServer() {
  if (state_->thread.joinable()) {
    state_->io.stop();
    state_->thread.join();
  }
}

bool MetricsServer::start(std::string& error) {
  boost::system::error_code ec;
  const tcp::endpoint at(asio::ip::make_address(state_->endpoint.address, ec), state_->endpoint.port);
  if (!ec) state_->acceptor.open(at.protocol(), ec);
  if (!ec) state_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) state_->acceptor.bind(at, ec);
  if (!ec) state_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    error = "metrics endpoint " + state_->endpoint.address + ":" + std::to_string(state_->endpoint.port) + ": " +
            ec.message();
    return false;
  }
  state_->accept();
  // Signals stay with the main thread's handlers: this thread must never be the one the kernel picks.
  sigset_t all, previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  state_->thread = std::thread([this] { state_->io.run(); });
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return true;
}

unsigned short MetricsServer::port() const {
  boost::system::error_code ec;
  const auto local = state_->acceptor.local_endpoint(ec);
  return ec ? 0 : local.port();
}

}  // namespace tandem::daemon
