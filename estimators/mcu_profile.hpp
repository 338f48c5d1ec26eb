// McuProfile: one microcontroller's budgets and latency coefficients, read from
// configs/mcus/NAME.json ("patchnas.mcu/1"). The latency model (estimators/latency.hpp)
// charges per layer MACs, outputs, calls, inputs, weights and rows, with one set of
// coefficients per CostKind, i.e. per kernel the runtime runs: the five layer kinds, plus the
// in-place depthwise (which copies each input channel to a scratch plane first) and the
// pointwise with a fused residual add as variants of their own; ms = cycles / clock_hz * 1000.
// In the JSON, cycles_per_mac, cycles_per_output and cycles_per_call are required,
// cycles_per_input, cycles_per_weight, cycles_per_row and cycles_per_window_word optional
// (default 0), and so are the
// two variants (default: the coefficients of their layer kind).
//   McuProfile mcu = find_mcu_profile("stm32h743");   // a name in configs/mcus or a path
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "space/network.hpp"

namespace patchnas {

inline constexpr const char* kMcuFormat = "patchnas.mcu/1";

// What the latency model charges a layer as: its kind, or one of the two variants.
enum class CostKind : std::uint8_t {
  Conv,
  Depthwise,
  Pointwise,
  GlobalAvgPool,
  FullyConnected,
  DepthwiseInPlace,   // writes over its input through a one-channel scratch plane
  PointwiseResidual,  // adds the block input (the fused residual add)
};
inline constexpr int kCostKindCount = 7;
inline constexpr CostKind kAllCostKinds[kCostKindCount] = {
    CostKind::Conv,          CostKind::Depthwise,        CostKind::Pointwise,
    CostKind::GlobalAvgPool, CostKind::FullyConnected,   CostKind::DepthwiseInPlace,
    CostKind::PointwiseResidual};

// "conv", "depthwise", "pointwise", "pool", "fc", "depthwise_in_place", "pointwise_residual".
std::string_view cost_kind_name(CostKind kind);
// The layer kind a cost kind belongs to (the first five are the layer kinds themselves).
LayerKind layer_kind_of(CostKind kind);
// The cost kind of `layer` when it runs in place (depthwise) / adds a residual (pointwise).
CostKind cost_kind_of(const Layer& layer, bool in_place);

struct OpCoefficients {
  double cycles_per_mac = 0.0;
  double cycles_per_output = 0.0;
  double cycles_per_call = 0.0;
  double cycles_per_input = 0.0;
  double cycles_per_weight = 0.0;
  double cycles_per_row = 0.0;
  double cycles_per_window_word = 0.0;
  bool operator==(const OpCoefficients&) const = default;
};

struct McuProfile {
  std::string name;
  std::string core;  // e.g. "cortex-m7"
  double clock_hz = 0.0;
  std::int64_t sram_bytes = 0;
  std::int64_t flash_bytes = 0;
  std::int64_t runtime_code_bytes = 0;  // flash taken by the runtime's code, added to the model's
  std::array<OpCoefficients, kCostKindCount> ops{};  // indexed by CostKind
  std::string source;  // where the numbers come from (free text, required)

  const OpCoefficients& coefficients(CostKind kind) const {
    return ops[static_cast<std::size_t>(kind)];
  }
  bool operator==(const McuProfile&) const = default;
};

McuProfile read_mcu_profile(const std::string& path);
McuProfile mcu_profile_from_json(const nlohmann::json& json, const std::string& file);
nlohmann::ordered_json mcu_profile_to_json(const McuProfile& profile);

// Directory holding the bundled profiles: $PATCHNAS_CONFIG_DIR/mcus if set, else the source tree's.
std::string mcu_profile_dir();
// The names of the profiles in mcu_profile_dir() (file stems of its *.json), sorted.
std::vector<std::string> mcu_profile_names();
// `name_or_path`: an existing file path, or a profile name looked up in mcu_profile_dir().
// Throws InputError listing the known names when nothing matches.
McuProfile find_mcu_profile(const std::string& name_or_path);

}  // namespace patchnas
