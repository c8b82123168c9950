#include "checkers/linux/http_request.h"

#include "checkers/linux/curl_api.h"
#include "vrrp/libcrypto.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>
#include <cstdio>

namespace tandem::check {
namespace {

std::string hostLiteral(const boost::asio::ip::address& address) {
  return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

std::string hex(const unsigned char* bytes, unsigned size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (unsigned i = 0; i < size; ++i) {
    text += kDigits[bytes[i] >> 4];
    text += kDigits[bytes[i] & 0xf];
  }
  return text;
}

}  // namespace

std::string hostHeader(const std::string& virtualhost, const boost::asio::ip::address& address, std::uint16_t port) {
  return virtualhost.empty() ? endpointText(address, port) : virtualhost;
}

struct HttpRequest::Transfer {
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  curl_slist* connectTo = nullptr;
  EVP_MD_CTX* md5 = nullptr;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  std::string socketError;
  const HttpRequestSpec* spec = nullptr;
  HttpResponse response;
  bool inMulti = false;

  ~Transfer() {
    if (easy) curl().easyCleanup(easy);
    curl().slistFreeAll(headers);
    curl().slistFreeAll(connectTo);
    if (md5) vrrp::libcrypto().mdContextFree(md5);
  }

  static size_t onBody(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t bytes = size * count;
    vrrp::libcrypto().digestUpdate(transfer->md5, data, bytes);
    transfer->response.bodyBytes += bytes;
    return bytes;
  }

  static size_t onHeader(char* data, size_t size, size_t count, void* self) {
    auto* transfer = static_cast<Transfer*>(self);
    const size_t bytes = size * count;
    std::string line(data, bytes);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    if (!line.empty()) transfer->response.headers.push_back(std::move(line));
    return bytes;
  }

  static int onSocket(void* self, curl_socket_t fd, curlsocktype purpose) {
    auto* transfer = static_cast<Transfer*>(self);
    if (purpose != CURLSOCKTYPE_IPCXN) return CURL_SOCKOPT_OK;
    if (auto error = prepareSocket(fd, transfer->spec->connect)) {
      transfer->socketError = *error;
      return CURL_SOCKOPT_ERROR;
    }
    return CURL_SOCKOPT_OK;
  }

  // Returns false when curl rejects an option (an out-of-date libcurl).
  bool configure(const HttpRequestSpec& request) {
    spec = &request;
    easy = curl().easyInit();
    md5 = vrrp::libcrypto().mdContextNew();
    if (!easy || !md5 || vrrp::libcrypto().digestInit(md5, vrrp::libcrypto().md5(), nullptr) != 1) return false;

    const ConnectOptions& c = request.connect;
    const bool sni = request.ssl && !request.sniName.empty();
    // curl sends SNI for a host name in the URL and never for an address; CONNECT_TO sends it to the real server.
    const std::string urlHost = sni ? request.sniName : hostLiteral(c.address);
    const std::string url = std::string(request.ssl ? "https" : "http") + "://" + urlHost + ":" + std::to_string(c.port) + "/";
    if (sni) {
      const std::string mapping = request.sniName + ":" + std::to_string(c.port) + ":" + hostLiteral(c.address) + ":" +
                                  std::to_string(c.port);
      connectTo = curl().slistAppend(connectTo, mapping.c_str());
    }
    headers = curl().slistAppend(headers, ("Host: " + request.host).c_str());
    headers = curl().slistAppend(headers, "Accept:");  // keepalived sends none
    if (request.version != HttpVersion::V1_0) headers = curl().slistAppend(headers, "Connection: close");

    const long timeoutMs = static_cast<long>(c.timeout.count());
    bool ok = true;
    auto set = [&](CURLoption option, auto value) { ok = ok && curl().easySetopt(easy, option, value) == CURLE_OK; };
    set(CURLOPT_URL, url.c_str());
    set(CURLOPT_REQUEST_TARGET, request.path.empty() ? "/" : request.path.c_str());
    set(CURLOPT_PATH_AS_IS, 1L);
    if (connectTo) set(CURLOPT_CONNECT_TO, connectTo);
    set(CURLOPT_HTTPHEADER, headers);
    set(CURLOPT_USERAGENT, "KeepAliveClient");
    set(CURLOPT_HTTP_VERSION, request.version == HttpVersion::V1_1 ? long{CURL_HTTP_VERSION_1_1} : long{CURL_HTTP_VERSION_1_0});
    set(CURLOPT_HTTP_TRANSFER_DECODING, 0L);
    set(CURLOPT_FORBID_REUSE, 1L);
    set(CURLOPT_FRESH_CONNECT, 1L);
    set(CURLOPT_NOSIGNAL, 1L);
    set(CURLOPT_PROXY, "");  // http_proxy in the daemon's environment must not redirect health checks
    // Every real server's address would stay in the multi handle's shared DNS cache, and curl walks that whole cache
    // at every transfer to prune it: with 3,000 real servers that walk was a fifth of the checker's CPU. The
    // addresses are literals; there is nothing worth caching.
    set(CURLOPT_DNS_CACHE_TIMEOUT, 0L);
    set(CURLOPT_TIMEOUT_MS, timeoutMs > 0 ? timeoutMs : 0L);
    set(CURLOPT_CONNECTTIMEOUT_MS, timeoutMs > 0 ? timeoutMs : 0L);
    set(CURLOPT_SSL_VERIFYPEER, 0L);
    set(CURLOPT_SSL_VERIFYHOST, 0L);
    set(CURLOPT_SSL_SESSIONID_CACHE, 0L);
    set(CURLOPT_ERRORBUFFER, errorBuffer);
    set(CURLOPT_WRITEFUNCTION, &Transfer::onBody);
    set(CURLOPT_WRITEDATA, this);
    if (request.keepHeaders) {
      set(CURLOPT_HEADERFUNCTION, &Transfer::onHeader);
      set(CURLOPT_HEADERDATA, this);
    }
    set(CURLOPT_SOCKOPTFUNCTION, &Transfer::onSocket);
    set(CURLOPT_SOCKOPTDATA, this);
    return ok;
  }

