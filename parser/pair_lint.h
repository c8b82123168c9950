#pragma once
// Pair lint: do two directors' configurations form a working VRRP/LVS pair?
// It reports what breaks the pair (a VRID or VIP list that differs, an instance on one side
// only, real servers that differ, ...) and stays quiet about what is meant to differ
// (router_id, priority, state, interface names, notify scripts).
#include <string>
#include <vector>

#include "parser/model.h"

namespace tandem::config {

struct PairProblem {
  Location where;  // on the side where the problem is best seen
  std::string message;
  std::string format() const;  // "FILE:LINE: error: MESSAGE"
};

std::vector<PairProblem> checkPair(const Config& left, const Config& right);

}  // namespace tandem::config
