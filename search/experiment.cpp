// Parsing of "patchnas.experiment/1" files and `--set` overrides (see experiment.hpp).
// Paths in an experiment ("space", and "mcu" when it is a path) are relative to the
// experiment file's directory, so an experiment reads the same from any working directory.
#include "search/experiment.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string_view>

#include "space/json_fields.hpp"
#include "space/space_json.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

// ---- overrides -------------------------------------------------------------------------

[[noreturn]] void fail_override(const std::string& file, const std::string& entry,
                                const std::string& reason) {
  throw InputError(file, "--set", "\"" + entry + "\": " + reason);
}

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t begin = 0;
  while (true) {
    const std::size_t dot = path.find('.', begin);
    parts.push_back(path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin));
    if (dot == std::string::npos) return parts;
    begin = dot + 1;
  }
}

// "50" -> 50, "true" -> true, "[1, 2]" -> [1, 2], "best" -> "best" (not valid JSON). A value
// that is JSON only but for a number beyond a double (1e999) is an error at `path`.
nlohmann::json override_value(const std::string& text, const std::string& file,
                              const std::string& path) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!value.is_discarded()) return value;
  try {
    return parse_json_text(text, file);
  } catch (const InputError& e) {
    if (e.reason().rfind("not a finite number", 0) != 0) return nlohmann::json(text);
    const std::string& inner = e.field();  // "" for a scalar, "[2]" or "a.b" inside a value
    std::string at = path;
    if (!inner.empty()) at.append(inner.front() == '[' ? "" : ".").append(inner);
    throw InputError(file, at, e.reason());
  }
}

// ---- typed reading with range checks ---------------------------------------------------

std::string non_empty_string(FieldReader& reader, std::string_view key) {
  std::string value = reader.string(key);
  if (value.empty()) reader.fail(key, "must not be empty");
  return value;
}

int int_at_least(FieldReader& reader, std::string_view key, std::int64_t min,
                 std::int64_t max = std::numeric_limits<int>::max(), const char* why = "") {
  const std::int64_t value = reader.integer(key);
  if (value < min) {
    reader.fail(key, "must be >= " + std::to_string(min) + ", got " + std::to_string(value));
  }
  if (value > max) {
    reader.fail(key, "must be at most " + std::to_string(max) + why + ", got " + std::to_string(value));
  }
  return static_cast<int>(value);
}

// Sizes the search holds in memory: one generation's candidates, and every scored genome.
constexpr int kMaxPopulation = 1'000'000;
constexpr int kMaxGenerations = 10'000'000;
constexpr double kMaxCandidates = 1e8;

std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// A number in (0, 1] when `zero_allowed` is false, else in [0, 1].
double unit_fraction(FieldReader& reader, std::string_view key, bool zero_allowed) {
  const double value = reader.number(key);
  const bool low_ok = zero_allowed ? value >= 0.0 : value > 0.0;
  if (!(low_ok && value <= 1.0)) {
    reader.fail(key, std::string("must be in ") + (zero_allowed ? "[0, 1]" : "(0, 1]") +
                         ", got " + number_text(value));
  }
  return value;
}

// One of `names` (index = enum value); unknown names are errors listing the allowed ones.
template <typename Enum, std::size_t N>
Enum read_enum(FieldReader& reader, std::string_view key, const std::string_view (&names)[N]) {
  const std::string value = reader.string(key);
  std::string allowed;
  for (std::size_t i = 0; i < N; ++i) {
    if (value == names[i]) return static_cast<Enum>(i);
    allowed += (i == 0 ? "" : ", ") + std::string(names[i]);
  }
  reader.fail(key, "unknown value \"" + value + "\" (allowed: " + allowed + ")");
}

constexpr std::string_view kObjectiveNames[] = {"macs"};                   // ObjectiveKind
constexpr std::string_view kAlgorithmNames[] = {"evolution", "aging", "random"};  // SearchAlgorithm
constexpr std::string_view kScheduleNames[] = {"genome", "best"};          // ScheduleMode

