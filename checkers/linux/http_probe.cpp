#include "checkers/linux/http_probe.h"

#include <boost/asio/post.hpp>

namespace tandem::check {

HttpRequestSpec requestFor(const HttpProbeOptions& options, const HttpUrl& url) {
  HttpRequestSpec spec;
  spec.connect = options.connect;
  spec.ssl = options.ssl;
  spec.path = url.spec.path;
  spec.version = options.protocol;
  const std::string& virtualhost = url.virtualhost.empty() ? options.virtualhost : url.virtualhost;
  spec.host = hostHeader(virtualhost, options.connect.address, options.connect.port);
  if (options.ssl && options.enableSni) spec.sniName = options.sniName.empty() ? virtualhost : options.sniName;
  return spec;
}

HttpProbe::HttpProbe(CurlMulti& multi, HttpProbeOptions options) : multi_(multi), options_(std::move(options)) {}

HttpProbe::~HttpProbe() { cancel(); }

void HttpProbe::cancel() {
  request_.reset();
  done_ = nullptr;
  ++attempt_;
}

void HttpProbe::start(Done done) {
  cancel();
  done_ = std::move(done);
  if (options_.urls.empty()) {
    // keepalived refuses such a checker at load time; should one get here, nothing can fail.
    boost::asio::post(multi_.io(), [this, alive = std::weak_ptr<bool>(alive_), attempt = attempt_] {
      if (alive.lock() && attempt == attempt_ && done_) finish(Verdict::ok());
    });
    return;
  }
  request(0);
}

void HttpProbe::request(std::size_t index) {
  const HttpUrl& url = options_.urls[index];
  request_ = std::make_unique<HttpRequest>(multi_, requestFor(options_, url));
  request_->start([this, index](HttpResponse response) {
    const HttpUrl& current = options_.urls[index];
    if (!response.error.empty()) return finish(Verdict::failure(current.spec.path + ": " + response.error));
    Verdict verdict = httpVerdict(current.spec, response.status, response.md5Hex);
    if (!verdict.success || index + 1 == options_.urls.size()) return finish(std::move(verdict));
    request(index + 1);
  });
}

// Safe from inside the request's callback: the callback does not live in the request.
void HttpProbe::finish(Verdict verdict) {
  request_.reset();
  auto done = std::move(done_);
  done_ = nullptr;
  ++attempt_;
  if (done) done(std::move(verdict));
}

}  // namespace tandem::check
