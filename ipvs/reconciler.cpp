#include "ipvs/reconciler.h"

namespace tandem::ipvs {
namespace {

// Surprises are retried once after a fresh dump; a second one in a row is left to the caller's next attempt.
constexpr int kAttempts = 2;
constexpr std::size_t kErrorsShown = 3;

Table keysOnly(const std::set<ServiceKey>& keys) {
  Table table;
  for (const ServiceKey& key : keys) {
    Service service;
    service.key = key;
    table.addService(service);
  }
  return table;
}

std::set<ServiceKey> keysOf(const Table& table) {
  std::set<ServiceKey> keys;
  for (const auto& [key, entry] : table.services()) keys.insert(key);
  return keys;
}

std::string summary(const std::vector<std::string>& errors) {
  std::string text;
  for (std::size_t i = 0; i < errors.size() && i < kErrorsShown; ++i) text += (i ? "; " : "") + errors[i];
  if (errors.size() > kErrorsShown) text += " (and " + std::to_string(errors.size() - kErrorsShown) + " more)";
  return text;
}

}  // namespace

void Reconciler::failed(const std::string& error) {
  ++status_.failures;
  status_.converged = false;
  if (error != status_.lastError) log_(Level::Error, "IPVS: " + error);
  status_.lastError = error;
}

void Reconciler::succeeded() {
  status_.reachable = true;
  status_.converged = true;
  if (!status_.lastError.empty()) log_(Level::Info, "IPVS: the table is as configured again");
  status_.lastError.clear();
}

std::optional<Table> Reconciler::dumpOwned(const std::set<ServiceKey>& owned) {
  std::string error;
  const std::optional<Table> kernel = port_.dump(error);
  if (!kernel) {
    status_.reachable = false;
    failed("cannot read the table: " + error);
    return std::nullopt;
  }
  status_.reachable = true;
  return ownedPart(*kernel, keysOnly(owned));
}

std::optional<Table> Reconciler::adopt(const Table& configured) {
  owned_ = keysOf(configured);
  believed_ = dumpOwned(owned_);
  return believed_;
}

bool Reconciler::applyPlan(const Plan& plan, ApplyReport& report) {
  for (const Operation& operation : plan) log_(Level::Debug, "IPVS: ipvsadm " + describe(operation));
  report = port_.apply(plan);
  status_.operations += report.done;
  return report.ok();
}

bool Reconciler::sync(const Table& wanted) {
  const std::set<ServiceKey> wantedKeys = keysOf(wanted);
  owned_.insert(wantedKeys.begin(), wantedKeys.end());
  ApplyReport report;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    if (!believed_) {
      believed_ = dumpOwned(owned_);
      if (!believed_) return false;
    }
    const Plan steps = plan(*believed_, wanted);
    if (steps.empty() || applyPlan(steps, report)) {
      believed_ = wanted;
      owned_ = wantedKeys;
      succeeded();
      return true;
    }
    believed_.reset();
    if (!report.resync) break;
    ++status_.resyncs;
    log_(Level::Info, "IPVS: the table was not as expected (" + summary(report.errors) + "): reading it again");
  }
  failed(summary(report.errors));
  return false;
}

bool Reconciler::release() {
  std::string error;
  const std::optional<Table> kernel = port_.dump(error);
  if (!kernel) {
    failed("cannot read the table to release it: " + error);
    return false;
  }
  ApplyReport report;
  if (!applyPlan(releasePlan(*kernel, keysOnly(owned_)), report)) {
    failed("releasing: " + summary(report.errors));
    return false;
  }
  owned_.clear();
  believed_ = Table{};
  return true;
}

}  // namespace tandem::ipvs
