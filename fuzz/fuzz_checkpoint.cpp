// Fuzz target: a training checkpoint read both ways users read one: `patchnas export
// --checkpoint` (export_inputs_from_checkpoint: the arch, parameters and int8 ranges, then
// quantization and the expected logits of one image) and `patchnas train --resume`
// (Trainer::resume_from, for the run of tiny_training.hpp that wrote the seeds).
#include "export/codegen.hpp"
#include "fuzz/fuzz_support.hpp"
#include "fuzz/tiny_training.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  static const fuzz::TinyTraining run;
  const std::string path = fuzz::write_input("checkpoint.bin", {data, size});
  fuzz::expect_input_errors([&] { export_inputs_from_checkpoint(path, 1); });
  return fuzz::expect_input_errors([&] {
    trainer::Trainer trainer(run.arch, run.options, run.data);
    trainer.resume_from(path);
  });
}
