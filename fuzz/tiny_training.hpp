// The small training run behind the checkpoint fuzz target and its seeds: the arch, options
// and synthetic data that fuzz_checkpoint resumes with, and that write_seeds trains to write
// real checkpoints (so mutations start from files the readers accept).
//   const TinyTraining run;
//   patchnas::trainer::Trainer trainer(run.arch, run.options, run.data);
#pragma once

#include "space/arch.hpp"
#include "trainer/train.hpp"

namespace patchnas::fuzz {

struct TinyTraining {
  TinyTraining();
  Arch arch;
  trainer::TrainOptions options;
  trainer::TrainData data;
};

}  // namespace patchnas::fuzz
