#include "daemon/child_spawn.h"

#include <signal.h>
#include <sys/prctl.h>
#include <syslog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace tandem::daemon {

sigset_t forwardedSignals() {
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGHUP, SIGUSR1, SIGUSR2, SIGRTMIN + 2}) sigaddset(&set, s);
  return set;
}

void unblockForwardedSignals() {
  const sigset_t set = forwardedSignals();
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
}

std::string_view subsystemName(Subsystem subsystem) {
  return subsystem == Subsystem::Vrrp ? "vrrp" : "checker";
}

pid_t forkSubsystem(const std::function<int()>& childMain, std::string& error) {
  const pid_t parent = getpid();
  const sigset_t blocked = forwardedSignals();
  std::fflush(nullptr);  // nothing the parent buffered is written twice

  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork failed: ") + std::strerror(errno);
    return -1;
  }
  if (pid > 0) return pid;

  sigprocmask(SIG_SETMASK, &blocked, nullptr);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  // The parent may have died between fork and prctl: then nobody would ever send that SIGTERM.
  if (getppid() != parent) _exit(0);
  // glibc would keep writing to its syslog descriptor's number after close_range, whatever that number then is.
  closelog();
  // The parent's control socket, epoll and signalfd, and a tandemctl connection being answered: none is the
  // child's, and a held connection would keep its client waiting for an end of file.
  close_range(3, ~0U, 0);
  const int status = childMain();
  std::fflush(nullptr);
  // The parent's objects in this copy of its memory are not this process's to destroy.
  _exit(status);
}

}  // namespace tandem::daemon
