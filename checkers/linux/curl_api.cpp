#include "checkers/linux/curl_api.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace tandem::check {
namespace {

// The ABI name of Debian's libcurl4 / libcurl3-gnutls family that curl.h describes.
constexpr const char* kLibrary = "libcurl.so.4";

template <typename Function>
void bind(void* library, Function& slot, const char* name) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) throw std::runtime_error(std::string(kLibrary) + " has no " + name);
  slot = reinterpret_cast<Function>(symbol);
}

CurlApi load() {
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) throw std::runtime_error(std::string("cannot load ") + kLibrary + ": " + ::dlerror());
  CurlApi api{};
  bind(library, api.globalInit, "curl_global_init");
  bind(library, api.globalCleanup, "curl_global_cleanup");
  bind(library, api.multiInit, "curl_multi_init");
  bind(library, api.multiSetopt, "curl_multi_setopt");
  bind(library, api.multiCleanup, "curl_multi_cleanup");
  bind(library, api.multiAddHandle, "curl_multi_add_handle");
  bind(library, api.multiRemoveHandle, "curl_multi_remove_handle");
  bind(library, api.multiSocketAction, "curl_multi_socket_action");
  bind(library, api.multiInfoRead, "curl_multi_info_read");
  bind(library, api.easyInit, "curl_easy_init");
  bind(library, api.easySetopt, "curl_easy_setopt");
  bind(library, api.easyGetinfo, "curl_easy_getinfo");
  bind(library, api.easyCleanup, "curl_easy_cleanup");
  bind(library, api.easyStrerror, "curl_easy_strerror");
  bind(library, api.slistAppend, "curl_slist_append");
  bind(library, api.slistFreeAll, "curl_slist_free_all");
  return api;  // the library stays loaded: curl's global state lives in it
}

bool loaded = false;

}  // namespace

const CurlApi& curl() {
  static const CurlApi api = [] {
    CurlApi a = load();
    loaded = true;
    return a;
  }();
  return api;
}

bool curlLoaded() { return loaded; }

}  // namespace tandem::check
