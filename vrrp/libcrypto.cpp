#include "vrrp/libcrypto.h"

#include <dlfcn.h>

#include <stdexcept>
#include <string>

namespace tandem::vrrp {
namespace {

// The ABI name of Debian's libssl3 package, the OpenSSL these headers describe.
constexpr const char* kLibrary = "libcrypto.so.3";

bool loaded = false;

void* symbolOf(void* library, const char* name) {
  void* symbol = ::dlsym(library, name);
  if (!symbol) throw std::runtime_error(std::string(kLibrary) + " has no " + name);
  return symbol;
}

LibCrypto load() {
  void* library = ::dlopen(kLibrary, RTLD_NOW | RTLD_LOCAL);
  if (!library) throw std::runtime_error(std::string("cannot load ") + kLibrary + ": " + ::dlerror());
  LibCrypto api{};
  api.hmac = reinterpret_cast<decltype(api.hmac)>(symbolOf(library, "HMAC"));
  api.md5 = reinterpret_cast<decltype(api.md5)>(symbolOf(library, "EVP_md5"));
  api.mdContextNew = reinterpret_cast<decltype(api.mdContextNew)>(symbolOf(library, "EVP_MD_CTX_new"));
  api.mdContextFree = reinterpret_cast<decltype(api.mdContextFree)>(symbolOf(library, "EVP_MD_CTX_free"));
  api.digestInit = reinterpret_cast<decltype(api.digestInit)>(symbolOf(library, "EVP_DigestInit_ex"));
  api.digestUpdate = reinterpret_cast<decltype(api.digestUpdate)>(symbolOf(library, "EVP_DigestUpdate"));
  api.digestFinal = reinterpret_cast<decltype(api.digestFinal)>(symbolOf(library, "EVP_DigestFinal_ex"));
  return api;  // the library stays loaded: its global state lives in it
}

}  // namespace

const LibCrypto& libcrypto() {
  static const LibCrypto api = [] {
    LibCrypto a = load();
    loaded = true;
    return a;
  }();
  return api;
}

bool libcryptoLoaded() { return loaded; }

}  // namespace tandem::vrrp
