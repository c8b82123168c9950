#include <iostream>

#include "daemon/options.h"

int main(int argc, char** argv) {
  using namespace tandem::daemon;
  ParseOutcome parsed = parseCommandLine(argc, argv);
  std::cout << parsed.output;
  std::cerr << parsed.error;
  return parsed.options ? 1 : parsed.exitCode;
}
