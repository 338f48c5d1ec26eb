// Throughput of the full analytical estimate (lowering, MACs, params, flash, per-layer and
// patch memory, the arena plan, overlap MACs, latency) over random archs of the MCUNetV2 space.
// Archs are sampled once up front; each thread runs its own Estimator, as search threads do.
//   build/bench_estimate --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "estimators/estimate.hpp"
#include "space/genome.hpp"
#include "space/random.hpp"
#include "space/space_json.hpp"

namespace {

using namespace patchnas;

const std::vector<Arch>& arch_pool() {
  static const std::vector<Arch> pool = [] {
    const SearchSpace space =
        read_space_file(std::string(PATCHNAS_CONFIG_DIR) + "/spaces/mcunetv2.json");
    Rng rng(1);
    std::vector<Arch> archs;
    for (int i = 0; i < 4096; ++i) archs.push_back(sample_arch(space, rng));
    return archs;
  }();
  return pool;
}

void BM_EstimateRandomArchs(benchmark::State& state) {
  const std::vector<Arch>& pool = arch_pool();
  const McuProfile mcu = find_mcu_profile("stm32h743");
  Estimator estimator;
  std::size_t next = static_cast<std::size_t>(state.thread_index()) * 997;
  std::int64_t patched = 0;
  for (auto _ : state) {
    const Estimate& e = estimator.run(pool[next % pool.size()], mcu);
    benchmark::DoNotOptimize(e.peak_sram_bytes);
    patched += e.patch.has_value() ? 1 : 0;
    ++next;
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["patched_fraction"] = benchmark::Counter(
      static_cast<double>(patched) / static_cast<double>(state.iterations()),
      benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_EstimateRandomArchs)->Threads(1)->Threads(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
