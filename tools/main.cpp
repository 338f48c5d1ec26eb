// patchnas: the command line. One subcommand per job; see `patchnas --help`.
// Under mpirun/srun every rank runs the same command line (cluster/): rank 0 prints and writes,
// and an error on any rank ends every rank of the job.
#include <cstdio>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>

#include "cluster/cluster.hpp"
#include "space/input_error.hpp"
#include "tools/commands.hpp"

namespace {

// One line per error: rank 0 prints it; another rank prints only what is its own (an input
// error is the same on every rank, and rank 0 says it).
void print_error(const std::exception& e, bool same_on_every_rank) {
  const int rank = patchnas::cluster::rank();
  if (rank == 0) {
    std::fprintf(stderr, "patchnas: error: %s\n", e.what());
  } else if (!same_on_every_rank) {
    std::fprintf(stderr, "patchnas: error: rank %d: %s\n", rank, e.what());
  }
  std::fflush(stderr);
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

int run_command(int argc, char** argv) {
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
    return speaks ? app.exit(e) : 0;
  } catch (const CLI::ParseError& e) {
    if (speaks) app.exit(e);
    return 2;
  } catch (const patchnas::InputError& e) {
    print_error(e, true);
    return 1;
  } catch (const EveryRankError& e) {
    print_error(e, true);
    return 1;
  } catch (const std::exception& e) {
    print_error(e, false);
    return 1;
  }
  return 0;
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
  const int code = run_command(argc, argv);
  // The other ranks may be waiting for this one: end them all.
  if (code != 0 && patchnas::cluster::size() > 1) patchnas::cluster::abort_job(code);
  return code;
}
