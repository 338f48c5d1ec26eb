// The data of a training run from a short description: which data set, where, how many
// training samples go to the validation split (seeded), and optional limits for quick runs.
// `patchnas train` and the `patchnas run` pipeline load their data through it; errors name
// `file` and the caller's name for each field (a command-line option or a config key).
//   DataSpec spec;  spec.validation = 5000;
//   const TrainData data = load_train_data(spec);
#pragma once

#include <cstdint>
#include <string>

#include "trainer/train.hpp"

namespace patchnas::trainer {

struct DataSpec {
  std::string data = "fashion-mnist";  // or "cifar10"
  std::string data_dir;                // empty: Debian's dataset-fashion-mnist directory
  int validation = 5000;               // training samples held out for validation
  int limit_train = 0;                 // first N training samples only (0: all)
  int limit_test = 0;                  // first N test samples only (0: all)
  std::uint64_t seed = 1;              // of the validation split

  // For messages: the file the spec came from ("" for the command line) and field names.
  std::string file;
  std::string data_field = "--data";
  std::string data_dir_field = "--data-dir";
  std::string validation_field = "--validation";
  std::string limit_train_field = "--limit-train";
  std::string limit_test_field = "--limit-test";
};

TrainData load_train_data(const DataSpec& spec);

}  // namespace patchnas::trainer
