// The training path end to end on small synthetic data: whole-model gradients against finite
// differences, a small net fitting a tiny batch, the optimizer and schedule by hand, resume
// identical to an uninterrupted run, thread-count independence, and checkpoint errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <oneapi/tbb/global_control.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "space/input_error.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "support/input_error_of.hpp"
#include "trainer/checkpoint_file.hpp"
#include "trainer/checkpoint_model.hpp"
#include "trainer/init.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/quantize_model.hpp"
#include "trainer/model.hpp"
#include "trainer/ops/loss.hpp"
#include "trainer/train.hpp"

namespace patchnas::trainer {
namespace {

// 12x12x1 input; stem s2 -> 6x6x8; a residual block, a strided block; 4 classes.
Arch tiny_arch() {
  Arch a;
  a.name = "tiny";
  a.resolution = 12;
  a.input_channels = 1;
  a.stem = {8, 3, 2};
  a.blocks = {{3, 2.0, 8, 1}, {5, 3.0, 12, 2}};
  a.classes = 4;
  return a;
}

// Images whose class is where a bright 4x4 square sits (one quadrant each), plus noise.
Dataset quadrant_data(int count, std::uint64_t seed) {
  Dataset d;
  d.name = "quadrants";
  d.height = d.width = 12;
  d.channels = 1;
  d.classes = 4;
  Rng rng(seed);
  for (int i = 0; i < count; ++i) {
    const int label = rng.uniform(4);
    d.labels.push_back(static_cast<std::uint8_t>(label));
    const int oy = (label / 2) * 6 + 1;
    const int ox = (label % 2) * 6 + 1;
    for (int y = 0; y < 12; ++y) {
      for (int x = 0; x < 12; ++x) {
        const bool on = y >= oy && y < oy + 4 && x >= ox && x < ox + 4;
        d.pixels.push_back(static_cast<std::uint8_t>((on ? 180 : 20) + rng.uniform(60)));
      }
    }
  }
  return d;
}

// A path in the temporary directory unique to this process (test runs may overlap).
std::string temp_file(const std::string& name) {
  return (std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid())))
      .string();
}

Tensor random_images(int n, const Arch& a, std::uint64_t seed) {
  Tensor t(n, a.resolution, a.resolution, a.input_channels);
  Rng rng(seed);
  for (float& v : t.data) v = static_cast<float>(rng.unit() * 2.0 - 1.0);
  return t;
}

double loss_of(Model& model, const Tensor& images, const std::vector<int>& labels) {
  Tensor dlogits;
  return softmax_cross_entropy(model.forward(images, true), labels, 0.1f, dlogits).loss;
}

