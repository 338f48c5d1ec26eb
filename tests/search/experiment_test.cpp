// Experiment files ("patchnas.experiment/1"): the shipped experiments parse with their values;
// optional keys take their defaults (budgets the MCU's); every broken rule is an InputError
// naming the file and the field; `--set` overrides create paths, type their values and go
// through the same validation.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "estimators/mcu_profile.hpp"
#include "search/experiment.hpp"
#include "space/json_fields.hpp"
#include "support/input_error_of.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kSourceDir = PATCHNAS_SOURCE_DIR;
const std::string kExperimentsDir = kSourceDir + "/configs/experiments";
// Experiments built in code claim to live next to the shipped ones, so their relative paths
// resolve the same way; the file itself is never read.
const std::string kFile = kExperimentsDir + "/t.json";

std::string shipped(const std::string& name) { return kExperimentsDir + "/" + name + ".json"; }

// The smallest valid experiment, with `patch` merged in (RFC 7386: null removes a key).
json experiment(const std::string& patch = "{}") {
  json j = {{"format", kExperimentFormat}, {"space", "../spaces/mcunetv2.json"}, {"mcu", "stm32f746"}};
  j.merge_patch(json::parse(patch));
  return j;
}

// Checks that `f` throws an InputError for `file` and `field` whose reason contains `fragment`.
template <typename F>
void expect_input_error(F&& f, const std::string& file, const std::string& field,
                        const std::string& fragment) {
  const auto e = testing::input_error_of(std::forward<F>(f));
  ASSERT_TRUE(e) << "no InputError; expected one at " << field;
  EXPECT_EQ(e->file(), file);
  EXPECT_EQ(e->field(), field) << e->what();
  EXPECT_NE(e->reason().find(fragment), std::string::npos)
      << "reason \"" << e->reason() << "\" lacks \"" << fragment << "\"";
  EXPECT_EQ(std::string(e->what()).find('\n'), std::string::npos) << "message is not one line";
}

void expect_rejected(const std::string& patch, const std::string& field,
                     const std::string& fragment) {
  SCOPED_TRACE(patch);
  expect_input_error([&] { experiment_from_json(experiment(patch), kFile); }, kFile, field,
                     fragment);
}

