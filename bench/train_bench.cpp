// Training throughput of the reference net (configs/archs/fmnist-ref.json) on real
// Fashion-MNIST batches: one full step (batch preparation, forward, loss, backward, SGD) per
// iteration, batch 128, on 1 and 2 threads. Report the median of repetitions:
//   build/bench_train --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include <oneapi/tbb/global_control.h>

#include "space/arch_json.hpp"
#include "space/lower.hpp"
#include "trainer/batcher.hpp"
#include "trainer/fashion_mnist.hpp"
#include "trainer/init.hpp"
#include "trainer/model.hpp"
#include "trainer/ops/loss.hpp"

namespace {

using namespace patchnas;
using namespace patchnas::trainer;

void BM_TrainStepReferenceNet(benchmark::State& state) {
  const oneapi::tbb::global_control threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                            static_cast<std::size_t>(state.range(0)));
  static const Dataset data = load_fashion_mnist(Subset::train);
  const Arch arch = read_arch_file(std::string(PATCHNAS_CONFIG_DIR) + "/archs/fmnist-ref.json");
  const Network net = lower(arch);
  Model model(net, init_params(net, 1));
  BatcherOptions options;
  options.resolution = arch.resolution;
  options.batch_size = 128;
  options.shuffle = true;
  options.drop_last = true;
  const Batcher batcher(data, options);
  const EpochOrder order = batcher.epoch_order(0);
  Sgd sgd({0.9, 0.0, false});
  Batch batch;
  Tensor dlogits;
  int step = 0;
  // Warm up: the first steps allocate activations and gradients.
  for (int i = 0; i < 3; ++i) {
    batcher.fill_batch(order, step++ % batcher.batch_count(), batch);
    softmax_cross_entropy(model.forward(batch.images, true), batch.labels, 0.0f, dlogits);
    model.backward(dlogits);
    sgd.step(model.param_slots(), 0.01);
  }
  for (auto _ : state) {
    batcher.fill_batch(order, step++ % batcher.batch_count(), batch);
    const LossResult r =
        softmax_cross_entropy(model.forward(batch.images, true), batch.labels, 0.0f, dlogits);
    model.backward(dlogits);
    sgd.step(model.param_slots(), 0.01);
    benchmark::DoNotOptimize(r.loss);
  }
  state.SetItemsProcessed(state.iterations() * options.batch_size);
}
BENCHMARK(BM_TrainStepReferenceNet)->Arg(1)->Arg(2)->ArgName("threads")->UseRealTime()
    ->Unit(benchmark::kMillisecond)->MinTime(3.0);

}  // namespace

BENCHMARK_MAIN();
