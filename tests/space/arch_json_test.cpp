// The arch format: bundled archs parse, write/read round trips, and one test per class of bad
// input, each checking the file and the field path of the error.
#include <gtest/gtest.h>

#include <string>

#include "space/arch_json.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

const char* kValid = R"({
  "format": "patchnas.arch/1", "name": "t",
  "input": {"resolution": 32, "channels": 3},
  "stem": {"out": 8, "kernel": 3, "stride": 2},
  "blocks": [{"kernel": 3, "expand": 1, "out": 8, "stride": 1},
             {"kernel": 5, "expand": 4, "out": 16, "stride": 2},
             {"kernel": 7, "expand": 3, "out": 16, "stride": 1},
             {"kernel": 3, "expand": 6, "out": 24, "stride": 2}],
  "head": {"out": 64},
  "classes": 10,
  "patch": {"n": 2, "split": 2}
})";

// Applies `edit` to the valid arch and returns the error it causes.
InputError error_after(void (*edit)(nlohmann::json&)) {
  auto j = nlohmann::json::parse(kValid);
  edit(j);
  try {
    arch_from_json(j, "a.json");
  } catch (const InputError& e) {
    return e;
  }
  ADD_FAILURE() << "accepted: " << j.dump();
  return InputError("", "", "");
}

TEST(ArchJson, BundledArchsParse) {
  for (const char* name : {"mbv2-w1.0-r224", "mbv2-w1.0-r224-p4s4", "mbv2-w0.35-r144", "fmnist-ref"}) {
    const Arch a = read_arch_file(std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/" + name + ".json");
    EXPECT_EQ(a.name, name);
  }
}

TEST(ArchJson, ParsesEveryField) {
  const Arch a = arch_from_json(nlohmann::json::parse(kValid), "a.json");
  EXPECT_EQ(a.resolution, 32);
  EXPECT_EQ(a.stem, (StemSpec{8, 3, 2}));
  ASSERT_EQ(a.blocks.size(), 4u);
  EXPECT_EQ(a.blocks[1], (BlockSpec{5, 4.0, 16, 2}));
  EXPECT_EQ(a.head_out, 64);
  EXPECT_EQ(a.classes, 10);
  EXPECT_EQ(a.patch, (PatchSpec{2, 2}));
}

TEST(ArchJson, WriteReadRoundTrip) {
  Arch a = arch_from_json(nlohmann::json::parse(kValid), "a.json");
  a.blocks[2].expand = 4.5;
  const std::string text = arch_to_json_text(a);
  const Arch b = arch_from_json(parse_json_text(text, "round.json"), "round.json");
  EXPECT_EQ(a, b);
  a.patch.reset();
  a.head_out.reset();
  EXPECT_EQ(a, arch_from_json(parse_json_text(arch_to_json_text(a), "r"), "r"));
}

TEST(ArchJson, MissingKey) {
  const auto e = error_after([](nlohmann::json& j) { j["blocks"][1].erase("kernel"); });
  EXPECT_EQ(e.file(), "a.json");
  EXPECT_EQ(e.field(), "blocks[1].kernel");
}

TEST(ArchJson, UnknownKey) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"]["padding"] = 1; }).field(), "stem.padding");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["extra"] = 1; }).field(), "extra");
}

TEST(ArchJson, WrongType) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][3]["kernel"] = "3"; }).field(),
            "blocks[3].kernel");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["input"]["resolution"] = 32.5; }).field(),
            "input.resolution");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"] = 3; }).field(), "blocks");
}

TEST(ArchJson, WrongFormat) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["format"] = "patchnas.arch/2"; }).field(), "format");
}

TEST(ArchJson, EvenOrNonPositiveKernel) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][3]["kernel"] = 4; }).field(),
            "blocks[3].kernel");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"]["kernel"] = 0; }).field(), "stem.kernel");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][0]["kernel"] = -3; }).field(),
            "blocks[0].kernel");
}

TEST(ArchJson, StrideNotOneOrTwo) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][2]["stride"] = 3; }).field(),
            "blocks[2].stride");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["stem"]["stride"] = 0; }).field(), "stem.stride");
}

TEST(ArchJson, ExpandBelowOne) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][1]["expand"] = 0.5; }).field(),
            "blocks[1].expand");
}

TEST(ArchJson, NonPositiveSizes) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["classes"] = 0; }).field(), "classes");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"][0]["out"] = -8; }).field(),
            "blocks[0].out");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["input"]["channels"] = 0; }).field(),
            "input.channels");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["blocks"] = nlohmann::json::array(); }).field(),
            "blocks");
}

TEST(ArchJson, SplitOutsideTheBlocks) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["split"] = 0; }).field(), "patch.split");
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["split"] = 5; }).field(), "patch.split");
}

TEST(ArchJson, PatchCountBelowOne) {
  EXPECT_EQ(error_after([](nlohmann::json& j) { j["patch"]["n"] = 0; }).field(), "patch.n");
}

TEST(ArchJson, CollapsingPatches) {
  // After 4 blocks the 32x32 input is 4x4: 5x5 patches would leave empty tiles.
  const auto e = error_after([](nlohmann::json& j) { j["patch"] = {{"n", 5}, {"split", 4}}; });
  EXPECT_EQ(e.field(), "patch.n");
  EXPECT_NE(std::string(e.what()).find("collapse"), std::string::npos);
  // 4x4 patches of that 4x4 map are 1x1 each: allowed.
  auto j = nlohmann::json::parse(kValid);
  j["patch"] = {{"n", 4}, {"split", 4}};
  EXPECT_NO_THROW(arch_from_json(j, "a.json"));
}

}  // namespace
}  // namespace patchnas
