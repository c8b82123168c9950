#include "daemon/resume_file.h"

#include "daemon/pid_file.h"

#include <malloc.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/state_dump.h"

namespace tandem::daemon {
namespace {

constexpr int kFormatVersion = 1;

std::optional<vrrp::State> stateNamed(std::string_view name) {
  for (auto s : {vrrp::State::Initialize, vrrp::State::Backup, vrrp::State::Master, vrrp::State::Fault})
    if (vrrp::toString(s) == name) return s;
  return std::nullopt;
}

// One string as JSON, through the library's own serializer (no tree). A byte that is not UTF-8 becomes U+FFFD
// rather than an exception out of a timer: the name then matches nothing, and that instance starts afresh.
void appendJsonString(std::string& out, const std::string& text) {
  out += nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::string resumeFilePath(const std::string& vrrpPidFile) { return pidFileSibling(vrrpPidFile, ".state"); }

// Written directly, not through a json tree: with a thousand instances the tree was a megabyte of short-lived
// blocks at every burst of transitions, and the VRRP child's heap kept the pages.
std::string formatResumeRecords(const std::vector<vrrp::ResumeRecord>& records) {
  std::string out = "{\"version\":" + std::to_string(kFormatVersion) + ",\"instances\":[";
  out.reserve(64 + records.size() * 160);
  for (std::size_t i = 0; i < records.size(); ++i) {
    const vrrp::ResumeRecord& r = records[i];
    out += i ? ",{\"name\":" : "{\"name\":";
    appendJsonString(out, r.instance);
    out += ",\"interface\":";
    appendJsonString(out, r.interface);
    out += r.family == vrrp::Family::Ipv4 ? ",\"family\":\"inet\"" : ",\"family\":\"inet6\"";
    out += ",\"vrid\":" + std::to_string(r.vrid) + ",\"state\":";
    appendJsonString(out, std::string(vrrp::toString(r.state)));
    out += ",\"vips\":[";
    for (std::size_t v = 0; v < r.vips.size(); ++v) {
      if (v) out += ',';
      appendJsonString(out, r.vips[v]);
    }
    out += "],\"ah_sequence_reserved\":" + std::to_string(r.ahSequenceReserved) + "}";
  }
  out += "]}\n";
  return out;
}

std::optional<std::vector<vrrp::ResumeRecord>> parseResumeRecords(std::string_view text, std::string& error) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    error = "not JSON";
    return std::nullopt;
  }
  if (j.value("version", 0) != kFormatVersion || !j.contains("instances") || !j["instances"].is_array()) {
    error = "not a version " + std::to_string(kFormatVersion) + " resume record";
    return std::nullopt;
  }
  std::vector<vrrp::ResumeRecord> out;
  try {
    for (const auto& i : j["instances"]) {
      vrrp::ResumeRecord r;
      r.instance = i.at("name").get<std::string>();
      r.interface = i.at("interface").get<std::string>();
      const auto family = i.at("family").get<std::string>();
      if (family != "inet" && family != "inet6") throw std::invalid_argument("family " + family);
      r.family = family == "inet" ? vrrp::Family::Ipv4 : vrrp::Family::Ipv6;
      const int vrid = i.at("vrid").get<int>();
      if (vrid < 1 || vrid > 255) throw std::invalid_argument("vrid " + std::to_string(vrid));
      r.vrid = static_cast<std::uint8_t>(vrid);
      const auto state = stateNamed(i.at("state").get<std::string>());
      if (!state) throw std::invalid_argument("state " + i.at("state").get<std::string>());
      r.state = *state;
      r.vips = i.at("vips").get<std::vector<std::string>>();
      const auto reserved = i.at("ah_sequence_reserved").get<std::int64_t>();
      if (reserved < 0 || reserved > std::numeric_limits<std::uint32_t>::max())
        throw std::invalid_argument("ah_sequence_reserved " + std::to_string(reserved));
      r.ahSequenceReserved = static_cast<std::uint32_t>(reserved);
      out.push_back(std::move(r));
    }
  } catch (const std::exception& e) {
    error = std::string("bad instance entry: ") + e.what();
    return std::nullopt;
  }
  return out;
}

ResumeFile::ResumeFile(std::string path, std::function<void(const std::string&)> onError)
    : path_(std::move(path)), onError_(std::move(onError)) {}

void ResumeFile::save(const std::vector<vrrp::ResumeRecord>& records) {
  std::string error;
  if (!writeDumpFile(path_, formatResumeRecords(records), error) && onError_)
    onError_("resume record not saved (a restarted VRRP child would start afresh): " + error);
  // The engine saves once a burst of transitions is over, which is when the VRRP child's heap holds the most
  // freed blocks (the burst's GARP queues, messages, this record): glibc keeps their pages unless asked.
  malloc_trim(0);
}

std::vector<vrrp::ResumeRecord> ResumeFile::load(std::string& error) const {
  std::ifstream in(path_);
  if (!in) {
    if (errno != ENOENT) error = "cannot read " + path_ + ": " + std::strerror(errno);
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string why;
  auto records = parseResumeRecords(text.str(), why);
  if (!records) {
    error = path_ + ": " + why;
    return {};
  }
  return std::move(*records);
}

void ResumeFile::remove() const { unlink(path_.c_str()); }

}  // namespace tandem::daemon
