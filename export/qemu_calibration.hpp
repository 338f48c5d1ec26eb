// `patchnas calibrate --qemu`: per-layer instruction counts measured under QEMU, as the
// calibration's measurement rows (estimators/calibrate.hpp), with instructions as "cycles".
// The grid is a fixed set of per-layer (unpatched) networks whose layers span the shapes the
// search spaces produce: resolutions 16-128, 1 or 3 input channels, 3x3 stems with stride 1/2
// (as in the bundled spaces), blocks with kernel 3/5/7, expand 1-6 (with and without residual,
// and expand-1 residual blocks, whose depthwise runs out of place), stride 1/2,
// 8-160 channels, optional heads, 2-100 classes; drawn from a fixed seed and kept when the
// network is MCU-sized (1-40M MACs, an arena of at most 512 KiB). Each network gets a synthetic int8 model
// (export/synthetic_model.hpp) and runs through the exported firmware's profiler, so every row
// is what the executor really runs: in-place depthwise, fused residuals, executor glue.
//   const MeasurementSet rows = measure_on_qemu(qemu_calibration_grid(), ExportTarget::CortexM4,
//                                               "/tmp/cal", [](int done, int total) {});
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "estimators/calibrate.hpp"
#include "export/codegen.hpp"
#include "space/arch.hpp"

namespace patchnas {

// The calibration networks (deterministic).
std::vector<Arch> qemu_calibration_grid();

// One row per layer of every network: its shapes and the instructions of its kernel call.
// progress(done, total) is called after each network. Throws like QemuProfiler.
MeasurementSet measure_on_qemu(const std::vector<Arch>& grid, ExportTarget core,
                               const std::string& work_dir,
                               const std::function<void(int, int)>& progress);

}  // namespace patchnas
