#include <iostream>
#include <string>
#include <vector>

#include "daemon/config_tool.h"
#include "daemon/diagnose_tool.h"
#include "daemon/genhash_mode.h"
#include "daemon/options.h"
#include "daemon/realserver_mode.h"
#include "daemon/run_mode.h"

int main(int argc, char** argv) {
  using namespace tandem::daemon;
  // keepalived's -T/--genhash: everything after it is genhash's; options before it are ignored, with a warning.
  if (const auto start = genhashArgumentStart(argc, argv)) {
    if (*start > 2) std::cerr << "tandemd: warning: " << argv[*start - 1] << " not used as first option, previous options ignored\n";
    return runGenhash(std::vector<std::string>(argv + *start, argv + argc), std::cout, std::cerr);
  }
  ParseOutcome parsed = parseCommandLine(argc, argv);
  if (!parsed.options) {
    std::cout << parsed.output;
    std::cerr << parsed.error;
    return parsed.exitCode;
  }
  const Options& options = *parsed.options;
  if (options.diagnose) return runDiagnose(options, std::cout, std::cerr);
  if (!options.checkPair.empty()) return runCheckPair(options, std::cout, std::cerr, ModelTeardown::LeaveToProcessExit);
  if (options.realServer && !options.configTest && options.dump == DumpFormat::None) return runRealServer(options);
  if (options.configTest || options.dump != DumpFormat::None)
    return runConfigTest(options, std::cout, std::cerr, ModelTeardown::LeaveToProcessExit);
  return runDaemon(options);
}
