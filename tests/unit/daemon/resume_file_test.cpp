// The VRRP child's resume record on disk: where it lives, a faithful round trip, and refusal of anything else.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "daemon/resume_file.h"

namespace tandem::daemon {
namespace {

using vrrp::ResumeRecord;

std::vector<ResumeRecord> sample() {
  return {ResumeRecord{"VI_1", "eth0", vrrp::Family::Ipv4, 51, vrrp::State::Master,
                       {"192.0.2.100/24", "excluded 198.51.100.7/-1 dev eth1"}, 4096},
          ResumeRecord{"VI_6", "eth1", vrrp::Family::Ipv6, 255, vrrp::State::Fault, {}, 0}};
}

TEST(ResumeFile, LivesNextToTheVrrpPidFile) {
  EXPECT_EQ(resumeFilePath("/run/vrrp.pid"), "/run/vrrp.state");
  EXPECT_EQ(resumeFilePath("/run/tandem/vrrp"), "/run/tandem/vrrp.state");
  EXPECT_EQ(resumeFilePath(".pid"), ".pid.state");
}

TEST(ResumeFile, RecordsRoundTrip) {
  std::string error;
  const auto back = parseResumeRecords(formatResumeRecords(sample()), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, sample());
  EXPECT_EQ(parseResumeRecords(formatResumeRecords({}), error)->size(), 0u);
}

TEST(ResumeFile, NamesWithQuotesBackslashesAndControlCharactersRoundTrip) {
  std::vector<ResumeRecord> records = sample();
  records[0].instance = "VI \"quoted\" back\\slash\ttab\x01";
  records[1].interface = "eth\x1f\"";
  records[1].vips = {"2001:db8::1/64", "\\"};
  std::string error;
  const auto back = parseResumeRecords(formatResumeRecords(records), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(*back, records);
}

// A name that is not UTF-8 cannot be written as JSON: it is saved with U+FFFD, so that only that instance finds no
// record, and the rest of the record stays readable.
TEST(ResumeFile, ANameThatIsNotUtf8SpoilsOnlyItsOwnEntry) {
  std::vector<ResumeRecord> records = sample();
  records[0].instance = "VI_\xff";
  std::string error;
  const auto back = parseResumeRecords(formatResumeRecords(records), error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ((*back)[0].instance, "VI_\xef\xbf\xbd");
  EXPECT_EQ((*back)[1], records[1]);
}

TEST(ResumeFile, AnythingButARecordOfThisVersionIsRefused) {
  std::string error;
  EXPECT_FALSE(parseResumeRecords("", error));
  EXPECT_FALSE(parseResumeRecords("{\"version\": 1, \"instan", error));
  EXPECT_EQ(error, "not JSON");
  EXPECT_FALSE(parseResumeRecords(R"({"version": 2, "instances": []})", error));
  EXPECT_EQ(error, "not a version 1 resume record");
  std::string text = formatResumeRecords(sample());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"MASTER\"", "\"LEADER\""}, {"\"vrid\":51", "\"vrid\":256"}, {"\"inet6\"", "\"ipx\""}, {"4096", "-1"}, {"4096", "4294967296"}}) {
    std::string bad = text;
    bad.replace(bad.find(from), from.size(), to);
    EXPECT_FALSE(parseResumeRecords(bad, error)) << bad;
    EXPECT_TRUE(error.starts_with("bad instance entry")) << error;
  }
}

TEST(ResumeFile, SavesLoadsAndRemoves) {
  const auto dir = std::filesystem::temp_directory_path() / ("tandem-resume-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::vector<std::string> errors;
  ResumeFile file((dir / "vrrp.state").string(), [&](const std::string& e) { errors.push_back(e); });
  std::string error;
  EXPECT_TRUE(file.load(error).empty());
  EXPECT_EQ(error, "");  // no file yet: nothing to say
  file.save(sample());
  EXPECT_EQ(file.load(error), sample());
  EXPECT_EQ(error, "");
  std::ofstream(file.path()) << "garbage";
  EXPECT_TRUE(file.load(error).empty());
  EXPECT_EQ(error, file.path() + ": not JSON");
  file.remove();
  EXPECT_FALSE(std::filesystem::exists(file.path()));

  ResumeFile nowhere((dir / "missing" / "vrrp.state").string(), [&](const std::string& e) { errors.push_back(e); });
  nowhere.save(sample());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("resume record not saved"), std::string::npos);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tandem::daemon
