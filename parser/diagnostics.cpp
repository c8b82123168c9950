#include "parser/diagnostics.h"

#include <algorithm>

namespace tandem::config {

const std::string& Location::fileName() const {
  static const std::string unknown = "<unknown>";
  return file ? *file : unknown;
}

std::string Diagnostic::format() const {
  std::string out = where.fileName();
  if (where.line > 0) out += ":" + std::to_string(where.line);
  out += severity == Severity::Error ? ": error: " : ": warning: ";
  out += message;
  return out;
}

bool Diagnostics::contains(const Diagnostic& d) const {
  return std::any_of(items_.begin(), items_.end(), [&](const Diagnostic& x) {
    return x.severity == d.severity && x.where.line == d.where.line && x.message == d.message &&
           x.where.fileName() == d.where.fileName();
  });
}

void Diagnostics::add(Diagnostic d) {
  if (contains(d)) return;
  if (d.severity == Severity::Error) ++errors_;
  items_.push_back(std::move(d));
}

void Diagnostics::error(const Location& where, std::string message) {
  add({where, Severity::Error, std::move(message)});
}

void Diagnostics::warning(const Location& where, std::string message) {
  add({where, Severity::Warning, std::move(message)});
}

}  // namespace tandem::config
