// The stages of `patchnas run`, each in a subfolder of the run directory that records when it
// is done: <out>/<stage>/done.json, written atomically as the stage's last act and holding the
// stage's summary. A resumed run skips done stages and returns their recorded summaries; a
// stage that fails leaves the earlier stages' folders intact, and its error names the stage.
// Starting, it removes the temporaries ("*.tmp.<pid>") a killed run left in the run directory.
//   StageRunner stages("runs/x", /*resume=*/true);
//   const nlohmann::json s = stages.run("search", [&](const std::string& dir) { ...; return summary; });
#pragma once

#include <functional>
#include <string>

#include <nlohmann/json.hpp>

namespace patchnas {

// An error inside a stage: what() is "stage NAME: <the cause>".
class StageError : public std::runtime_error {
 public:
  StageError(const std::string& stage, const std::string& cause);
  const std::string& stage() const { return stage_; }

 private:
  std::string stage_;
};

// <out>/<stage>.
std::string stage_dir(const std::string& out, const std::string& stage);

class StageRunner {
 public:
  // Throws InputError(out) when `out` holds a run and `resume` is false.
  StageRunner(std::string out, bool resume);

  bool done(const std::string& stage) const;
  std::string dir(const std::string& stage) const;
  // The summary a done stage recorded.
  nlohmann::json summary(const std::string& stage) const;

  // Runs body(stage folder) unless the stage is done; records and returns its summary.
  nlohmann::json run(const std::string& stage,
                     const std::function<nlohmann::json(const std::string&)>& body);

 private:
  std::string out_;
};

}  // namespace patchnas
