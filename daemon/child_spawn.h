#pragma once
// Starting a subsystem child: the parent re-executes its own program with --subsystem-child, so that every child
// begins with a clean process (its own Asio loop and signal handling, no descriptor of the parent's) and reads the
// configuration itself, as keepalived's children do.
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace tandem::daemon {

enum class Subsystem { Vrrp, Checker };

std::string_view subsystemName(Subsystem subsystem);  // "vrrp", "checker": the --subsystem-child value

// This program as execve can run it again (/proc/self/exe resolved now: an upgrade replacing the file later
// does not change what the children run until the parent restarts).
std::string ownProgram();

// fork + execv(program, args + {"--subsystem-child", NAME}) in `directory` (the one the command line's relative
// paths were given in). The child gets SIGTERM when the parent dies (PR_SET_PDEATHSIG) and exits at once when
// the parent is already gone. The child's pid, or -1 with `error`.
// The signals the parent forwards (SIGHUP and the dump signals) arrive blocked in a new child, so that one sent
// before the child has its handlers stays pending instead of killing it; the child calls this once they are set.
void unblockForwardedSignals();

pid_t spawnSubsystem(const std::string& program, const std::vector<std::string>& args, Subsystem subsystem,
                     const std::string& directory, std::string& error);

}  // namespace tandem::daemon
