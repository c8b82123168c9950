#include "checkers/linux/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace tandem::check {
namespace {

std::vector<char> lookupBuffer() { return std::vector<char>(64 * 1024); }

// The child side of spawn(): only async-signal-safe calls from here on.
[[noreturn]] void becomeProgram(const std::string& path, const std::vector<char*>& argv,
                                const std::optional<Credentials>& credentials) {
  setsid();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored signals stay ignored across exec (a daemon ignores SIGPIPE): give the script the defaults.
  for (int sig = 1; sig < NSIG; ++sig) signal(sig, SIG_DFL);
  const int null = open("/dev/null", O_RDWR);
  if (null >= 0) {
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
  }
  close_range(3, ~0U, 0);
  if (credentials) {
    if (setgroups(credentials->groups.size(), credentials->groups.data()) != 0 || setgid(credentials->gid) != 0 ||
        setuid(credentials->uid) != 0)
      _exit(126);
  }
  execv(path.c_str(), argv.data());
  _exit(127);
}

}  // namespace

std::optional<Credentials> lookupCredentials(const std::string& spec, std::string& error) {
  std::string user, group;
  if (const auto colon = spec.find(':'); colon != std::string::npos) {
    user = spec.substr(0, colon);
    group = spec.substr(colon + 1);
  } else {
    std::istringstream words(spec);
    words >> user >> group;
  }
  std::vector<char> buffer = lookupBuffer();
  passwd pw{};
  passwd* foundUser = nullptr;
  if (getpwnam_r(user.c_str(), &pw, buffer.data(), buffer.size(), &foundUser) != 0 || !foundUser) {
    error = "unknown user '" + user + "'";
    return std::nullopt;
  }
  Credentials credentials{pw.pw_uid, pw.pw_gid, {}};
  if (!group.empty()) {
    std::vector<char> groupBuffer = lookupBuffer();
    struct group gr {};
    struct group* foundGroup = nullptr;
    if (getgrnam_r(group.c_str(), &gr, groupBuffer.data(), groupBuffer.size(), &foundGroup) != 0 || !foundGroup) {
      error = "unknown group '" + group + "'";
      return std::nullopt;
    }
    credentials.gid = gr.gr_gid;
  }
  int count = 32;
  credentials.groups.resize(static_cast<std::size_t>(count));
  if (getgrouplist(pw.pw_name, credentials.gid, credentials.groups.data(), &count) < 0) {
    credentials.groups.resize(static_cast<std::size_t>(count));
    getgrouplist(pw.pw_name, credentials.gid, credentials.groups.data(), &count);
  }
  credentials.groups.resize(static_cast<std::size_t>(count));
  return credentials;
}

std::optional<std::string> findProgram(const std::string& program) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  const std::string directories = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::istringstream list(directories);
  std::string directory;
  while (std::getline(list, directory, ':')) {
    const std::string candidate = (directory.empty() ? "." : directory) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::shared_ptr<ChildProcess> ChildProcess::spawn(boost::asio::io_context& io, const std::vector<std::string>& argv,
                                                  const std::optional<Credentials>& credentials, Exited exited,
                                                  std::string& error) {
  if (argv.empty()) {
    error = "empty command";
    return nullptr;
  }
  const auto path = findProgram(argv[0]);
  if (!path) {
    error = "'" + argv[0] + "' not found or not executable";
    return nullptr;
  }
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) {
    error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) becomeProgram(*path, args, credentials);

  // Nobody else reaps this pid (others wait for their own children by pid), so it cannot be reused before this.
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    error = std::string("pidfd_open: ") + std::strerror(errno);
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return nullptr;
  }
  std::shared_ptr<ChildProcess> child(new ChildProcess(io, pid, pidfd, std::move(exited)));
  child->waitForExit();
  return child;
}

ChildProcess::ChildProcess(boost::asio::io_context& io, pid_t pid, int pidfd, Exited exited)
    : pid_(pid), pidfd_(io, pidfd), exited_(std::move(exited)) {}

ChildProcess::~ChildProcess() {
  if (reaped_) return;
  // Only when the loop itself goes away with the process still running: kill it rather than leave it behind.
  kill(-pid_, SIGKILL);
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

bool ChildProcess::signalGroup(int sig) {
  if (reaped_) return false;
  return kill(-pid_, sig) == 0;
}

void ChildProcess::waitForExit() {
  pidfd_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                    [self = shared_from_this()](const boost::system::error_code& ec) {
                      if (ec == boost::asio::error::operation_aborted) return;
                      if (self->killGroupOnExit_) kill(-self->pid_, SIGKILL);
                      int status = 0;
                      const pid_t reaped = waitpid(self->pid_, &status, WNOHANG);
                      if (reaped == 0) return self->waitForExit();  // not yet: the readiness was spurious
                      self->reaped_ = true;
                      if (reaped < 0) status = kLostStatus;
                      auto exited = std::move(self->exited_);
                      self->exited_ = nullptr;
                      if (exited) exited(status);
                    });
}

}  // namespace tandem::check
