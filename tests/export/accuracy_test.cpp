// The C runtime gives the trainer's int8 Fashion-MNIST test accuracy: a small model is trained
// on real data and quantized, and test images go through both the reference int8 inference
// and the runtime's executor (patch-based): every prediction must be identical, hence the
// accuracy. (The first 2,500 test images keep the test short: both sides are scalar loops.)
#include <gtest/gtest.h>

#include "export/runtime_model.hpp"
#include "space/arch_json.hpp"
#include "space/lower.hpp"
#include "trainer/batcher.hpp"
#include "trainer/fashion_mnist.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/train.hpp"

namespace patchnas {
namespace {

using namespace trainer;

TEST(ExportAccuracy, RuntimeEqualsTheReferenceOnFashionMnist) {
  Arch arch = read_arch_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/fmnist-ref.json");
  arch.patch = PatchSpec{2, 2};
  TrainData data;
  const Dataset full = load_fashion_mnist(Subset::train);
  std::vector<int> first(3000);
  for (int i = 0; i < 3000; ++i) first[i] = i;
  data.train = select_samples(full, first, "first 3000");
  const Dataset all_test = load_fashion_mnist(Subset::test);
  std::vector<int> head(2500);
  for (int i = 0; i < 2500; ++i) head[i] = i;
  data.test = select_samples(all_test, head, "first 2500");
  data.mean = {kFashionMnistMean};
  data.stddev = {kFashionMnistStd};
  TrainOptions options;
  options.epochs = 1;
  options.batch_size = 64;
  Trainer trainer(arch, options, data);
  trainer.train_until(1, "");

  const Network net = lower(arch);
  const QuantizedModel q =
      quantize_model(net, fold_batchnorm(net, trainer.model().params()), trainer.calibrate());
  const RuntimeModel rm(arch, q);
  std::vector<std::uint8_t> arena(rm.arena_bytes());

  BatcherOptions b;
  b.batch_size = 500;
  const Batcher batcher(data.test, b);
  const EpochOrder order = batcher.epoch_order(0);
  int agree = 0;
  int correct_runtime = 0;
  int correct_reference = 0;
  for (int s = 0; s < batcher.batch_count(); ++s) {
    const Batch batch = batcher.batch(order, s);
    const Int8Tensor images = quantize_images(batch.images, q.tensors[0]);
    const std::vector<int> reference = argmax_rows(int8_inference(net, q, images));
    const std::size_t bytes = images.data.size() / batch.labels.size();
    for (std::size_t i = 0; i < batch.labels.size(); ++i) {
      Int8Tensor logits(1, 1, 1, arch.classes);
      ASSERT_EQ(pn_model_run(&rm.model(), images.data.data() + i * bytes, arena.data(),
                             arena.size(), logits.data.data()),
                PN_OK);
      const int predicted = argmax_rows(logits)[0];
      agree += predicted == reference[i];
      correct_runtime += predicted == batch.labels[i];
      correct_reference += reference[i] == batch.labels[i];
    }
  }
  EXPECT_EQ(agree, data.test.size());
  EXPECT_EQ(correct_runtime, correct_reference);
  EXPECT_GT(correct_runtime, data.test.size() / 2);  // it learned something
}

}  // namespace
}  // namespace patchnas
