#pragma once
// HTTP_GET and SSL_GET: the urls in order, one fresh connection each, to the real server (or connect_ip); the
// attempt stops at the first url that fails (transport error, status code out of its ranges, wrong digest) and
// succeeds when every url passed. Verdicts per url come from check::httpVerdict.
//
// Host header: the url's virtualhost, else the checker's (keepalived falls back to the real server's, then the
// virtual server's: config::EffectiveChecker::virtualhost has that chain resolved), else "address:port".
// SNI (SSL_GET with enable_sni): sni_name, else the url's virtualhost, else the checker's; none without a name.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "checkers/linux/curl_multi.h"
#include "checkers/linux/http_request.h"
#include "checkers/probe.h"
#include "checkers/verdicts.h"

namespace tandem::check {

struct HttpUrl {
  UrlSpec spec;             // path, digest, status_code ranges
  std::string virtualhost;  // the url block's own; empty: none
};

struct HttpProbeOptions {
  ConnectOptions connect;  // timeout: connect_timeout, for each url's whole request
  bool ssl = false;        // SSL_GET
  std::vector<HttpUrl> urls;
  std::string virtualhost;  // the checker's, else the real server's, else the virtual server's
  HttpVersion protocol = HttpVersion::V1_0;
  bool enableSni = false;
  std::string sniName;
};

// What one url's request looks like under `options`: Host header and SNI name resolved.
HttpRequestSpec requestFor(const HttpProbeOptions& options, const HttpUrl& url);

class HttpProbe final : public Probe {
 public:
  HttpProbe(CurlMulti& multi, HttpProbeOptions options);
  ~HttpProbe() override;

  void start(Done done) override;
  void cancel() override;
  bool running() const override { return done_ != nullptr; }

  const HttpProbeOptions& options() const { return options_; }

 private:
  void request(std::size_t index);
  void finish(Verdict verdict);

  CurlMulti& multi_;
  HttpProbeOptions options_;
  std::unique_ptr<HttpRequest> request_;
  Done done_;
  std::uint64_t attempt_ = 0;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tandem::check
