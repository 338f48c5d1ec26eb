#include "search/search_checkpoint.hpp"

#include <filesystem>
#include <fstream>

#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

constexpr const char* kCheckpointFormat = "patchnas.search-checkpoint/1";

std::string scored_path(const std::string& dir) { return dir + "/scored.txt"; }
std::string checkpoint_path(const std::string& dir) { return dir + "/checkpoint.json"; }

GenerationLog generation_log_from_json(const nlohmann::json& j) {
  GenerationLog e;
  e.generation = j.at("generation");
  if (!j.at("best").is_null()) e.best = j.at("best").get<double>();
  if (!j.at("median").is_null()) e.median = j.at("median").get<double>();
  e.feasible_fraction = j.at("feasible_fraction");
  e.unique_scored = j.at("unique_scored");
  e.seconds = j.at("seconds");
  return e;
}

}  // namespace

nlohmann::json generation_log_to_json(const GenerationLog& e) {
  nlohmann::json j;
  j["generation"] = e.generation;
  j["best"] = e.best ? nlohmann::json(*e.best) : nlohmann::json(nullptr);
  j["median"] = e.median ? nlohmann::json(*e.median) : nlohmann::json(nullptr);
  j["feasible_fraction"] = e.feasible_fraction;
  j["unique_scored"] = e.unique_scored;
  j["seconds"] = e.seconds;
  return j;
}

void SearchCheckpointWriter::write(const ExperimentConfig& config, const SearchEngine& engine) {
  const auto& scored = engine.scored_order();
  {
    std::ofstream out(scored_path(dir_), written_ == 0 ? std::ios::trunc : std::ios::app);
    for (std::size_t i = written_; i < scored.size(); ++i) out << genome_to_string(scored[i]) << '\n';
    out.flush();
    if (!out) throw std::runtime_error(scored_path(dir_) + ": cannot write");
  }
  written_ = scored.size();

  nlohmann::json j;
  j["format"] = kCheckpointFormat;
  j["experiment"] = config.source;
  j["generation"] = engine.generation();
  const Rng::State state = engine.rng().state();
  j["rng"] = {state[0], state[1], state[2], state[3]};
  j["population"] = nlohmann::json::array();
  for (const Genome& g : engine.population()) j["population"].push_back(genome_to_string(g));
  j["scored"] = scored.size();
  j["log"] = nlohmann::json::array();
  for (const GenerationLog& e : engine.log()) j["log"].push_back(generation_log_to_json(e));
  write_file_atomically(checkpoint_path(dir_), j.dump() + "\n", /*durable=*/false);
}

bool resume_search(const std::string& dir, const ExperimentConfig& config, SearchEngine& engine,
                   SearchCheckpointWriter& writer) {
  const std::string path = checkpoint_path(dir);
  if (!std::filesystem::exists(path)) return false;
  const nlohmann::json j = read_json_file(path);
  try {
    if (j.at("format") != kCheckpointFormat) {
      throw InputError(path, "format", "not a search checkpoint");
    }
    if (j.at("experiment") != config.source) {
      throw InputError(path, "experiment",
                       "the checkpoint belongs to a different experiment (config or --set "
                       "overrides changed); use another --out or remove it");
    }
    const auto count = j.at("scored").get<std::size_t>();
    std::vector<Genome> scored;
    scored.reserve(count);
    {
      std::ifstream in(scored_path(dir));
      std::string line;
      while (scored.size() < count && std::getline(in, line)) {
        scored.push_back(genome_from_string(config.space, line, scored_path(dir)));
      }
    }
    if (scored.size() < count) {
      throw InputError(scored_path(dir), "", "truncated: the checkpoint lists " +
                                                 std::to_string(count) + " scored genomes");
    }
    std::vector<Genome> population;
    for (const auto& g : j.at("population")) {
      population.push_back(genome_from_string(config.space, g.get<std::string>(), path));
    }
    std::vector<GenerationLog> log;
    for (const auto& e : j.at("log")) log.push_back(generation_log_from_json(e));
    const auto& r = j.at("rng");
    const Rng::State state{r.at(0).get<std::uint64_t>(), r.at(1).get<std::uint64_t>(),
                           r.at(2).get<std::uint64_t>(), r.at(3).get<std::uint64_t>()};
    engine.restore(j.at("generation").get<int>(), Rng::from_state(state), std::move(population),
                   std::move(log), scored);
    // Drop lines a killed run appended after this checkpoint.
    std::string kept;
    for (const Genome& g : scored) kept += genome_to_string(g) + "\n";
    write_file_atomically(scored_path(dir), kept, /*durable=*/false);
    writer.set_written(scored.size());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(path, "", std::string("malformed search checkpoint: ") + e.what());
  }
  return true;
}

}  // namespace patchnas
