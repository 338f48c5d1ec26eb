#include "faults/output_check.hpp"

#include <algorithm>
#include <fstream>
#include <regex>

#include <nlohmann/json.hpp>

#include "trainer/checkpoint_file.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

struct Lines {
  std::vector<std::string> complete;  // each ended by a newline
  std::string tail;                   // after the last newline
};

Lines split_lines(const std::string& text) {
  Lines lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.complete.push_back(text.substr(start, end - start));
  }
  lines.tail = text.substr(start);
  return lines;
}

bool is_append_only_log(const fs::path& path) {
  const std::string name = path.filename().string();
  return name == "search.jsonl" || name == "scored.txt";
}

void check_lines(const fs::path& path, bool allow_log_tail, std::vector<std::string>& problems) {
  const Lines lines = split_lines(read_text(path));
  if (!lines.tail.empty() && !(allow_log_tail && is_append_only_log(path))) {
    problems.push_back(path.string() + ": last line cut short: " + lines.tail);
  }
  if (path.extension() != ".jsonl") return;
  for (std::size_t i = 0; i < lines.complete.size(); ++i) {
    if (!nlohmann::json::accept(lines.complete[i])) {
      problems.push_back(path.string() + ": line " + std::to_string(i + 1) + " is not JSON");
    }
  }
}

// checkpoint.json of a search counts lines its two logs must hold.
void check_search_checkpoint(const fs::path& path, std::vector<std::string>& problems) {
  const auto j = nlohmann::json::parse(read_text(path), nullptr, false);
  if (j.is_discarded() || !j.contains("scored")) return;  // not a search checkpoint
  const auto covered = [&](const char* log, std::size_t needed) {
    const std::size_t have = split_lines(read_text(path.parent_path() / log)).complete.size();
    if (have < needed) {
      problems.push_back(path.string() + ": counts " + std::to_string(needed) + " lines of " +
                         log + ", which holds " + std::to_string(have));
    }
  };
  covered("scored.txt", j.at("scored").get<std::size_t>());
  covered("search.jsonl", j.at("generation").get<std::size_t>());
}

void check_file(const fs::path& path, bool allow_log_tail, std::vector<std::string>& problems) {
  const std::string extension = path.extension().string();
  if (extension == ".json") {
    if (!nlohmann::json::accept(read_text(path))) {
      problems.push_back(path.string() + ": not JSON (half-written?)");
    } else if (path.filename() == "checkpoint.json") {
      check_search_checkpoint(path, problems);
    }
  } else if (extension == ".jsonl" || is_append_only_log(path)) {
    check_lines(path, allow_log_tail, problems);
  } else if (path.filename() == "checkpoint.bin") {
    try {
      trainer::read_checkpoint_file(path.string());
    } catch (const std::exception& e) {
      problems.push_back(path.string() + ": does not read: " + e.what());
    }
  } else if (extension == ".html") {
    const std::string text = read_text(path);
    if (text.rfind("</html>") == std::string::npos) problems.push_back(path.string() + ": cut short");
  }
}

}  // namespace

bool is_temporary(const fs::path& path) {
  static const std::regex pattern(R"(.+\.tmp\.[0-9]+)");
  return std::regex_match(path.filename().string(), pattern);
}

std::vector<std::string> half_written_outputs(const fs::path& dir, bool allow_log_tail) {
  std::vector<std::string> problems;
  if (!fs::exists(dir)) return problems;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (is_temporary(it->path())) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) check_file(it->path(), allow_log_tail, problems);
  }
  std::sort(problems.begin(), problems.end());
  return problems;
}

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> found;
  if (!fs::exists(dir)) return found;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (!is_temporary(it->path())) continue;
    found.push_back(fs::relative(it->path(), dir).string());
    if (it->is_directory()) it.disable_recursion_pending();
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace patchnas::faults
