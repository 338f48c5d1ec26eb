// The search space: MobileNetV2 channel rounding by hand, width scaling, the shipped spaces,
// the space size, and one test per class of bad space JSON, each checking file and field path.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "space/json_fields.hpp"
#include "space/space_json.hpp"

namespace patchnas {
namespace {

std::string space_path(const std::string& name) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/configs/spaces/" + name + ".json";
}

// Width 0.5: stem 8, first block 8, stages 8 and 16, head 64.
// Width 1.0: stem 16, first block 8, stages 16 and 32, head 64. At most 1 + 2 + 3 = 6 blocks.
const char* kValid = R"({
  "format": "patchnas.space/1", "name": "tiny", "description": "for tests",
  "input": {"channels": 3, "resolutions": [32, 48]},
  "widths": [0.5, 1.0], "channel_divisor": 8,
  "stem": {"out": 16, "kernel": 3, "stride": 2},
  "first_block": {"out": 8, "kernel": 3},
  "stages": [{"out": 16, "stride": 2, "depths": [1, 2]},
             {"out": 32, "stride": 2, "depths": [2, 3]}],
  "kernels": [3, 5], "expands": [3, 6],
  "head": {"out": 64},
  "classes": 10,
  "patch": {"n": [1, 2, 4], "split": [1, 2, 3]}
})";

