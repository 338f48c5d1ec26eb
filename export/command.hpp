// Running an external program (make, QEMU, the cross toolchain) and capturing what it prints.
//   const CommandResult r = run_command("make -C fw CPU=m4 run");
//   if (r.exit_code != 0) throw std::runtime_error(r.output);
#pragma once

#include <filesystem>
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

// Whether `tool` is on the PATH.
bool have_tool(const std::string& tool);

}  // namespace patchnas
