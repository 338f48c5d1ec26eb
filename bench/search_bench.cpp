// Search speed: the OFA default budget (population 100 x 500 generations = 50,000 candidates,
// full estimation of each distinct one) on the MCUNetV2 space, engine only (no files), on 1
// and 2 threads. Report the median:
//   build/bench_search --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <string>

#include <oneapi/tbb/global_control.h>

#include "search/search_engine.hpp"

namespace {

using namespace patchnas;

void BM_SearchOfaBudget(benchmark::State& state) {
  const oneapi::tbb::global_control threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                            static_cast<std::size_t>(state.range(0)));
  const ExperimentConfig config = read_experiment_file(
      std::string(PATCHNAS_CONFIG_DIR) + "/experiments/mcunetv2-f746.json");
  std::int64_t unique = 0;
  for (auto _ : state) {
    SearchEngine engine(config);
    while (!engine.done()) engine.step();
    unique = engine.log().back().unique_scored;
    benchmark::DoNotOptimize(engine.best());
  }
  state.counters["candidates"] = 100.0 * 500.0;
  state.counters["unique_scored"] = static_cast<double>(unique);
}
BENCHMARK(BM_SearchOfaBudget)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
