#pragma once
// sd_notify(3) for Type=notify units: READY once the children are started, RELOADING/READY around a reload,
// STOPPING at shutdown. Without $NOTIFY_SOCKET (not under systemd) every call does nothing.
#include <string>

namespace tandem::daemon {

class SystemdNotifier {
 public:
  void ready(const std::string& status);
  void reloading();
  void stopping();
  void status(const std::string& text);

 private:
  void send(const std::string& state);
};

}  // namespace tandem::daemon