TEST(TrainModel, GradientsMatchFiniteDifferencesThroughTheWholeNet) {
  const Arch arch = tiny_arch();
  const Network net = lower(arch);
  Model model(net, init_params(net, 3));
  const Tensor images = random_images(6, arch, 11);
  const std::vector<int> labels = {0, 1, 2, 3, 1, 2};
  Tensor dlogits;
  softmax_cross_entropy(model.forward(images, true), labels, 0.1f, dlogits);
  model.backward(dlogits);
  // Copy the analytic gradients, then probe a few coordinates of every array.
  const auto slots = model.param_slots();
  std::vector<std::vector<float>> analytic;
  for (const auto& s : slots) analytic.emplace_back(s.grad, s.grad + s.count);
  int checked = 0;
  for (std::size_t s = 0; s < slots.size(); ++s) {
    for (std::size_t probe = 0; probe < 3; ++probe) {
      const std::size_t i = (probe * 7919 + s * 31) % slots[s].count;
      float& w = slots[s].value[i];
      const float saved = w;
      const float h = 1e-3f;
      w = saved + h;
      const double up = loss_of(model, images, labels);
      w = saved - h;
      const double down = loss_of(model, images, labels);
      w = saved;
      const double numeric = (up - down) / (2.0 * h);
      const double got = analytic[s][i];
      EXPECT_NEAR(got, numeric, 2e-3 + 0.05 * std::abs(numeric)) << "slot " << s << " index " << i;
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
}

TEST(TrainModel, FitsATinyBatch) {
  const Arch arch = tiny_arch();
  const Network net = lower(arch);
  Model model(net, init_params(net, 5));
  const Tensor images = random_images(8, arch, 21);
  const std::vector<int> labels = {0, 1, 2, 3, 3, 2, 1, 0};
  Sgd sgd({0.9, 0.0, false});
  Tensor dlogits;
  double first = 0.0;
  double last = 0.0;
  for (int step = 0; step < 300; ++step) {
    const LossResult r = softmax_cross_entropy(model.forward(images, true), labels, 0.0f, dlogits);
    if (step == 0) first = r.loss;
    last = r.loss;
    model.backward(dlogits);
    sgd.step(model.param_slots(), 0.05);
  }
  EXPECT_GT(first, 1.0);
  EXPECT_LT(last, 0.02);
}

TEST(TrainSgd, MomentumNesterovAndDecayByHand) {
  std::vector<float> w = {1.0f, 2.0f};
  std::vector<float> g = {0.5f, -1.0f};
  Sgd plain({0.9, 0.1, false});
  // decay on: g' = g + 0.1 w = {0.6, -0.8}; buf = g'; w -= 0.1 * buf
  plain.step({{w.data(), g.data(), 2, true}}, 0.1);
  EXPECT_FLOAT_EQ(w[0], 1.0f - 0.06f);
  EXPECT_FLOAT_EQ(w[1], 2.0f + 0.08f);
  // second step, decay off for this slot: buf = 0.9 * 0.6 + 0.5 = 1.04
  plain.step({{w.data(), g.data(), 2, false}}, 0.1);
  EXPECT_FLOAT_EQ(w[0], 0.94f - 0.104f);
  std::vector<float> v = {1.0f};
  std::vector<float> gv = {1.0f};
  Sgd nesterov({0.5, 0.0, true});
  // buf = 1; step = g + 0.5 * buf = 1.5
  nesterov.step({{v.data(), gv.data(), 1, false}}, 1.0);
  EXPECT_FLOAT_EQ(v[0], -0.5f);
}

TEST(TrainSchedule, WarmupThenCosine) {
  const LrSchedule s{0.1, 4, 14};
  EXPECT_DOUBLE_EQ(s.at(0), 0.025);
  EXPECT_DOUBLE_EQ(s.at(3), 0.1);
  EXPECT_DOUBLE_EQ(s.at(4), 0.1);   // cosine starts at the peak
  EXPECT_NEAR(s.at(9), 0.05, 1e-12);  // half way
  EXPECT_NEAR(s.at(14), 0.0, 1e-12);
}

struct SmallRun {
  TrainData data;
  TrainOptions options;
  SmallRun() {
    data.train = quadrant_data(300, 1);
    data.validation = quadrant_data(64, 2);
    data.test = quadrant_data(200, 3);
    data.mean = {0.4f};
    data.stddev = {0.3f};
    options.epochs = 3;
    options.batch_size = 32;
    options.lr = 0.1;
    options.crop_padding = 1;
    options.horizontal_flip = true;
    options.calibration_batches = 4;
  }
};

std::vector<float> all_values(const Model& model) {
  std::vector<float> out;
  for (const auto& p : model.params().layers) {
    for (const auto* v : {&p.weight, &p.bias, &p.bn.gamma, &p.bn.beta, &p.bn.running_mean,
                          &p.bn.running_var}) {
      out.insert(out.end(), v->begin(), v->end());
    }
  }
  return out;
}

bool bit_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST(TrainRun, LearnsAndQuantizes) {
  SmallRun run;
  run.options.horizontal_flip = false;  // a flip moves the square to the other class
  run.options.epochs = 8;
  Trainer trainer(tiny_arch(), run.options, run.data);
  const std::string path = temp_file("patchnas_learns");
  const TrainResult r = trainer.run(path);
  ASSERT_EQ(r.history.size(), 8u);
  // The last checkpoint carries the ranges of the int8 model that was tested.
  const CheckpointFile f = read_checkpoint_file(path);
  const auto& flat = f.array("int8.ranges", path, 2 * (lower(tiny_arch()).layers.size() + 1));
  const std::vector<float> expected = [&] {
    std::vector<float> v;
    for (const TensorRange& range : trainer.calibrate()) {
      v.push_back(range.min);
      v.push_back(range.max);
    }
    return v;
  }();
  EXPECT_EQ(flat, expected);
  std::filesystem::remove(path);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  EXPECT_GT(r.float_test_accuracy, 0.9);
  EXPECT_GT(r.int8_test_accuracy, 0.85);
  EXPECT_NEAR(r.int8_test_accuracy, r.float_test_accuracy, 0.05);
}

TEST(TrainRun, ResumeEndsIdenticalToAnUninterruptedRun) {
  SmallRun run;
  const std::string path = temp_file("patchnas_resume");
  Trainer straight(tiny_arch(), run.options, run.data);
  straight.train_until(3, "");

  Trainer first(tiny_arch(), run.options, run.data);
  first.train_until(1, path);
  Trainer second(tiny_arch(), run.options, run.data);  // a new process, in effect
  second.resume_from(path);
  EXPECT_EQ(second.epochs_done(), 1);
  second.train_until(3, path);
  EXPECT_TRUE(bit_equal(all_values(straight.model()), all_values(second.model())));
  // And an interruption at a different epoch.
  Trainer third(tiny_arch(), run.options, run.data);
  third.resume_from(path);  // the checkpoint now says 3 epochs done
  EXPECT_EQ(third.epochs_done(), 3);
  EXPECT_TRUE(bit_equal(all_values(straight.model()), all_values(third.model())));
  std::filesystem::remove(path);
}

TEST(TrainRun, SameResultWithOneOrTwoThreads) {
  SmallRun run;
  run.options.epochs = 1;
  std::vector<float> one;
  {
    oneapi::tbb::global_control limit(oneapi::tbb::global_control::max_allowed_parallelism, 1);
    Trainer t(tiny_arch(), run.options, run.data);
    t.train_until(1, "");
    one = all_values(t.model());
  }
  Trainer t(tiny_arch(), run.options, run.data);
  t.train_until(1, "");
  EXPECT_TRUE(bit_equal(one, all_values(t.model())));
}

TEST(TrainRun, QuantizationAwareEpochsTrainAndResumeIdentically) {
  SmallRun run;
  run.options.horizontal_flip = false;
  run.options.epochs = 3;
  run.options.qat_epochs = 2;
  run.options.qat_lr = 0.01;
  const std::string path = temp_file("patchnas_qat_resume");
  Trainer straight(tiny_arch(), run.options, run.data);
  const TrainResult r = straight.run("");
  ASSERT_EQ(r.history.size(), 5u);
  EXPECT_FALSE(r.history[2].quantization_aware);
  EXPECT_TRUE(r.history[3].quantization_aware);
  EXPECT_TRUE(straight.model().quantized());
  EXPECT_GT(r.int8_test_accuracy, 0.85);

  Trainer first(tiny_arch(), run.options, run.data);
  first.train_until(4, path);  // stops inside the quantization-aware phase
  Trainer second(tiny_arch(), run.options, run.data);
  second.resume_from(path);
  EXPECT_TRUE(second.model().quantized());
  const TrainResult resumed = second.run(path);
  EXPECT_TRUE(bit_equal(all_values(straight.model()), all_values(second.model())));
  EXPECT_EQ(resumed.int8_test_accuracy, r.int8_test_accuracy);
  EXPECT_EQ(resumed.float_test_accuracy, r.float_test_accuracy);
  EXPECT_EQ(resumed.ptq_int8_test_accuracy, r.ptq_int8_test_accuracy);
  std::filesystem::remove(path);
}

TEST(TrainRun, WarmStartTakesTheWeightsAndStartsAFreshRun) {
  SmallRun run;
  run.options.epochs = 2;
  const std::string path = temp_file("patchnas_warm");
  Trainer donor(tiny_arch(), run.options, run.data);
  donor.train_until(2, path);

  TrainOptions other = run.options;  // other options are fine: only the weights are taken
  other.epochs = 1;
  other.lr = 0.2;
  Trainer fresh(tiny_arch(), other, run.data);
  ASSERT_FALSE(bit_equal(all_values(donor.model()), all_values(fresh.model())));
  Trainer warm(tiny_arch(), other, run.data);
  warm.start_from_weights(path);
  EXPECT_TRUE(bit_equal(all_values(donor.model()), all_values(warm.model())));
  EXPECT_EQ(warm.epochs_done(), 0);
  EXPECT_TRUE(warm.history().empty());
  warm.train_until(1, "");
  fresh.train_until(1, "");
  EXPECT_EQ(warm.epochs_done(), 1);
  // Started from trained weights, one more epoch beats one epoch from scratch.
  EXPECT_LT(warm.history().back().train_loss, fresh.history().back().train_loss);
  EXPECT_THROW(warm.start_from_weights(path), std::logic_error);  // too late: it has trained

  Arch wider = tiny_arch();
  wider.stem.out = 16;
  Trainer mismatched(wider, other, run.data);
  try {
    mismatched.start_from_weights(path);
    ADD_FAILURE() << "accepted the weights of another arch";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.field(), "meta.arch");
  }
  std::filesystem::remove(path);
}

TEST(TrainQuantizationAware, ForwardSimulatesInt8Inference) {
  SmallRun run;
  run.options.horizontal_flip = false;
  run.options.epochs = 4;
  Trainer trainer(tiny_arch(), run.options, run.data);
  trainer.train_until(4, "");
  const TensorRanges ranges = trainer.calibrate();
  const Network net = lower(tiny_arch());
  Model model(net, trainer.model().params());
  model.enable_quantization(ranges);
  const Tensor images = random_images(64, tiny_arch(), 9);
  const Tensor simulated = model.forward(images, true);
  const QuantizedModel q = quantize_model(net, fold_batchnorm(net, model.params()), ranges);
  const Tensor int8 =
      dequantize(int8_inference(net, q, quantize_images(images, q.tensors[0])), q.tensors.back());
  const float step = q.tensors.back().scale;
  double worst = 0.0;
  for (std::size_t i = 0; i < int8.size(); ++i) {
    worst = std::max(worst, static_cast<double>(std::abs(int8.data[i] - simulated.data[i])));
  }
  // Rounding of float accumulations may move a value by a step or two, no more.
  EXPECT_LE(worst, 3.0 * step);
  const auto a = argmax_rows(simulated);
  const auto b = argmax_rows(int8);
  int agree = 0;
  for (std::size_t i = 0; i < a.size(); ++i) agree += a[i] == b[i];
  EXPECT_GE(agree, 60);
}

TEST(TrainCheckpoint, RejectsOtherOptionsTruncationAndGarbage) {
  SmallRun run;
  run.options.epochs = 1;
  const std::string path = temp_file("patchnas_ckpt");
  Trainer t(tiny_arch(), run.options, run.data);
  t.train_until(1, path);

  TrainOptions other = run.options;
  other.lr = 0.2;
  Trainer different(tiny_arch(), other, run.data);
  try {
    different.resume_from(path);
    ADD_FAILURE() << "accepted other options";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.field(), "meta.options");
  }

  const auto size = std::filesystem::file_size(path);
  const std::string cut = temp_file("patchnas_ckpt_cut");
  std::filesystem::copy_file(path, cut, std::filesystem::copy_options::overwrite_existing);
  std::filesystem::resize_file(cut, size - 100);
  EXPECT_THROW(read_checkpoint_file(cut), InputError);
  try {
    read_checkpoint_file(cut);
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), cut);
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
  std::ofstream(cut) << "not a checkpoint at all";
  EXPECT_THROW(read_checkpoint_file(cut), InputError);
  std::filesystem::remove(cut);
  std::filesystem::remove(path);
}

