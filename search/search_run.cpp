#include "search/search_run.hpp"

#include <chrono>
#include <filesystem>
#include <optional>

#include "cluster/cluster.hpp"
#include "search/search_checkpoint.hpp"
#include "search/search_outputs.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"

namespace patchnas {
namespace {

// Rank 0 prepares the directory and reads the checkpoint to resume from, if any; every rank
// gets the resume point ("" when there is none).
std::string prepare_directory(const ExperimentConfig& config, const std::string& dir, bool resume,
                              SearchCheckpointWriter& checkpoint) {
  std::string point;
  if (cluster::is_coordinator()) {
    if (!resume && std::filesystem::exists(dir + "/checkpoint.json")) {
      throw InputError(dir, "", "holds a search already: pass --resume to continue it, or use "
                                "another --out");
    }
    std::filesystem::create_directories(dir);
    remove_stale_temporaries(dir);
    write_file_atomically(dir + "/experiment.json", config.source.dump(2) + "\n");
    if (resume) {
      if (const auto p = read_search_checkpoint(dir, config, checkpoint)) {
        point = resume_point_to_text(*p);
      }
    }
  }
  return cluster::broadcast(point);
}

}  // namespace

Candidate run_search_in(const ExperimentConfig& config, const std::string& dir, bool resume,
                        const std::function<void(const SearchEngine&, double)>& on_generation,
                        const std::function<void(int)>& on_resumed) {
  const bool coordinator = cluster::is_coordinator();
  SearchEngine engine(config);
  SearchCheckpointWriter checkpoint(dir);
  const std::string point = prepare_directory(config, dir, resume, checkpoint);
  if (!point.empty()) {
    restore_search(engine, resume_point_from_text(point, config));
    if (coordinator) on_resumed(engine.generation());
  }
  const auto start = std::chrono::steady_clock::now();
  while (!engine.done()) {
    engine.step();
    if (!coordinator) continue;
    checkpoint.write(config, engine);
    on_generation(engine,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (coordinator) write_search_results(dir, config, engine);
  if (engine.best() == nullptr) throw InputError(config.file, "budgets", "nothing feasible");
  return *engine.best();
}

}  // namespace patchnas