// Applies `edit` to the valid space and returns the error it causes.
InputError error_after(void (*edit)(nlohmann::json&)) {
  auto j = nlohmann::json::parse(kValid);
  edit(j);
  try {
    space_from_json(j, "s.json");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << j.dump();
  return InputError("", "", "");
}

TEST(MakeDivisible, MatchesMobileNetV2ByHand) {
  // _make_divisible(v, 8) = max(8, int(v + 4) // 8 * 8), plus 8 if that is below 0.9 v.
  EXPECT_EQ(make_divisible(32 * 0.75, 8), 24);  // int(28) // 8 * 8 = 24
  EXPECT_EQ(make_divisible(16 * 0.5, 8), 8);    // int(12) // 8 * 8 = 8
  EXPECT_EQ(make_divisible(24 * 0.5, 8), 16);   // int(16) // 8 * 8 = 16: 12 rounds half up
  EXPECT_EQ(make_divisible(24 * 0.75, 8), 24);  // int(22) // 8 * 8 = 16 < 0.9 * 18 = 16.2: +8
  EXPECT_EQ(make_divisible(40 * 0.75, 8), 32);  // int(34) // 8 * 8 = 32
  EXPECT_EQ(make_divisible(96 * 0.75, 8), 72);  // int(76) // 8 * 8 = 72
  EXPECT_EQ(make_divisible(96 * 0.35, 8), 32);  // 33.6: int(37.6) = 37 -> 32 >= 30.24
  EXPECT_EQ(make_divisible(3, 8), 8);           // int(7) // 8 * 8 = 0, raised to the divisor
  EXPECT_EQ(make_divisible(1280 * 1.4, 8), 1792);
  EXPECT_EQ(make_divisible(10, 4), 12);         // int(12) // 4 * 4 = 12
  EXPECT_EQ(make_divisible(10, 3), 9);          // int(11.5) = 11 // 3 * 3 = 9, not below 9.0
  EXPECT_EQ(make_divisible(11, 3), 12);         // int(12.5) = 12 // 3 * 3 = 12
}

TEST(SearchSpace, ChannelsScaleWithWidth) {
  const SearchSpace space = space_from_json(nlohmann::json::parse(kValid), "s.json");
  EXPECT_EQ(stem_channels(space, 0.5), 8);
  EXPECT_EQ(first_block_channels(space, 0.5), 8);  // 4 is raised to the divisor
  EXPECT_EQ(stage_channels(space, space.stages[0], 0.5), 8);
  EXPECT_EQ(stage_channels(space, space.stages[1], 0.5), 16);
  EXPECT_EQ(stage_channels(space, space.stages[1], 1.0), 32);
  // The head scales by max(1, width): never below its base.
  EXPECT_EQ(head_channels(space, 0.5), 64);
  EXPECT_EQ(head_channels(space, 1.5), 96);
  EXPECT_EQ(min_blocks(space), 1 + 1 + 2);
  EXPECT_EQ(max_blocks(space), 1 + 2 + 3);
}

TEST(SearchSpace, SizeByHand) {
  const SearchSpace space = space_from_json(nlohmann::json::parse(kValid), "s.json");
  const SpaceSize size = space_size(space);
  // 2 kernels x 2 expands = 4 per block. Backbones: 2 resolutions x 2 widths x
  // (4^1 + 4^2) x (4^2 + 4^3) = 4 x 20 x 80 = 6400.
  EXPECT_NEAR(size.log10_backbones, std::log10(6400.0), 1e-9);
  // Patch schedules: no patch, or n in {2, 4} x split in {1, 2, 3}: at most 7 per backbone.
  EXPECT_NEAR(size.log10_with_patches, std::log10(6400.0 * 7), 1e-9);
  // Genomes: 2 x 2 x (2 x 2 depth genes) x 4^2 x 4^3 slots x 3 n x 3 split.
  EXPECT_NEAR(size.log10_genomes, std::log10(2.0 * 2 * 2 * 2 * 16 * 64 * 3 * 3), 1e-9);
}

TEST(SpaceJson, ParsesEveryField) {
  const SearchSpace space = space_from_json(nlohmann::json::parse(kValid), "s.json");
  EXPECT_EQ(space.name, "tiny");
  EXPECT_EQ(space.description, "for tests");
  EXPECT_EQ(space.input_channels, 3);
  EXPECT_EQ(space.resolutions, (std::vector<int>{32, 48}));
  EXPECT_EQ(space.widths, (std::vector<double>{0.5, 1.0}));
  EXPECT_EQ(space.channel_divisor, 8);
  EXPECT_EQ(space.stem, (StemSpec{16, 3, 2}));
  ASSERT_TRUE(space.first_block.has_value());
  EXPECT_EQ(space.first_block->out, 8);
  EXPECT_EQ(space.first_block->kernel, 3);
  ASSERT_EQ(space.stages.size(), 2u);
  EXPECT_EQ(space.stages[1].out, 32);
  EXPECT_EQ(space.stages[1].stride, 2);
  EXPECT_EQ(space.stages[1].depths, (std::vector<int>{2, 3}));
  EXPECT_EQ(space.kernels, (std::vector<int>{3, 5}));
  EXPECT_EQ(space.expands, (std::vector<double>{3, 6}));
  EXPECT_EQ(space.head_out, 64);
  EXPECT_EQ(space.classes, 10);
  EXPECT_EQ(space.patch.n, (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(space.patch.split, (std::vector<int>{1, 2, 3}));
}

TEST(SpaceJson, OptionalPartsDefault) {
  auto j = nlohmann::json::parse(kValid);
  j.erase("description");
  j.erase("first_block");
  j.erase("head");
  j.erase("patch");
  const SearchSpace space = space_from_json(j, "s.json");
  EXPECT_EQ(space.description, "");
  EXPECT_FALSE(space.first_block.has_value());
  EXPECT_FALSE(space.head_out.has_value());
  EXPECT_EQ(space.patch.n, (std::vector<int>{1}));
  EXPECT_EQ(space.patch.split, (std::vector<int>{1}));
}

TEST(SpaceJson, ShippedMcunetv2Space) {
  const SearchSpace space = read_space_file(space_path("mcunetv2"));
  EXPECT_EQ(space.name, "mcunetv2");
  EXPECT_EQ(space.resolutions.size(), 11u);
  EXPECT_EQ(space.resolutions.front(), 96);
  EXPECT_EQ(space.resolutions.back(), 256);
  for (std::size_t i = 1; i < space.resolutions.size(); ++i) {
    EXPECT_EQ(space.resolutions[i] - space.resolutions[i - 1], 16);
  }
  EXPECT_EQ(space.widths, (std::vector<double>{0.5, 0.75, 1.0}));
  EXPECT_EQ(space.stem, (StemSpec{32, 3, 2}));
  ASSERT_TRUE(space.first_block.has_value());
  EXPECT_EQ(space.first_block->out, 16);
  const int outs[] = {24, 40, 80, 96, 192, 320};
  const int strides[] = {2, 2, 2, 1, 2, 1};
  ASSERT_EQ(space.stages.size(), 6u);
  for (std::size_t s = 0; s < 6; ++s) {
    EXPECT_EQ(space.stages[s].out, outs[s]);
    EXPECT_EQ(space.stages[s].stride, strides[s]);
    EXPECT_EQ(space.stages[s].depths,
              s == 5 ? std::vector<int>{1} : (std::vector<int>{2, 3, 4}));
  }
  EXPECT_EQ(space.kernels, (std::vector<int>{3, 5, 7}));
  EXPECT_EQ(space.expands, (std::vector<double>{3, 4, 6}));
  EXPECT_FALSE(space.head_out.has_value());
  EXPECT_EQ(space.classes, 1000);
  EXPECT_EQ(space.input_channels, 3);
  EXPECT_EQ(space.patch.n, (std::vector<int>{1, 2, 3, 4}));
  EXPECT_EQ(space.patch.split, (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(min_blocks(space), 1 + 5 * 2 + 1);
  EXPECT_EQ(max_blocks(space), 1 + 5 * 4 + 1);
  EXPECT_FALSE(space.description.empty());
}

TEST(SpaceJson, ShippedFashionMnistSpace) {
  const SearchSpace space = read_space_file(space_path("fashion-mnist"));
  EXPECT_EQ(space.input_channels, 1);
  EXPECT_EQ(space.classes, 10);
  EXPECT_EQ(space.resolutions, (std::vector<int>{28, 32, 36, 40, 44, 48, 52, 56, 60, 64}));
  EXPECT_EQ(space.stem, (StemSpec{16, 3, 2}));
  EXPECT_FALSE(space.first_block.has_value());
  ASSERT_EQ(space.stages.size(), 4u);
  EXPECT_EQ(space.stages[0].out, 16);
  EXPECT_EQ(space.stages[0].stride, 1);
  EXPECT_EQ(space.stages[3].out, 64);
  EXPECT_EQ(space.stages[3].depths, (std::vector<int>{1, 2, 3}));
  EXPECT_FALSE(space.head_out.has_value());
  EXPECT_EQ(space.patch.n, (std::vector<int>{1, 2}));
  EXPECT_EQ(space.patch.split, (std::vector<int>{1, 2, 3, 4}));
}

TEST(SpaceJson, MalformedJsonNamesTheFile) {
  const auto path = (std::filesystem::temp_directory_path() / "patchnas_bad_space.json").string();
  {
    std::ofstream out(path);
    out << "{\"format\": \"patchnas.space/1\",\n  \"name\": }";
  }
  try {
    read_space_file(path);
    ADD_FAILURE() << "accepted malformed JSON";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_EQ(e.field(), "");
    EXPECT_NE(e.reason().find("malformed JSON"), std::string::npos) << e.what();
    EXPECT_NE(e.reason().find("line 2"), std::string::npos) << e.what();
  }
  std::filesystem::remove(path);
}

TEST(SpaceJson, MissingFileNamesTheFile) {
  try {
    read_space_file("/nonexistent/space.json");
    ADD_FAILURE() << "accepted a missing file";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "/nonexistent/space.json");
  }
}

TEST(SpaceJson, WrongFormatTag) {
  const auto e = error_after([](nlohmann::json& j) { j["format"] = "patchnas.arch/1"; });
  EXPECT_EQ(e.file(), "s.json");
  EXPECT_EQ(e.field(), "format");
}

TEST(SpaceJson, MissingKey) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j.erase("classes"); }).field(), "classes");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"][1].erase("depths"); }).field(),
            "stages[1].depths");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["input"].erase("resolutions"); }).field(),
            "input.resolutions");
}

