// Preprocessor includes (in-memory and real file system) and the conformance corpus.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "parser/linux_file_system.h"
#include "parser/preprocessor.h"
#include "tests/unit/parser/preprocessor_test_support.h"

// The one-second budget holds for optimized builds; sanitizer builds run many times slower, so
// there the limit only catches hangs.
#ifdef TANDEM_SANITIZED
constexpr auto kPerFileLimit = std::chrono::seconds(30);
#else
constexpr auto kPerFileLimit = std::chrono::seconds(1);
#endif

namespace tandem::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FakeFileSystem;

using Result = testing::PreprocessResult;

const std::string kMain = "/etc/keepalived/keepalived.conf";

Result runMain(FakeFileSystem& fs, PreprocessOptions options = {}) {
  Result r;
  r.lines = preprocess(kMain, options, fs, r.diags);
  return r;
}

TEST(PreprocessorInclude, IncludedLinesKeepTheirOwnFileAndLine) {
  FakeFileSystem fs;
  fs.add(kMain, "global_defs {\ninclude defs.conf # comment\n}\n");
  fs.add("/etc/keepalived/defs.conf", "\n  router_id r1\n");
  Result r = runMain(fs);
  EXPECT_THAT(r.where(), ElementsAre(kMain + ":1 global_defs {", "/etc/keepalived/defs.conf:2   router_id r1",
                                     kMain + ":3 }"));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorInclude, GlobAndBracesIncludeInOrder) {
  FakeFileSystem fs;
  fs.add(kMain, "include conf.d/*.conf\ninclude {z,a}.inc\n");
  fs.add("/etc/keepalived/conf.d/b.conf", "b\n");
  fs.add("/etc/keepalived/conf.d/a.conf", "a\n");
  fs.add("/etc/keepalived/conf.d/skip.txt", "no\n");
  fs.add("/etc/keepalived/z.inc", "z\n");
  fs.add("/etc/keepalived/a.inc", "a.inc\n");
  EXPECT_THAT(runMain(fs).texts(), ElementsAre("a", "b", "z", "a.inc"));
}

TEST(PreprocessorInclude, NestedIncludeIsRelativeToTheIncludingFile) {
  FakeFileSystem fs;
  fs.add(kMain, "include sub/one.conf\n");
  fs.add("/etc/keepalived/sub/one.conf", "include two.conf\nscript ${_PWD}/x\n");
  fs.add("/etc/keepalived/sub/two.conf", "two\n");
  Result r = runMain(fs);
  EXPECT_THAT(r.texts(), ElementsAre("two", "script /etc/keepalived/sub/x"));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorInclude, IncludeNameCanComeFromMacroAndConditional) {
  FakeFileSystem fs;
  fs.add(kMain, "$DIR=${_PWD}/d\n@lb1 include ${DIR}/lb1.conf\n@lb2 include ${DIR}/lb2.conf\n");
  fs.add("/etc/keepalived/d/lb1.conf", "one\n");
  PreprocessOptions o;
  o.configId = "lb1";
  Result r = runMain(fs, o);
  EXPECT_THAT(r.texts(), ElementsAre("one"));
  EXPECT_TRUE(r.errors().empty());
}

TEST(PreprocessorInclude, CycleIsErrorNamingTheChainNotAHang) {
  FakeFileSystem fs;
  fs.add(kMain, "include a.conf\nend\n");
  fs.add("/etc/keepalived/a.conf", "in_a\ninclude b.conf\n");
  fs.add("/etc/keepalived/b.conf", "in_b\ninclude ../keepalived/a.conf\n");
  Result r = runMain(fs);
  EXPECT_THAT(r.texts(), ElementsAre("in_a", "in_b", "end"));
  EXPECT_THAT(r.errors(), ElementsAre("/etc/keepalived/b.conf:2: error: include cycle: /etc/keepalived/a.conf -> "
                                      "/etc/keepalived/b.conf -> /etc/keepalived/../keepalived/a.conf"));
}

TEST(PreprocessorInclude, CycleThroughSymlinkIsDetected) {
  FakeFileSystem fs;
  fs.add(kMain, "include link.conf\n");
  fs.alias("/etc/keepalived/link.conf", kMain);
  Result r = runMain(fs);
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("include cycle")));
}

TEST(PreprocessorInclude, SelfIncludeInSequenceIsStopped) {
  FakeFileSystem fs;
  fs.add(kMain, "~SEQ(I,1,3) include keepalived.conf\n");
  Result r = runMain(fs);
  EXPECT_TRUE(r.lines.empty());
  EXPECT_THAT(r.errors(), ElementsAre(HasSubstr("include cycle")));
}

