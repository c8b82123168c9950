#pragma once
// `tandemd --genhash`: what keepalived's genhash prints, computed the way HTTP_GET/SSL_GET compute it, so that the
// digest it gives can be pasted into a url block. Flags it mirrors: -s server, -p port, -u url, -S (SSL),
// -V virtualhost, -I/--use-sni (SNI from the virtualhost; --sni NAME for another name), -P protocol (1.0, 1.0C,
// 1.1), -t timeout. keepalived's test-only protocols 1.0K/1.1K are not offered.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "checkers/linux/http_request.h"

namespace tandem::check {

struct GenhashOptions {
  std::string server;    // -s: an IP address, as keepalived requires
  std::uint16_t port = 0;  // -p
  bool ssl = false;      // -S
  std::string virtualhost;  // -V: the Host header (else "server:port")
  bool sni = false;         // -I: send SNI, named sniName or else the virtualhost
  std::string sniName;
  HttpVersion protocol = HttpVersion::V1_0;       // -P
  std::chrono::milliseconds timeout{0};           // -t; 0: none (keepalived waits forever)
  std::string bindInterface;                      // what a checker's bind_if would do; empty: none
  std::optional<std::uint32_t> fwmark;            // -m: SO_MARK on the socket, as a checker's fwmark
};

// Fetches `url` (a path such as "/index.html", sent as is) on a private event loop and returns once the reply is
// complete or failed (HttpResponse::error); blocking, for the command line only. The headers are kept.
HttpResponse genhash(const std::string& url, const GenhashOptions& options);

}  // namespace tandem::check
