#include "daemon/child_spawn.h"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tandem::daemon {

namespace {

sigset_t forwardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN + 2}) sigaddset(&set, s);
  return set;
}

}  // namespace

void unblockForwardedSignals() {
  const sigset_t set = forwardedSignals();
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

std::string_view subsystemName(Subsystem subsystem) {
  return subsystem == Subsystem::Vrrp ? "vrrp" : "checker";
}

std::string ownProgram() {
  std::error_code ec;
  const auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("/proc/self/exe") : path.string();
}

pid_t spawnSubsystem(const std::string& program, const std::vector<std::string>& args, Subsystem subsystem,
                     const std::string& directory, std::string& error) {
  // Everything execv needs is built before fork: the child only makes async-signal-safe calls.
  std::vector<std::string> words = args;
  words.insert(words.begin(), program);
  words.emplace_back("--subsystem-child");
  words.emplace_back(subsystemName(subsystem));
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const sigset_t blocked = forwardedSignals();

  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    return -1;
  }
  if (pid == 0) {
    sigprocmask(SIG_SETMASK, &blocked, nullptr);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    // The parent may have died between fork and prctl: then nobody would ever send that SIGTERM.
    if (getppid() != parent) _exit(0);
    if (!directory.empty() && chdir(directory.c_str()) != 0) _exit(127);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

}  // namespace tandem::daemon
