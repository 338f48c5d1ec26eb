// Strict reading of JSON objects into typed values, shared by every config parser
// (archs, search spaces, MCU profiles, experiments). It checks types, reports the
// field path of anything wrong, and rejects keys nobody asked for:
//   FieldReader root(read_json_file(path), path);
//   int res = root.object("input").integer("resolution");   // path "input.resolution"
//   root.finish();   // throws InputError naming any unknown key
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "space/input_error.hpp"

namespace patchnas {

// The largest config file read_json_file accepts by default: archs, spaces, MCU profiles and
// experiments are kilobytes, and an endless source such as /dev/zero must not fill memory.
inline constexpr std::size_t kMaxJsonFileBytes = std::size_t{64} << 20;

// Reads and parses a JSON file; throws InputError(file, "", ...) when it cannot be
// opened, is larger than max_bytes or is not valid JSON (the message gives line and column).
nlohmann::json read_json_file(const std::string& path, std::size_t max_bytes = kMaxJsonFileBytes);

// Parses JSON text that came from `file` (used for stdin and tests).
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

class FieldReader {
 public:
  // `value` must be a JSON object; `path` is its field path ("" for the root).
  FieldReader(const nlohmann::json& value, std::string file, std::string path = "");

  bool has(std::string_view key) const;

  std::int64_t integer(std::string_view key);
  double number(std::string_view key);
  bool boolean(std::string_view key);
  std::string string(std::string_view key);
  FieldReader object(std::string_view key);
  // An array field; elements are read with element_path() for messages.
  const nlohmann::json& array(std::string_view key);
  std::vector<std::int64_t> integer_array(std::string_view key);
  std::vector<double> number_array(std::string_view key);

  // Reads the "format" field and checks it names `expected` (every patchnas file has one).
  void expect_format(std::string_view expected);

  // Marks an optional key as known without reading it (e.g. documentation fields).
  void allow(std::string_view key);

  // Throws InputError for the first key that was never read or allowed.
  void finish() const;

  // Throws InputError for `key` of this object with `reason`.
  [[noreturn]] void fail(std::string_view key, const std::string& reason) const;

  std::string field_path(std::string_view key) const;
  const std::string& file() const { return file_; }
  const std::string& path() const { return path_; }

 private:
  const nlohmann::json& require(std::string_view key);

  const nlohmann::json& value_;
  std::string file_;
  std::string path_;
  std::vector<std::string> used_;
};

// "blocks" + 3 -> "blocks[3]"
std::string element_path(const std::string& array_path, std::size_t index);

// Type name of a JSON value for messages ("string", "integer", "array", ...).
std::string json_type_name(const nlohmann::json& value);

// Element accessors that report the element's path on a wrong type.
std::int64_t json_integer(const nlohmann::json& value, const std::string& file,
                          const std::string& path);
double json_number(const nlohmann::json& value, const std::string& file, const std::string& path);

}  // namespace patchnas
