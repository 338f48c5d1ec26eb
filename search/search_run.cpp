#include "search/search_run.hpp"

#include <chrono>
#include <filesystem>

#include "search/search_checkpoint.hpp"
#include "search/search_outputs.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"

namespace patchnas {

Candidate run_search_in(const ExperimentConfig& config, const std::string& dir, bool resume,
                        const std::function<void(const SearchEngine&, double)>& on_generation,
                        const std::function<void(int)>& on_resumed) {
  if (!resume && std::filesystem::exists(dir + "/checkpoint.json")) {
    throw InputError(dir, "", "holds a search already: pass --resume to continue it, or use "
                              "another --out");
  }
  std::filesystem::create_directories(dir);
  remove_stale_temporaries(dir);
  write_file_atomically(dir + "/experiment.json", config.source.dump(2) + "\n");

  SearchEngine engine(config);
  SearchCheckpointWriter checkpoint(dir);
  if (resume && resume_search(dir, config, engine, checkpoint)) {
    on_resumed(engine.generation());
  }
  const auto start = std::chrono::steady_clock::now();
  while (!engine.done()) {
    engine.step();
    checkpoint.write(config, engine);
    on_generation(engine,
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  write_search_results(dir, config, engine);
  return *engine.best();
}

}  // namespace patchnas
