// The commands of the MPI suite: patchnas `run` and `search` on tiny configs, started as one
// process or under mpirun on N ranks of this machine (loopback, one thread per rank), and
// their single-process reference runs, made once per test process.
//   const Launch& ref = single_process_reference(Job::run);
//   run_program(launch_args(Job::run, out, 3, /*resume=*/false), log);
//   run_program(launch_args_per_rank(Job::run, out, {{}, {{}, {"--set", "training.data_dir=/x"}}}), log);
#pragma once

#include <string>
#include <vector>

#include <sys/types.h>

#include "faults/deterministic_outputs.hpp"

namespace patchnas::mpi_tests {

enum class Job { run, search };

// The full command line (argv[0] the program): patchnas alone when ranks is 0, else
// mpirun -np `ranks` patchnas.
std::vector<std::string> launch_args(Job job, const std::string& out, int ranks, bool resume);

// What one rank is started with beyond the job's command line, as a node that differs from the
// others would see it: environment entries ("NAME=value") and extra arguments.
struct RankDifference {
  std::vector<std::string> environment;
  std::vector<std::string> extra_args;
};
// mpirun with one application context per rank: rank r runs the job's command line with
// ranks[r]'s differences (ranks.size() ranks in all).
std::vector<std::string> launch_args_per_rank(Job job, const std::string& out,
                                              const std::vector<RankDifference>& ranks);

struct Reference {
  std::string out;
  faults::Outputs outputs;
};
const Reference& single_process_reference(Job job);

// The pid of rank `rank` among the processes of session `sid` (0 when not started yet).
pid_t rank_pid(pid_t sid, int rank);

}  // namespace patchnas::mpi_tests
