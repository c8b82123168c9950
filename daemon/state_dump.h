#pragma once
// Where the dump signals write, as keepalived: SIGUSR1 the data dump (keepalived.data), SIGUSR2 the statistics
// (keepalived.stats), SIGRTMIN+2 the JSON state (keepalived.json), in $TMPDIR (else /tmp), unless global_defs
// names the file (state_dump_file, stats_dump_file, json_dump_file; a relative name is taken in that directory).
#include <optional>
#include <string>

#include "parser/model_global.h"

namespace tandem::daemon {

enum class DumpKind { Data, Stats, Json };

struct DumpFileNames {
  std::string data, stats, json;  // from global_defs; empty: keepalived's default name
};

DumpFileNames dumpFileNamesFrom(const config::GlobalDefs& global);
// `tmpdir`: the value of $TMPDIR, or nullptr when unset.
std::string dumpFilePath(DumpKind kind, const DumpFileNames& names, const char* tmpdir);
std::optional<DumpKind> dumpKindForSignal(int signal);

// Replaces the file's content (written next to it, then renamed, so a reader never sees half a dump).
// False with a reason in `error`.
bool writeDumpFile(const std::string& path, const std::string& content, std::string& error);

}  // namespace tandem::daemon
