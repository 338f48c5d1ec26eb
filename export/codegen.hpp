// The exporter's code generator: writes a self-contained C source tree for one int8 model:
//   model.h / model.c        the network as const data (int8 weights, int32 biases,
//                            multipliers, shifts, the estimator's plan as offsets, tile rows)
//                            and model_run(): one call, one static arena of exactly
//                            MODEL_ARENA_BYTES (or model_run_in() with the caller's arena)
//   test_images.h / .c       test images and the reference int8 logits they must give
//   estimate.mk              the estimator's flash and SRAM figures, for the firmware's
//                            `make size` report
//   runtime/                 the C99 runtime sources the model uses
//   CMakeLists.txt, host/    a host library + harness; firmware/ a bare-metal Cortex-M project
//                            (templates copied from export/templates)
// Everything is written to a temporary directory and renamed into place at the end.
//   ExportInputs in = export_inputs_from_checkpoint("runs/ref/checkpoint.bin", 8);
//   write_export(in, "out/model");
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "space/arch.hpp"
#include "trainer/quantize_model.hpp"

namespace patchnas {

struct ExportInputs {
  Arch arch;
  trainer::QuantizedModel quantized;
  std::vector<std::vector<std::int8_t>> test_images;      // each h x w x c, quantized input
  std::vector<std::vector<std::int8_t>> expected_logits;  // the reference int8 inference's
};

// The arch and int8 model of a finished training run, and `images` test images: the data
// set's first test images when the arch fits Fashion-MNIST (else seeded random images), with
// the reference int8 logits.
ExportInputs export_inputs_from_checkpoint(const std::string& checkpoint, int images);

// Fills expected_logits from test_images with the trainer's reference int8 inference.
void compute_expected_logits(ExportInputs& inputs);

// host: the model, runtime and host harness only; cortex-m4/m7: also the firmware project,
// whose Makefile then builds for that core by default.
enum class ExportTarget { Host, CortexM4, CortexM7 };

void write_export(const ExportInputs& inputs, const std::string& out_dir,
                  ExportTarget target = ExportTarget::CortexM4);

// Writes (replaces) only model.h, model.c, test_images.h/.c and estimate.mk in `dir`: another
// model in an existing export tree, whose runtime objects then need no rebuild.
void write_model_files(const ExportInputs& inputs, const std::string& dir);

// The generated C text (for tests and for write_export).
std::string model_header(const ExportInputs& inputs, std::size_t arena_bytes);
std::string model_source(const ExportInputs& inputs);
std::string test_images_header(const ExportInputs& inputs);
std::string test_images_source(const ExportInputs& inputs);
std::string estimate_makefile(const ExportInputs& inputs);

// The bundled profiles whose measured runtime code size estimate.mk uses per core.
inline constexpr const char* kCortexM4Profile = "stm32f412";
inline constexpr const char* kCortexM7Profile = "stm32f746";

}  // namespace patchnas
