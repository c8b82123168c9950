#include "checkers/verdicts.h"

#include <gtest/gtest.h>

namespace tandem::check {
namespace {

constexpr std::string_view kBodyMd5 = "9b3a0c85a887a256d6939da88aabd8cd";

TEST(CheckHttpVerdict, DefaultAcceptsTwoHundredsOnly) {
  const UrlSpec url{"/health", "", {}};
  EXPECT_TRUE(httpVerdict(url, 200, kBodyMd5).success);
  EXPECT_TRUE(httpVerdict(url, 299, kBodyMd5).success);
  const Verdict redirect = httpVerdict(url, 301, kBodyMd5);
  EXPECT_FALSE(redirect.success);
  EXPECT_EQ(redirect.reason, "HTTP status code 301 for /health (expected 200-299)");
  EXPECT_FALSE(httpVerdict(url, 199, kBodyMd5).success);
}

TEST(CheckHttpVerdict, ConfiguredRangesAndSingleCodes) {
  const UrlSpec url{"/", "", {{200, 200}, {400, 499}, {503, 503}}};
  EXPECT_TRUE(httpVerdict(url, 200, kBodyMd5).success);
  EXPECT_TRUE(httpVerdict(url, 404, kBodyMd5).success);
  EXPECT_TRUE(httpVerdict(url, 503, kBodyMd5).success);
  const Verdict other = httpVerdict(url, 204, kBodyMd5);
  EXPECT_FALSE(other.success);
  EXPECT_EQ(other.reason, "HTTP status code 204 for / (expected 200 400-499 503)");
}

TEST(CheckHttpVerdict, CodesOutsideHttpRangeAlwaysFail) {
  const UrlSpec url{"/", "", {{0, 1000}}};
  EXPECT_FALSE(httpVerdict(url, 99, kBodyMd5).success);
  EXPECT_FALSE(httpVerdict(url, 600, kBodyMd5).success);
  EXPECT_TRUE(httpVerdict(url, 100, kBodyMd5).success);
}

TEST(CheckHttpVerdict, DigestMustMatchAfterTheStatus) {
  const UrlSpec url{"/index.html", std::string(kBodyMd5), {}};
  EXPECT_TRUE(httpVerdict(url, 200, kBodyMd5).success);
  EXPECT_TRUE(httpVerdict(url, 200, "9B3A0C85A887A256D6939DA88AABD8CD").success);
  const Verdict mismatch = httpVerdict(url, 200, "00000000000000000000000000000000");
  EXPECT_FALSE(mismatch.success);
  EXPECT_EQ(mismatch.reason,
            "MD5 digest 00000000000000000000000000000000 for /index.html (expected 9b3a0c85a887a256d6939da88aabd8cd)");
  // The status is checked first, so a bad status reports the status even when the digest matches.
  EXPECT_NE(httpVerdict(url, 500, kBodyMd5).reason.find("status code 500"), std::string::npos);
  EXPECT_FALSE(httpVerdict(url, 200, "9b3a").success);
}

TEST(CheckMiscVerdict, ExitCodes) {
  EXPECT_TRUE(miscExitVerdict(0, false).success);
  EXPECT_FALSE(miscExitVerdict(0, false).dynamicWeight.has_value());
  EXPECT_FALSE(miscExitVerdict(1, false).success);
  EXPECT_EQ(miscExitVerdict(1, false).reason, "exited with status 1");
  EXPECT_FALSE(miscExitVerdict(2, false).success);  // without misc_dynamic any non-zero status fails
  EXPECT_FALSE(miscExitVerdict(255, false).success);
}

TEST(CheckMiscVerdict, DynamicExitCodesSetTheWeightToStatusMinusTwo) {
  EXPECT_TRUE(miscExitVerdict(0, true).success);
  EXPECT_FALSE(miscExitVerdict(0, true).dynamicWeight.has_value());
  EXPECT_FALSE(miscExitVerdict(1, true).success);
  EXPECT_EQ(miscExitVerdict(2, true).dynamicWeight, 0U);
  EXPECT_EQ(miscExitVerdict(12, true).dynamicWeight, 10U);
  EXPECT_EQ(miscExitVerdict(255, true).dynamicWeight, 253U);
  EXPECT_FALSE(miscExitVerdict(256, true).success);
  EXPECT_FALSE(miscExitVerdict(-1, true).success);
}

TEST(CheckMiscVerdict, SignalsAndTimeoutsFail) {
  EXPECT_EQ(miscSignalVerdict(9).reason, "killed by signal 9");
  EXPECT_FALSE(miscSignalVerdict(9).success);
  EXPECT_EQ(miscTimeoutVerdict().reason, "timed out");
  EXPECT_FALSE(miscTimeoutVerdict().success);
}

}  // namespace
}  // namespace tandem::check
