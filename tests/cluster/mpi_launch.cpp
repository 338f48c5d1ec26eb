#include "cluster/mpi_launch.hpp"

#include <fstream>
#include <map>
#include <stdexcept>

#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"

namespace patchnas::mpi_tests {
namespace {

std::string name(Job job) { return job == Job::run ? "run" : "search"; }

// The Fashion-MNIST experiment scaled down. run: a 10 x 5 search, 4 survivors (two halving
// rounds: 4 then 2 training runs) of an epoch on 400 images, one final epoch (no
// quantization-aware one), then export, verify and the report. search: 20 x 150.
std::vector<std::string> job_args(Job job, const std::string& out) {
  const std::string experiment =
      std::string(PATCHNAS_SOURCE_DIR) + "/configs/experiments/fmnist-f412.json";
  std::vector<std::string> args = {name(job), "--config", experiment, "--out", out, "--threads", "1"};
  std::vector<std::string> overrides;
  if (job == Job::run) {
    args.push_back("--quick");
    overrides = {"algorithm.population=10",   "algorithm.generations=5", "survivors=4",
                 "training.limit_train=400",  "training.validation=100",
                 "training.limit_test=100",   "training.batch_size=32", "training.qat_epochs=0"};
  } else {
    overrides = {"algorithm.population=20", "algorithm.generations=150"};
  }
  for (const std::string& o : overrides) args.insert(args.end(), {"--set", o});
  return args;
}

std::vector<std::string> mpirun_args() {
  return {PATCHNAS_MPIEXEC, "--allow-run-as-root", "--oversubscribe"};
}

}  // namespace

std::vector<std::string> launch_args(Job job, const std::string& out, int ranks, bool resume) {
  std::vector<std::string> argv;
  if (ranks > 0) {
    argv = mpirun_args();
    argv.insert(argv.end(), {"-np", std::to_string(ranks)});
  }
  argv.push_back(PATCHNAS_BINARY);
  for (const std::string& a : job_args(job, out)) argv.push_back(a);
  if (resume) argv.push_back("--resume");
  return argv;
}

std::vector<std::string> launch_args_per_rank(Job job, const std::string& out,
                                              const std::vector<RankDifference>& ranks) {
  std::vector<std::string> argv = mpirun_args();
  for (std::size_t r = 0; r < ranks.size(); ++r) {
    if (r > 0) argv.push_back(":");
    argv.insert(argv.end(), {"-np", "1"});
    if (!ranks[r].environment.empty()) {
      argv.push_back("env");
      argv.insert(argv.end(), ranks[r].environment.begin(), ranks[r].environment.end());
    }
    argv.push_back(PATCHNAS_BINARY);
    for (const std::string& a : job_args(job, out)) argv.push_back(a);
    argv.insert(argv.end(), ranks[r].extra_args.begin(), ranks[r].extra_args.end());
  }
  return argv;
}

const Reference& single_process_reference(Job job) {
  static std::map<Job, Reference> references;
  const auto known = references.find(job);
  if (known != references.end()) return known->second;
  Reference r;
  r.out = faults::scratch_dir("reference-" + name(job)).string();
  const std::string log = r.out + ".log";
  const faults::Outcome o = faults::run_program(launch_args(job, r.out, 0, false), log);
  if (o.exit_code != 0) {
    throw std::runtime_error("the single-process " + name(job) + " failed:\n" +
                             faults::log_tail(log));
  }
  r.outputs = faults::deterministic_outputs(r.out, r.out);
  return references.emplace(job, std::move(r)).first->second;
}

pid_t rank_pid(pid_t sid, int rank) {
  const std::string wanted = "OMPI_COMM_WORLD_RANK=" + std::to_string(rank);
  for (const pid_t pid : faults::session_members(sid)) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/environ", std::ios::binary);
    std::string entry;
    while (std::getline(in, entry, '\0')) {
      if (entry == wanted) return pid;
    }
  }
  return 0;
}

}  // namespace patchnas::mpi_tests
