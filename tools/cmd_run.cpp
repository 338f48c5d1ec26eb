// `patchnas run`: the whole job from one experiment config to verified firmware
// (pipeline/run_pipeline.hpp), with progress and a summary at the end.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cluster/cluster.hpp"
#include "cluster/start_up_agreement.hpp"
#include "pipeline/run_pipeline.hpp"
#include "tools/commands.hpp"
#include "tools/thread_limit.hpp"

namespace patchnas::cli {
namespace {

struct RunArgs {
  std::string config_file;
  std::string out_dir;
  bool resume = false;
  bool quick = false;
  int threads = 0;
  std::vector<std::string> overrides;
};

void run_run(const RunArgs& args) {
  const ThreadLimit thread_limit(args.threads);
  std::vector<std::string> overrides = args.quick ? quick_overrides() : std::vector<std::string>{};
  overrides.insert(overrides.end(), args.overrides.begin(), args.overrides.end());
  const RunConfig config =
      cluster::read_on_every_rank([&] { return read_run_config(args.config_file, overrides); });
  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  PipelineOptions options;
  options.resume = args.resume;
  options.log = [&](const std::string& line) {
    std::printf("[%6.1f s] %s\n", elapsed(), line.c_str());
    std::fflush(stdout);
  };
  const bool live = ::isatty(::fileno(stderr)) != 0;
  options.on_generation = [&](int done, int total) {
    if (!live) return;
    std::fprintf(stderr, "\r  search generation %d/%d", done, total);
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
  if (!cluster::is_coordinator()) {
    run_pipeline(config, args.out_dir, options);  // this rank's part, silently
    return;
  }
  std::printf("running %s%s into %s%s\n", config.experiment.name.c_str(),
              args.quick ? " (quick)" : "", args.out_dir.c_str(), ranks_note().c_str());
  const nlohmann::json s = run_pipeline(config, args.out_dir, options);
  const nlohmann::json& v = s["verify"];
  std::printf("done in %.0f s: %s, int8 test accuracy %.2f%% (float %.2f%%), arena %lld B%s; "
              "host runtime bit-exact on %d images; QEMU: %s  ->  %s/summary.json\n",
              elapsed(), s["final"]["arch"].get<std::string>().c_str(),
              100 * s["final"]["int8_test_accuracy"].get<double>(),
              100 * s["final"]["float_test_accuracy"].get<double>(),
              s["export"]["arena_bytes"].get<long long>(),
              s["export"]["patched"].get<bool>() ? " (patch-based)" : "",
              v["images"].get<int>(), v["qemu_note"].get<std::string>().c_str(),
              args.out_dir.c_str());
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "The whole job: search, successive halving of the survivors, final and quantization-aware "
      "training, export, verification (host and QEMU). Under mpirun -np N (or srun) the search "
      "and the survivors' training are spread over the N ranks, with the same results; --out "
      "must then be on a file system every rank sees");
  cmd->add_option("--config", args->config_file,
                  "Experiment JSON (patchnas.experiment/1, with an optional \"training\" object)")
      ->required();
  cmd->add_option("--out", args->out_dir,
                  "Run directory: search/, survivors/, final/, export/, verify/, summary.json")
      ->required();
  cmd->add_flag("--resume", args->resume, "Continue the run in --out after its last finished stage");
  cmd->add_flag("--quick", args->quick,
                "Smoke test: the same pipeline with a tiny search, 2 survivors, 1-epoch trainings "
                "on 3,000 samples");
  add_threads_option(cmd, args->threads, "Worker threads per process (0: all cores)");
  cmd->add_option("--set", args->overrides,
                  "Override a config value, e.g. --set training.final_epochs=5 (repeatable)");
  cmd->callback([args] { run_run(*args); });
}

}  // namespace patchnas::cli
