#pragma once
// The VRRP child's resume record on disk (see vrrp/resume.h): one JSON file next to the VRRP pid file, replaced
// atomically, read only by a child the parent started again after the previous one died.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/resume.h"

namespace tandem::daemon {

// "/run/vrrp.pid" -> "/run/vrrp.state"; without a ".pid" suffix, ".state" is appended.
std::string resumeFilePath(const std::string& vrrpPidFile);

std::string formatResumeRecords(const std::vector<vrrp::ResumeRecord>& records);
// nullopt with the reason in `error` when the text is not a record this version wrote.
std::optional<std::vector<vrrp::ResumeRecord>> parseResumeRecords(std::string_view text, std::string& error);

class ResumeFile final : public vrrp::ResumePort {
 public:
  ResumeFile(std::string path, std::function<void(const std::string&)> onError);
  void save(const std::vector<vrrp::ResumeRecord>& records) override;
  // What the previous child left; empty (with the reason in `error` unless the file is simply absent).
  std::vector<vrrp::ResumeRecord> load(std::string& error) const;
  void remove() const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::function<void(const std::string&)> onError_;
};

}  // namespace tandem::daemon
