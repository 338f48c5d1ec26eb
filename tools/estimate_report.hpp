// Renders an Estimator's last result for people (a per-layer table and a summary) and for
// programs (one JSON object with the documented keys of `patchnas estimate --json`).
//   Estimator est; est.run(arch, mcu);
//   std::cout << estimate_table(arch, mcu, est);
//   std::cout << estimate_json(arch, mcu, est).dump(2);
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "estimators/estimate.hpp"

namespace patchnas::cli {

std::string estimate_table(const Arch& arch, const McuProfile& mcu, const Estimator& estimator);
nlohmann::ordered_json estimate_json(const Arch& arch, const McuProfile& mcu,
                                     const Estimator& estimator);

// 1234567 -> "1,234,567"
std::string with_thousands(std::int64_t value);

}  // namespace patchnas::cli
