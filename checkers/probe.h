#pragma once
// One check attempt against one real server, as the checker runtime sees every checker type: start it, get one
// Verdict back. The adapters (checkers/linux/) do the I/O on the event loop; tests of the runtime use fakes.
#include <functional>

#include "checkers/verdict.h"

namespace tandem::check {

class Probe {
 public:
  using Done = std::function<void(Verdict)>;

  virtual ~Probe() = default;

  // Starts an attempt. `done` is called exactly once, from the event loop and never from inside start(). Starting
  // while an attempt is under way abandons that attempt first (its `done` is never called).
  virtual void start(Done done) = 0;
  // Abandons the attempt under way, if any: its `done` is never called. Destroying a probe does the same.
  virtual void cancel() = 0;
  virtual bool running() const = 0;
};

}  // namespace tandem::check