// Found by fuzz/fuzz_checkpoint: an empty array was copied from a null pointer (undefined
// behaviour that the sanitizer build reports).
TEST(TrainCheckpoint, EmptyArraysRoundTrip) {
  const std::string path = temp_file("patchnas_ckpt_empty");
  CheckpointFile f;
  f.arrays["empty"] = {};
  f.arrays["one"] = {1.5f};
  write_checkpoint_file(path, f);
  const CheckpointFile g = read_checkpoint_file(path);
  EXPECT_TRUE(g.array("empty", path, 0).empty());
  EXPECT_EQ(g.array("one", path, 1)[0], 1.5f);
  std::filesystem::remove(path);
}

// The checkpoint of one epoch of the tiny arch, with int8 ranges as a finished run has them,
// edited by `edit` and written to a new file; returns its path.
template <typename Edit>
std::string edited_checkpoint(const SmallRun& run, const std::string& name, Edit edit) {
  const std::string path = temp_file(name);
  Trainer t(tiny_arch(), run.options, run.data);
  t.train_until(1, path);
  CheckpointFile f = read_checkpoint_file(path);
  const std::size_t tensors = lower(tiny_arch()).layers.size() + 1;
  f.arrays["int8.ranges"] = flatten_ranges(TensorRanges(tensors, TensorRange{-1.0f, 1.0f}));
  edit(f);
  write_checkpoint_file(path, f);
  return path;
}

