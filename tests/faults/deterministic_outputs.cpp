#include "faults/deterministic_outputs.hpp"

#include <algorithm>
#include <fstream>

#include <nlohmann/json.hpp>

#include "faults/output_check.hpp"
#include "trainer/checkpoint_file.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

const char* const kWallClockKeys[] = {"seconds", "samples_per_second"};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

void erase_wall_clock(nlohmann::json& j) {
  if (j.is_object()) {
    for (const char* key : kWallClockKeys) j.erase(key);
    for (auto& [key, value] : j.items()) erase_wall_clock(value);
  } else if (j.is_array()) {
    for (auto& value : j) erase_wall_clock(value);
  }
}

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  for (std::size_t at = 0; (at = text.find(from, at)) != std::string::npos; at += to.size()) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string canonical_json(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text);
  erase_wall_clock(j);
  return j.dump(1);
}

std::string canonical_jsonl(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    out.append(canonical_json(text.substr(start, end - start))).append("\n");
  }
  return out.append(text.substr(start));
}

std::string canonical_checkpoint(const fs::path& path) {
  trainer::CheckpointFile f = trainer::read_checkpoint_file(path.string());
  erase_wall_clock(f.meta);
  std::string out = f.meta.dump(1);
  for (const auto& [name, values] : f.arrays) {
    out.append("\n").append(name).append(":");
    out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  }
  return out;
}

bool is_firmware_build_product(const fs::path& relative) {
  for (const auto& part : relative) {
    if (part.string().rfind("build_", 0) == 0) return true;
  }
  return relative.extension() == ".elf";
}

}  // namespace

Outputs deterministic_outputs(const fs::path& dir, const std::string& out_as_written) {
  Outputs outputs;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    const fs::path relative = fs::relative(it->path(), dir);
    if (is_temporary(it->path()) || is_firmware_build_product(relative)) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    const std::string extension = relative.extension().string();
    std::string content;
    if (relative.filename() == "checkpoint.bin") {
      content = canonical_checkpoint(it->path());
    } else {
      content = replaced(read_text(it->path()), out_as_written, "<out>");
      if (extension == ".json") content = canonical_json(content);
      if (extension == ".jsonl") content = canonical_jsonl(content);
    }
    outputs[relative.string()] = std::move(content);
  }
  return outputs;
}

std::string first_difference(const Outputs& expected, const Outputs& actual) {
  for (const auto& [name, content] : expected) {
    const auto it = actual.find(name);
    if (it == actual.end()) return name + ": missing";
    if (it->second == content) continue;
    const auto mismatch = std::mismatch(content.begin(), content.end(), it->second.begin(),
                                        it->second.end());
    const auto at = mismatch.first - content.begin();
    return name + ": differs at byte " + std::to_string(at) + " of the canonical form (" +
           std::to_string(content.size()) + " vs " + std::to_string(it->second.size()) + " bytes)";
  }
  for (const auto& [name, content] : actual) {
    if (expected.find(name) == expected.end()) return name + ": not in the uninterrupted run";
  }
  return "";
}

}  // namespace patchnas::faults
