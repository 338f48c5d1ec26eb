// Running an external program (make, QEMU, the cross toolchain), capturing what it prints, and
// turning its failure into one error line.
//   const CommandResult r = run_command("make -C fw CPU=m4 run");
//   if (r.exit_code != 0) throw command_failure("the firmware failed under QEMU", r, "fw/run.log");
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>

namespace patchnas {

struct CommandResult {
  int exit_code = -1;  // -1: could not start or killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs `command` with /bin/sh; stderr is folded into the output.
CommandResult run_command(const std::string& command);

// `path` single-quoted for the shell.
std::string shell_quoted(const std::filesystem::path& path);

// A failed command as one line: `what`, the exit status, the line of the output that names the
// problem (telling_line), and the file the whole output was saved in (`log`, written here; when
// even that fails, as on a full disk, the line says so instead).
std::runtime_error command_failure(const std::string& what, const CommandResult& r,
                                   const std::filesystem::path& log);

// The line of a command's output that names its problem: the first failure an exported model's
// harness printed (FAIL ..., MISMATCH image ..., ... failed with status ...), else the first
// compiler, assembler or linker error, else the first that says a write failed, else make's own
// error line, else the last line. Control characters become spaces.
std::string telling_line(const std::string& output);

// Whether `tool` is on the PATH.
bool have_tool(const std::string& tool);

}  // namespace patchnas