// A literal path that does not exist is an error whatever the variant (keepalived only logs it
// for plain "include").
TEST(PreprocessorInclude, MissingLiteralFileIsErrorForEveryVariant) {
  for (const std::string variant : {"include", "includer", "includem", "includew", "includeb", "includea"}) {
    FakeFileSystem fs;
    fs.add(kMain, variant + " missing.conf\nnext\n");
    Result r = runMain(fs);
    EXPECT_THAT(r.texts(), ElementsAre("next")) << variant;
    EXPECT_THAT(r.errors(), ElementsAre(kMain + ":1: error: include '/etc/keepalived/missing.conf': "
                                                "'/etc/keepalived/missing.conf' not found"))
        << variant;
  }
}

TEST(PreprocessorInclude, EmptyWildcardIsWarningUnlessWildcardMatchIsChecked) {
  for (const std::string variant : {"include", "includer", "includem", "includeb"}) {
    FakeFileSystem fs;
    fs.add(kMain, variant + " conf.d/*.conf\n");
    fs.add("/etc/keepalived/conf.d/readme", "x\n");
    Result r = runMain(fs);
    EXPECT_TRUE(r.errors().empty()) << variant;
    EXPECT_THAT(r.warnings(), ElementsAre(HasSubstr("matches no file"))) << variant;
  }
  for (const std::string variant : {"includew", "includea"}) {
    FakeFileSystem fs;
    fs.add(kMain, variant + " conf.d/*.conf\n");
    fs.add("/etc/keepalived/conf.d/readme", "x\n");
    EXPECT_THAT(runMain(fs).errors(), ElementsAre(HasSubstr("matches no file"))) << variant;
  }
}

TEST(PreprocessorInclude, WildcardInMissingFolderIsError) {
  FakeFileSystem fs;
  fs.add(kMain, "includer nodir/*.conf\n");
  EXPECT_THAT(runMain(fs).errors(), ElementsAre(HasSubstr("'/etc/keepalived/nodir' not found")));
}

TEST(PreprocessorInclude, MissingBraceAlternativeIsWarningOrSkipsAllWithIncludeb) {
  FakeFileSystem fs;
  fs.add("/etc/keepalived/a.conf", "a\n");
  fs.add(kMain, "include {a,b}.conf\n");
  Result plain = runMain(fs);
  EXPECT_THAT(plain.texts(), ElementsAre("a"));
  EXPECT_TRUE(plain.errors().empty());
  EXPECT_THAT(plain.warnings(), ElementsAre(HasSubstr("'/etc/keepalived/b.conf' not found")));

  fs.add(kMain, "includeb {a,b}.conf\n");
  Result strict = runMain(fs);
  EXPECT_TRUE(strict.texts().empty());
  EXPECT_THAT(strict.errors(), ElementsAre(HasSubstr("'/etc/keepalived/b.conf' not found")));
}

TEST(PreprocessorInclude, UnreadableMatchIsWarningOrErrorWithIncluder) {
  FakeFileSystem fs;
  fs.add("/etc/keepalived/conf.d/ok.conf", "ok\n");
  fs.addUnreadable("/etc/keepalived/conf.d/secret.conf");
  fs.add(kMain, "include conf.d/*.conf\n");
  Result plain = runMain(fs);
  EXPECT_THAT(plain.texts(), ElementsAre("ok"));
  EXPECT_THAT(plain.warnings(), ElementsAre(HasSubstr("secret.conf' cannot be read")));
  EXPECT_TRUE(plain.errors().empty());

  fs.add(kMain, "includer conf.d/*.conf\n");
  Result strict = runMain(fs);
  EXPECT_THAT(strict.texts(), ElementsAre("ok"));
  EXPECT_THAT(strict.errors(), ElementsAre(HasSubstr("secret.conf' cannot be read")));
}

TEST(PreprocessorInclude, IncludingAFolderIsUnreadable) {
  FakeFileSystem fs;
  fs.add("/etc/keepalived/conf.d/x.conf", "x\n");
  fs.add(kMain, "includer conf.d\n");
  EXPECT_THAT(runMain(fs).errors(), ElementsAre(HasSubstr("conf.d' cannot be read")));
}

