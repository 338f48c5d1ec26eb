// Errors in a job of several ranks: whichever rank meets one, the job ends (non-zero exit) with
// one line that says what it was and, when not every rank met it, which rank did; nothing is
// left half-written. A rank that differs from the others (another node: other files, a full
// disk) is made with one mpirun application context per rank.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cluster/mpi_launch.hpp"
#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"
#include "faults/output_check.hpp"

namespace patchnas::mpi_tests {
namespace {

namespace fs = std::filesystem;

struct Failure {
  std::string out;
  std::string log;
  std::vector<std::string> errors;
};

// Runs argv (made for `out`), which must fail, and returns its error lines.
Failure expect_failure(const std::string& name,
                       const std::function<std::vector<std::string>(const std::string&)>& argv) {
  Failure f;
  f.out = faults::scratch_dir(name).string();
  f.log = f.out + ".log";
  const faults::Outcome o = faults::run_program(argv(f.out), f.log);
  EXPECT_FALSE(o.killed);
  EXPECT_NE(o.exit_code, 0) << faults::log_tail(f.log);
  f.errors = faults::error_lines(f.log);
  return f;
}

// Every rank reads the same bad config: one line, as on one process, and nothing written.
TEST(MpiErrors, BadInputOnEveryRankIsReportedOnceBeforeAnythingIsWritten) {
  const Failure f = expect_failure("bad-input-every-rank", [](const std::string& out) {
    std::vector<std::string> argv = launch_args(Job::search, out, 3, false);
    argv.insert(argv.end(), {"--set", "budgets.sram_kib=20"});
    return argv;
  });
  ASSERT_EQ(f.errors.size(), 1u) << faults::log_tail(f.log);
  EXPECT_NE(f.errors[0].find("fmnist-f412.json: budgets.sram_kib: "), std::string::npos)
      << f.errors[0];
  EXPECT_EQ(f.errors[0].find("rank"), std::string::npos) << f.errors[0];
  EXPECT_FALSE(fs::exists(f.out));
}

// Only rank 1's node lacks the data directory the config names: the line names rank 1.
TEST(MpiErrors, BadInputOnOneRankIsReportedWithItsRankBeforeAnythingIsWritten) {
  const Failure f = expect_failure("bad-input-rank-1", [](const std::string& out) {
    return launch_args_per_rank(Job::run, out,
                                {{}, {{}, {"--set", "training.data_dir=/nonexistent"}}, {}});
  });
  ASSERT_EQ(f.errors.size(), 1u) << faults::log_tail(f.log);
  EXPECT_NE(f.errors[0].find("patchnas: error: rank 1: "), std::string::npos) << f.errors[0];
  EXPECT_NE(f.errors[0].find("training.data_dir: not a directory"), std::string::npos)
      << f.errors[0];
  EXPECT_FALSE(fs::exists(f.out));
}

// The search finds nothing within the budgets; every rank knows it at once (the search state is
// replicated): rank 0 says so, once.
TEST(MpiErrors, NothingFeasibleIsReportedOnceByRank0) {
  const Failure f = expect_failure("nothing-feasible", [](const std::string& out) {
    std::vector<std::string> argv = launch_args(Job::search, out, 3, false);
    argv.insert(argv.end(), {"--set", "budgets.sram_bytes=10", "--set", "algorithm.generations=3"});
    return argv;
  });
  ASSERT_EQ(f.errors.size(), 1u) << faults::log_tail(f.log);
  EXPECT_NE(f.errors[0].find("budgets: no arch of the space fits the budgets"), std::string::npos)
      << f.errors[0];
  EXPECT_EQ(faults::half_written_outputs(f.out, /*allow_log_tail=*/false),
            std::vector<std::string>{});
}

// Rank 1's node has an empty data directory: the config reads, but rank 1 cannot load the data
// when the survivors' training starts.
TEST(MpiErrors, DataMissingOnAWorkerRankStopsTheRunNamingIt) {
  const fs::path empty = faults::scratch_dir("empty-data-dir");
  fs::create_directories(empty);
  const Failure f = expect_failure("data-missing-rank-1", [&](const std::string& out) {
    return launch_args_per_rank(Job::run, out,
                                {{}, {{}, {"--set", "training.data_dir=" + empty.string()}}});
  });
  ASSERT_EQ(f.errors.size(), 1u) << faults::log_tail(f.log);
  EXPECT_NE(f.errors[0].find("patchnas: error: rank 1: loading the training data: "),
            std::string::npos)
      << f.errors[0];
  EXPECT_NE(f.errors[0].find(empty.string()), std::string::npos) << f.errors[0];
  EXPECT_EQ(faults::half_written_outputs(f.out, /*allow_log_tail=*/false),
            std::vector<std::string>{});
}

// Rank 1's disk is full (the ENOSPC shim): the training run dealt to it fails; rank 0 stops the
// run with the stage, the rank and the error, and what was written is whole.
TEST(MpiErrors, TrainingRunFailingOnAWorkerRankStopsTheRunNamingIt) {
  const Failure f = expect_failure("job-fails-rank-1", [](const std::string& out) {
    return launch_args_per_rank(
        Job::run, out,
        {{}, {{"LD_PRELOAD=" PATCHNAS_ENOSPC_SHIM, "PATCHNAS_ENOSPC_MATCH=/survivors/",
               "PATCHNAS_ENOSPC_BYTES=0"}, {}}});
  });
  ASSERT_FALSE(f.errors.empty()) << faults::log_tail(f.log);
  EXPECT_NE(f.errors[0].find("patchnas: error: stage survivors: rank 1: "), std::string::npos)
      << f.errors[0];
  EXPECT_NE(f.errors[0].find("No space left on device"), std::string::npos) << f.errors[0];
  EXPECT_EQ(f.errors.size(), 1u) << faults::log_tail(f.log);
  EXPECT_EQ(faults::half_written_outputs(f.out, /*allow_log_tail=*/false),
            std::vector<std::string>{});
}

// A binary built without MPI under mpirun -np 2: each process refuses to start.
TEST(MpiErrors, BuildWithoutMpiRefusesToBeOneOfSeveralProcesses) {
  const std::string log = faults::scratch_dir("stub-probe").string() + ".log";
  const faults::Outcome alone = faults::run_program({PATCHNAS_STUB_PROBE}, log);
  EXPECT_EQ(alone.exit_code, 0) << faults::log_tail(log);
  const faults::Outcome two = faults::run_program(
      {PATCHNAS_MPIEXEC, "--allow-run-as-root", "--oversubscribe", "-np", "2", PATCHNAS_STUB_PROBE},
      log);
  EXPECT_NE(two.exit_code, 0) << faults::log_tail(log);
  std::ifstream in(log);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("built without MPI"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("one of 2 processes"), std::string::npos) << text.str();
}

}  // namespace
}  // namespace patchnas::mpi_tests
