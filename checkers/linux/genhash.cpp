#include "checkers/linux/genhash.h"

#include <boost/asio/io_context.hpp>

#include "checkers/linux/curl_multi.h"

namespace tandem::check {

HttpResponse genhash(const std::string& url, const GenhashOptions& options) {
  HttpResponse result;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(options.server, ec);
  if (ec) {
    result.error = "server should be an IP address, not '" + options.server + "'";
    return result;
  }
  if (options.port == 0) {
    result.error = "no server port";
    return result;
  }

  HttpRequestSpec spec;
  spec.connect.address = address;
  spec.connect.port = options.port;
  spec.connect.timeout = options.timeout;
  spec.connect.bindInterface = options.bindInterface;
  spec.connect.fwmark = options.fwmark;
  spec.ssl = options.ssl;
  spec.path = url;
  spec.version = options.protocol;
  spec.host = hostHeader(options.virtualhost, address, options.port);
  if (options.ssl && options.sni) spec.sniName = options.sniName.empty() ? options.virtualhost : options.sniName;
  spec.keepHeaders = true;

  boost::asio::io_context io;
  CurlMulti multi(io);
  HttpRequest request(multi, spec);
  std::optional<HttpResponse> response;
  request.start([&response](HttpResponse r) { response = std::move(r); });
  while (!response && io.run_one() > 0) {
  }
  if (!response) {
    result.error = "the event loop stopped before the reply";
    return result;
  }
  return std::move(*response);
}

}  // namespace tandem::check