// ---- the parts of an experiment --------------------------------------------------------

// `path` as written in the experiment, resolved against the experiment file's directory.
std::string resolve(const std::string& path, const std::string& experiment_file) {
  const fs::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (fs::path(experiment_file).parent_path() / p).lexically_normal().string();
}

bool is_file(const std::string& path) {
  std::error_code error;
  return fs::is_regular_file(path, error);
}

// "mcu": a bundled profile name, or a path when it contains '/' or ends in ".json".
McuProfile read_mcu(FieldReader& root) {
  const std::string value = non_empty_string(root, "mcu");
  const bool is_path = value.find('/') != std::string::npos || fs::path(value).extension() == ".json";
  if (is_path) {
    const std::string resolved = resolve(value, root.file());
    if (!is_file(resolved)) root.fail("mcu", "cannot open MCU profile file " + resolved);
    return read_mcu_profile(resolved);
  }
  const std::vector<std::string> names = mcu_profile_names();
  std::string known;
  for (const std::string& name : names) {
    if (name == value) return read_mcu_profile(mcu_profile_dir() + "/" + name + ".json");
    known += (known.empty() ? "" : ", ") + name;
  }
  root.fail("mcu", "no MCU profile named \"" + value + "\" in " + mcu_profile_dir() +
                       " (known: " + (known.empty() ? "none" : known) + ")");
}

std::int64_t positive_bytes(FieldReader& reader, std::string_view key) {
  const std::int64_t value = reader.integer(key);
  if (value <= 0) reader.fail(key, "must be > 0, got " + std::to_string(value));
  return value;
}

Budgets read_budgets(FieldReader& root, const McuProfile& mcu) {
  Budgets budgets{mcu.sram_bytes, mcu.flash_bytes, std::nullopt};
  if (!root.has("budgets")) return budgets;
  FieldReader reader = root.object("budgets");
  if (reader.has("sram_bytes")) budgets.sram_bytes = positive_bytes(reader, "sram_bytes");
  if (reader.has("flash_bytes")) budgets.flash_bytes = positive_bytes(reader, "flash_bytes");
  if (reader.has("latency_ms")) {
    const double latency = reader.number("latency_ms");
    if (!(latency > 0.0) || !std::isfinite(latency)) {
      reader.fail("latency_ms", "must be > 0, got " + number_text(latency));
    }
    budgets.latency_ms = latency;
  }
  reader.finish();
  return budgets;
}

AlgorithmParams read_algorithm(FieldReader& root) {
  AlgorithmParams params;
  if (!root.has("algorithm")) return params;
  FieldReader reader = root.object("algorithm");
  if (reader.has("type")) params.type = read_enum<SearchAlgorithm>(reader, "type", kAlgorithmNames);
  if (reader.has("population")) {
    params.population = int_at_least(reader, "population", 2, kMaxPopulation,
                                      " (the candidates one generation holds in memory)");
  }
  if (reader.has("generations")) {
    params.generations = int_at_least(reader, "generations", 1, kMaxGenerations);
  }
  if (reader.has("parent_fraction")) {
    params.parent_fraction = unit_fraction(reader, "parent_fraction", false);
  }
  if (reader.has("mutation_fraction")) {
    params.mutation_fraction = unit_fraction(reader, "mutation_fraction", false);
  }
  if (reader.has("mutation_probability")) {
    params.mutation_probability = unit_fraction(reader, "mutation_probability", true);
  }
  if (reader.has("resolution_mutation_probability")) {
    params.resolution_mutation_probability =
        unit_fraction(reader, "resolution_mutation_probability", true);
  }
  if (reader.has("tournament")) params.tournament = int_at_least(reader, "tournament", 1);
  reader.finish();

  // Rules between fields, checked on the final values (defaults included), each reported at
  // the field whose value the rule bounds.
  const double candidates = static_cast<double>(params.population) * params.generations;
  if (candidates > kMaxCandidates) {
    reader.fail("generations", "population x generations = " + number_text(candidates) +
                                   " candidates to score; the limit is " +
                                   number_text(kMaxCandidates) +
                                   " (every scored genome is cached)");
  }
  if (params.type == SearchAlgorithm::Evolution) {
    const double parents = params.parent_fraction * params.population;
    if (parents < 1.0) {
      reader.fail("parent_fraction", "parent_fraction * population = " + number_text(parents) +
                                         " keeps no parent; it must be >= 1");
    }
    const double bred = params.parent_fraction + params.mutation_fraction;
    if (bred > 1.0) {
      reader.fail("mutation_fraction", "parent_fraction + mutation_fraction = " +
                                           number_text(bred) + " must be <= 1");
    }
  }
  if (params.type == SearchAlgorithm::Aging && params.tournament > params.population) {
    reader.fail("tournament", "must be <= population (" + std::to_string(params.population) +
                                  ") for aging evolution, got " +
                                  std::to_string(params.tournament));
  }
  return params;
}

}  // namespace

