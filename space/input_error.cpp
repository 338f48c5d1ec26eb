#include "space/input_error.hpp"

#include <cstdio>
#include <utility>

namespace patchnas {
namespace {

// Appends `part` with control characters written as escapes (\n, \t, \xNN), so that a
// value quoted from the input (a format string, an unknown key) cannot break the error
// into several lines or move the terminal's cursor.
void append_printable(std::string& text, const std::string& part) {
  for (const char c : part) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      text.append("\\n");
    } else if (c == '\t') {
      text.append("\\t");
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      text.append(escape);
    } else {
      text.push_back(c);
    }
  }
}

std::string compose(const std::string& file, const std::string& field, const std::string& reason) {
  std::string text;
  append_printable(text, file.empty() ? std::string("<input>") : file);
  if (!field.empty()) append_printable(text.append(": "), field);
  append_printable(text.append(": "), reason);
  return text;
}

}  // namespace

InputError::InputError(std::string file, std::string field, std::string reason)
    : std::runtime_error(compose(file, field, reason)),
      file_(std::move(file)),
      field_(std::move(field)),
      reason_(std::move(reason)) {}

}  // namespace patchnas
