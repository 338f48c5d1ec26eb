// Runs the patchnas executable (PATCHNAS_BINARY) with a shell argument string and captures its
// exit code, stdout and stderr, for the end-to-end CLI tests:
//   const CliOutcome r = run_cli("estimate --arch a.json");
//   EXPECT_EQ(r.exit_code, 1);
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace patchnas::testing {

struct CliOutcome {
  int exit_code = 0;  // -1 when the process did not exit normally (a crash)
  std::string out;
  std::string err;
};

inline CliOutcome run_cli(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string err_file = (dir / ("patchnas_cli_err_" + std::to_string(::getpid()))).string();
  std::string command(PATCHNAS_BINARY);
  command.append(" ").append(args).append(" 2>").append(err_file);
  CliOutcome r;
  FILE* pipe = ::popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_file);
  r.err.assign(std::istreambuf_iterator<char>(err), {});
  std::filesystem::remove(err_file);
  return r;
}

}  // namespace patchnas::testing
