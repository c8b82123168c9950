#pragma once
// The Prometheus text exposition (format 0.0.4) of what the control sockets report: pure, from the status replies
// of the parent and of each child, so the endpoint shows exactly what `tandemctl status --json` shows.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace tandem::daemon {

struct MetricsInput {
  nlohmann::json daemon;   // the parent's "daemon" object; null when the parent did not answer
  nlohmann::json vrrp;     // the VRRP child's status reply; null when it is not running or did not answer
  nlohmann::json checker;  // the checker child's status reply; null likewise
};

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

// Collects samples and writes them grouped by family, each family once with its HELP and TYPE lines.
class MetricsText {
 public:
  enum class Type { Gauge, Counter };

  void add(const std::string& name, Type type, const std::string& help, const MetricLabels& labels, double value);
  std::string str() const;

 private:
  struct Family {
    std::string name;
    Type type;
    std::string help;
    std::vector<std::string> samples;
  };
  std::vector<Family> families_;
};

std::string renderMetrics(const MetricsInput& input);

}  // namespace tandem::daemon
