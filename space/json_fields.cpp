#include "space/json_fields.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace patchnas {

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.what() reads "[json.exception.parse_error.101] parse error at line 2, column 5: ..."
    std::string detail = e.what();
    const auto at = detail.find("parse error");
    if (at != std::string::npos) detail = detail.substr(at);
    throw InputError(file, "", "malformed JSON: " + detail);
  } catch (const nlohmann::json::out_of_range& e) {
    // A number beyond a double (1e999) is out_of_range 406, not a parse_error.
    std::string detail = e.what();
    const auto at = detail.find("number overflow");
    if (at != std::string::npos) detail = detail.substr(at);
    throw InputError(file, "", "malformed JSON: " + detail);
  }
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, "", "cannot read file");
  return parse_json_text(text.str(), path);
}

std::string element_path(const std::string& array_path, std::size_t index) {
  return array_path + "[" + std::to_string(index) + "]";
}

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number_float()) return "number " + value.dump();
  return value.type_name();
}

std::int64_t json_integer(const nlohmann::json& value, const std::string& file,
                          const std::string& path) {
  if (value.is_number_unsigned()) {
    const auto v = value.get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(INT64_MAX)) throw InputError(file, path, "integer too large");
    return static_cast<std::int64_t>(v);
  }
  if (!value.is_number_integer()) {
    throw InputError(file, path, "expected an integer, got " + json_type_name(value));
  }
  return value.get<std::int64_t>();
}

double json_number(const nlohmann::json& value, const std::string& file, const std::string& path) {
  if (!value.is_number()) throw InputError(file, path, "expected a number, got " + json_type_name(value));
  return value.get<double>();
}

FieldReader::FieldReader(const nlohmann::json& value, std::string file, std::string path)
    : value_(value), file_(std::move(file)), path_(std::move(path)) {
  if (!value_.is_object()) {
    throw InputError(file_, path_, "expected an object, got " + json_type_name(value_));
  }
}

std::string FieldReader::field_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

void FieldReader::fail(std::string_view key, const std::string& reason) const {
  throw InputError(file_, field_path(key), reason);
}

bool FieldReader::has(std::string_view key) const { return value_.contains(key); }

void FieldReader::expect_format(std::string_view expected) {
  const std::string format = string("format");
  if (format != expected) {
    fail("format", "expected \"" + std::string(expected) + "\", got \"" + format + "\"");
  }
}

void FieldReader::allow(std::string_view key) { used_.emplace_back(key); }

const nlohmann::json& FieldReader::require(std::string_view key) {
  const auto it = value_.find(key);
  if (it == value_.end()) fail(key, "missing required field");
  used_.emplace_back(key);
  return *it;
}

std::int64_t FieldReader::integer(std::string_view key) {
  return json_integer(require(key), file_, field_path(key));
}

double FieldReader::number(std::string_view key) {
  return json_number(require(key), file_, field_path(key));
}

bool FieldReader::boolean(std::string_view key) {
  const auto& v = require(key);
  if (!v.is_boolean()) fail(key, "expected true or false, got " + json_type_name(v));
  return v.get<bool>();
}

std::string FieldReader::string(std::string_view key) {
  const auto& v = require(key);
  if (!v.is_string()) fail(key, "expected a string, got " + json_type_name(v));
  return v.get<std::string>();
}

FieldReader FieldReader::object(std::string_view key) {
  return FieldReader(require(key), file_, field_path(key));
}

const nlohmann::json& FieldReader::array(std::string_view key) {
  const auto& v = require(key);
  if (!v.is_array()) fail(key, "expected an array, got " + json_type_name(v));
  return v;
}

std::vector<std::int64_t> FieldReader::integer_array(std::string_view key) {
  const auto& list = array(key);
  std::vector<std::int64_t> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(json_integer(list[i], file_, element_path(field_path(key), i)));
  }
  return out;
}

std::vector<double> FieldReader::number_array(std::string_view key) {
  const auto& list = array(key);
  std::vector<double> out;
  out.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    out.push_back(json_number(list[i], file_, element_path(field_path(key), i)));
  }
  return out;
}

void FieldReader::finish() const {
  for (auto it = value_.begin(); it != value_.end(); ++it) {
    if (std::find(used_.begin(), used_.end(), it.key()) == used_.end()) {
      throw InputError(file_, field_path(it.key()), "unknown field");
    }
  }
}

}  // namespace patchnas