void apply_overrides(nlohmann::json& json, const std::vector<std::string>& overrides,
                     const std::string& file) {
  for (const std::string& entry : overrides) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos) fail_override(file, entry, "expected key.path=value");
    const std::string path = entry.substr(0, eq);
    if (path.empty()) fail_override(file, entry, "empty key path before '='");
    const std::vector<std::string> keys = split_path(path);

    nlohmann::json* node = &json;
    std::string walked;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].empty()) fail_override(file, entry, "empty key in path \"" + path + "\"");
      if (!node->is_object()) {
        fail_override(file, entry,
                      (walked.empty() ? std::string("the document") : "\"" + walked + "\"") +
                          " is " + json_type_name(*node) + ", not an object");
      }
      walked += (walked.empty() ? "" : ".") + keys[i];
      nlohmann::json& child = (*node)[keys[i]];  // creates null; becomes an object below
      if (i + 1 < keys.size() && child.is_null()) child = nlohmann::json::object();
      node = &child;
    }
    *node = override_value(entry.substr(eq + 1), file, path);
  }
}

ExperimentConfig experiment_from_json(const nlohmann::json& json, const std::string& file) {
  FieldReader root(json, file);
  root.expect_format(kExperimentFormat);

  ExperimentConfig config;
  config.file = file;
  config.name = root.has("name") ? non_empty_string(root, "name") : fs::path(file).stem().string();
  if (root.has("description")) root.string("description");  // free text, kept in `source`

  const std::string space = non_empty_string(root, "space");
  config.space_file = resolve(space, file);
  if (!is_file(config.space_file)) root.fail("space", "cannot open space file " + config.space_file);
  config.space = read_space_file(config.space_file);

  config.mcu = read_mcu(root);
  config.budgets = read_budgets(root, config.mcu);
  if (root.has("objective")) {
    config.objective = read_enum<ObjectiveKind>(root, "objective", kObjectiveNames);
  }
  config.algorithm = read_algorithm(root);
  if (root.has("schedule")) config.schedule = read_enum<ScheduleMode>(root, "schedule", kScheduleNames);
  if (root.has("seed")) {
    const std::int64_t seed = root.integer("seed");
    if (seed < 0) root.fail("seed", "must be >= 0, got " + std::to_string(seed));
    config.seed = static_cast<std::uint64_t>(seed);
  }
  if (root.has("survivors")) config.survivors = int_at_least(root, "survivors", 1);
  if (root.has("input_in_arena")) config.input_in_arena = root.boolean("input_in_arena");
  root.allow("training");  // the pipeline's (patchnas run), read by pipeline/run_config.hpp
  root.finish();

  config.source = json;
  return config;
}

ExperimentConfig read_experiment_file(const std::string& path,
                                      const std::vector<std::string>& overrides) {
  nlohmann::json json = read_json_file(path);
  apply_overrides(json, overrides, path);
  return experiment_from_json(json, path);
}

}  // namespace patchnas
