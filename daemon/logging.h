#pragma once
// tandemd's log: one line per event to syslog (keepalived's default), the console (-l) and/or a file (-g).
// Debug lines only with -D.
#include <cstdio>
#include <functional>
#include <string>

#include "daemon/options.h"
#include "vrrp/engine.h"

namespace tandem::daemon {

struct LogSettings {
  bool console = false;
  bool syslog = true;
  int facility = 0;  // LOG_LOCAL0 + n when `localFacility`
  bool localFacility = false;
  std::string file;
  bool detail = false;
  std::string ident = "Tandem_vrrp";
};

LogSettings logSettingsFor(const Options& options);

class Logger final : public vrrp::EngineLog {
 public:
  explicit Logger(LogSettings settings);
  ~Logger() override;
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void log(Level level, const std::string& line) override;
  void error(const std::string& line) { log(Level::Error, line); }
  void warning(const std::string& line) { log(Level::Warning, line); }
  void info(const std::string& line) { log(Level::Info, line); }
  void debug(const std::string& line) { log(Level::Debug, line); }

  // For the Linux adapters, which report one plain message at a time.
  std::function<void(const std::string&)> sink(Level level = Level::Warning);

  // After daemonizing: the console is gone.
  void detachConsole() { settings_.console = false; }

 private:
  LogSettings settings_;
  std::FILE* file_ = nullptr;
};

}  // namespace tandem::daemon
