#include "parser/dump_writer.h"

#include "parser/values.h"

namespace tandem::config {

std::string quoteWord(const std::string& word) {
  bool plain = !word.empty();
  for (char c : word) {
    if (c == ' ' || c == '\t' || c == '"' || c == '\'' || c == '{' || c == '}' || c == '#' || c == '!' || c == '\\' ||
        c == '\n' || c == '\r') {
      plain = false;
      break;
    }
  }
  if (plain) return word;
  std::string out = "\"";
  for (char c : word) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out + "\"";
}

void DumpWriter::verbatim(const Node& node) {
  std::vector<std::string> words;
  for (const Token& t : node.args) words.push_back(t.text);
  locate(node.where);
  if (node.hasBlock) {
    open(node.keyword, words);
    for (const Node& child : node.children) verbatim(child);
    close();
  } else if (words.empty()) {
    flag(node.keyword);
  } else {
    text(node.keyword, words);
  }
}

void TextDumpWriter::indent() {
  for (int i = 0; i < depth_; ++i) out_ << "    ";
}

void TextDumpWriter::text(std::string_view keyword, const std::vector<std::string>& words) {
  indent();
  out_ << keyword;
  for (const auto& w : words) out_ << ' ' << quoteWord(w);
  out_ << '\n';
}

void TextDumpWriter::integer(std::string_view keyword, long long value) {
  indent();
  out_ << keyword << ' ' << value << '\n';
}

void TextDumpWriter::decimal(std::string_view keyword, double value) {
  indent();
  out_ << keyword << ' ' << formatNumber(value) << '\n';
}

void TextDumpWriter::flag(std::string_view keyword) {
  indent();
  out_ << keyword << '\n';
}

void TextDumpWriter::open(std::string_view keyword, const std::vector<std::string>& args) {
  indent();
  out_ << keyword;
  for (const auto& a : args) out_ << ' ' << quoteWord(a);
  out_ << " {\n";
  ++depth_;
}

void TextDumpWriter::close() {
  --depth_;
  indent();
  out_ << "}\n";
}

void TextDumpWriter::item(const std::vector<std::string>& words) {
  indent();
  for (std::size_t i = 0; i < words.size(); ++i) out_ << (i ? " " : "") << quoteWord(words[i]);
  out_ << '\n';
}

JsonDumpWriter::JsonDumpWriter() : root_(nlohmann::json::object()) {
  stack_.push_back(&root_);
  repeated_.emplace_back();
}

void JsonDumpWriter::set(std::string_view keyword, nlohmann::json value) {
  nlohmann::json& obj = *stack_.back();
  std::string key(keyword);
  if (!obj.contains(key)) {
    obj[key] = std::move(value);
    return;
  }
  // A repeated scalar keyword (notification_email lines, say) collects into an array.
  auto& repeated = repeated_.back();
  if (repeated.insert(key).second) obj[key] = nlohmann::json::array({obj[key]});
  obj[key].push_back(std::move(value));
}

void JsonDumpWriter::text(std::string_view keyword, const std::vector<std::string>& words) {
  set(keyword, words.size() == 1 ? nlohmann::json(words[0]) : nlohmann::json(words));
}

void JsonDumpWriter::integer(std::string_view keyword, long long value) { set(keyword, value); }
void JsonDumpWriter::decimal(std::string_view keyword, double value) { set(keyword, value); }
void JsonDumpWriter::flag(std::string_view keyword) { set(keyword, true); }

void JsonDumpWriter::open(std::string_view keyword, const std::vector<std::string>& args) {
  nlohmann::json& obj = *stack_.back();
  std::string key(keyword);
  nlohmann::json block = nlohmann::json::object();
  if (!args.empty()) block["name"] = args.size() == 1 ? nlohmann::json(args[0]) : nlohmann::json(args);
  if (!args.empty() || obj.contains(key)) {
    // Named or repeated blocks are arrays, so instances keep their order.
    nlohmann::json& arr = obj[key];
    if (!arr.is_array()) arr = arr.is_null() ? nlohmann::json::array() : nlohmann::json::array({arr});
    arr.push_back(std::move(block));
    stack_.push_back(&arr.back());
  } else {
    obj[key] = std::move(block);
    stack_.push_back(&obj[key]);
  }
  repeated_.emplace_back();
}

void JsonDumpWriter::close() {
  if (stack_.size() <= 1) return;
  stack_.pop_back();
  repeated_.pop_back();
}

void JsonDumpWriter::item(const std::vector<std::string>& words) {
  nlohmann::json& items = (*stack_.back())["items"];
  std::string line;
  for (std::size_t i = 0; i < words.size(); ++i) line += (i ? " " : "") + words[i];
  items.push_back(line);
}

}  // namespace tandem::config
