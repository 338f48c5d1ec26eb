// Reading JSON text into a document (declared in json_fields.hpp). The parse goes through a
// SAX handler that tracks the field path, so a number too large for a double (1e999, the only
// way JSON text can spell infinity) is reported at its field; syntax errors give line and
// column, and an empty file says so.
#include <fstream>
#include <vector>

#include "space/json_fields.hpp"

namespace patchnas {
namespace {

using nlohmann::json;

// Builds the document with nlohmann's DOM parser and remembers where the parse is.
class PathTrackingSax {
 public:
  explicit PathTrackingSax(json& result) : dom_(result, /*allow_exceptions=*/false) {}

  bool null() { return completed(dom_.null()); }
  bool boolean(bool v) { return completed(dom_.boolean(v)); }
  bool number_integer(json::number_integer_t v) { return completed(dom_.number_integer(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return completed(dom_.number_unsigned(v)); }
  bool number_float(json::number_float_t v, const json::string_t& s) {
    return completed(dom_.number_float(v, s));
  }
  bool string(json::string_t& v) { return completed(dom_.string(v)); }
  bool binary(json::binary_t& v) { return completed(dom_.binary(v)); }
  bool start_object(std::size_t n) {
    frames_.push_back({false, 0, ""});
    return dom_.start_object(n);
  }
  bool key(json::string_t& k) {
    frames_.back().key = k;
    return dom_.key(k);
  }
  bool end_object() {
    frames_.pop_back();
    return completed(dom_.end_object());
  }
  bool start_array(std::size_t n) {
    frames_.push_back({true, 0, ""});
    return dom_.start_array(n);
  }
  bool end_array() {
    frames_.pop_back();
    return completed(dom_.end_array());
  }
  template <class Exception>
  bool parse_error(std::size_t /*position*/, const std::string& token, const Exception& error) {
    error_id_ = error.id;
    error_ = error.what();
    token_ = token;
    error_path_ = path();
    return false;
  }

  int error_id() const { return error_id_; }
  const std::string& error() const { return error_; }
  const std::string& token() const { return token_; }
  const std::string& error_path() const { return error_path_; }

 private:
  struct Frame {
    bool array;
    std::size_t index;  // elements completed so far (arrays)
    std::string key;    // the key being read (objects)
  };

  bool completed(bool ok) {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
    return ok;
  }

  std::string path() const {
    std::string text;
    for (const Frame& f : frames_) {
      if (f.array) {
        text = element_path(text, f.index);
      } else if (!f.key.empty()) {
        if (!text.empty()) text.append(".");
        text.append(f.key);
      }
    }
    return text;
  }

  nlohmann::detail::json_sax_dom_parser<json> dom_;
  std::vector<Frame> frames_;
  int error_id_ = 0;
  std::string error_;
  std::string token_;
  std::string error_path_;
};

constexpr int kNumberOverflow = 406;  // nlohmann's out_of_range.406

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& file) {
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw InputError(file, "", "empty file: expected a JSON document");
  }
  json result;
  PathTrackingSax sax(result);
  if (json::sax_parse(text, &sax)) return result;
  if (sax.error_id() == kNumberOverflow) {
    throw InputError(file, sax.error_path(),
                     "not a finite number: " + sax.token() + " is beyond the range of a double");
  }
  // "[json.exception.parse_error.101] parse error at line 2, column 5: ..."
  std::string detail = sax.error();
  const auto at = detail.find("parse error");
  if (at != std::string::npos) detail = detail.substr(at);
  throw InputError(file, "", "malformed JSON: " + detail);
}

nlohmann::json read_json_file(const std::string& path, std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  // Read in chunks up to the limit, so that an endless source is refused, not read for ever.
  std::string text;
  std::vector<char> chunk(1 << 20);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) {
      throw InputError(path, "", "larger than " + std::to_string(max_bytes >> 20) +
                                     " MiB: not a patchnas JSON file");
    }
  }
  if (in.bad()) throw InputError(path, "", "cannot read file");
  return parse_json_text(text, path);
}

}  // namespace patchnas
