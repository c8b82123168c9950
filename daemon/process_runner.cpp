#include "daemon/process_runner.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace tandem::daemon {
namespace {

struct Credentials {
  uid_t uid;
  gid_t gid;
};

// "user" or "user:group"; looked up before fork, since the child may only make async-signal-safe calls.
std::optional<Credentials> lookupUser(const std::string& spec, std::string& error) {
  const auto colon = spec.find(':');
  const std::string user = spec.substr(0, colon);
  const passwd* pw = getpwnam(user.c_str());
  if (!pw) {
    error = "unknown user '" + user + "'";
    return std::nullopt;
  }
  Credentials c{pw->pw_uid, pw->pw_gid};
  if (colon != std::string::npos) {
    const std::string groupName = spec.substr(colon + 1);
    const struct group* gr = getgrnam(groupName.c_str());
    if (!gr) {
      error = "unknown group '" + groupName + "'";
      return std::nullopt;
    }
    c.gid = gr->gr_gid;
  }
  return c;
}

}  // namespace

std::optional<std::string> resolveProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    if (access(program.c_str(), X_OK) == 0) return program;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    const std::size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string candidate = dirs.substr(start, end - start) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

// keepalived's rule: root runs nothing that anyone but root could have changed.
std::optional<std::string> insecurePath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(path, ec);
  for (;;) {
    struct stat st {};
    if (stat(p.c_str(), &st) != 0) return p.string() + ": " + std::strerror(errno);
    const bool byOwner = st.st_uid != 0 && (st.st_mode & S_IWUSR);
    const bool byGroup = st.st_gid != 0 && (st.st_mode & S_IWGRP);
    const bool sticky = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX);
    const bool byOthers = (st.st_mode & S_IWOTH) && !(sticky && p.string() != path);
    if (byOwner || byGroup || byOthers)
      return p.string() + " is writable by " + (byOwner ? "its non-root owner" : byGroup ? "a non-root group" : "anyone");
    if (!p.has_parent_path() || p.parent_path() == p) return std::nullopt;
    p = p.parent_path();
  }
}

ProcessRunner::ProcessRunner(boost::asio::io_context& io, ProcessRunnerSettings settings, Log log)
    : io_(io), settings_(settings), log_(std::move(log)), sigchld_(io, SIGCHLD) {
  waitForSignal();
}

ProcessRunner::~ProcessRunner() {
  sigchld_.cancel();
  for (auto& [pid, child] : children_)
    if (child.timeout) child.timeout->cancel();
}

void ProcessRunner::waitForSignal() {
  sigchld_.async_wait([this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec, int) {
    if (ec || !alive.lock()) return;
    reap();
    waitForSignal();
  });
}

void ProcessRunner::fail(std::function<void(int)> done, const std::string& why) {
  log_(why);
  // Never call back from inside run(): the caller may not expect re-entry.
  boost::asio::post(io_, [done = std::move(done), alive = std::weak_ptr<bool>(alive_)] {
    if (alive.lock()) done(-1);
  });
}

void ProcessRunner::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                        const std::string& user, std::function<void(int status)> done) {
  if (argv.empty()) return fail(std::move(done), "empty script command");
  const auto program = resolveProgram(argv[0]);
  if (!program) return fail(std::move(done), "script '" + argv[0] + "' not found or not executable");
  if (settings_.scriptSecurity) {
    if (auto why = insecurePath(*program))
      return fail(std::move(done), "refusing to run script '" + argv[0] + "' (enable_script_security): " + *why);
  }
  std::optional<Credentials> credentials;
  if (!user.empty()) {
    std::string error;
    credentials = lookupUser(user, error);
    if (!credentials) return fail(std::move(done), "script '" + argv[0] + "': " + error);
  }

  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return fail(std::move(done), std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    const int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    close_range(3, ~0U, 0);
    if (credentials) {
      if (setgroups(0, nullptr) != 0 || setgid(credentials->gid) != 0 || setuid(credentials->uid) != 0) _exit(126);
    }
    execv(program->c_str(), args.data());
    _exit(127);
  }

  Child child;
  child.done = std::move(done);
  if (timeout.count() > 0) {
    child.timeout = std::make_unique<boost::asio::steady_timer>(io_, timeout);
    child.timeout->async_wait([this, pid, alive = std::weak_ptr<bool>(alive_),
                               name = argv[0]](const boost::system::error_code& ec) {
      if (ec || !alive.lock()) return;
      auto it = children_.find(pid);
      if (it == children_.end()) return;
      it->second.killed = true;
      log_("script '" + name + "' timed out; killing its process group");
      kill(-pid, SIGKILL);
    });
  }
  children_.emplace(pid, std::move(child));
  // The child may already be gone, its SIGCHLD merged with an earlier one.
  reap();
}

void ProcessRunner::reap() {
  for (auto it = children_.begin(); it != children_.end();) {
    int status = 0;
    const pid_t r = waitpid(it->first, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
      ++it;
      continue;
    }
    Child child = std::move(it->second);
    it = children_.erase(it);
    if (child.timeout) child.timeout->cancel();
    int result = -1;
    if (r > 0 && !child.killed && WIFEXITED(status)) result = WEXITSTATUS(status);
    auto done = std::move(child.done);
    boost::asio::post(io_, [done = std::move(done), result, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock() && done) done(result);
    });
  }
}

void ProcessRunner::killAll() {
  for (auto& [pid, child] : children_) {
    child.killed = true;
    kill(-pid, SIGKILL);
  }
}

}  // namespace tandem::daemon
