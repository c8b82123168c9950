#pragma once
// Writes the model back out, as keepalived syntax or as JSON, from the keyword tables.
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "parser/syntax_tree.h"

namespace tandem::config {

class DumpWriter {
 public:
  virtual ~DumpWriter() = default;
  virtual void text(std::string_view keyword, const std::vector<std::string>& words) = 0;
  virtual void integer(std::string_view keyword, long long value) = 0;
  virtual void decimal(std::string_view keyword, double value) = 0;
  virtual void flag(std::string_view keyword) = 0;
  virtual void open(std::string_view keyword, const std::vector<std::string>& args) = 0;
  virtual void close() = 0;
  // A line of a list block (virtual_ipaddress, track_interface, ...).
  virtual void item(const std::vector<std::string>& words) = 0;
  // A statement kept as read (recognised but not acted on), children included.
  void verbatim(const Node& node);
  // Where the next statement or block came from; writers that care (pair lint) record it.
  virtual void locate(const Location&) {}
};

class TextDumpWriter final : public DumpWriter {
 public:
  explicit TextDumpWriter(std::ostream& out) : out_(out) {}
  void text(std::string_view keyword, const std::vector<std::string>& words) override;
  void integer(std::string_view keyword, long long value) override;
  void decimal(std::string_view keyword, double value) override;
  void flag(std::string_view keyword) override;
  void open(std::string_view keyword, const std::vector<std::string>& args) override;
  void close() override;
  void item(const std::vector<std::string>& words) override;

 private:
  void indent();
  std::ostream& out_;
  int depth_ = 0;
};

// Blocks become objects; a block keyword that repeats or has a name becomes an array of
// objects with "name"; list lines become an "items" array.
class JsonDumpWriter final : public DumpWriter {
 public:
  JsonDumpWriter();
  void text(std::string_view keyword, const std::vector<std::string>& words) override;
  void integer(std::string_view keyword, long long value) override;
  void decimal(std::string_view keyword, double value) override;
  void flag(std::string_view keyword) override;
  void open(std::string_view keyword, const std::vector<std::string>& args) override;
  void close() override;
  void item(const std::vector<std::string>& words) override;
  const nlohmann::json& result() const { return root_; }

 private:
  void set(std::string_view keyword, nlohmann::json value);
  nlohmann::json root_;
  std::vector<nlohmann::json*> stack_;
  std::vector<std::set<std::string>> repeated_;  // keys turned into arrays, per open object
};

// keepalived syntax for one word: quoted when it holds spaces, quotes, braces or comment marks.
std::string quoteWord(const std::string& word);

}  // namespace tandem::config
