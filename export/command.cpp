#include "export/command.hpp"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace patchnas {

CommandResult run_command(const std::string& command) {
  CommandResult r;
  std::string wrapped = "(";
  wrapped.append(command).append(") 2>&1");
  FILE* pipe = ::popen(wrapped.c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  std::size_t got = 0;
  while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    r.output.append(buffer.data(), got);
  }
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string shell_quoted(const std::filesystem::path& path) {
  std::string out = "'";
  for (const char ch : path.string()) {
    if (ch == '\'') {
      out += "'\\''";
    } else {
      out += ch;
    }
  }
  out += "'";
  return out;
}

bool have_tool(const std::string& tool) {
  std::string command = "command -v ";
  command.append(shell_quoted(tool)).append(" >/dev/null");
  return run_command(command).exit_code == 0;
}

}  // namespace patchnas
