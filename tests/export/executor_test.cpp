// The C runtime's executor against the trainer's reference int8 inference, per-layer and
// patch-based, on random archs with odd sizes, every n and split: identical logits, every
// buffer at the estimator's planned offsets inside an arena of exactly arena_bytes (guard
// bytes around it stay intact, and the highest byte touched is the arena's last).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "export/runtime_model.hpp"
#include "support/random_arch.hpp"
#include "support/random_model.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/init.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas {
namespace {

using namespace trainer;

// Random archs small enough for the reference int8 loops.
Arch random_small_arch(std::mt19937& rng) {
  testing::RandomArchLimits small;
  small.resolution = 41;
  small.blocks = 5;
  small.stem_multiple = 2;
  small.out_multiple = 3;
  small.expand = 4;
  small.head_multiple = 6;
  small.classes = 12;
  small.patch_n = 4;
  return testing::random_arch(rng, true, small);
}

using testing::random_images;
using testing::random_quantized;

constexpr std::size_t kGuard = 64;
constexpr std::uint8_t kGuardByte = 0x5A;

struct ArenaRun {
  std::vector<std::int8_t> logits;
  std::size_t highest_touched = 0;  // one past the highest arena byte written
  bool guards_intact = true;
};

ArenaRun run_in_arena(const RuntimeModel& rm, const std::int8_t* image) {
  ArenaRun result;
  for (const std::uint8_t paint : {std::uint8_t{0x00}, std::uint8_t{0xFF}}) {
    std::vector<std::uint8_t> memory(rm.arena_bytes() + 2 * kGuard, paint);
    std::fill(memory.begin(), memory.begin() + kGuard, kGuardByte);
    std::fill(memory.end() - kGuard, memory.end(), kGuardByte);
    const int classes = rm.layers().back().geometry.out_c;
    std::vector<std::int8_t> logits(classes);
    const pn_status s =
        pn_model_run(&rm.model(), image, memory.data() + kGuard, rm.arena_bytes(), logits.data());
    EXPECT_EQ(s, PN_OK);
    for (std::size_t i = 0; i < kGuard; ++i) {
      result.guards_intact &= memory[i] == kGuardByte && memory[memory.size() - 1 - i] == kGuardByte;
    }
    for (std::size_t i = rm.arena_bytes(); i > 0; --i) {
      if (memory[kGuard + i - 1] != paint) {
        result.highest_touched = std::max(result.highest_touched, i);
        break;
      }
    }
    result.logits = logits;
  }
  return result;
}

TEST(Executor, PatchAndPerLayerEqualTheReferenceBitForBit) {
  std::mt19937 rng(11);
  int patched = 0;
  for (int trial = 0; trial < 25; ++trial) {
    const Arch arch = random_small_arch(rng);
    const QuantizedModel q = random_quantized(arch, 100 + trial);
    Arch per_layer = arch;
    per_layer.patch.reset();
    const RuntimeModel tiled(arch, q);
    const RuntimeModel whole(per_layer, q);
    patched += arch.patch.has_value();

    Rng images(7 + trial);
    const Tensor floats = random_images(3, arch, images);
    const Int8Tensor input = quantize_images(floats, q.tensors[0]);
    const Int8Tensor reference = int8_inference(lower(arch), q, input);
    const std::size_t pixels = input.data.size() / 3;
    for (int n = 0; n < 3; ++n) {
      const std::int8_t* image = input.data.data() + n * pixels;
      const std::vector<std::int8_t> expected(reference.data.begin() + n * arch.classes,
                                              reference.data.begin() + (n + 1) * arch.classes);
      for (const RuntimeModel* rm : {&tiled, &whole}) {
        const ArenaRun r = run_in_arena(*rm, image);
        ASSERT_EQ(r.logits, expected) << "trial " << trial << (rm == &tiled ? " patched" : "");
        EXPECT_TRUE(r.guards_intact) << "trial " << trial;
        EXPECT_EQ(r.highest_touched, rm->arena_bytes()) << "trial " << trial;
      }
    }
  }
  EXPECT_GT(patched, 15);
}

TEST(Executor, ImageInTheArena) {
  std::mt19937 rng(5);
  const Arch arch = random_small_arch(rng);
  const QuantizedModel q = random_quantized(arch, 9);
  const RuntimeModel outside(arch, q, false);
  const RuntimeModel inside(arch, q, true);
  EXPECT_GE(inside.model().image_offset, 0);
  EXPECT_EQ(outside.model().image_offset, -1);
  EXPECT_GE(inside.arena_bytes(), outside.arena_bytes());
  Rng images(3);
  const Int8Tensor input = quantize_images(random_images(1, arch, images), q.tensors[0]);
  EXPECT_EQ(run_in_arena(inside, input.data.data()).logits,
            run_in_arena(outside, input.data.data()).logits);
}

TEST(Executor, RejectsAnArenaSmallerThanThePlan) {
  std::mt19937 rng(6);
  const Arch arch = random_small_arch(rng);
  const RuntimeModel rm(arch, random_quantized(arch, 4));
  std::vector<std::uint8_t> arena(rm.arena_bytes() - 1);
  std::vector<std::int8_t> image(static_cast<std::size_t>(arch.resolution * arch.resolution *
                                                          arch.input_channels));
  std::vector<std::int8_t> logits(static_cast<std::size_t>(arch.classes));
  EXPECT_EQ(pn_model_run(&rm.model(), image.data(), arena.data(), arena.size(), logits.data()),
            PN_ERR_ARGUMENT);
}

}  // namespace
}  // namespace patchnas
