// patchnas calibrate --qemu end to end, and what it promises: fitted on the calibration grid's
// per-layer instruction counts, the latency model predicts the whole-inference instruction
// count of 20 other networks within 5% each, on Cortex-M4 and Cortex-M7. The 20 are what the
// estimator is asked about: random archs of the bundled search spaces (10 Fashion-MNIST, 10
// MCUNetV2 kept when MCU-sized), per-layer and patch-based as their genomes say, exported
// with synthetic int8 weights and run under QEMU.
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
#include "space/genome.hpp"
#include "space/space_json.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

constexpr int kNetworks = 20;
constexpr double kTolerance = 0.05;

// kNetworks / 2 random archs of each bundled space, MCU-sized (quick under QEMU too).
std::vector<Arch> validation_archs() {
  McuProfile unit;
  unit.clock_hz = 1.0;
  Rng rng(424242);
  std::vector<Arch> archs;
  for (const char* space_name : {"fashion-mnist", "mcunetv2"}) {
    std::string path = PATCHNAS_SOURCE_DIR;
    path.append("/configs/spaces/").append(space_name).append(".json");
    const SearchSpace space = read_space_file(path);
    for (int kept = 0; kept < kNetworks / 2;) {
      Arch a = decode_genome(space, sample_genome(space, rng));
      const Estimate e = estimate(a, unit);
      if (e.executed_macs > 40'000'000 || e.arena_bytes > 512 * 1024) continue;
      archs.push_back(std::move(a));
      ++kept;
    }
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
    std::string schedule = "per-layer";
    if (arch.patch) {
      schedule = "n";
      schedule.append(std::to_string(arch.patch->n)).append(" split");
      schedule.append(std::to_string(arch.patch->split));
    }
    std::printf("  %2d r%-3d %2zu blocks %-10s %9lld MACs: measured %11lld, predicted %11.0f "
                "instructions (%+.2f%%)\n",
                index, arch.resolution, arch.blocks.size(), schedule.c_str(),
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