  void conclude(CURLcode result) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned size = 0;
    vrrp::libcrypto().digestFinal(md5, digest, &size);
    response.md5Hex = hex(digest, size);
    if (result == CURLE_OK) {
      long status = 0;
      curl().easyGetinfo(easy, CURLINFO_RESPONSE_CODE, &status);
      response.status = static_cast<int>(status);
      return;
    }
    const std::string where = endpointText(spec->connect.address, spec->connect.port);
    if (!socketError.empty()) response.error = where + ": " + socketError;
    else if (result == CURLE_OPERATION_TIMEDOUT) response.error = where + ": timed out after " + secondsText(spec->connect.timeout);
    else response.error = where + ": " + (errorBuffer[0] ? std::string(errorBuffer) : curl().easyStrerror(result));
  }
};

HttpRequest::HttpRequest(CurlMulti& multi, HttpRequestSpec spec) : multi_(multi), spec_(std::move(spec)) {}

HttpRequest::~HttpRequest() { cancel(); }

void HttpRequest::cancel() {
  if (!transfer_) return;
  if (transfer_->inMulti) multi_.remove(transfer_->easy);
  transfer_.reset();
}

void HttpRequest::start(Done done) {
  cancel();
  auto transfer = std::make_unique<Transfer>();
  Transfer* raw = transfer.get();
  auto fail = [this, raw, &done](const std::string& why) {
    raw->response.error = why;
    boost::asio::post(multi_.io(), [this, alive = std::weak_ptr<bool>(alive_), raw, done = std::move(done)] {
      if (!alive.lock() || transfer_.get() != raw) return;  // destroyed, cancelled or restarted meanwhile
      HttpResponse response = std::move(raw->response);
      transfer_.reset();
      done(std::move(response));
    });
  };
  transfer_ = std::move(transfer);
  if (!raw->configure(spec_)) return fail("cannot set up the HTTP request (libcurl too old?)");
  raw->inMulti = multi_.add(raw->easy, [this, raw, done](CURLcode result) mutable {
    raw->inMulti = false;
    raw->conclude(result);
    HttpResponse response = std::move(raw->response);
    transfer_.reset();
    done(std::move(response));
  });
  if (!raw->inMulti) fail("libcurl refused the transfer");
}

}  // namespace tandem::check