// A directory of scratch files, removed at the end of the test.
class ScratchDir {
 public:
  ScratchDir()
      : path_(fs::temp_directory_path() /
              ("patchnas-experiment-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string write(const std::string& name, const json& content) const {
    const std::string file = (path_ / name).string();
    std::ofstream(file) << content.dump(2);
    return file;
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// ---- shipped experiments --------------------------------------------------------------

TEST(ExperimentShipped, McunetV2OnF746) {
  const std::string path = shipped("mcunetv2-f746");
  const ExperimentConfig c = read_experiment_file(path);
  EXPECT_EQ(c.file, path);
  EXPECT_EQ(c.name, "mcunetv2-f746");
  EXPECT_TRUE(fs::equivalent(c.space_file, kSourceDir + "/configs/spaces/mcunetv2.json"));
  EXPECT_EQ(c.space_file.find(".."), std::string::npos) << c.space_file;
  EXPECT_EQ(c.space.name, "mcunetv2");
  EXPECT_EQ(c.mcu.name, "stm32f746");
  EXPECT_EQ(c.budgets.sram_bytes, 320 * 1024);
  EXPECT_EQ(c.budgets.sram_bytes, c.mcu.sram_bytes);
  EXPECT_EQ(c.budgets.flash_bytes, 1024 * 1024);
  EXPECT_FALSE(c.budgets.latency_ms);
  EXPECT_EQ(c.objective, ObjectiveKind::Macs);
  EXPECT_EQ(c.algorithm.type, SearchAlgorithm::Evolution);
  EXPECT_EQ(c.algorithm.population, 100);
  EXPECT_EQ(c.algorithm.generations, 500);
  EXPECT_DOUBLE_EQ(c.algorithm.parent_fraction, 0.25);
  EXPECT_DOUBLE_EQ(c.algorithm.mutation_fraction, 0.5);
  EXPECT_DOUBLE_EQ(c.algorithm.mutation_probability, 0.1);
  EXPECT_DOUBLE_EQ(c.algorithm.resolution_mutation_probability, 0.5);
  EXPECT_EQ(c.schedule, ScheduleMode::Genome);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_EQ(c.survivors, 10);
  EXPECT_FALSE(c.input_in_arena);
  EXPECT_EQ(c.source, read_json_file(path));
}

TEST(ExperimentShipped, McunetV2OnH743HasALatencyBudget) {
  const ExperimentConfig c = read_experiment_file(shipped("mcunetv2-h743"));
  EXPECT_EQ(c.name, "mcunetv2-h743");
  EXPECT_EQ(c.space.name, "mcunetv2");
  EXPECT_EQ(c.mcu.name, "stm32h743");
  EXPECT_EQ(c.budgets.sram_bytes, 256 * 1024);
  EXPECT_EQ(c.budgets.flash_bytes, 1024 * 1024);
  ASSERT_TRUE(c.budgets.latency_ms);
  EXPECT_DOUBLE_EQ(*c.budgets.latency_ms, 500.0);
  EXPECT_EQ(c.algorithm.population, 100);
  EXPECT_EQ(c.algorithm.generations, 500);
  EXPECT_EQ(c.schedule, ScheduleMode::Genome);
  EXPECT_EQ(c.survivors, 10);
}

TEST(ExperimentShipped, FashionMnistOnF412) {
  const ExperimentConfig c = read_experiment_file(shipped("fmnist-f412"));
  EXPECT_EQ(c.name, "fmnist-f412");
  EXPECT_TRUE(fs::equivalent(c.space_file, kSourceDir + "/configs/spaces/fashion-mnist.json"));
  EXPECT_EQ(c.space.name, "fmnist");
  EXPECT_EQ(c.mcu.name, "stm32f412");
  EXPECT_EQ(c.budgets.sram_bytes, 20 * 1024);
  EXPECT_EQ(c.budgets.flash_bytes, 96 * 1024);
  ASSERT_TRUE(c.budgets.latency_ms);
  EXPECT_DOUBLE_EQ(*c.budgets.latency_ms, 100.0);
  EXPECT_EQ(c.survivors, 5);
}

TEST(ExperimentShipped, BudgetsFitInsideTheirMcu) {
  for (const char* name : {"mcunetv2-f746", "mcunetv2-h743", "fmnist-f412"}) {
    SCOPED_TRACE(name);
    const ExperimentConfig c = read_experiment_file(shipped(name));
    EXPECT_LE(c.budgets.sram_bytes, c.mcu.sram_bytes);
    EXPECT_LE(c.budgets.flash_bytes, c.mcu.flash_bytes);
    EXPECT_GT(c.budgets.flash_bytes, c.mcu.runtime_code_bytes);
  }
}

// ---- defaults -------------------------------------------------------------------------

TEST(ExperimentDefaults, OptionalKeysTakeTheirDefaults) {
  const ExperimentConfig c = experiment_from_json(experiment(), kFile);
  const McuProfile mcu = find_mcu_profile("stm32f746");
  const AlgorithmParams defaults;
  EXPECT_EQ(c.name, "t");  // the file stem
  EXPECT_EQ(c.mcu, mcu);
  EXPECT_EQ(c.budgets.sram_bytes, mcu.sram_bytes);
  EXPECT_EQ(c.budgets.flash_bytes, mcu.flash_bytes);
  EXPECT_FALSE(c.budgets.latency_ms);
  EXPECT_EQ(c.objective, ObjectiveKind::Macs);
  EXPECT_EQ(c.algorithm.type, SearchAlgorithm::Evolution);
  EXPECT_EQ(c.algorithm.population, defaults.population);
  EXPECT_EQ(c.algorithm.generations, defaults.generations);
  EXPECT_EQ(c.algorithm.parent_fraction, defaults.parent_fraction);
  EXPECT_EQ(c.algorithm.mutation_fraction, defaults.mutation_fraction);
  EXPECT_EQ(c.algorithm.mutation_probability, defaults.mutation_probability);
  EXPECT_EQ(c.algorithm.resolution_mutation_probability,
            defaults.resolution_mutation_probability);
  EXPECT_EQ(c.algorithm.tournament, defaults.tournament);
  EXPECT_EQ(c.schedule, ScheduleMode::Genome);
  EXPECT_EQ(c.seed, 0u);
  EXPECT_EQ(c.survivors, 10);
  EXPECT_FALSE(c.input_in_arena);
  EXPECT_EQ(c.source, experiment());
}

TEST(ExperimentDefaults, PartialObjectsKeepTheOtherDefaults) {
  const ExperimentConfig c = experiment_from_json(
      experiment(R"({"mcu": "stm32h743", "budgets": {"latency_ms": 200},
                     "algorithm": {"type": "aging", "population": 30, "tournament": 30}})"),
      kFile);
  EXPECT_EQ(c.budgets.sram_bytes, 512 * 1024);  // the H743's, not the F746's
  EXPECT_EQ(c.budgets.flash_bytes, 2048 * 1024);
  ASSERT_TRUE(c.budgets.latency_ms);
  EXPECT_DOUBLE_EQ(*c.budgets.latency_ms, 200.0);
  EXPECT_EQ(c.algorithm.type, SearchAlgorithm::Aging);
  EXPECT_EQ(c.algorithm.population, 30);
  EXPECT_EQ(c.algorithm.tournament, 30);  // == population is allowed
  EXPECT_EQ(c.algorithm.generations, AlgorithmParams{}.generations);
}

TEST(ExperimentDefaults, EveryOptionalKeyIsRead) {
  const ExperimentConfig c = experiment_from_json(
      experiment(R"({"name": "n", "description": "why", "objective": "macs",
                     "budgets": {"sram_bytes": 1000, "flash_bytes": 2000, "latency_ms": 1.5},
                     "algorithm": {"type": "random", "population": 2, "generations": 1,
                                   "parent_fraction": 1, "mutation_fraction": 1,
                                   "mutation_probability": 0, "resolution_mutation_probability": 1,
                                   "tournament": 1},
                     "schedule": "best", "seed": 12345678901, "survivors": 1,
                     "input_in_arena": true})"),
      kFile);
  EXPECT_EQ(c.name, "n");
  EXPECT_EQ(c.budgets.sram_bytes, 1000);
  EXPECT_EQ(c.budgets.flash_bytes, 2000);
  EXPECT_DOUBLE_EQ(*c.budgets.latency_ms, 1.5);
  // Random search ignores the evolution-only rules (fractions summing to 2, 0.5 parents).
  EXPECT_EQ(c.algorithm.type, SearchAlgorithm::Random);
  EXPECT_EQ(c.algorithm.population, 2);
  EXPECT_EQ(c.algorithm.generations, 1);
  EXPECT_DOUBLE_EQ(c.algorithm.mutation_probability, 0.0);
  EXPECT_DOUBLE_EQ(c.algorithm.resolution_mutation_probability, 1.0);
  EXPECT_EQ(c.algorithm.tournament, 1);
  EXPECT_EQ(c.schedule, ScheduleMode::Best);
  EXPECT_EQ(c.seed, 12345678901u);
  EXPECT_EQ(c.survivors, 1);
  EXPECT_TRUE(c.input_in_arena);
}

TEST(ExperimentDefaults, EvolutionBoundariesAreAccepted) {
  // Exactly one parent, and parents + mutants filling the whole population.
  const ExperimentConfig c = experiment_from_json(
      experiment(R"({"algorithm": {"population": 4, "parent_fraction": 0.25,
                                   "mutation_fraction": 0.75}})"),
      kFile);
  EXPECT_EQ(c.algorithm.population, 4);
  EXPECT_DOUBLE_EQ(c.algorithm.mutation_fraction, 0.75);
}

