#include "estimators/mcu_profile.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "space/json_fields.hpp"

namespace patchnas {
namespace {

std::string non_empty_string(FieldReader& reader, std::string_view key) {
  std::string value = reader.string(key);
  if (value.empty()) reader.fail(key, "must not be empty");
  return value;
}

std::int64_t byte_count(FieldReader& reader, std::string_view key, bool zero_allowed) {
  const std::int64_t value = reader.integer(key);
  if (value < 0 || (value == 0 && !zero_allowed)) {
    reader.fail(key, std::string(zero_allowed ? "must be >= 0" : "must be > 0") + ", got " +
                         std::to_string(value));
  }
  return value;
}

double coefficient(FieldReader& reader, std::string_view key) {
  const double value = reader.number(key);
  if (!(value >= 0.0)) reader.fail(key, "must be >= 0, got " + std::to_string(value));
  return value;
}

OpCoefficients read_coefficients(FieldReader op) {
  OpCoefficients k;
  k.cycles_per_mac = coefficient(op, "cycles_per_mac");
  k.cycles_per_output = coefficient(op, "cycles_per_output");
  k.cycles_per_call = coefficient(op, "cycles_per_call");
  const auto optional = [&op](std::string_view key) {
    return op.has(key) ? coefficient(op, key) : 0.0;
  };
  k.cycles_per_input = optional("cycles_per_input");
  k.cycles_per_weight = optional("cycles_per_weight");
  k.cycles_per_row = optional("cycles_per_row");
  k.cycles_per_window_word = optional("cycles_per_window_word");
  op.finish();
  return k;
}

}  // namespace

std::string_view cost_kind_name(CostKind kind) {
  switch (kind) {
    case CostKind::DepthwiseInPlace: return "depthwise_in_place";
    case CostKind::PointwiseResidual: return "pointwise_residual";
    default: return layer_kind_name(layer_kind_of(kind));
  }
}

LayerKind layer_kind_of(CostKind kind) {
  switch (kind) {
    case CostKind::DepthwiseInPlace: return LayerKind::Depthwise;
    case CostKind::PointwiseResidual: return LayerKind::Pointwise;
    default: return static_cast<LayerKind>(kind);
  }
}

CostKind cost_kind_of(const Layer& layer, bool in_place) {
  if (layer.kind == LayerKind::Depthwise && in_place) return CostKind::DepthwiseInPlace;
  if (layer.kind == LayerKind::Pointwise && layer.residual >= 0) return CostKind::PointwiseResidual;
  return static_cast<CostKind>(layer.kind);
}

McuProfile mcu_profile_from_json(const nlohmann::json& json, const std::string& file) {
  FieldReader root(json, file);
  root.expect_format(kMcuFormat);
  McuProfile mcu;
  mcu.name = non_empty_string(root, "name");
  mcu.core = non_empty_string(root, "core");
  mcu.clock_hz = root.number("clock_hz");
  if (!(mcu.clock_hz > 0.0)) root.fail("clock_hz", "must be > 0");
  mcu.sram_bytes = byte_count(root, "sram_bytes", false);
  mcu.flash_bytes = byte_count(root, "flash_bytes", false);
  mcu.runtime_code_bytes = byte_count(root, "runtime_code_bytes", true);

  FieldReader ops = root.object("ops");
  for (const CostKind kind : kAllCostKinds) {
    const std::string_view name = cost_kind_name(kind);
    const auto base = static_cast<CostKind>(layer_kind_of(kind));
    mcu.ops[static_cast<std::size_t>(kind)] =
        kind == base || ops.has(name) ? read_coefficients(ops.object(name))
                                      : mcu.coefficients(base);  // a variant defaults to its kind
  }
  ops.finish();

  mcu.source = non_empty_string(root, "source");
  root.finish();
  return mcu;
}

McuProfile read_mcu_profile(const std::string& path) {
  return mcu_profile_from_json(read_json_file(path), path);
}

nlohmann::ordered_json mcu_profile_to_json(const McuProfile& mcu) {
  nlohmann::ordered_json j;
  j["format"] = kMcuFormat;
  j["name"] = mcu.name;
  j["core"] = mcu.core;
  j["clock_hz"] = mcu.clock_hz;
  j["sram_bytes"] = mcu.sram_bytes;
  j["flash_bytes"] = mcu.flash_bytes;
  j["runtime_code_bytes"] = mcu.runtime_code_bytes;
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (const CostKind kind : kAllCostKinds) {
    const OpCoefficients& k = mcu.coefficients(kind);
    ops[std::string(cost_kind_name(kind))] = {{"cycles_per_mac", k.cycles_per_mac},
                                              {"cycles_per_output", k.cycles_per_output},
                                              {"cycles_per_call", k.cycles_per_call},
                                              {"cycles_per_input", k.cycles_per_input},
                                              {"cycles_per_weight", k.cycles_per_weight},
                                              {"cycles_per_row", k.cycles_per_row},
                                              {"cycles_per_window_word", k.cycles_per_window_word}};
  }
  j["ops"] = std::move(ops);
  j["source"] = mcu.source;
  return j;
}

std::string mcu_profile_dir() {
  const char* configured = std::getenv("PATCHNAS_CONFIG_DIR");
  const std::string config_dir =
      configured != nullptr && *configured != '\0' ? configured : PATCHNAS_CONFIG_DIR;
  return config_dir + "/mcus";
}

std::vector<std::string> mcu_profile_names() {
  std::vector<std::string> names;
  std::error_code error;
  for (std::filesystem::directory_iterator it(mcu_profile_dir(), error), end; !error && it != end;
       it.increment(error)) {
    if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

McuProfile find_mcu_profile(const std::string& name_or_path) {
  std::error_code error;
  if (std::filesystem::is_regular_file(name_or_path, error)) return read_mcu_profile(name_or_path);
  // Something that looks like a path is reported as a missing file, not as an unknown name.
  const bool looks_like_path = name_or_path.find('/') != std::string::npos ||
                               std::filesystem::path(name_or_path).extension() == ".json";
  if (looks_like_path) return read_mcu_profile(name_or_path);

  const std::string dir = mcu_profile_dir();
  const std::string bundled = dir + "/" + name_or_path + ".json";
  if (!name_or_path.empty() && std::filesystem::is_regular_file(bundled, error)) {
    return read_mcu_profile(bundled);
  }
  std::string known;
  for (const std::string& name : mcu_profile_names()) known += (known.empty() ? "" : ", ") + name;
  throw InputError(name_or_path, "",
                   "not a profile file and no MCU profile of that name in " + dir +
                       " (known: " + (known.empty() ? "none" : known) + ")");
}

}  // namespace patchnas
