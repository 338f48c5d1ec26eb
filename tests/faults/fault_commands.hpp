// The three commands of the fault suite on tiny configs (a run takes seconds), and their
// uninterrupted reference runs, made once per test process and shared by its tests.
//   const Reference& ref = reference(Command::train);
//   run_patchnas(command_args(Command::train, out, /*resume=*/true), log);
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "faults/deterministic_outputs.hpp"

namespace patchnas::faults {

enum class Command { search, train, run };

std::string command_name(Command c);

// The command line writing into `out`; with --resume when `resume`.
std::vector<std::string> command_args(Command c, const std::string& out, bool resume);

struct Reference {
  std::string out;
  double seconds = 0;  // wall time of the uninterrupted run
  Outputs outputs;
};

const Reference& reference(Command c);

// A fresh directory for one test's files (under the suite's temporary directory).
std::filesystem::path scratch_dir(const std::string& name);

// The last lines of a command's log, for failure messages.
std::string log_tail(const std::filesystem::path& log);

// The error lines patchnas wrote into a command's log ("patchnas: error: ..."; other output,
// such as mpirun's, may precede one on its line).
std::vector<std::string> error_lines(const std::filesystem::path& log);

}  // namespace patchnas::faults