// ---- paths ----------------------------------------------------------------------------

TEST(ExperimentPaths, AbsoluteSpaceAndRelativeMcuPath) {
  const std::string space = kSourceDir + "/configs/spaces/fashion-mnist.json";
  const ExperimentConfig c = experiment_from_json(
      experiment(R"({"space": ")" + space + R"(", "mcu": "../mcus/stm32h743.json"})"), kFile);
  EXPECT_EQ(c.space_file, space);
  EXPECT_EQ(c.space.name, "fmnist");
  EXPECT_EQ(c.mcu.name, "stm32h743");
}

TEST(ExperimentPaths, MissingSpaceFileNamesTheExperiment) {
  const auto e = testing::input_error_of(
      [] { experiment_from_json(experiment(R"({"space": "nowhere/s.json"})"), kFile); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), kFile);
  EXPECT_EQ(e->field(), "space");
  EXPECT_NE(e->reason().find(kExperimentsDir + "/nowhere/s.json"), std::string::npos)
      << e->reason();
}

TEST(ExperimentPaths, MissingOrUnknownMcuNamesTheExperiment) {
  expect_rejected(R"({"mcu": "../mcus/nope.json"})", "mcu", kSourceDir + "/configs/mcus/nope.json");
  expect_rejected(R"({"mcu": "stm32f999"})", "mcu", "stm32f746");  // lists the known names
  expect_rejected(R"({"mcu": ""})", "mcu", "must not be empty");
}

