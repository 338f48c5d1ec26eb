// The commands of the MPI suite: patchnas `run` and `search` on tiny configs, started as one
// process or under mpirun on N ranks of this machine (loopback, one thread per rank), and
// their single-process reference runs, made once per test process.
//   const Launch& ref = single_process_reference(Job::run);
//   run_program(launch_args(Job::run, out, 3, /*resume=*/false), log);
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

struct Reference {
  std::string out;
  faults::Outputs outputs;
};
const Reference& single_process_reference(Job job);

// The pid of rank `rank` among the processes of session `sid` (0 when not started yet).
pid_t rank_pid(pid_t sid, int rank);

}  // namespace patchnas::mpi_tests
