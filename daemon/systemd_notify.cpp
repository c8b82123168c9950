#include "daemon/systemd_notify.h"

#include <dlfcn.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdlib>

namespace tandem::daemon {
namespace {

// libsystemd is loaded only under systemd: linked, it and what it pulls in (libgcrypt, liblz4, liblzma, libzstd,
// libcap) cost every process about 0.8 MB of resident memory for one datagram at start, reload and stop.
decltype(&::sd_notify) notifyFunction() {
  static const auto function = []() -> decltype(&::sd_notify) {
    void* library = ::dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    return library ? reinterpret_cast<decltype(&::sd_notify)>(::dlsym(library, "sd_notify")) : nullptr;
  }();
  return function;
}

}  // namespace

void SystemdNotifier::send(const std::string& state) {
  if (!std::getenv("NOTIFY_SOCKET")) return;  // not a Type=notify unit: what sd_notify itself would conclude
  if (const auto notify = notifyFunction()) notify(0, state.c_str());
}

void SystemdNotifier::ready(const std::string& status) { send("READY=1\nSTATUS=" + status); }

void SystemdNotifier::reloading() {
  // systemd 253+ pairs RELOADING=1 with the monotonic time of the request (Type=notify-reload needs it).
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const long long usec = static_cast<long long>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
  send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(usec));
}

void SystemdNotifier::stopping() { send("STOPPING=1"); }

void SystemdNotifier::status(const std::string& text) { send("STATUS=" + text); }

}  // namespace tandem::daemon
