#pragma once
// The whole front end in one call: preprocess, then build and validate the model.
#include <string>

#include "parser/config_builder.h"
#include "parser/preprocessor.h"

namespace tandem::config {

LoadedConfig loadConfigFile(const std::string& path, const PreprocessOptions& options, FileSystem& fs);
LoadedConfig loadConfigText(const std::string& name, const std::string& text, const PreprocessOptions& options,
                            FileSystem& fs);

}  // namespace tandem::config