TEST(ExperimentPaths, BrokenSpaceAndMcuFilesReportTheirOwnErrors) {
  const ScratchDir dir;
  json space = read_json_file(kSourceDir + "/configs/spaces/fashion-mnist.json");
  space["classes"] = "ten";
  const std::string space_file = dir.write("space.json", space);
  json mcu = read_json_file(kSourceDir + "/configs/mcus/stm32f412.json");
  mcu["clock_hz"] = -1;
  const std::string mcu_file = dir.write("mcu.json", mcu);
  const std::string file = dir.file("e.json");

  expect_input_error([&] { experiment_from_json(experiment(R"({"space": "space.json"})"), file); },
                     space_file, "classes", "expected an integer");
  json with_mcu = experiment(R"({"mcu": "mcu.json"})");
  with_mcu["space"] = kSourceDir + "/configs/spaces/mcunetv2.json";
  expect_input_error([&] { experiment_from_json(with_mcu, file); }, mcu_file, "clock_hz",
                     "must be > 0");
}

TEST(ExperimentPaths, UnreadableExperimentFile) {
  const ScratchDir dir;
  std::ofstream(dir.file("bad.json")) << "{\"format\": ";
  expect_input_error([&] { read_experiment_file(dir.file("bad.json")); }, dir.file("bad.json"), "",
                     "malformed JSON");
  expect_input_error([&] { read_experiment_file(dir.file("none.json")); }, dir.file("none.json"),
                     "", "cannot open");
}

// ---- validation -----------------------------------------------------------------------

TEST(ExperimentErrors, UnknownFieldsAnywhere) {
  expect_rejected(R"({"speed": 1})", "speed", "unknown field");
  expect_rejected(R"({"budgets": {"ram_bytes": 1}})", "budgets.ram_bytes", "unknown field");
  expect_rejected(R"({"algorithm": {"populaton": 5}})", "algorithm.populaton", "unknown field");
}

TEST(ExperimentErrors, WrongTypes) {
  expect_input_error([] { experiment_from_json(json::array(), kFile); }, kFile, "",
                     "expected an object");
  expect_rejected(R"({"format": 1})", "format", "expected a string");
  expect_rejected(R"({"space": 3})", "space", "expected a string");
  expect_rejected(R"({"name": ["a"]})", "name", "expected a string");
  expect_rejected(R"({"description": 1})", "description", "expected a string");
  expect_rejected(R"({"budgets": 5})", "budgets", "expected an object");
  expect_rejected(R"({"budgets": {"sram_bytes": 1.5}})", "budgets.sram_bytes", "expected an integer");
  expect_rejected(R"({"budgets": {"latency_ms": "fast"}})", "budgets.latency_ms", "expected a number");
  expect_rejected(R"({"algorithm": {"population": 10.5}})", "algorithm.population", "expected an integer");
  expect_rejected(R"({"algorithm": {"type": 0}})", "algorithm.type", "expected a string");
  expect_rejected(R"({"seed": "0"})", "seed", "expected an integer");
  expect_rejected(R"({"survivors": true})", "survivors", "expected an integer");
  expect_rejected(R"({"input_in_arena": 1})", "input_in_arena", "expected true or false");
}

