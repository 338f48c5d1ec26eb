// Instruction counts of exported models on a Cortex-M core under QEMU: exports a model,
// builds its firmware's profiling variant (`make PROFILE=1`) with arm-none-eabi-gcc and runs it
// on mps2-an386 (Cortex-M4) or mps2-an500 (Cortex-M7) with -icount (firmware/profile.c).
// One QemuProfiler keeps one export tree, so the runtime is compiled once for many models.
//   QemuProfiler profiler(ExportTarget::CortexM4, "/tmp/work");
//   const QemuProfile p = profiler.profile(inputs);
//   p.inference_instructions;  p.layers[i].instructions;
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "export/codegen.hpp"

namespace patchnas {

struct LayerProfile {
  std::int64_t calls = 0;         // kernel calls: 1, or the tile count in the patch stage
  std::int64_t instructions = 0;  // inside those calls (kernel and executor glue)
};

struct QemuProfile {
  std::int64_t inference_instructions = 0;  // one whole model_run_in call
  std::vector<LayerProfile> layers;          // one per lowered layer
};

// "cortex-m4" or "cortex-m7" for make's CPU=m4|m7; throws for the host target.
std::string firmware_cpu(ExportTarget core);

class QemuProfiler {
 public:
  // Throws std::runtime_error naming tools/setup.sh when arm-none-eabi-gcc, qemu-system-arm or
  // make is missing. `work_dir` is replaced by the first profile().
  QemuProfiler(ExportTarget core, std::string work_dir);

  // Throws std::runtime_error with the build or run output when either fails.
  QemuProfile profile(const ExportInputs& inputs);

 private:
  ExportTarget core_;
  std::string work_dir_;
  bool exported_ = false;
};

// The first firmware tool (arm-none-eabi-gcc, qemu-system-arm, make) not on the PATH, or "".
std::string missing_firmware_tool();

// The value N of the firmware's first "key N" output line, or -1 when there is none.
std::int64_t firmware_value(const std::string& output, const std::string& key);

// Parses the profiling firmware's output (exposed for tests); throws when lines are missing.
QemuProfile parse_qemu_profile(const std::string& output, std::size_t layers);

}  // namespace patchnas
