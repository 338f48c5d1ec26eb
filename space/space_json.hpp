// The search space JSON format ("patchnas.space/1"): strict parsing into a SearchSpace, with
// every error naming the file and the field path. Layout (all keys required unless marked):
//   {"format": "patchnas.space/1", "name": "mcunetv2",
//    "description": "free text"                                        (optional),
//    "input": {"channels": 3, "resolutions": [96, 112, 128]},
//    "widths": [0.5, 0.75, 1.0], "channel_divisor": 8,
//    "stem": {"out": 32, "kernel": 3, "stride": 2},
//    "first_block": {"out": 16, "kernel": 3}                             (optional),
//    "stages": [{"out": 24, "stride": 2, "depths": [2, 3, 4]}, ...],
//    "kernels": [3, 5, 7], "expands": [3, 4, 6],
//    "head": {"out": 1280}                                               (optional),
//    "classes": 1000,
//    "patch": {"n": [1, 2, 3, 4], "split": [1, 2, 3, 4]}                 (optional: no patches)}
// Channel counts are base counts at width 1.0 (see search_space.hpp).
//   SearchSpace space = read_space_file("configs/spaces/mcunetv2.json");
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "space/search_space.hpp"

namespace patchnas {

inline constexpr const char* kSpaceFormat = "patchnas.space/1";

SearchSpace read_space_file(const std::string& path);
SearchSpace space_from_json(const nlohmann::json& json, const std::string& file);

}  // namespace patchnas
