#include "export/qemu_calibration.hpp"

#include <algorithm>

#include "estimators/estimate.hpp"
#include "estimators/memory_schedule.hpp"
#include "export/qemu_profile.hpp"
#include "export/synthetic_model.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas {
namespace {

constexpr int kGridNetworks = 16;
constexpr std::uint64_t kGridSeed = 20211206;
constexpr std::int64_t kMinMacs = 1'000'000;
constexpr std::int64_t kMaxMacs = 40'000'000;
constexpr std::int64_t kMaxArenaBytes = 512 * 1024;

int pick(Rng& rng, int lo, int hi) { return lo + rng.uniform(hi - lo + 1); }

Arch grid_arch(Rng& rng, int index) {
  Arch a;
  a.name = "qemu-calibration-" + std::to_string(index);
  a.resolution = pick(rng, 16, 128);
  a.input_channels = rng.uniform(2) == 0 ? 1 : 3;
  a.stem = {8 * pick(rng, 1, 4), 3, pick(rng, 1, 2)};
  int size = conv_output_size(a.resolution, a.stem.kernel, a.stem.stride);
  int channels = a.stem.out;
  const int blocks = pick(rng, 3, 8);
  for (int b = 0; b < blocks; ++b) {
    const int stride = size >= 4 && rng.uniform(3) == 0 ? 2 : 1;
    int out = rng.uniform(3) == 0 ? channels : 8 * pick(rng, 1, 20);
    double expand = static_cast<double>(pick(rng, 2, 6));
    if (rng.uniform(4) == 0) {  // expand 1: the depthwise reads the block input
      expand = 1.0;
      if (stride == 1 && rng.uniform(2) == 0) out = channels;  // kept for the residual: out of place
    }
    a.blocks.push_back({2 * pick(rng, 1, 3) + 1, expand, out, stride});
    size = conv_output_size(size, a.blocks.back().kernel, stride);
    channels = out;
  }
  if (rng.uniform(2) == 0) a.head_out = 8 * pick(rng, 4, 20);
  a.classes = pick(rng, 2, 100);
  return a;
}

// Whether a drawn network is the size of an MCU model: what users search and deploy, and
// quick to run under QEMU.
bool mcu_sized(const Arch& a) {
  McuProfile unit;
  unit.clock_hz = 1.0;
  const Estimate e = estimate(a, unit);
  return e.macs >= kMinMacs && e.macs <= kMaxMacs && e.arena_bytes <= kMaxArenaBytes;
}

}  // namespace

std::vector<Arch> qemu_calibration_grid() {
  Rng rng(kGridSeed);
  std::vector<Arch> grid;
  while (static_cast<int>(grid.size()) < kGridNetworks) {
    Arch a = grid_arch(rng, static_cast<int>(grid.size()));
    validate_arch(a, a.name);
    if (mcu_sized(a)) grid.push_back(std::move(a));
  }
  return grid;
}

MeasurementSet measure_on_qemu(const std::vector<Arch>& grid, ExportTarget core,
                               const std::string& work_dir,
                               const std::function<void(int, int)>& progress) {
  MeasurementSet set;
  set.file = core == ExportTarget::CortexM7 ? "QEMU cortex-m7" : "QEMU cortex-m4";
  QemuProfiler profiler(core, work_dir);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    ExportInputs inputs;
    inputs.arch = grid[i];
    inputs.quantized = synthetic_quantized_model(grid[i], kGridSeed + i);
    Rng rng(kGridSeed + i);
    const trainer::Int8Tensor image =
        trainer::quantize_images(synthetic_images(1, grid[i], rng), inputs.quantized.tensors[0]);
    inputs.test_images.push_back(image.data);
    compute_expected_logits(inputs);
    const QemuProfile measured = profiler.profile(inputs);
    const Network net = lower(grid[i]);
    MemorySchedule schedule;  // which depthwise layers the runtime runs in place
    build_memory_schedule(net, nullptr, /*input_in_arena=*/false, schedule);
    for (std::size_t l = 0; l < net.layers.size(); ++l) {
      Measurement m;
      m.line = static_cast<int>(set.rows.size()) + 1;
      m.layer = net.layers[l];
      m.kind = cost_kind_of(m.layer, schedule.step_scratch[l] >= 0);
      m.cycles = static_cast<double>(measured.layers[l].instructions);
      set.rows.push_back(m);
    }
    progress(static_cast<int>(i) + 1, static_cast<int>(grid.size()));
  }
  return set;
}

}  // namespace patchnas
