#include "export/command.hpp"

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <functional>
#include <sstream>
#include <vector>

#include "space/atomic_file.hpp"

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

std::string telling_line(const std::string& output) {
  std::vector<std::string> lines;
  std::istringstream in(output);
  for (std::string line; std::getline(in, line);) {
    std::replace_if(line.begin(), line.end(),
                    [](char ch) { return std::iscntrl(static_cast<unsigned char>(ch)) != 0; }, ' ');
    if (line.find_first_not_of(' ') != std::string::npos) lines.push_back(line);
  }
  if (lines.empty()) return "(no output)";
  const auto lower = [](std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
    return text;
  };
  const std::vector<std::function<bool(const std::string&)>> by_priority = {
      [](const std::string& l) {
        return l.rfind("FAIL", 0) == 0 || l.rfind("MISMATCH", 0) == 0 ||
               l.find(" failed with status ") != std::string::npos;
      },
      [&](const std::string& l) { return lower(l).find("error:") != std::string::npos; },
      [](const std::string& l) { return l.find("No space left on device") != std::string::npos; },
      [](const std::string& l) { return l.find("***") != std::string::npos; },
  };
  for (const auto& tells : by_priority) {
    const auto found = std::find_if(lines.begin(), lines.end(), tells);
    if (found != lines.end()) return *found;
  }
  return lines.back();
}

std::runtime_error command_failure(const std::string& what, const CommandResult& r,
                                   const std::filesystem::path& log) {
  std::string where;
  try {
    write_file_atomically(log.string(), r.output, /*durable=*/false);
    where.append("whole output in ").append(log.string());
  } catch (const std::exception& e) {
    where.append("its output could not be saved: ").append(e.what());
  }
  std::string line = what;
  if (r.exit_code >= 0) {
    line.append(" (exit ").append(std::to_string(r.exit_code)).append(")");
  } else {
    line.append(" (did not start, or was killed)");
  }
  line.append(": ")
      .append(telling_line(r.output))
      .append(" [")
      .append(where)
      .append("]");
  return std::runtime_error(line);
}

bool have_tool(const std::string& tool) {
  std::string command = "command -v ";
  command.append(shell_quoted(tool)).append(" >/dev/null");
  return run_command(command).exit_code == 0;
}

}  // namespace patchnas
