#include "search/search_checkpoint.hpp"

#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "space/atomic_file.hpp"
#include "space/file_io.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

constexpr const char* kCheckpointFormat = "patchnas.search-checkpoint/1";

std::string scored_path(const std::string& dir) { return dir + "/scored.txt"; }
std::string checkpoint_path(const std::string& dir) { return dir + "/checkpoint.json"; }
std::string log_path(const std::string& dir) { return dir + "/search.jsonl"; }

// The first `count` lines of `path` (InputError when it has fewer).
std::vector<std::string> first_lines(const std::string& path, std::size_t count) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (lines.size() < count && std::getline(in, line)) lines.push_back(line);
  if (lines.size() < count) {
    throw InputError(path, "", "truncated: the checkpoint needs " + std::to_string(count) +
                                   " lines, the file has " + std::to_string(lines.size()));
  }
  return lines;
}

// Appends lines [from, to) made by `line` to `path` in one write (replacing the file when from
// is 0).
template <typename Line>
void append_lines(const std::string& path, std::size_t from, std::size_t to, Line&& line) {
  std::string text;
  for (std::size_t i = from; i < to; ++i) text.append(line(i)).append("\n");
  if (from == 0) {
    write_file_atomically(path, text, /*durable=*/false);
  } else {
    append_to_file(path, text);
  }
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return text;
}

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
  append_lines(scored_path(dir_), written_, scored.size(),
               [&](std::size_t i) { return genome_to_string(scored[i]); });
  written_ = scored.size();
  const auto& log = engine.log();
  append_lines(log_path(dir_), logged_, log.size(),
               [&](std::size_t i) { return generation_log_to_json(log[i]).dump(); });
  logged_ = log.size();

  nlohmann::json j;
  j["format"] = kCheckpointFormat;
  j["experiment"] = config.source;
  j["generation"] = engine.generation();
  const Rng::State state = engine.rng().state();
  j["rng"] = {state[0], state[1], state[2], state[3]};
  j["population"] = nlohmann::json::array();
  for (const Genome& g : engine.population()) j["population"].push_back(genome_to_string(g));
  j["scored"] = scored.size();
  write_file_atomically(checkpoint_path(dir_), j.dump() + "\n", /*durable=*/false);
}

namespace {

// The four words of the generator's state: unsigned 64-bit integers.
Rng::State read_rng_state(FieldReader& root) {
  const nlohmann::json& words = root.array("rng");
  if (words.size() != 4) root.fail("rng", "expected 4 words, got " + std::to_string(words.size()));
  Rng::State state{};
  for (std::size_t i = 0; i < 4; ++i) {
    if (!words[i].is_number_unsigned()) {
      throw InputError(root.file(), element_path("rng", i),
                       "expected an unsigned integer, got " + json_type_name(words[i]));
    }
    state[i] = words[i].get<std::uint64_t>();
  }
  return state;
}

std::vector<Genome> read_population(FieldReader& root, const SearchSpace& space) {
  const nlohmann::json& list = root.array("population");
  std::vector<Genome> population;
  for (std::size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_string()) {
      throw InputError(root.file(), element_path("population", i),
                       "expected a genome string, got " + json_type_name(list[i]));
    }
    population.push_back(genome_from_string(space, list[i].get<std::string>(), root.file()));
  }
  return population;
}

std::vector<GenerationLog> read_log(const std::vector<std::string>& lines, const std::string& file) {
  std::vector<GenerationLog> log;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    try {
      log.push_back(generation_log_from_json(parse_json_text(lines[i], file)));
    } catch (const nlohmann::json::exception& e) {
      throw InputError(file, "line " + std::to_string(i + 1), std::string("malformed: ") + e.what());
    }
  }
  return log;
}

}  // namespace

