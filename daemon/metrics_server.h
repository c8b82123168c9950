#pragma once
// The opt-in Prometheus endpoint (`--metrics [ADDRESS:]PORT`, 127.0.0.1 unless an address is given). It runs on a
// thread of its own in the supervising process and is only a client of the control sockets: a scrape asks the
// parent and each running child for their status, so a slow or restarting child delays a scrape, never VRRP.
#include <memory>
#include <optional>
#include <string>

namespace tandem::daemon {

struct MetricsEndpoint {
  std::string address = "127.0.0.1";
  unsigned short port = 0;
};

// "9650", "127.0.0.1:9650", "[::1]:9650", "0.0.0.0:9650"; nullopt with `error` otherwise.
std::optional<MetricsEndpoint> parseMetricsEndpoint(const std::string& text, std::string& error);

class MetricsServer {
 public:
  // `controlSocket`: the parent's control socket, which lists the children's.
  MetricsServer(MetricsEndpoint endpoint, std::string controlSocket);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // Binds and starts serving; false with `error` when the address cannot be bound.
  bool start(std::string& error);
  // The port actually bound (useful with port 0).
  unsigned short port() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// What one scrape answers: asks the control sockets and renders their replies.
std::string scrapeMetrics(const std::string& controlSocket);

}  // namespace tandem::daemon