TEST(PreprocessorInclude, StrictIncludesMakeEveryProblemAnError) {
  FakeFileSystem fs;
  fs.add(kMain, "include conf.d/*.conf\n");
  fs.add("/etc/keepalived/conf.d/readme", "x\n");
  PreprocessOptions o;
  o.strictIncludes = true;
  EXPECT_THAT(runMain(fs, o).errors(), ElementsAre(HasSubstr("matches no file")));
}

TEST(PreprocessorInclude, IncludeCheckKeywordAppliesUntilEndOfItsFile) {
  FakeFileSystem fs;
  fs.add(kMain, "include sub.conf\ninclude none/*.x\n");
  fs.add("/etc/keepalived/sub.conf", "include_check wildcard_match\ninclude *.none\n");
  fs.add("/etc/keepalived/none/keep", "\n");
  Result r = runMain(fs);
  EXPECT_THAT(r.texts(), ElementsAre("include_check wildcard_match"));
  EXPECT_THAT(r.errors(), ElementsAre("/etc/keepalived/sub.conf:2: error: include '/etc/keepalived/*.none' "
                                      "matches no file"));
  EXPECT_THAT(r.warnings(), ElementsAre(HasSubstr("keepalived.conf:2: warning: include '/etc/keepalived/none/*.x'")));
}

TEST(PreprocessorInclude, IncludeCheckSyntaxErrors) {
  FakeFileSystem fs;
  fs.add(kMain, "include_check match bogus\ninclude_check +nonsense\n");
  EXPECT_EQ(runMain(fs).errors().size(), 2u);
}

TEST(PreprocessorInclude, IncludeWithoutFileIsError) {
  FakeFileSystem fs;
  fs.add(kMain, "include\nincludea   \n");
  EXPECT_EQ(runMain(fs).errors().size(), 2u);
}

TEST(PreprocessorInclude, MissingMainFileIsError) {
  FakeFileSystem fs;
  Result r = runMain(fs);
  EXPECT_TRUE(r.lines.empty());
  EXPECT_THAT(r.errors(), ElementsAre(kMain + ": error: configuration file not found"));
}

TEST(PreprocessorInclude, MacrosDefinedInIncludedFileStayDefined) {
  FakeFileSystem fs;
  fs.add(kMain, "include defs.conf\nrouter_id $ID\n");
  fs.add("/etc/keepalived/defs.conf", "$ID=r7\n");
  EXPECT_THAT(runMain(fs).texts(), ElementsAre("router_id r7"));
}

// ---- the real file system ------------------------------------------------------------------

class TempFolder {
 public:
  TempFolder() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tandem-pre-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : std::string();
  }
  ~TempFolder() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::string& path() const { return path_; }
  void write(const std::string& rel, const std::string& content) const {
    std::filesystem::create_directories(std::filesystem::path(path_ + "/" + rel).parent_path());
    std::ofstream(path_ + "/" + rel) << content;
  }

 private:
  std::string path_;
};

TEST(LinuxFileSystemTest, RealGlobWithBracesAndRelativeIncludes) {
  TempFolder dir;
  ASSERT_FALSE(dir.path().empty());
  dir.write("keepalived.conf", "include conf.d/*.conf\ninclude {x,y}.inc\nscript ${_PWD}\n");
  dir.write("conf.d/20-b.conf", "b\n");
  dir.write("conf.d/10-a.conf", "a\n");
  dir.write("conf.d/ignored.txt", "no\n");
  dir.write("y.inc", "y\n");
  dir.write("x.inc", "x\n");
  LinuxFileSystem fs;
  Diagnostics diags;
  std::vector<SourceLine> lines = preprocess(dir.path() + "/keepalived.conf", {}, fs, diags);
  std::vector<std::string> texts;
  for (const SourceLine& l : lines) texts.push_back(l.text);
  EXPECT_THAT(texts, ElementsAre("a", "b", "x", "y", "script " + fs.canonical(dir.path())));
  EXPECT_EQ(diags.errorCount(), 0u);
  EXPECT_EQ(lines[0].where.fileName(), dir.path() + "/conf.d/10-a.conf");
}