TEST(SpaceJson, UnknownKey) {
  const auto e = error_after([](nlohmann::json& j) { j["stages"][1]["colour"] = "red"; });
  EXPECT_EQ(e.file(), "s.json");
  EXPECT_EQ(e.field(), "stages[1].colour");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["heads"] = 2; }).field(), "heads");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["m"] = 2; }).field(), "patch.m");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["first_block"]["expand"] = 1; }).field(),
            "first_block.expand");
}

TEST(SpaceJson, WrongType) {
  const auto e = error_after([](nlohmann::json& j) { j["stages"][1]["depths"][1] = "3"; });
  EXPECT_EQ(e.file(), "s.json");
  EXPECT_EQ(e.field(), "stages[1].depths[1]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["kernels"][0] = 3.5; }).field(), "kernels[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["widths"] = 0.5; }).field(), "widths");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"] = 16; }).field(), "stem");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"][0] = 16; }).field(), "stages[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["name"] = 7; }).field(), "name");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["expands"][1] = true; }).field(),
            "expands[1]");
}

TEST(SpaceJson, EmptyChoices) {
  const auto e = error_after([](nlohmann::json& j) { j["kernels"] = nlohmann::json::array(); });
  EXPECT_EQ(e.file(), "s.json");
  EXPECT_EQ(e.field(), "kernels");
  EXPECT_EQ(error_after([](nlohmann::json& j) {
              j["stages"][0]["depths"] = nlohmann::json::array();
            }).field(),
            "stages[0].depths");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"] = nlohmann::json::array(); }).field(),
            "stages");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["widths"] = nlohmann::json::array(); }).field(),
            "widths");
  EXPECT_EQ(error_after([](nlohmann::json& j) {
              j["patch"]["split"] = nlohmann::json::array();
            }).field(),
            "patch.split");
}