TEST(ExperimentErrors, MissingRequiredFieldsAndWrongFormat) {
  expect_rejected(R"({"format": null})", "format", "missing required field");
  expect_rejected(R"({"space": null})", "space", "missing required field");
  expect_rejected(R"({"mcu": null})", "mcu", "missing required field");
  expect_rejected(R"({"format": "patchnas.experiment/2"})", "format", "patchnas.experiment/1");
  expect_rejected(R"({"name": ""})", "name", "must not be empty");
}

TEST(ExperimentErrors, BudgetsMustBePositive) {
  expect_rejected(R"({"budgets": {"sram_bytes": 0}})", "budgets.sram_bytes", "must be > 0");
  expect_rejected(R"({"budgets": {"flash_bytes": -1}})", "budgets.flash_bytes", "must be > 0");
  expect_rejected(R"({"budgets": {"latency_ms": 0}})", "budgets.latency_ms", "must be > 0");
  expect_rejected(R"({"budgets": {"latency_ms": -0.5}})", "budgets.latency_ms", "must be > 0");
}

TEST(ExperimentErrors, AlgorithmRanges) {
  expect_rejected(R"({"algorithm": {"population": 1}})", "algorithm.population", ">= 2");
  expect_rejected(R"({"algorithm": {"population": 3000000000}})", "algorithm.population",
                  "must be at most 1000000");
  expect_rejected(R"({"algorithm": {"generations": 0}})", "algorithm.generations", ">= 1");
  expect_rejected(R"({"algorithm": {"parent_fraction": 0}})", "algorithm.parent_fraction",
                  "(0, 1]");
  expect_rejected(R"({"algorithm": {"mutation_fraction": 1.5}})", "algorithm.mutation_fraction",
                  "(0, 1]");
  expect_rejected(R"({"algorithm": {"mutation_probability": -0.1}})",
                  "algorithm.mutation_probability", "[0, 1]");
  expect_rejected(R"({"algorithm": {"resolution_mutation_probability": 1.01}})",
                  "algorithm.resolution_mutation_probability", "[0, 1]");
  expect_rejected(R"({"algorithm": {"tournament": 0}})", "algorithm.tournament", ">= 1");
}

TEST(ExperimentErrors, AlgorithmRulesBetweenFields) {
  // 3 x 0.25 = 0.75 parents.
  expect_rejected(R"({"algorithm": {"population": 3}})", "algorithm.parent_fraction",
                  "keeps no parent");
  expect_rejected(R"({"algorithm": {"parent_fraction": 0.6, "mutation_fraction": 0.5}})",
                  "algorithm.mutation_fraction", "must be <= 1");
  // Aging with the default tournament of 25 in a population of 10.
  expect_rejected(R"({"algorithm": {"type": "aging", "population": 10}})", "algorithm.tournament",
                  "must be <= population (10)");
}

TEST(ExperimentErrors, OtherRanges) {
  expect_rejected(R"({"survivors": 0})", "survivors", ">= 1");
  expect_rejected(R"({"seed": -1})", "seed", ">= 0");
}

TEST(ExperimentErrors, UnknownEnumValuesListTheAllowedOnes) {
  expect_rejected(R"({"objective": "accuracy"})", "objective", "(allowed: macs)");
  expect_rejected(R"({"algorithm": {"type": "genetic"}})", "algorithm.type",
                  "(allowed: evolution, aging, random)");
  expect_rejected(R"({"schedule": "per-layer"})", "schedule", "(allowed: genome, best)");
}

// ---- overrides ------------------------------------------------------------------------

json overridden(json j, const std::vector<std::string>& overrides) {
  apply_overrides(j, overrides, kFile);
  return j;
}

TEST(ExperimentOverrides, CreateNestedPaths) {
  const json j = overridden(experiment(), {"budgets.latency_ms=200", "a.b.c=1"});
  EXPECT_EQ(j.at("budgets"), json({{"latency_ms", 200}}));
  EXPECT_EQ(j.at("a"), json::parse(R"({"b": {"c": 1}})"));
  // An existing object keeps its other keys.
  const json k = overridden(experiment(R"({"budgets": {"sram_bytes": 5}})"), {"budgets.flash_bytes=7"});
  EXPECT_EQ(k.at("budgets"), json::parse(R"({"sram_bytes": 5, "flash_bytes": 7})"));
}

