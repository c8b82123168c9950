#pragma once
// Starting a subsystem child: the parent forks and the child runs the subsystem in the same program image, as
// keepalived's children do. No exec: the child shares the parent's mapped code and touches only the pages its
// subsystem runs, which is most of the memory a director pays for a second process. The child closes every
// descriptor it inherited and builds its own Asio loop.
#include <signal.h>

#include <functional>
#include <string>
#include <string_view>
#include <sys/types.h>

namespace tandem::daemon {

enum class Subsystem { Vrrp, Checker };

std::string_view subsystemName(Subsystem subsystem);  // "vrrp", "checker"

// The signals the parent forwards: SIGHUP and the dump signals (SIGUSR1, SIGUSR2, SIGRTMIN+2).
sigset_t forwardedSignals();
// They arrive blocked in a new child, so that one sent before the child has its handlers stays pending instead of
// killing it; the child calls this once they are set.
void unblockForwardedSignals();

// fork; in the child: the forwarded signals blocked and every other one unblocked, SIGTERM when the parent dies
// (PR_SET_PDEATHSIG; an exit at once when the parent is already gone), the syslog connection dropped, every
// descriptor above stderr closed, then `childMain` and _exit with its status. The parent must hold no
// process-wide Asio signal state (Supervisor reads its signals from a signalfd), since the child starts its own.
// Returns the child's pid, or -1 with `error`.
pid_t forkSubsystem(const std::function<int()>& childMain, std::string& error);

}  // namespace tandem::daemon
