#include "checkers/linux/probe_factory.h"

#include "checkers/linux/http_probe.h"
#include "checkers/linux/misc_probe.h"
#include "checkers/linux/tcp_probe.h"

namespace tandem::check {
namespace {

HttpVersion httpVersionOf(config::HttpProtocol protocol) {
  switch (protocol) {
    case config::HttpProtocol::V1_0: return HttpVersion::V1_0;
    case config::HttpProtocol::V1_0C: return HttpVersion::V1_0C;
    case config::HttpProtocol::V1_1: return HttpVersion::V1_1;
  }
  return HttpVersion::V1_0;
}

}  // namespace

boost::asio::ip::address asioAddress(const ipvs::Address& address) {
  if (address.family == ipvs::Family::Ipv4) {
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy_n(address.bytes.begin(), bytes.size(), bytes.begin());
    return boost::asio::ip::address_v4(bytes);
  }
  boost::asio::ip::address_v6::bytes_type bytes;
  std::copy_n(address.bytes.begin(), bytes.size(), bytes.begin());
  return boost::asio::ip::address_v6(bytes);
}

ConnectOptions connectOptionsOf(const ConnectSpec& spec) {
  ConnectOptions options;
  options.address = asioAddress(spec.address);
  options.port = spec.port;
  if (spec.bindTo) options.bindTo = asioAddress(*spec.bindTo);
  options.bindPort = spec.bindPort;
  options.bindInterface = spec.bindInterface;
  options.fwmark = spec.fwmark;
  options.timeout = spec.timeout;
  return options;
}

std::unique_ptr<Probe> makeProbe(const CheckerSpec& spec, boost::asio::io_context& io, CurlMulti& curl) {
  switch (spec.kind) {
    case CheckKind::Tcp: return std::make_unique<TcpProbe>(io, connectOptionsOf(spec.connect));
    case CheckKind::Http:
    case CheckKind::Ssl: {
      HttpProbeOptions options;
      options.connect = connectOptionsOf(spec.connect);
      options.ssl = spec.kind == CheckKind::Ssl;
      for (const UrlCheck& url : spec.urls) options.urls.push_back({url.spec, url.virtualhost});
      options.virtualhost = spec.virtualhost;
      options.protocol = httpVersionOf(spec.httpProtocol);
      options.enableSni = spec.enableSni;
      options.sniName = spec.sniName;
      return std::make_unique<HttpProbe>(curl, std::move(options));
    }
    case CheckKind::Misc: {
      MiscProbeOptions options;
      options.command = spec.miscPath;
      options.user = spec.user;
      options.timeout = spec.miscTimeout;
      options.dynamic = spec.miscDynamic;
      return std::make_unique<MiscProbe>(io, std::move(options));
    }
  }
  return nullptr;
}

}  // namespace tandem::check
