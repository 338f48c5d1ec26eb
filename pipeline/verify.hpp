// The pipeline's last check of the exported model (`patchnas run`, stage verify):
//  - on the host, the C runtime (RuntimeModel + pn_model_run) runs every test image and must
//    give exactly the trainer's reference int8 logits (int8_inference), byte for byte;
//  - when arm-none-eabi-gcc and qemu-system-arm are installed, the exported firmware runs under
//    QEMU: its logits match (the firmware checks them), the arena's measured high-water mark
//    equals the planned arena, the profiling build counts instructions per inference, and
//    `make size` measures flash and static SRAM.
//   const VerifyResult v = verify_export(checkpoint, "runs/x/export/model", data);
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "trainer/train.hpp"

namespace patchnas {

struct VerifyResult {
  int images = 0;
  int logit_mismatches = 0;          // images whose runtime logits differ from the reference
  double runtime_int8_accuracy = 0;  // test accuracy of the C runtime
  double reference_int8_accuracy = 0;
  bool qemu_ran = false;
  std::string qemu_note;             // why it did not run, or what it printed last
  std::int64_t arena_bytes = 0;
  std::int64_t arena_high_water_bytes = -1;
  std::int64_t stack_high_water_bytes = -1;
  std::int64_t instructions = -1;    // one inference under QEMU (-icount), Cortex-M4
  std::int64_t model_flash_bytes = -1;  // the firmware's flash without its test data
  std::int64_t static_sram_bytes = -1;  // the firmware's .data + .bss

  bool passed() const;
};

nlohmann::json verify_result_to_json(const VerifyResult& v);

// Throws std::runtime_error when the firmware fails to build or run.
VerifyResult verify_export(const std::string& checkpoint, const std::string& export_dir,
                           const trainer::TrainData& data);

}  // namespace patchnas
