#include "search/search_outputs.hpp"

#include <cstdio>
#include <filesystem>

#include "space/arch_json.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"

namespace patchnas {
namespace {

nlohmann::json candidate_json(const ExperimentConfig& config, const Candidate& c) {
  nlohmann::json j;
  j["genome"] = genome_to_string(c.genome);
  j["macs"] = c.macs;
  j["peak_sram_bytes"] = c.peak_sram_bytes;
  j["flash_bytes"] = c.flash_bytes;
  j["latency_ms"] = c.latency_ms;
  j["objective"] = c.objective;
  j["arch"] = nlohmann::json::parse(arch_to_json(candidate_arch(config, c)).dump());
  return j;
}

std::string nothing_fits(const ExperimentConfig& config, const SearchEngine& engine) {
  const Smallest& s = engine.smallest();
  char text[512];
  std::snprintf(text, sizeof text,
                "no arch of the space fits the budgets: smallest peak SRAM found %lld B (budget "
                "%lld), smallest flash %lld B (budget %lld), lowest latency %.2f ms (budget %s)",
                static_cast<long long>(s.peak_sram_bytes),
                static_cast<long long>(config.budgets.sram_bytes),
                static_cast<long long>(s.flash_bytes),
                static_cast<long long>(config.budgets.flash_bytes), s.latency_ms,
                config.budgets.latency_ms ? (std::to_string(*config.budgets.latency_ms) + " ms").c_str()
                                          : "none");
  return text;
}

}  // namespace

void write_search_results(const std::string& dir, const ExperimentConfig& config,
                          const SearchEngine& engine) {
  const Candidate* best = engine.best();
  if (best == nullptr) throw InputError(config.file, "budgets", nothing_fits(config, engine));
  write_file_atomically(dir + "/best.json", arch_to_json_text(candidate_arch(config, *best)));

  nlohmann::json pareto;
  pareto["experiment"] = config.name;
  pareto["points"] = nlohmann::json::array();
  for (const Candidate& c : engine.pareto().entries()) pareto["points"].push_back(candidate_json(config, c));
  write_file_atomically(dir + "/pareto.json", pareto.dump(2) + "\n");

  // survivors/ appears whole: written in a staging directory that then takes its place.
  const std::string survivors = dir + "/survivors";
  const std::string staging = temporary_path(survivors);
  std::filesystem::remove_all(staging);
  std::filesystem::create_directories(staging);
  int rank = 0;
  for (const Candidate& c : engine.survivors(config.survivors)) {
    const Arch arch = candidate_arch(config, c);
    char name[32];
    std::snprintf(name, sizeof name, "%02d-", ++rank);
    write_file_atomically(staging + "/" + name + genome_to_string(c.genome) + ".json",
                          arch_to_json_text(arch));
  }
  replace_directory(staging, survivors);
}

}  // namespace patchnas
