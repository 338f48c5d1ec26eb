// ExperimentConfig: one search job, read from configs/experiments/*.json
// ("patchnas.experiment/1"): the space, the MCU, the budgets, the objective, the algorithm and
// its parameters, the patch-schedule mode, the seed and the number of survivors. Parsed once
// at the edge with every error naming the file and the field; `--set key.path=value`
// overrides are applied to the JSON before parsing, so they are validated the same way.
//   ExperimentConfig c = read_experiment_file("configs/experiments/f746.json", {"seed=3"});
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "estimators/mcu_profile.hpp"
#include "space/search_space.hpp"

namespace patchnas {

inline constexpr const char* kExperimentFormat = "patchnas.experiment/1";

enum class SearchAlgorithm : std::uint8_t { Evolution, Aging, Random };
enum class ScheduleMode : std::uint8_t { Genome, Best };  // (n, split) from the genome / best per backbone
enum class ObjectiveKind : std::uint8_t { Macs };

struct Budgets {
  std::int64_t sram_bytes = 0;   // default: the MCU's SRAM
  std::int64_t flash_bytes = 0;  // default: the MCU's flash
  std::optional<double> latency_ms;  // default: no limit
};

struct AlgorithmParams {
  SearchAlgorithm type = SearchAlgorithm::Evolution;
  int population = 100;
  int generations = 500;              // every algorithm scores population x generations candidates
  double parent_fraction = 0.25;      // evolution: top fraction kept as parents
  double mutation_fraction = 0.5;     // evolution: fraction of the population made by mutation
  double mutation_probability = 0.1;  // per gene
  double resolution_mutation_probability = 0.5;
  int tournament = 25;                // aging evolution: sample size
};

struct ExperimentConfig {
  std::string file;  // where it was read from
  std::string name;
  std::string space_file;  // resolved path
  SearchSpace space;
  McuProfile mcu;
  Budgets budgets;
  ObjectiveKind objective = ObjectiveKind::Macs;
  AlgorithmParams algorithm;
  ScheduleMode schedule = ScheduleMode::Genome;
  std::uint64_t seed = 0;
  int survivors = 10;
  bool input_in_arena = false;
  nlohmann::json source;  // the JSON after overrides, as written to the output directory
};

// Applies "a.b.c=value" overrides to `json` (value parsed as JSON when it is valid JSON,
// else taken as a string); an override naming a path through a non-object is an InputError
// with field "--set".
void apply_overrides(nlohmann::json& json, const std::vector<std::string>& overrides,
                     const std::string& file);

// "space" (and "mcu" when it contains '/' or ends in .json) is resolved against the directory
// of `file`; an optional free-text "description" string is accepted and kept in `source` only,
// and so is "training", which `patchnas run` reads (pipeline/run_config.hpp).
ExperimentConfig experiment_from_json(const nlohmann::json& json, const std::string& file);
ExperimentConfig read_experiment_file(const std::string& path,
                                      const std::vector<std::string>& overrides = {});

}  // namespace patchnas
