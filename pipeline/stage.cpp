#include "pipeline/stage.hpp"

#include <filesystem>
#include <fstream>

#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas {

namespace fs = std::filesystem;

StageError::StageError(const std::string& stage, const std::string& cause)
    : std::runtime_error("stage " + stage + ": " + cause), stage_(stage) {}

StageRunner::StageRunner(std::string out, bool resume) : out_(std::move(out)) {
  if (!resume && fs::exists(fs::path(out_) / "run.json")) {
    throw InputError(out_, "", "holds a run already: pass --resume to continue it, or use "
                               "another --out");
  }
  fs::create_directories(out_);
  remove_stale_temporaries(out_);  // what a killed run was writing when it stopped
}

std::string stage_dir(const std::string& out, const std::string& stage) { return out + "/" + stage; }

std::string StageRunner::dir(const std::string& stage) const { return stage_dir(out_, stage); }

bool StageRunner::done(const std::string& stage) const {
  return fs::exists(dir(stage) + "/done.json");
}

nlohmann::json StageRunner::summary(const std::string& stage) const {
  return read_json_file(dir(stage) + "/done.json");
}

nlohmann::json StageRunner::run(const std::string& stage,
                                const std::function<nlohmann::json(const std::string&)>& body) {
  if (done(stage)) return summary(stage);
  nlohmann::json result;
  try {
    fs::create_directories(dir(stage));
    result = body(dir(stage));
  } catch (const std::exception& e) {
    throw StageError(stage, e.what());
  }
  write_file_atomically(dir(stage) + "/done.json", result.dump(2) + "\n");
  return result;
}

}  // namespace patchnas
