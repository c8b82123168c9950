#pragma once
// What one check attempt concluded. Each checker type (TCP, HTTP, SSL, MISC, ...) only produces these; thresholds,
// retries and timing belong to the shared HealthTracker (Envoy's split, not keepalived's copy-per-checker).
#include <cstdint>
#include <optional>
#include <string>

namespace tandem::check {

struct Verdict {
  bool success = false;
  std::string reason;                          // why it failed, for the log; empty on success
  std::optional<std::uint32_t> dynamicWeight;  // MISC_CHECK with misc_dynamic only

  static Verdict ok(std::optional<std::uint32_t> dynamicWeight = std::nullopt) {
    return Verdict{true, {}, dynamicWeight};
  }
  static Verdict failure(std::string reason) { return Verdict{false, std::move(reason), std::nullopt}; }
};

}  // namespace tandem::check
