#include "faults/fault_commands.hpp"

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include <unistd.h>

#include "faults/fault_process.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

std::string source(const std::string& relative) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/" + relative;
}

std::vector<std::string> joined(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::vector<std::string> set(const std::vector<std::string>& overrides) {
  std::vector<std::string> args;
  for (const std::string& o : overrides) args.insert(args.end(), {"--set", o});
  return args;
}

}  // namespace

std::string command_name(Command c) {
  switch (c) {
    case Command::search: return "search";
    case Command::train: return "train";
    case Command::run: return "run";
  }
  return "?";
}

// The Fashion-MNIST experiment scaled down: a search of 20 x 300; the reference net trained for
// 4 + 1 quantization-aware epochs on 400 images; for `run` a 10 x 5 search, two survivors
// trained for an epoch on 400 images, one final and one quantization-aware epoch, 100 test
// images, then export and verify (host and QEMU) and the report.
std::vector<std::string> command_args(Command c, const std::string& out, bool resume) {
  const std::string experiment = source("configs/experiments/fmnist-f412.json");
  std::vector<std::string> args;
  switch (c) {
    case Command::search:
      args = joined({"search", "--config", experiment, "--out", out},
                    set({"algorithm.population=20", "algorithm.generations=300"}));
      break;
    case Command::train:
      args = {"train", "--arch", source("configs/archs/fmnist-ref.json"), "--out", out,
              "--epochs", "4", "--qat-epochs", "1", "--batch", "32", "--validation", "100",
              "--limit-train", "400", "--limit-test", "200"};
      break;
    case Command::run:
      args = joined({"run", "--config", experiment, "--quick", "--out", out},
                    set({"algorithm.population=10", "algorithm.generations=5",
                         "training.limit_train=400", "training.validation=100",
                         "training.limit_test=100", "training.batch_size=32"}));
      break;
  }
  if (resume) args.push_back("--resume");
  return args;
}

// The suite's temporary directory, removed when the test process ends (kept with
// PATCHNAS_FAULTS_KEEP=1, to look at a failure).
class ScratchRoot {
 public:
  ScratchRoot()
      : path_(fs::temp_directory_path() / ("patchnas_faults_" + std::to_string(::getpid()))) {}
  ~ScratchRoot() {
    const char* keep = std::getenv("PATCHNAS_FAULTS_KEEP");
    std::error_code ignored;
    if (keep == nullptr || std::string(keep) != "1") fs::remove_all(path_, ignored);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

fs::path scratch_dir(const std::string& name) {
  static const ScratchRoot root;
  const fs::path dir = root.path() / name;
  fs::remove_all(dir);
  fs::create_directories(root.path());
  return dir;
}

std::vector<std::string> error_lines(const fs::path& log) {
  std::ifstream in(log);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    const std::size_t at = line.find("patchnas: error: ");
    if (at != std::string::npos) lines.push_back(line.substr(at));
  }
  return lines;
}

std::string log_tail(const fs::path& log) {
  std::ifstream in(log);
  const std::string text((std::istreambuf_iterator<char>(in)), {});
  return text.size() > 3000 ? text.substr(text.size() - 3000) : text;
}

const Reference& reference(Command c) {
  static std::map<Command, Reference> references;
  const auto known = references.find(c);
  if (known != references.end()) return known->second;
  Reference r;
  r.out = scratch_dir("reference-" + command_name(c)).string();
  const fs::path log = r.out + ".log";
  const Outcome o = run_patchnas(command_args(c, r.out, false), log.string());
  if (o.exit_code != 0) {
    throw std::runtime_error("the uninterrupted " + command_name(c) + " failed:\n" + log_tail(log));
  }
  r.seconds = o.seconds;
  r.outputs = deterministic_outputs(r.out, r.out);
  return references.emplace(c, std::move(r)).first->second;
}

}  // namespace patchnas::faults
