// Search quality: evolution, aging evolution and random search at equal budget
// (population x generations candidates) on every shipped experiment, 10 seeds each; prints
// the median (and min/max) objective of the best feasible arch found, in MMACs.
//   build/bench_search_quality [generations]      (default: the experiments' own)
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "search/search_engine.hpp"

namespace {

using namespace patchnas;

double best_objective(ExperimentConfig config, SearchAlgorithm algorithm, std::uint64_t seed) {
  config.algorithm.type = algorithm;
  config.seed = seed;
  SearchEngine engine(config);
  while (!engine.done()) engine.step();
  return engine.best() ? engine.best()->objective : 0.0;
}

}  // namespace

int main(int argc, char** argv) {
  const int generations = argc > 1 ? std::atoi(argv[1]) : 0;
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(std::string(PATCHNAS_CONFIG_DIR) + "/experiments")) {
    files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  std::printf("%-16s %-10s %14s %14s %14s   (best feasible MMACs over 10 seeds)\n", "experiment",
              "algorithm", "median", "min", "max");
  const std::pair<const char*, SearchAlgorithm> algorithms[] = {
      {"evolution", SearchAlgorithm::Evolution},
      {"aging", SearchAlgorithm::Aging},
      {"random", SearchAlgorithm::Random}};
  for (const std::string& file : files) {
    ExperimentConfig config = read_experiment_file(file);
    if (generations > 0) config.algorithm.generations = generations;
    for (const auto& [name, algorithm] : algorithms) {
      std::vector<double> best;
      for (std::uint64_t seed = 0; seed < 10; ++seed) {
        best.push_back(best_objective(config, algorithm, seed) / 1e6);
      }
      std::sort(best.begin(), best.end());
      std::printf("%-16s %-10s %14.3f %14.3f %14.3f\n", config.name.c_str(), name,
                  0.5 * (best[4] + best[5]), best.front(), best.back());
      std::fflush(stdout);
    }
  }
  return 0;
}
