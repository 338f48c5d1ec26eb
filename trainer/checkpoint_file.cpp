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

CheckpointFile read_checkpoint_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open checkpoint");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string bytes = buffer.str();
  if (bytes.size() < kMagicBytes + 8 || bytes.compare(0, kMagicBytes, kMagic) != 0) {
    throw InputError(path, "", "not a patchnas checkpoint (bad magic)");
  }
  std::uint64_t header_length = 0;
  std::memcpy(&header_length, bytes.data() + kMagicBytes, sizeof header_length);
  const std::size_t data_start = kMagicBytes + 8 + header_length;
  if (header_length > bytes.size() || data_start > bytes.size()) {
    throw InputError(path, "header", "truncated checkpoint");
  }
  const nlohmann::json header =
      parse_json_text(bytes.substr(kMagicBytes + 8, header_length), path);
  CheckpointFile checkpoint;
  try {
    checkpoint.meta = header.at("meta");
    for (const auto& entry : header.at("arrays")) {
      const auto name = entry.at("name").get<std::string>();
      const auto offset = entry.at("offset").get<std::uint64_t>();
      const auto count = entry.at("count").get<std::uint64_t>();
      if (offset > bytes.size() || count > (bytes.size() - data_start) / sizeof(float) ||
          data_start + offset + count * sizeof(float) > bytes.size()) {
        throw InputError(path, name, "truncated checkpoint: array extends past the end of the file");
      }
      std::vector<float> values(count);
      // An empty vector's data() may be null, which memcpy must not be given even for 0 bytes.
      if (count != 0) {
        std::memcpy(values.data(), bytes.data() + data_start + offset, count * sizeof(float));
      }
      // Parameters, optimizer state and ranges are all finite; NaN or infinity is corruption
      // (and quantizing it would be undefined).
      for (std::size_t i = 0; i < values.size(); ++i) {
        if (!std::isfinite(values[i])) {
          throw InputError(path, name + "[" + std::to_string(i) + "]",
                           "not a finite number (" + std::to_string(values[i]) + ")");
        }
      }
      checkpoint.arrays.emplace(name, std::move(values));
    }
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, "header", std::string("malformed checkpoint header: ") + e.what());
  }
  return checkpoint;
}

}  // namespace patchnas::trainer
