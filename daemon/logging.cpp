#include "daemon/logging.h"

#include <syslog.h>

#include <ctime>
#include <iostream>

namespace tandem::daemon {
namespace {

int syslogPriority(vrrp::EngineLog::Level level) {
  switch (level) {
    case vrrp::EngineLog::Level::Error: return LOG_ERR;
    case vrrp::EngineLog::Level::Warning: return LOG_WARNING;
    case vrrp::EngineLog::Level::Info: return LOG_INFO;
    case vrrp::EngineLog::Level::Debug: return LOG_DEBUG;
  }
  return LOG_INFO;
}

// keepalived's console and file prefix: "Thu Nov 21 10:00:00 2024: ".
std::string timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[64];
  const std::size_t n = std::strftime(buffer, sizeof buffer, "%a %b %d %H:%M:%S %Y: ", &local);
  return std::string(buffer, n);
}

}  // namespace

LogSettings logSettingsFor(const Options& options) {
  LogSettings s;
  s.console = options.logConsole;
  s.syslog = !options.noSyslog;
  s.facility = options.logFacility;
  s.localFacility = options.logFacility > 0;
  s.file = options.logFile;
  s.detail = options.logDetail;
  return s;
}

Logger::Logger(LogSettings settings) : settings_(std::move(settings)) {
  if (settings_.syslog) {
    // -S n is LOG_LOCALn; keepalived's default facility is LOG_DAEMON.
    const int facility = settings_.localFacility ? ((16 + settings_.facility) << 3) : LOG_DAEMON;
    openlog(settings_.ident.c_str(), LOG_PID, facility);
  }
  if (!settings_.file.empty()) {
    file_ = std::fopen(settings_.file.c_str(), "a");
    if (!file_) std::cerr << "tandemd: cannot open log file " << settings_.file << "\n";
  }
}

Logger::~Logger() {
  if (file_) std::fclose(file_);
  if (settings_.syslog) closelog();
}

void Logger::log(Level level, const std::string& line) {
  if (level == Level::Debug && !settings_.detail) return;
  if (settings_.syslog) syslog(syslogPriority(level), "%s", line.c_str());
  if (settings_.console || file_) {
    const std::string text = timestamp() + line + "\n";
    if (settings_.console) {
      std::cerr << text;
      std::cerr.flush();
    }
    if (file_) {
      std::fputs(text.c_str(), file_);
      std::fflush(file_);
    }
  }
}

std::function<void(const std::string&)> Logger::sink(Level level) {
  return [this, level](const std::string& line) { log(level, line); };
}

}  // namespace tandem::daemon
