#pragma once
// The few libcrypto functions Tandem uses (HMAC-MD5 for VRRP's AH, MD5 for HTTP_GET digests), loaded with dlopen on
// first use instead of linked: linked, libcrypto is mapped and relocated in every process at start, 1.4 MB of
// resident memory each, while most directors use neither AH nor digests in the parent or the VRRP child.
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace tandem::vrrp {

struct LibCrypto {
  decltype(&::HMAC) hmac;
  decltype(&::EVP_md5) md5;
  decltype(&::EVP_MD_CTX_new) mdContextNew;
  decltype(&::EVP_MD_CTX_free) mdContextFree;
  decltype(&::EVP_DigestInit_ex) digestInit;
  decltype(&::EVP_DigestUpdate) digestUpdate;
  decltype(&::EVP_DigestFinal_ex) digestFinal;
};

// Loads libcrypto on the first call and keeps it for the life of the process. Throws std::runtime_error with the
// loader's reason when the library or one of its functions cannot be found.
const LibCrypto& libcrypto();

// Whether this process has loaded it: what the tests use to see that only the processes which need it do.
bool libcryptoLoaded();

}  // namespace tandem::vrrp
