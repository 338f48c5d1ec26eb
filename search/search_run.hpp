// One whole search in an output directory: writes the experiment, resumes from the directory's
// checkpoint when asked, steps the engine to the end with a checkpoint after every generation,
// and writes the results (search_outputs.hpp). `patchnas search` and the `patchnas run`
// pipeline both run their searches through it. In a job of several ranks every rank calls it
// (the engine's state is replicated, its scoring spread over the ranks); only rank 0 touches
// the directory (it reads the checkpoint and sends it to the others) and calls the callbacks,
// so a search resumes on any number of ranks.
//   const Candidate best = run_search_in(config, "runs/x/search", /*resume=*/false,
//                                        [](const SearchEngine& e, double seconds) {});
#pragma once

#include <functional>
#include <string>

#include "search/search_engine.hpp"

namespace patchnas {

// Throws InputError(dir) when `dir` holds a search and `resume` is false, and like
// write_search_results when nothing feasible was found. on_resumed(generations) is called
// before the first step when a checkpoint was resumed; on_generation(engine, seconds since the
// start) after every generation's checkpoint.
// Returns the best feasible candidate.
Candidate run_search_in(
    const ExperimentConfig& config, const std::string& dir, bool resume,
    const std::function<void(const SearchEngine&, double)>& on_generation,
    const std::function<void(int)>& on_resumed = [](int) {});

}  // namespace patchnas
