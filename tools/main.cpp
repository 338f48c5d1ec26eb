// patchnas: the command line. One subcommand per job; see `patchnas --help`.
// Under mpirun/srun every rank runs the same command line (cluster/): rank 0 prints and writes,
// and an error on any rank ends every rank of the job: an error in reading the inputs through
// the start-up agreement (every rank stops alike), any later one by aborting the job.
#include <chrono>
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "cluster/cluster.hpp"
#include "cluster/start_up_agreement.hpp"
#include "space/input_error.hpp"
#include "tools/commands.hpp"

namespace {

// How the other ranks of a job of several learn that this rank's command failed.
enum class Stop {
  together,   // every rank stopped at the same point (the start-up agreement): nothing to do
  abort_now,  // this rank's own error, or rank 0's: end every rank now
  by_rank_0,  // (not rank 0) an error every rank meets alike: rank 0 reports it and ends the
              // job; this rank waits for that, so its own abort cannot cut rank 0's line off
};

// How a command ended: its exit code, and how the job is to stop if it failed.
struct Ending {
  int code = 0;
  Stop stop = Stop::together;
};

// One line per error: rank 0 prints it; another rank prints only what is its own. An input
// error past the start-up agreement comes from state every rank shares (the search found nothing
// feasible), so it is the same on every rank, and rank 0 says it.
Ending report_error(const std::exception& e, bool same_on_every_rank) {
  const int rank = patchnas::cluster::rank();
  if (rank == 0) {
    std::fprintf(stderr, "patchnas: error: %s\n", e.what());
  } else if (!same_on_every_rank) {
    std::fprintf(stderr, "patchnas: error: rank %d: %s\n", rank, e.what());
  }
  std::fflush(stderr);
  return {1, rank != 0 && same_on_every_rank ? Stop::by_rank_0 : Stop::abort_now};
}

// An error every rank meets alike (like a bad input): rank 0 alone reports it.
class EveryRankError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Only run and search share their work between ranks; any other command on several ranks would
// be N copies writing the same files.
void check_command_shares_ranks(int argc, char** argv) {
  if (patchnas::cluster::size() == 1) return;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.starts_with("-")) continue;
    if (word == "run" || word == "search") return;
    throw EveryRankError("patchnas " + word + " runs as one process: only run and search " +
                             "spread over the ranks of mpirun/srun");
  }
}

Ending run_command(int argc, char** argv) {
  CLI::App app{
      "patchnas: joint search of tiny CNNs and patch-based schedules for microcontrollers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "patchnas 0.1.0");
  patchnas::cli::add_estimate_command(app);
  patchnas::cli::add_space_command(app);
  patchnas::cli::add_calibrate_command(app);
  patchnas::cli::add_search_command(app);
  patchnas::cli::add_train_command(app);
  patchnas::cli::add_export_command(app);
  patchnas::cli::add_run_command(app);
  const bool speaks = patchnas::cluster::is_coordinator();
  try {
    check_command_shares_ranks(argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return {speaks ? app.exit(e) : 0};
  } catch (const CLI::ParseError& e) {
    if (speaks) app.exit(e);
    return {2, speaks ? Stop::abort_now : Stop::by_rank_0};
  } catch (const patchnas::cluster::InputsRefused& e) {
    if (speaks) {
      for (const std::string& line : e.lines()) {
        std::fprintf(stderr, "patchnas: error: %s\n", line.c_str());
      }
      std::fflush(stderr);
    }
    return {1};
  } catch (const patchnas::InputError& e) {
    return report_error(e, true);
  } catch (const EveryRankError& e) {
    return report_error(e, true);
  } catch (const std::exception& e) {
    return report_error(e, false);
  }
  return {0};
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<patchnas::cluster::Session> session;
  try {
    session.emplace(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchnas: error: %s\n", e.what());
    return 1;
  }
  const Ending ending = run_command(argc, argv);
  if (ending.code != 0 && patchnas::cluster::size() > 1) {
    // Rank 0 ends the job within moments; should it not, end it from here.
    if (ending.stop == Stop::by_rank_0) std::this_thread::sleep_for(std::chrono::seconds(60));
    // The other ranks may be waiting for this one: end them all.
    if (ending.stop != Stop::together) patchnas::cluster::abort_job(ending.code);
  }
  return ending.code;
}