TEST(SpaceJson, OutOfRangeValues) {
  // Each edit breaks exactly one rule; the error must name that field.
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["kernels"][1] = 4; }).field(), "kernels[1]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["kernels"][0] = -3; }).field(), "kernels[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"]["kernel"] = 2; }).field(),
            "stem.kernel");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"]["stride"] = 3; }).field(),
            "stem.stride");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"][1]["stride"] = 0; }).field(),
            "stages[1].stride");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"][1]["depths"][1] = 0; }).field(),
            "stages[1].depths[1]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stages"][0]["out"] = 0; }).field(),
            "stages[0].out");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["expands"][0] = 0.5; }).field(), "expands[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["widths"][1] = 0; }).field(), "widths[1]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["widths"][0] = -0.5; }).field(), "widths[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["n"][0] = 0; }).field(), "patch.n[0]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["split"][0] = 0; }).field(),
            "patch.split[0]");
  // At most 1 + 2 + 3 = 6 blocks: a split of 7 could never be used.
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["split"][2] = 7; }).field(),
            "patch.split[2]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["input"]["resolutions"][1] = -48; }).field(),
            "input.resolutions[1]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["input"]["channels"] = 0; }).field(),
            "input.channels");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["classes"] = 0; }).field(), "classes");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["head"]["out"] = 0; }).field(), "head.out");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["channel_divisor"] = 0; }).field(),
            "channel_divisor");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["first_block"]["kernel"] = 4; }).field(),
            "first_block.kernel");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["classes"] = 10000000000LL; }).field(),
            "classes");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["name"] = ""; }).field(), "name");
}

TEST(SpaceJson, ChoicesThatWouldMakeGenomesAmbiguous) {
  // Duplicates: two genes values for one arch.
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["kernels"] = {3, 5, 3}; }).field(), "kernels[2]");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["n"] = {1, 2, 2}; }).field(),
            "patch.n[2]");
  // n must offer 1, the fallback when patches would collapse.
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["n"] = {2, 4}; }).field(), "patch.n");
  // Width 0.51 rounds to exactly the channels of width 0.5 (8, 8, 8, 16, 64).
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["widths"] = {0.5, 0.51}; }).field(),
            "widths[1]");
  // A stride-1 stage with the channels of the stage before: where does one end?
  EXPECT_EQ(error_after([](nlohmann::json& j) {
              j["stages"][1]["out"] = 16;
              j["stages"][1]["stride"] = 1;
            }).field(),
            "stages[1].stride");
  // More than 36 choices cannot be written one base-36 character per gene.
  const auto e = error_after([](nlohmann::json& j) {
    j["input"]["resolutions"] = nlohmann::json::array();
    for (int r = 1; r <= 37; ++r) j["input"]["resolutions"].push_back(r);
  });
  EXPECT_EQ(e.field(), "input.resolutions");
}

}  // namespace
}  // namespace patchnas
