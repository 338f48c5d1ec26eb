// Test helper: headless Chromium (Debian's, installed by tools/setup.sh) rendering a page to a
// screenshot or a DOM dump, and the console messages it logged. Chromium logs console messages
// (errors included, and invalid SVG values) to stderr as "...:INFO:CONSOLE:<line>] ...".
//   const ChromiumRun r = run_chromium(find_chromium(), "report.html", "--screenshot=r.png");
//   EXPECT_TRUE(console_messages(r.log).empty());
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace patchnas::testing {

namespace fs = std::filesystem;

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The chromium executable on PATH, empty when there is none.
inline fs::path find_chromium() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const fs::path candidate = fs::path(dir) / "chromium";
    if (!dir.empty() && fs::exists(candidate)) return candidate;
  }
  return {};
}

struct ChromiumRun {
  int exit_status = -1;
  std::string out, log;  // stdout (the DOM with --dump-dom), stderr (the log)
};

// Runs headless Chromium on `page` with `mode` (--screenshot=... or --dump-dom), a fresh
// profile, and a 60 s limit.
inline ChromiumRun run_chromium(const fs::path& chromium, const fs::path& page, const std::string& mode) {
  std::string profile_template = (fs::temp_directory_path() / "patchnas-chromium-XXXXXX").string();
  if (mkdtemp(profile_template.data()) == nullptr) return {};
  const fs::path profile = profile_template;
  const fs::path out = profile / "stdout.txt";
  const fs::path log = profile / "stderr.txt";
  const std::string command =
      "timeout 60 '" + chromium.string() +
      "' --headless --no-sandbox --disable-gpu --no-first-run"
      " --disable-background-networking --disable-component-update --disable-sync"
      " --user-data-dir='" +
      (profile / "user-data").string() +
      "' --enable-logging=stderr --v=0"
      " --window-size=1280,2400 " +
      mode + " 'file://" + fs::absolute(page).string() + "' > '" + out.string() + "' 2> '" +
      log.string() + "'";
  const int status = std::system(command.c_str());
  ChromiumRun run;
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = read_file(out);
  run.log = read_file(log);
  fs::remove_all(profile);
  return run;
}

// Console messages in Chromium's log: "[pid:tid:time:INFO:CONSOLE:12] "message", source: ...".
inline std::vector<std::string> console_messages(const std::string& log) {
  std::vector<std::string> messages;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) messages.push_back(line);
  }
  return messages;
}

inline bool is_png(const fs::path& path) {
  const std::string bytes = read_file(path);
  return bytes.starts_with(std::string("\x89PNG\r\n\x1a\n", 8));
}

}  // namespace patchnas::testing