// Found by fuzz/fuzz_checkpoint: each of these edits made export or resume throw something
// other than an InputError (or quantize NaN, which is undefined behaviour).
TEST(TrainCheckpoint, CorruptValuesAreInputErrorsNamingTheArray) {
  SmallRun run;
  run.options.epochs = 1;
  const auto error_of = [&](const char* name, auto edit) {
    const std::string path = edited_checkpoint(run, name, edit);
    const auto e = testing::input_error_of([&] { read_trained_model(path); });
    std::filesystem::remove(path);
    if (!e) ADD_FAILURE() << name << ": accepted";
    return e ? e->field() : std::string("(none)");
  };
  const std::string valid = edited_checkpoint(run, "patchnas_ckpt_valid", [](CheckpointFile&) {});
  EXPECT_NO_THROW(read_trained_model(valid));
  std::filesystem::remove(valid);
  EXPECT_EQ(error_of("patchnas_ckpt_nan", [](CheckpointFile& f) {
              f.arrays["layers.0.weight"][2] = std::nanf("");
            }),
            "layers.0.weight[2]");
  EXPECT_EQ(error_of("patchnas_ckpt_range", [](CheckpointFile& f) {
              f.arrays["int8.ranges"][2] = 3.0f;  // tensor 1: min 3 > max 1
            }),
            "int8.ranges[1]");
  EXPECT_EQ(error_of("patchnas_ckpt_variance", [](CheckpointFile& f) {
              f.arrays["layers.0.bn.running_var"][1] = -0.5f;
            }),
            "layers.0.bn.running_var[1]");
  EXPECT_EQ(error_of("patchnas_ckpt_fold", [](CheckpointFile& f) {
              f.arrays["layers.0.weight"][0] = 3e38f;
              f.arrays["layers.0.bn.gamma"][0] = 3e38f;
            }),
            "layers.0");
}

TEST(TrainCheckpoint, ResumeWithoutOptionsIsAnInputError) {
  SmallRun run;
  run.options.epochs = 1;
  const std::string path = edited_checkpoint(run, "patchnas_ckpt_no_options",
                                             [](CheckpointFile& f) { f.meta.erase("options"); });
  Trainer t(tiny_arch(), run.options, run.data);
  const auto e = testing::input_error_of([&] { t.resume_from(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), path);
  EXPECT_EQ(e->field(), "meta.options");
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace patchnas::trainer
