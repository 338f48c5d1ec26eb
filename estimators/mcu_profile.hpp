// McuProfile: one microcontroller's budgets and latency coefficients, read from
// configs/mcus/NAME.json ("patchnas.mcu/1"). Per layer call the latency model charges
//   cycles = cycles_per_mac * MACs + cycles_per_output * output elements
//          + cycles_per_input * input elements read + cycles_per_call
// with one set of coefficients per LayerKind; ms = cycles / clock_hz * 1000. Input elements are
// those of the input region the call's output needs (the whole map per layer; less per tile);
// they carry what scales with the input, not the work: average pooling, the in-place depthwise
// copy of its input. cycles_per_input is optional in the JSON (default 0).
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

struct OpCoefficients {
  double cycles_per_mac = 0.0;
  double cycles_per_output = 0.0;
  double cycles_per_call = 0.0;
  double cycles_per_input = 0.0;
  bool operator==(const OpCoefficients&) const = default;
};

struct McuProfile {
  std::string name;
  std::string core;  // e.g. "cortex-m7"
  double clock_hz = 0.0;
  std::int64_t sram_bytes = 0;
  std::int64_t flash_bytes = 0;
  std::int64_t runtime_code_bytes = 0;  // flash taken by the runtime's code, added to the model's
  std::array<OpCoefficients, kLayerKindCount> ops{};  // indexed by LayerKind
  std::string source;  // where the numbers come from (free text, required)

  const OpCoefficients& coefficients(LayerKind kind) const {
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
