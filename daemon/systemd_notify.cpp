#include "daemon/systemd_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

namespace tandem::daemon {

void SystemdNotifier::send(const std::string& state) { sd_notify(0, state.c_str()); }

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
