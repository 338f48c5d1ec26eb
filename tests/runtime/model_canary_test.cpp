// The arena canaries of PN_CANARY builds (runtime/src/pn_canary.h): a fixed small network,
// per-layer and patch-based, runs clean with every kernel call checked; then a faulty op (an
// observer that corrupts one arena byte while "its" layer runs, just as a kernel writing out
// of its region would) must be caught at that call, naming the layer, the tile, the buffer and
// the side: just after the output, just before a tile buffer, inside the call's input, inside
// the stage output but in another tile's rows, and far from every buffer of the call.
#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "pn_model.h"
#include "runtime/small_model.hpp"

#if !defined(PN_CANARY)
#error "model_canary_test.cpp tests the PN_CANARY runtime (target runtime_canary_tests)"
#endif

namespace patchnas {
namespace {

using Fixture = testing::SmallModel;

// The faulty op: when call number `call` of layer `layer` (its tile in raster order) has run,
// flips the arena byte at `offset`, before the executor checks that call.
struct FaultyOp {
  std::uint8_t* arena = nullptr;
  int layer = 0;
  int call = 0;
  std::int32_t offset = 0;
  int calls_seen = 0;
  bool fired = false;
};

void faulty_on_layer(void* context, std::int32_t layer, std::int32_t begin) {
  auto* f = static_cast<FaultyOp*>(context);
  if (begin != 0 || layer != f->layer || f->calls_seen++ != f->call) return;
  f->arena[f->offset] = static_cast<std::uint8_t>(f->arena[f->offset] ^ 0x5A);
  f->fired = true;
}

struct CheckedRun {
  pn_status status = PN_OK;
  pn_canary_failure failure{};
  std::vector<std::int8_t> logits;
  bool fired = false;
};

// Runs the model with the canaries; with a fault when `fault` is given.
CheckedRun run_checked(const Fixture& fx, const FaultyOp* fault) {
  std::vector<std::uint8_t> arena(fx.model.arena_bytes(), 0x33);
  CheckedRun r;
  r.failure.layer = -100;
  r.logits.assign(static_cast<std::size_t>(fx.arch.classes), 0);
  FaultyOp f = fault != nullptr ? *fault : FaultyOp{};
  f.arena = arena.data();
  const pn_observer observer{faulty_on_layer, &f};
  r.status = pn_model_run_checked(&fx.model.model(), fx.image.data(), arena.data(), arena.size(),
                                  r.logits.data(), fault != nullptr ? &observer : nullptr,
                                  &r.failure);
  r.fired = f.fired;
  return r;
}

std::int64_t map_bytes(const pn_conv_params& g, bool output) {
  return output ? std::int64_t{g.out_h} * g.out_w * g.out_c
                : std::int64_t{g.in_h} * g.in_w * g.in_c;
}

// Arena byte ranges [lo, hi) of layer `i`'s buffers over whole maps (a superset of any tile's
// views): input, residual, output, scratch; absent ones empty.
std::vector<std::pair<std::int64_t, std::int64_t>> whole_buffers(const RuntimeModel& rm, int i) {
  const pn_layer& l = rm.layers()[static_cast<std::size_t>(i)];
  const auto range = [](std::int32_t offset, std::int64_t bytes) {
    return offset < 0 ? std::make_pair(std::int64_t{0}, std::int64_t{0})
                      : std::make_pair(std::int64_t{offset}, offset + bytes);
  };
  return {range(l.input_offset, map_bytes(l.geometry, false)),
          range(l.residual_offset, map_bytes(l.geometry, true)),
          range(l.output_offset, map_bytes(l.geometry, true)),
          range(l.scratch_offset, l.scratch_bytes)};
}

// True when `offset` is more than `margin` bytes away from every buffer of layer `i`.
bool clear_of_buffers(const RuntimeModel& rm, int i, std::int64_t offset, std::int64_t margin) {
  for (const auto& [lo, hi] : whole_buffers(rm, i)) {
    if (lo < hi && offset >= lo - margin && offset < hi + margin) return false;
  }
  return true;
}

void expect_failure(const CheckedRun& r, int layer, int tile_row, int tile_col,
                    pn_canary_buffer buffer, pn_canary_side side, std::int32_t offset) {
  ASSERT_TRUE(r.fired);
  EXPECT_EQ(r.status, PN_ERR_CANARY);
  EXPECT_EQ(r.failure.layer, layer);
  EXPECT_EQ(r.failure.tile_row, tile_row);
  EXPECT_EQ(r.failure.tile_col, tile_col);
  EXPECT_EQ(r.failure.buffer, buffer);
  EXPECT_EQ(r.failure.side, side);
  EXPECT_EQ(r.failure.arena_offset, offset);
}

TEST(RuntimeCanary, CleanRunsPassEveryCheckAndGiveTheReferenceLogits) {
  for (const bool patched : {false, true}) {
    const Fixture fx(patched);
    ASSERT_EQ(fx.model.model().patch_layers > 0, patched);
    const CheckedRun r = run_checked(fx, nullptr);
    EXPECT_EQ(r.status, PN_OK) << "layer " << r.failure.layer;
    EXPECT_EQ(r.failure.layer, -100);  // untouched
    EXPECT_EQ(r.logits, fx.expected) << (patched ? "patched" : "per-layer");
  }
}

TEST(RuntimeCanary, CatchesAWriteJustAfterTheOutput) {
  const Fixture fx(false);
  // The first layer with a byte after its output that belongs to none of its other buffers.
  for (int i = 0; i < static_cast<int>(fx.model.layers().size()); ++i) {
    const pn_layer& l = fx.model.layers()[static_cast<std::size_t>(i)];
    const std::int64_t after = l.output_offset + map_bytes(l.geometry, true);
    if (after >= static_cast<std::int64_t>(fx.model.arena_bytes())) continue;
    auto buffers = whole_buffers(fx.model, i);
    buffers.erase(buffers.begin() + 2);
    bool free = true;
    for (const auto& [lo, hi] : buffers) free &= !(after >= lo && after < hi);
    if (!free) continue;
    FaultyOp f;
    f.layer = i;
    f.offset = static_cast<std::int32_t>(after);
    const CheckedRun r = run_checked(fx, &f);
    expect_failure(r, i, -1, -1, PN_CANARY_OUTPUT, PN_CANARY_AFTER, f.offset);
    return;
  }
  FAIL() << "no layer has a free byte after its output";
}

TEST(RuntimeCanary, CatchesAWriteJustBeforeATileBufferAtItsTile) {
  const Fixture fx(true);
  const int stage = fx.model.model().patch_layers;
  for (int i = 0; i + 1 < stage; ++i) {  // outputs in tile buffers
    const pn_layer& l = fx.model.layers()[static_cast<std::size_t>(i)];
    const std::int64_t before = l.output_offset - 1;
    auto buffers = whole_buffers(fx.model, i);
    buffers.erase(buffers.begin() + 2);
    bool free = before >= 0;
    for (const auto& [lo, hi] : buffers) free &= !(before >= lo && before < hi);
    if (!free) continue;
    FaultyOp f;
    f.layer = i;
    f.call = 3;  // tile (1, 1) of 2 x 2
    f.offset = static_cast<std::int32_t>(before);
    const CheckedRun r = run_checked(fx, &f);
    expect_failure(r, i, 1, 1, PN_CANARY_OUTPUT, PN_CANARY_BEFORE, f.offset);
    return;
  }
  FAIL() << "no tile buffer has a free byte before it";
}

TEST(RuntimeCanary, CatchesAWriteIntoTheCallsOwnInput) {
  const Fixture fx(false);
  for (int i = 1; i < static_cast<int>(fx.model.layers().size()); ++i) {
    const pn_layer& l = fx.model.layers()[static_cast<std::size_t>(i)];
    if (l.input_offset < 0 || l.input_offset == l.output_offset) continue;  // in place
    FaultyOp f;
    f.layer = i;
    f.offset = l.input_offset + 1;
    const CheckedRun r = run_checked(fx, &f);
    expect_failure(r, i, -1, -1, PN_CANARY_INPUT, PN_CANARY_INSIDE, -1);
    return;
  }
  FAIL() << "no layer reads an input of its own in the arena";
}

TEST(RuntimeCanary, CatchesAWriteIntoAnotherTilesPartOfTheStageOutput) {
  const Fixture fx(true);
  const int last = fx.model.model().patch_layers - 1;
  const pn_layer& l = fx.model.layers()[static_cast<std::size_t>(last)];
  FaultyOp f;
  f.layer = last;
  f.call = 0;  // tile (0, 0) writes the top-left rows; the last byte is tile (1, 1)'s
  f.offset = static_cast<std::int32_t>(l.output_offset + map_bytes(l.geometry, true) - 1);
  const CheckedRun r = run_checked(fx, &f);
  expect_failure(r, last, 0, 0, PN_CANARY_OUTPUT, PN_CANARY_INSIDE, -1);
}

TEST(RuntimeCanary, CatchesAWriteFarFromEveryBufferOfTheCall) {
  const Fixture fx(false);
  const auto arena = static_cast<std::int64_t>(fx.model.arena_bytes());
  for (int i = 0; i < static_cast<int>(fx.model.layers().size()); ++i) {
    for (std::int64_t offset = 0; offset < arena; ++offset) {
      if (!clear_of_buffers(fx.model, i, offset, 64)) continue;
      FaultyOp f;
      f.layer = i;
      f.offset = static_cast<std::int32_t>(offset);
      const CheckedRun r = run_checked(fx, &f);
      expect_failure(r, i, -1, -1, PN_CANARY_ARENA, PN_CANARY_INSIDE, -1);
      return;
    }
  }
  FAIL() << "no arena byte is far from the buffers of some layer";
}

}  // namespace
}  // namespace patchnas
