// `patchnas search`: runs an experiment's search, with progress, checkpoints and results.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "cluster/cluster.hpp"
#include "cluster/start_up_agreement.hpp"
#include "search/search_run.hpp"
#include "tools/commands.hpp"
#include "tools/thread_limit.hpp"

namespace patchnas::cli {
namespace {

struct SearchArgs {
  std::string config_file;
  std::string out_dir;
  bool resume = false;
  int threads = 0;
  std::vector<std::string> overrides;
};

void report(const ExperimentConfig& config, const SearchEngine& engine, double seconds, bool live) {
  const int done = engine.generation();
  const int total = config.algorithm.generations;
  const GenerationLog& last = engine.log().back();
  const double rate = static_cast<double>(last.unique_scored) / std::max(seconds, 1e-9);
  const double eta = seconds / done * (total - done);
  char best[64] = "none feasible yet";
  if (last.best) std::snprintf(best, sizeof best, "%.0f", *last.best);
  if (live) {
    const int width = 30;
    const int filled = done * width / total;
    std::fprintf(stderr, "\r  gen %d/%d [%s%s] best %s  %.0f candidates/s  ETA %.1f s ", done,
                 total, std::string(filled, '#').c_str(), std::string(width - filled, '.').c_str(),
                 best, rate, eta);
    if (done == total) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  } else if (done == total || done % std::max(1, total / 10) == 0) {
    std::printf("generation %d/%d  best %s  feasible %.0f%%  unique %lld  %.0f candidates/s\n",
                done, total, best, 100 * last.feasible_fraction,
                static_cast<long long>(last.unique_scored), rate);
    std::fflush(stdout);
  }
}

void run_search(const SearchArgs& args) {
  const ThreadLimit thread_limit(args.threads);
  const ExperimentConfig config = cluster::read_on_every_rank(
      [&] { return read_experiment_file(args.config_file, args.overrides); });
  const std::string& dir = args.out_dir;
  const bool speaks = cluster::is_coordinator();
  if (speaks) {
    std::printf("searching %s: %d x %d candidates on %s%s\n", config.name.c_str(),
                config.algorithm.population, config.algorithm.generations,
                config.mcu.name.c_str(), ranks_note().c_str());
    std::fflush(stdout);
  }
  const bool live = ::isatty(::fileno(stderr)) != 0;
  const Candidate best = run_search_in(
      config, dir, args.resume,
      [&](const SearchEngine& engine, double seconds) { report(config, engine, seconds, live); },
      [&](int generations) {
        std::printf("resumed %s after generation %d\n", config.name.c_str(), generations);
        std::fflush(stdout);
      });
  if (!speaks) return;
  std::printf("best: %lld MACs, peak SRAM %lld B, flash %lld B, %.2f ms  ->  %s/best.json\n",
              static_cast<long long>(best.macs), static_cast<long long>(best.peak_sram_bytes),
              static_cast<long long>(best.flash_bytes), best.latency_ms, dir.c_str());
}

}  // namespace

void add_search_command(CLI::App& app) {
  auto args = std::make_shared<SearchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "search",
      "Evolutionary search of an experiment (space, MCU, budgets, objective). Under mpirun -np N "
      "(or srun) the scoring of each generation is spread over the N ranks, with the same "
      "results; rank 0 writes --out");
  cmd->add_option("--config", args->config_file, "Experiment JSON (format patchnas.experiment/1)")
      ->required();
  cmd->add_option("--out", args->out_dir,
                  "Output directory: best.json, pareto.json, survivors/, search.jsonl, checkpoint")
      ->required();
  cmd->add_flag("--resume", args->resume, "Continue the search checkpointed in --out");
  add_threads_option(cmd, args->threads, "Worker threads per process (0: all cores)");
  cmd->add_option("--set", args->overrides,
                  "Override a config value, e.g. --set algorithm.population=50 (repeatable)");
  cmd->callback([args] { run_search(*args); });
}

}  // namespace patchnas::cli
