// The per-generation state of a search in its output directory, written after every
// generation, in this order:
//   scored.txt       every genome scored, one genome string per line, in scoring order
//                    (append-only: a generation appends the genomes it scored)
//   search.jsonl     one line per generation: generation, best, median, feasible_fraction,
//                    unique_scored, seconds (append-only)
//   checkpoint.json  {"format": "patchnas.search-checkpoint/1", "experiment": <the config JSON
//                    after overrides>, "generation", "rng": [4 x uint64], "population":
//                    [genome strings], "scored": <how many lines of scored.txt are valid>},
//                    replaced atomically.
// A kill between the writes leaves extra lines in the two logs (the last one possibly cut
// short); resuming keeps the first "scored" and "generation" lines and trims the rest. A failed
// write (a full disk) throws naming the file, and a failed append takes its part back. Resuming re-scores the listed genomes
// (deterministic) to rebuild the cache, the archive and the best.
//   SearchCheckpointWriter writer(out_dir);
//   writer.write(config, engine);                       // after each generation
//   bool resumed = resume_search(out_dir, config, engine, writer);
// In a job of several ranks rank 0 reads the checkpoint (read_search_checkpoint), sends the
// resume point to the others as text (resume_point_to_text) and every rank restores from it
// (restore_search, collective: it re-scores over the ranks).
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "search/search_engine.hpp"

namespace patchnas {

nlohmann::json generation_log_to_json(const GenerationLog& entry);

class SearchCheckpointWriter {
 public:
  explicit SearchCheckpointWriter(std::string dir) : dir_(std::move(dir)) {}
  void write(const ExperimentConfig& config, const SearchEngine& engine);
  // Genomes of scored.txt already written (set by resume_search).
  void set_written(std::size_t genomes, std::size_t generations) {
    written_ = genomes;
    logged_ = generations;
  }

 private:
  std::string dir_;
  std::size_t written_ = 0;
  std::size_t logged_ = 0;
};

// What a search resumes from: the checkpoint's generation, generator, population and log, and
// every genome scored so far in scoring order.
struct SearchResumePoint {
  int generation = 0;
  Rng::State rng{};
  std::vector<Genome> population;
  std::vector<GenerationLog> log;
  std::vector<Genome> scored;
};

// The checkpoint in `dir`, if there is one (InputError naming it when it is from another
// experiment or malformed); trims the log lines a killed run appended after it, and tells
// `writer` what is written.
std::optional<SearchResumePoint> read_search_checkpoint(const std::string& dir,
                                                       const ExperimentConfig& config,
                                                       SearchCheckpointWriter& writer);
void restore_search(SearchEngine& engine, SearchResumePoint point);
std::string resume_point_to_text(const SearchResumePoint& point);
SearchResumePoint resume_point_from_text(const std::string& text, const ExperimentConfig& config);

// Restores `engine` from the checkpoint in `dir` when there is one (returns false when not).
// The checkpoint must come from the same experiment (InputError naming it otherwise).
bool resume_search(const std::string& dir, const ExperimentConfig& config, SearchEngine& engine,
                   SearchCheckpointWriter& writer);

}  // namespace patchnas