TEST(ExperimentOverrides, ValuesAreTypedJson) {
  const json j = overridden(json::object(), {"i=3", "f=0.5", "b=true", "n=null", "a=[1, 2]",
                                             R"(o={"k": 1})", R"(s="3")"});
  EXPECT_TRUE(j.at("i").is_number_integer());
  EXPECT_EQ(j.at("i"), 3);
  EXPECT_TRUE(j.at("f").is_number_float());
  EXPECT_EQ(j.at("f"), 0.5);
  EXPECT_EQ(j.at("b"), true);
  EXPECT_TRUE(j.at("n").is_null());
  EXPECT_EQ(j.at("a"), json({1, 2}));
  EXPECT_EQ(j.at("o"), json({{"k", 1}}));
  EXPECT_EQ(j.at("s"), "3");
}

TEST(ExperimentOverrides, InvalidJsonFallsBackToAString) {
  const json j = overridden(json::object(), {"schedule=best", "e=", "eq=a=b", "t=[1,"});
  EXPECT_EQ(j.at("schedule"), "best");
  EXPECT_EQ(j.at("e"), "");
  EXPECT_EQ(j.at("eq"), "a=b");  // split at the first '='
  EXPECT_EQ(j.at("t"), "[1,");
}

TEST(ExperimentOverrides, LaterOverridesWin) {
  EXPECT_EQ(overridden(json::object(), {"seed=1", "seed=2"}).at("seed"), 2);
}

TEST(ExperimentOverrides, MalformedEntriesNameTheEntry) {
  const auto check = [](const json& j, const std::string& entry, const std::string& fragment) {
    SCOPED_TRACE(entry);
    expect_input_error([&] { overridden(j, {entry}); }, kFile, "--set", fragment);
    expect_input_error([&] { overridden(j, {entry}); }, kFile, "--set", entry);
  };
  check(experiment(), "seed", "expected key.path=value");
  check(experiment(), "=3", "empty key path");
  check(experiment(), "a..b=1", "empty key");
  check(experiment(), "budgets.=1", "empty key");
  check(experiment(), "space.x=1", "\"space\" is string, not an object");
  check(experiment(R"({"seed": 0})"), "seed.low.x=1", "\"seed\" is integer, not an object");
  check(json::array(), "a=1", "the document is array");
}

TEST(ExperimentOverrides, ReadWithOverrides) {
  const std::string path = shipped("mcunetv2-f746");
  const ExperimentConfig c = read_experiment_file(
      path, {"algorithm.population=50", "seed=3", "schedule=best", "budgets.latency_ms=200"});
  EXPECT_EQ(c.file, path);
  EXPECT_EQ(c.algorithm.population, 50);
  EXPECT_EQ(c.seed, 3u);
  EXPECT_EQ(c.schedule, ScheduleMode::Best);
  ASSERT_TRUE(c.budgets.latency_ms);
  EXPECT_DOUBLE_EQ(*c.budgets.latency_ms, 200.0);
  EXPECT_EQ(c.budgets.sram_bytes, 327680);  // untouched keys stay
  EXPECT_EQ(c.source.at("algorithm").at("population"), 50);
  EXPECT_EQ(c.source.at("budgets").at("latency_ms"), 200);
  EXPECT_EQ(c.source.at("algorithm").at("generations"), 500);
}

TEST(ExperimentOverrides, OverridesAreValidatedLikeTheFile) {
  const std::string path = shipped("mcunetv2-f746");
  expect_input_error([&] { read_experiment_file(path, {"algorithm.populaton=5"}); }, path,
                     "algorithm.populaton", "unknown field");
  expect_input_error([&] { read_experiment_file(path, {"algorithm.population=1"}); }, path,
                     "algorithm.population", ">= 2");
  expect_input_error([&] { read_experiment_file(path, {"survivors=ten"}); }, path, "survivors",
                     "expected an integer");
  expect_input_error([&] { read_experiment_file(path, {"schedule=fastest"}); }, path, "schedule",
                     "(allowed: genome, best)");
  expect_input_error([&] { read_experiment_file(path, {"seed"}); }, path, "--set", "seed");
}

}  // namespace
}  // namespace patchnas