std::optional<SearchResumePoint> read_search_checkpoint(const std::string& dir,
                                                       const ExperimentConfig& config,
                                                       SearchCheckpointWriter& writer) {
  const std::string path = checkpoint_path(dir);
  if (!std::filesystem::exists(path)) return std::nullopt;
  // The engine's own output, which grows with the generations: no size limit.
  const nlohmann::json j = read_json_file(path, std::numeric_limits<std::size_t>::max());
  FieldReader root(j, path);
  root.expect_format(kCheckpointFormat);
  root.object("experiment");
  if (j.at("experiment") != config.source) {
    throw InputError(path, "experiment",
                     "the checkpoint belongs to a different experiment (config or --set "
                     "overrides changed); use another --out or remove it");
  }
  const std::int64_t generation = root.integer("generation");
  if (generation < 0 || generation > config.algorithm.generations) {
    root.fail("generation", "must be in [0, " + std::to_string(config.algorithm.generations) +
                                "], got " + std::to_string(generation));
  }
  const std::int64_t scored_count = root.integer("scored");
  if (scored_count < 0) root.fail("scored", "must be >= 0, got " + std::to_string(scored_count));
  SearchResumePoint point;
  point.generation = static_cast<int>(generation);
  point.population = read_population(root, config.space);
  point.rng = read_rng_state(root);
  root.finish();

  const std::vector<std::string> scored_lines =
      first_lines(scored_path(dir), static_cast<std::size_t>(scored_count));
  point.scored.reserve(scored_lines.size());
  for (const auto& line : scored_lines) {
    point.scored.push_back(genome_from_string(config.space, line, scored_path(dir)));
  }
  const std::vector<std::string> log_lines =
      first_lines(log_path(dir), static_cast<std::size_t>(generation));
  point.log = read_log(log_lines, log_path(dir));
  // Drop lines a killed run appended after this checkpoint.
  write_file_atomically(scored_path(dir), joined(scored_lines), /*durable=*/false);
  write_file_atomically(log_path(dir), joined(log_lines), /*durable=*/false);
  writer.set_written(scored_lines.size(), log_lines.size());
  return point;
}

void restore_search(SearchEngine& engine, SearchResumePoint point) {
  engine.restore(point.generation, Rng::from_state(point.rng), std::move(point.population),
                 std::move(point.log), point.scored);
}

bool resume_search(const std::string& dir, const ExperimentConfig& config, SearchEngine& engine,
                   SearchCheckpointWriter& writer) {
  std::optional<SearchResumePoint> point = read_search_checkpoint(dir, config, writer);
  if (point) restore_search(engine, std::move(*point));
  return point.has_value();
}

std::string resume_point_to_text(const SearchResumePoint& point) {
  nlohmann::json j;
  j["generation"] = point.generation;
  j["rng"] = point.rng;
  const auto genomes = [](const std::vector<Genome>& list) {
    nlohmann::json out = nlohmann::json::array();
    for (const Genome& g : list) out.push_back(genome_to_string(g));
    return out;
  };
  j["population"] = genomes(point.population);
  j["scored"] = genomes(point.scored);
  j["log"] = nlohmann::json::array();
  for (const GenerationLog& e : point.log) j["log"].push_back(generation_log_to_json(e));
  return j.dump();
}

SearchResumePoint resume_point_from_text(const std::string& text, const ExperimentConfig& config) {
  const nlohmann::json j = nlohmann::json::parse(text);
  SearchResumePoint point;
  point.generation = j.at("generation").get<int>();
  point.rng = j.at("rng").get<Rng::State>();
  for (const auto& g : j.at("population")) {
    point.population.push_back(genome_from_string(config.space, g.get<std::string>(), "checkpoint"));
  }
  for (const auto& g : j.at("scored")) {
    point.scored.push_back(genome_from_string(config.space, g.get<std::string>(), "checkpoint"));
  }
  for (const auto& e : j.at("log")) point.log.push_back(generation_log_from_json(e));
  return point;
}

}  // namespace patchnas
