#include "checkers/linux/misc_probe.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/post.hpp>

#include "checkers/script_words.h"
#include "checkers/verdicts.h"

namespace tandem::check {

MiscProbe::MiscProbe(boost::asio::io_context& io, MiscProbeOptions options)
    : io_(io), options_(std::move(options)), timer_(io) {}

MiscProbe::~MiscProbe() { cancel(); }

void MiscProbe::cancel() {
  ++attempt_;
  done_ = nullptr;
  timer_.cancel();
  if (child_) {
    child_->detach();  // it still reaps itself
    child_->signalGroup(SIGKILL);
    child_.reset();
  }
}

void MiscProbe::start(Done done) {
  cancel();
  done_ = std::move(done);
  timedOut_ = false;

  ScriptWords words = splitScriptWords(options_.command);
  if (!words.error.empty()) return failSoon("misc_path: " + words.error);
  if (words.words.empty()) return failSoon("misc_path is empty");

  std::optional<Credentials> credentials;
  if (!options_.user.empty()) {
    std::string error;
    credentials = lookupCredentials(options_.user, error);
    if (!credentials) return failSoon("user: " + error);
    // Switching to who we already are needs no privilege, and setgroups() would refuse it without one.
    if (credentials->uid == geteuid() && credentials->gid == getegid()) credentials.reset();
  }

  std::string error;
  child_ = ChildProcess::spawn(
      io_, words.words, credentials,
      [this, alive = std::weak_ptr<bool>(alive_), attempt = attempt_](int status) {
        if (alive.lock() && attempt == attempt_) onExit(status);
      },
      error);
  if (!child_) return failSoon("cannot run " + words.words.front() + ": " + error);

  timer_.expires_after(options_.timeout);
  timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_), attempt = attempt_](const boost::system::error_code& ec) {
    if (!ec && alive.lock() && attempt == attempt_) onTimeout();
  });
}

void MiscProbe::onTimeout() {
  if (!child_) return;
  if (!timedOut_) {
    timedOut_ = true;
    child_->killGroupOnExit();
    child_->signalGroup(SIGTERM);
    timer_.expires_after(options_.killGrace);
    timer_.async_wait([this, alive = std::weak_ptr<bool>(alive_), attempt = attempt_](const boost::system::error_code& ec) {
      if (!ec && alive.lock() && attempt == attempt_) onTimeout();
    });
    return;
  }
  child_->signalGroup(SIGKILL);
}

void MiscProbe::onExit(int waitStatus) {
  timer_.cancel();
  child_.reset();
  if (timedOut_) return finish(miscTimeoutVerdict());
  if (WIFEXITED(waitStatus)) return finish(miscExitVerdict(WEXITSTATUS(waitStatus), options_.dynamic));
  if (WIFSIGNALED(waitStatus)) return finish(miscSignalVerdict(WTERMSIG(waitStatus)));
  finish(Verdict::failure("the script's exit status was lost"));
}

void MiscProbe::finish(Verdict verdict) {
  ++attempt_;
  auto done = std::move(done_);
  done_ = nullptr;
  if (done) done(std::move(verdict));
}

void MiscProbe::failSoon(std::string reason) {
  boost::asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), attempt = attempt_, reason = std::move(reason)] {
    if (alive.lock() && attempt == attempt_) finish(Verdict::failure(reason));
  });
}

}  // namespace tandem::check
