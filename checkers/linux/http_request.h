#pragma once
// One GET as keepalived's HTTP_GET/SSL_GET sends it, through the process's CurlMulti:
//   GET <path> HTTP/1.x            (the path is sent exactly as configured)
//   User-Agent: KeepAliveClient
//   Connection: close              (1.0C and 1.1)
//   Host: <virtualhost, else address:port>
// on a fresh connection (no reuse, no TLS session cache) to the real server's address whatever the Host header
// or SNI name says. The certificate is not verified (keepalived does not). The body is hashed (MD5, OpenSSL EVP)
// as it arrives, without transfer decoding: a chunked reply is hashed as received, as keepalived and its genhash
// do. connect_timeout bounds the whole request.
#include <curl/curl.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "checkers/linux/connect_options.h"
#include "checkers/linux/curl_multi.h"

namespace tandem::check {

// http_protocol: 1.0 (keepalived's default), 1.0C (1.0 with Connection: close), 1.1 (always with Connection: close).
enum class HttpVersion { V1_0, V1_0C, V1_1 };

struct HttpRequestSpec {
  ConnectOptions connect;
  bool ssl = false;
  std::string sniName;  // SSL only; empty: no SNI extension
  std::string host;     // the Host header's value
  std::string path = "/";
  HttpVersion version = HttpVersion::V1_0;
  bool keepHeaders = false;  // genhash shows them; checkers do not need them
};

struct HttpResponse {
  std::string error;  // why no complete response came (connect, TLS, timeout, not HTTP); empty otherwise
  int status = 0;
  std::string md5Hex;  // lower-case, of the body as received
  std::uint64_t bodyBytes = 0;
  std::vector<std::string> headers;  // with keepHeaders: the header lines, status line first, without CRLF
};

// keepalived's Host header: the virtualhost when there is one, else the address and port ("[v6]:port").
std::string hostHeader(const std::string& virtualhost, const boost::asio::ip::address& address, std::uint16_t port);

class HttpRequest {
 public:
  using Done = std::function<void(HttpResponse)>;

  HttpRequest(CurlMulti& multi, HttpRequestSpec spec);
  ~HttpRequest();
  HttpRequest(const HttpRequest&) = delete;
  HttpRequest& operator=(const HttpRequest&) = delete;

  // `done` is called once from the loop (never from inside start); it may destroy this request.
  void start(Done done);
  void cancel();
  bool running() const { return transfer_ != nullptr; }

  struct Transfer;

 private:
  CurlMulti& multi_;
  HttpRequestSpec spec_;
  std::unique_ptr<Transfer> transfer_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // for what start() posts to the loop
};

}  // namespace tandem::check
