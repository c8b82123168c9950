#pragma once
// The real file system behind the preprocessor: glob(3) with GLOB_BRACE, realpath(3).
#include "parser/source.h"

namespace tandem::config {

class LinuxFileSystem final : public FileSystem {
 public:
  std::optional<std::string> readFile(const std::string& path) override;
  std::vector<std::string> glob(const std::string& pattern) override;
  std::string canonical(const std::string& path) override;
};

}  // namespace tandem::config
