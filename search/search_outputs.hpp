// The results of a finished search in its output directory, each written atomically:
//   best.json      the best feasible arch (arch format)
//   pareto.json    {"experiment", "points": [{"genome", "macs", "peak_sram_bytes",
//                  "flash_bytes", "latency_ms", "objective", "arch": <arch>}]} (by genome)
//   survivors/     the top K distinct feasible archs, 01-<name>.json, 02-... best first
//                  (staged, then put in place whole)
// (search.jsonl and the checkpoint are written as the search runs: search_checkpoint.hpp). When nothing
// feasible was found the search fails with one message giving the smallest SRAM, flash and
// latency seen, and no result files are written.
//   write_search_results(out_dir, config, engine);
#pragma once

#include <string>

#include "search/search_engine.hpp"

namespace patchnas {

// Throws InputError(config file, "budgets", ...) when no candidate was feasible.
void write_search_results(const std::string& dir, const ExperimentConfig& config,
                          const SearchEngine& engine);

}  // namespace patchnas
