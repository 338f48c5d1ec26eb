// `patchnas run`: one experiment from search to verified firmware, stage by stage in <out>:
//   search/     the search (search_run.hpp): best.json, pareto.json, survivors/
//   survivors/  successive halving of the survivors (survivors.hpp): the winner
//   final/      the winner trained fully, then quantization-aware: checkpoint.bin, metrics
//   export/     the C source tree and firmware (patchnas export)
//   verify/     host bit-exactness, and QEMU when the toolchain is installed (verify.hpp)
//   report.html the report (run_report.hpp, report_html.hpp)
//   report.html the report (run_report.hpp, report_html.hpp)
// run.json holds the experiment as run; summary.json the figures. Each stage records when it
// is done (stage.hpp), so --resume continues after the last finished one.
// Under mpirun/srun every rank calls it: the search and the survivors' training are spread
// over the ranks (run_ranks.hpp), the rest runs on rank 0.
//   run_pipeline(read_run_config(path, {}), "runs/x", {.resume = false});
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "pipeline/run_config.hpp"

namespace patchnas {

struct PipelineOptions {
  bool resume = false;
  std::function<void(const std::string&)> log = [](const std::string&) {};
  // Search progress: (generation, generations).
  std::function<void(int, int)> on_generation = [](int, int) {};
};

// Returns the run's summary (also written to <out>/summary.json); null on ranks other than 0. Throws StageError naming
// the stage that failed; InputError for bad configuration before anything runs.
nlohmann::json run_pipeline(const RunConfig& config, const std::string& out,
                            const PipelineOptions& options);

}  // namespace patchnas
