// patchnas calibrate --qemu end to end, and what it promises: fitted on the calibration grid's
// per-layer instruction counts, the latency model predicts the whole-inference instruction
// count of 20 other random networks (per-layer and patch-based, exported with synthetic int8
// weights, run under QEMU) within 5% each, on Cortex-M4 and Cortex-M7.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include "estimators/calibrate.hpp"
#include "estimators/estimate.hpp"
#include "export/qemu_calibration.hpp"
#include "export/qemu_profile.hpp"
#include "export/synthetic_model.hpp"
#include "support/random_arch.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

constexpr int kNetworks = 20;
constexpr double kTolerance = 0.05;

// MCU-sized random networks: what users deploy, and quick under QEMU.
std::vector<Arch> validation_archs() {
  testing::RandomArchLimits limits;
  limits.resolution = 96;
  std::mt19937 rng(424242);
  McuProfile unit;
  unit.clock_hz = 1.0;
  std::vector<Arch> archs;
  while (static_cast<int>(archs.size()) < kNetworks) {
    Arch a = testing::random_arch(rng, /*with_patch=*/archs.size() % 2 == 1, limits);
    const Estimate e = estimate(a, unit);
    if (e.macs < 500'000 || e.executed_macs > 40'000'000 || e.arena_bytes > 512 * 1024) continue;
    a.name = "validation-" + std::to_string(archs.size());
    archs.push_back(std::move(a));
  }
  return archs;
}

ExportInputs synthetic_inputs(const Arch& arch, std::uint64_t seed) {
  ExportInputs in;
  in.arch = arch;
  in.quantized = synthetic_quantized_model(arch, seed);
  Rng rng(seed);
  in.test_images.push_back(
      trainer::quantize_images(synthetic_images(1, arch, rng), in.quantized.tensors[0]).data);
  compute_expected_logits(in);
  return in;
}

class QemuLatency : public ::testing::TestWithParam<const char*> {};

TEST_P(QemuLatency, CalibratedModelPredictsInstructionsWithinFivePercent) {
  const std::string mcu_name = GetParam();
  const McuProfile base = find_mcu_profile(mcu_name);
  const ExportTarget core =
      base.core == "cortex-m7" ? ExportTarget::CortexM7 : ExportTarget::CortexM4;
  std::string name = "patchnas_qemu_latency_";
  name.append(mcu_name).append("_").append(std::to_string(::getpid()));
  const fs::path work = fs::temp_directory_path() / name;
  const Calibration fit =
      calibrate(base, measure_on_qemu(qemu_calibration_grid(), core, (work / "grid").string(),
                                      [](int, int) {}));
  const McuProfile calibrated = fit.profile;
  std::printf("%s: calibrated on %d layers, rms error %.2f%%\n", mcu_name.c_str(),
              fit.overall.rows, 100.0 * fit.overall.rms_relative_error);

  QemuProfiler profiler(core, (work / "validation").string());
  double worst = 0.0;
  int index = 0;
  for (const Arch& arch : validation_archs()) {
    const QemuProfile measured = profiler.profile(synthetic_inputs(arch, 100 + index));
    const Estimate e = estimate(arch, calibrated);
    const double error = (e.latency_cycles - static_cast<double>(measured.inference_instructions)) /
                         static_cast<double>(measured.inference_instructions);
    std::printf("  %-14s r%-3d %2zu blocks %-10s %9lld MACs: measured %11lld, predicted %11.0f "
                "instructions (%+.2f%%)\n",
                arch.name.c_str(), arch.resolution, arch.blocks.size(),
                arch.patch ? ("n" + std::to_string(arch.patch->n) + " split" +
                              std::to_string(arch.patch->split))
                                 .c_str()
                           : "per-layer",
                static_cast<long long>(e.executed_macs),
                static_cast<long long>(measured.inference_instructions), e.latency_cycles,
                100.0 * error);
    EXPECT_LE(std::abs(error), kTolerance) << arch.name;
    worst = std::max(worst, std::abs(error));
    ++index;
  }
  std::printf("%s: worst error %.2f%% over %d networks\n", mcu_name.c_str(), 100.0 * worst,
              kNetworks);
  if (!HasFailure()) fs::remove_all(work);
}

INSTANTIATE_TEST_SUITE_P(Cores, QemuLatency, ::testing::Values("stm32f412", "stm32f746"));

}  // namespace
}  // namespace patchnas
