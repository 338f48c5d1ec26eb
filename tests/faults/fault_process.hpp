// Runs the patchnas executable (or another program) as a child in a session of its own and, when asked, kills the
// whole session with SIGKILL after a delay: patchnas and every helper it started (make, the
// compilers, QEMU under `timeout`, which moves to a process group of its own but stays in the
// session), as a crash of the job would. It waits until nothing of the session is left, so no
// orphan keeps writing into the output directory while the test looks at it.
//   const Outcome o = run_patchnas({"search", "--config", c, "--out", d}, "log.txt", 0.4);
//   if (o.killed) ...
#pragma once

#include <functional>
#include <optional>

#include <sys/types.h>
#include <string>
#include <utility>
#include <vector>

namespace patchnas::faults {

struct Outcome {
  bool killed = false;  // SIGKILLed by us before it ended
  int exit_code = -1;   // when it ended by itself
  double seconds = 0;   // wall time until it ended or was killed
};

// Called every few milliseconds while the child runs, with its session id (= its pid).
using WhileRunning = std::function<void(pid_t session)>;

// Runs `argv` (argv[0] is the program's path); stdout and stderr are appended to `log_file`;
// `environment` entries ("NAME=value") are added to the child's environment.
Outcome run_program(const std::vector<std::string>& argv, const std::string& log_file,
                    std::optional<double> kill_after_seconds = std::nullopt,
                    const std::vector<std::string>& environment = {},
                    const WhileRunning& while_running = {});

// The live processes of session `sid`.
std::vector<pid_t> session_members(pid_t sid);

// run_program of the patchnas executable with `args`.
Outcome run_patchnas(const std::vector<std::string>& args, const std::string& log_file,
                     std::optional<double> kill_after_seconds = std::nullopt,
                     const std::vector<std::string>& environment = {});

}  // namespace patchnas::faults
