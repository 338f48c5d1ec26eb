#include "trainer/checkpoint_file.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas::trainer {
namespace {

constexpr char kMagic[] = "PATCHNAS-CKPT-1\n";
constexpr std::size_t kMagicBytes = sizeof(kMagic) - 1;
static_assert(std::endian::native == std::endian::little, "checkpoints are little-endian");

}  // namespace

const std::vector<float>& CheckpointFile::array(const std::string& name, const std::string& file,
                                                long long count) const {
  const auto it = arrays.find(name);
  if (it == arrays.end()) throw InputError(file, name, "missing array");
  if (count >= 0 && static_cast<long long>(it->second.size()) != count) {
    throw InputError(file, name,
                     "expected " + std::to_string(count) + " values, got " +
                         std::to_string(it->second.size()));
  }
  return it->second;
}

void write_checkpoint_file(const std::string& path, const CheckpointFile& checkpoint) {
  nlohmann::json header;
  header["meta"] = checkpoint.meta;
  header["arrays"] = nlohmann::json::array();
  std::uint64_t offset = 0;
  for (const auto& [name, values] : checkpoint.arrays) {
    header["arrays"].push_back({{"name", name}, {"offset", offset}, {"count", values.size()}});
    offset += values.size() * sizeof(float);
  }
  const std::string header_text = header.dump();
  std::string bytes(kMagic, kMagicBytes);
  const std::uint64_t header_length = header_text.size();
  bytes.append(reinterpret_cast<const char*>(&header_length), sizeof header_length);
  bytes += header_text;
  for (const auto& [name, values] : checkpoint.arrays) {
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  }
  write_file_atomically(path, bytes);
}

namespace {

// The JSON header; syntax errors are reported at "header".
nlohmann::json parse_header(const std::string& text, const std::string& path) {
  try {
    return parse_json_text(text, path);
  } catch (const InputError& e) {
    if (!e.field().empty()) throw;
    throw InputError(path, "header", e.reason());
  }
}

// A non-negative integer of an array entry.
std::uint64_t entry_size(FieldReader& entry, std::string_view key) {
  const std::int64_t value = entry.integer(key);
  if (value < 0) entry.fail(key, "must be >= 0, got " + std::to_string(value));
  return static_cast<std::uint64_t>(value);
}

void check_finite(const std::vector<float>& values, const std::string& path,
                  const std::string& name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InputError(path, name + "[" + std::to_string(i) + "]",
                       "not a finite number (" + std::to_string(values[i]) + ")");
    }
  }
}

}  // namespace

CheckpointFile read_checkpoint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open checkpoint");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  if (bytes.empty()) throw InputError(path, "", "empty file: not a patchnas checkpoint");
  if (bytes.size() < kMagicBytes + 8 || bytes.compare(0, kMagicBytes, kMagic) != 0) {
    throw InputError(path, "", "not a patchnas checkpoint (bad magic)");
  }
  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data() + kMagicBytes, sizeof header_length);
  const std::size_t after_length = kMagicBytes + 8;
  if (header_length > bytes.size() - after_length) {
    throw InputError(path, "header",
                     "truncated: the header length says " + std::to_string(header_length) +
                         " bytes, the file has " + std::to_string(bytes.size() - after_length) +
                         " after it");
  }
  const std::size_t data_start = after_length + header_length;
  const std::size_t data_bytes = bytes.size() - data_start;
  const nlohmann::json header = parse_header(bytes.substr(after_length, header_length), path);

  FieldReader root(header, path);
  root.object("meta");
  CheckpointFile checkpoint;
  checkpoint.meta = header.at("meta");
  const nlohmann::json& arrays = root.array("arrays");
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    FieldReader entry(arrays[i], path, element_path("arrays", i));
    const std::string name = entry.string("name");
    const std::uint64_t offset = entry_size(entry, "offset");
    const std::uint64_t count = entry_size(entry, "count");
    entry.finish();
    // Checked against the file before anything is allocated; no product can overflow.
    if (offset > data_bytes || count > (data_bytes - offset) / sizeof(float)) {
      throw InputError(path, element_path("arrays", i),
                       "truncated: array " + name + " (" + std::to_string(count) +
                           " floats at offset " + std::to_string(offset) +
                           ") extends past the end of the file (" + std::to_string(data_bytes) +
                           " bytes of data)");
    }
    if (checkpoint.arrays.contains(name)) {
      throw InputError(path, element_path("arrays", i) + ".name", "duplicate array " + name);
    }
    std::vector<float> values(count);
    // An empty vector's data() may be null, which memcpy must not be given even for 0 bytes.
    if (count != 0) {
      std::memcpy(values.data(), bytes.data() + data_start + offset, count * sizeof(float));
    }
    check_finite(values, path, name);
    checkpoint.arrays.emplace(name, std::move(values));
  }
  root.finish();
  return checkpoint;
}

}  // namespace patchnas::trainer
