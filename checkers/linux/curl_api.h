#pragma once
// libcurl, loaded with dlopen when the first CurlMulti is made instead of linked into tandemd. Linked, it and the
// libraries it pulls in (GnuTLS, Kerberos, LDAP, p11-kit, nghttp2, ...) are loaded and initialised in every process,
// about 3.6 MB of resident memory each, while only the checker child and --genhash ever make an HTTP request.
#include <curl/curl.h>

namespace tandem::check {

struct CurlApi {
  decltype(&::curl_global_init) globalInit;
  decltype(&::curl_global_cleanup) globalCleanup;
  decltype(&::curl_multi_init) multiInit;
  decltype(&::curl_multi_setopt) multiSetopt;
  decltype(&::curl_multi_cleanup) multiCleanup;
  decltype(&::curl_multi_add_handle) multiAddHandle;
  decltype(&::curl_multi_remove_handle) multiRemoveHandle;
  decltype(&::curl_multi_socket_action) multiSocketAction;
  decltype(&::curl_multi_info_read) multiInfoRead;
  decltype(&::curl_easy_init) easyInit;
  decltype(&::curl_easy_setopt) easySetopt;
  decltype(&::curl_easy_getinfo) easyGetinfo;
  decltype(&::curl_easy_cleanup) easyCleanup;
  decltype(&::curl_easy_strerror) easyStrerror;
  decltype(&::curl_slist_append) slistAppend;
  decltype(&::curl_slist_free_all) slistFreeAll;
};

// Loads libcurl on the first call and keeps it for the life of the process. Throws std::runtime_error with the
// loader's reason when the library or one of its functions cannot be found.
const CurlApi& curl();

// Whether this process has loaded libcurl: what the tests use to see that only the processes which need it do.
bool curlLoaded();

}  // namespace tandem::check
