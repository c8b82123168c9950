#include "daemon/config_tool.h"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <random>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "parser/dump_writer.h"
#include "parser/linux_file_system.h"
#include "parser/normalize.h"
#include "parser/pair_lint.h"

namespace tandem::daemon {

std::string defaultConfigId() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) return {};
  std::string id = host;
  if (auto dot = id.find('.'); dot != std::string::npos) id.resize(dot);
  return id;
}

config::PreprocessOptions preprocessOptionsFor(const Options& options) {
  config::PreprocessOptions p;
  p.configId = options.configId.empty() ? defaultConfigId() : options.configId;
  p.instanceName = options.instanceName;
  p.strictIncludes = options.strictIncludes;
  p.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (!v) return std::nullopt;
    return std::string(v);
  };
  p.random = [] {
    static std::mt19937 generator{std::random_device{}()};
    return static_cast<unsigned>(generator());
  };
  return p;
}

void releaseConfiguration(config::Config& config) {
  config = config::Config{};
  malloc_trim(0);
}

config::LoadedConfig loadConfiguration(const std::string& file, const Options& options) {
  config::LinuxFileSystem fs;
  return config::loadConfigFile(file, preprocessOptionsFor(options), fs);
}

namespace {

void printDiagnostics(const config::Diagnostics& diags, std::ostream& err) {
  for (const auto& d : diags.all()) err << d.format() << '\n';
}

std::string plural(std::size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// For the one-shot modes only (lint, dump, pair check), never the daemon, whose resident size matters more than
// its start: a large configuration's model is tens of megabytes of small blocks, and on a virtual machine each
// first touch of a 4 KiB page costs a trap to the hypervisor (15 to 25 us each on this project's VM). The heap is
// grown in 64 MiB steps (address space only) and marked for transparent huge pages, so it is touched 2 MiB at a
// time; large vectors stay in it instead of getting mappings of their own. Where THP is off this changes nothing.
void growHeapInLargePages() {
  static bool grown = false;  // once per process: the tests run the tools many times
  if (grown) return;
  grown = true;
  constexpr std::size_t kStep = 64u << 20;
  constexpr std::uintptr_t kHugePage = 2u << 20;
  mallopt(M_TOP_PAD, static_cast<int>(kStep));
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kStep));
  // No huge page fits below the first 2 MiB boundary past the heap's end, and whatever lands there is touched a
  // 4 KiB fault at a time (450 faults on 87k lines, when the model filled it). One block reaching from the start of
  // the heap's free top to just below that boundary parks it, untouched. Asking for more than the top holds makes
  // the heap grow by the 64 MiB step now, and malloc writes the new top's header below the boundary: a single 4 KiB
  // page in a 2 MiB range keeps that whole range out of huge pages.
  const auto brk = reinterpret_cast<std::uintptr_t>(sbrk(0));
  const std::uintptr_t topStart = brk - mallinfo2().keepcost;
  const std::uintptr_t aligned = (brk + 64 + kHugePage - 1) & ~(kHugePage - 1);
  // Volatile: a block nothing reads is one the compiler may never allocate.
  [[maybe_unused]] static void* volatile parked = std::malloc(aligned - topStart - 32);
  const auto end = reinterpret_cast<std::uintptr_t>(sbrk(0));
  if (end > aligned) madvise(reinterpret_cast<void*>(aligned), end - aligned, MADV_HUGEPAGE);
}

// Moves the model out of the scope that would free it; the process's exit takes the memory back.
void leaveToProcessExit(config::LoadedConfig& loaded, ModelTeardown teardown) {
  if (teardown != ModelTeardown::LeaveToProcessExit) return;
  auto* kept = new config::LoadedConfig(std::move(loaded));
#if defined(__SANITIZE_ADDRESS__)
  __lsan_ignore_object(kept);  // deliberate: the leak checker must still see every other block
#else
  (void)kept;
#endif
}

}  // namespace

int runConfigTest(const Options& options, std::ostream& out, std::ostream& err, ModelTeardown teardown) {
  growHeapInLargePages();
  config::LoadedConfig loaded = loadConfiguration(options.configFile, options);
  printDiagnostics(loaded.diagnostics, err);
  if (options.dump == DumpFormat::Text) {
    config::TextDumpWriter writer(out);
    config::topLevelSchema().write(config::withDefaultsResolved(loaded.config), writer);
  } else if (options.dump == DumpFormat::Json) {
    config::JsonDumpWriter writer;
    config::topLevelSchema().write(config::withDefaultsResolved(loaded.config), writer);
    out << writer.result().dump(2) << '\n';
  }
  const auto& d = loaded.diagnostics;
  if (options.configTest)
    err << options.configFile << ": " << plural(d.errorCount(), "error") << ", " << plural(d.warningCount(), "warning")
        << '\n';
  const int status = d.hasErrors() ? 1 : 0;
  leaveToProcessExit(loaded, teardown);
  return status;
}

int runCheckPair(const Options& options, std::ostream& out, std::ostream& err, ModelTeardown teardown) {
  growHeapInLargePages();
  const std::string& a = options.checkPair.at(0);
  const std::string& b = options.checkPair.at(1);
  config::LoadedConfig left = loadConfiguration(a, options);
  config::LoadedConfig right = loadConfiguration(b, options);
  struct LeaveBoth {
    config::LoadedConfig& left;
    config::LoadedConfig& right;
    ModelTeardown teardown;
    ~LeaveBoth() {
      leaveToProcessExit(left, teardown);
      leaveToProcessExit(right, teardown);
    }
  } leaveBoth{left, right, teardown};
  bool broken = false;
  for (const auto* loaded : {&left, &right}) {
    if (!loaded->diagnostics.hasErrors()) continue;
    printDiagnostics(loaded->diagnostics, err);
    broken = true;
  }
  if (broken) {
    err << "check-pair: fix the errors above first\n";
    return 1;
  }
  std::vector<config::PairProblem> problems = config::checkPair(left.config, right.config);
  for (const auto& p : problems) out << p.format() << '\n';
  if (problems.empty()) out << "check-pair: " << a << " and " << b << " form a consistent pair\n";
  else out << "check-pair: " << plural(problems.size(), "problem") << " break the pair\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace tandem::daemon
