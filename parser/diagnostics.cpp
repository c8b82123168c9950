#include "parser/diagnostics.h"


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

std::string Diagnostics::key(const Diagnostic& d) {
  std::string k = d.where.fileName();
  k += '\0';
  k += std::to_string(d.where.line);
  k += d.severity == Severity::Error ? 'E' : 'W';
  k += d.message;
  return k;
}

bool Diagnostics::contains(const Diagnostic& d) const { return seen_.count(key(d)) > 0; }

void Diagnostics::add(Diagnostic d) {
  if (!seen_.insert(key(d)).second) return;
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