TEST(LinuxFileSystemTest, FoldersAndMissingFilesAreNotReadable) {
  TempFolder dir;
  ASSERT_FALSE(dir.path().empty());
  dir.write("f.conf", "x");
  LinuxFileSystem fs;
  EXPECT_EQ(fs.readFile(dir.path() + "/f.conf"), "x");
  EXPECT_FALSE(fs.readFile(dir.path()));
  EXPECT_FALSE(fs.readFile(dir.path() + "/missing"));
  // A FIFO nobody writes to is refused at once: opening it must not wait for a writer.
  ASSERT_EQ(::mkfifo((dir.path() + "/fifo").c_str(), 0600), 0);
  EXPECT_FALSE(fs.readFile(dir.path() + "/fifo"));
  EXPECT_THAT(fs.glob(dir.path() + "/{f,g}.conf"), ElementsAre(dir.path() + "/f.conf"));
  EXPECT_TRUE(fs.glob(dir.path() + "/*.none").empty());
  EXPECT_EQ(fs.canonical(dir.path() + "/./f.conf"), fs.canonical(dir.path()) + "/f.conf");
}

TEST(LinuxFileSystemTest, ReadsWholeFilesOfEverySizeAndWhatProcReportsAsEmpty) {
  TempFolder dir;
  ASSERT_FALSE(dir.path().empty());
  LinuxFileSystem fs;
  dir.write("empty.conf", "");
  EXPECT_EQ(fs.readFile(dir.path() + "/empty.conf"), "");
  std::string big;
  for (int i = 0; big.size() < 200'000; ++i) big += "line " + std::to_string(i) + "\n";
  dir.write("big.conf", big);
  EXPECT_EQ(fs.readFile(dir.path() + "/big.conf"), big);
  // fstat gives 0 for /proc files: the reader goes on until the end of the file.
  const auto self = fs.readFile("/proc/self/status");
  ASSERT_TRUE(self);
  EXPECT_NE(self->find("Name:"), std::string::npos);
}

// Lines cut anywhere between two pieces (in a CRLF, in the byte-order mark, in a multi-line macro, in an include
// line) come out as the whole text gives them, with the same line numbers and messages.
TEST(LinuxFileSystemTest, LinesCutBetweenPiecesReadAsTheWholeText) {
  TempFolder dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string main =
      "\xEF\xBB\xBFglobal_defs {\r\n"
      "  router_id one   # comment\r\n"
      "$M=a \\\n"
      "b\n"
      "\n"
      "include part.inc\n"
      "bad\x01line\n"
      "$M\n"
      "}";  // no newline at the end
  dir.write("main.conf", main);
  dir.write("part.inc", "  vrrp_strict\n  weight 3");
  auto run = [&](std::size_t pieceSize) {
    LinuxFileSystem fs(pieceSize);
    Diagnostics diags;
    std::vector<std::string> out;
    for (const SourceLine& l : preprocess(dir.path() + "/main.conf", {}, fs, diags))
      out.push_back(l.where.fileName().substr(dir.path().size()) + ":" + std::to_string(l.where.line) + ":" + l.text);
    for (const Diagnostic& d : diags.all()) out.push_back(d.format().substr(dir.path().size()));
    return out;
  };
  const std::vector<std::string> whole = run(LinuxFileSystem::kPieceSize);
  EXPECT_THAT(whole, ElementsAre("/main.conf:1:global_defs {", "/main.conf:2:  router_id one",
                                 "/part.inc:1:  vrrp_strict", "/part.inc:2:  weight 3", "/main.conf:8:a", "/main.conf:3:b",
                                 "/main.conf:9:}",
                                 "/main.conf:7: error: control character 0x01 in line; line ignored"));
  for (std::size_t piece = 1; piece <= main.size(); ++piece) EXPECT_EQ(run(piece), whole) << "pieces of " << piece;
}

// Every file of the shared corpus must go through quickly and without crashing; some are
// genuinely broken, so errors are counted, not forbidden.
TEST(PreprocessorConformance, EveryCorpusFileFinishesQuickly) {
  const std::filesystem::path root = TANDEM_CONFORMANCE_DIR;
  if (!std::filesystem::exists(root)) GTEST_SKIP() << "no conformance corpus at " << root;
  LinuxFileSystem fs;
  PreprocessOptions options;
  options.configId = "high";
  options.random = [] { return 4u; };
  std::size_t files = 0, withErrors = 0, lines = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    Diagnostics diags;
    const auto start = std::chrono::steady_clock::now();
    lines += preprocess(entry.path().string(), options, fs, diags).size();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_LT(elapsed, kPerFileLimit) << entry.path();
    ++files;
    if (diags.hasErrors()) ++withErrors;
  }
  EXPECT_GT(files, 900u);
  std::printf("[ corpus   ] %zu files, %zu with preprocessing errors, %zu lines\n", files, withErrors, lines);
}

}  // namespace
}  // namespace tandem::config
