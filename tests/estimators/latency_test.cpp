// MCU profiles: the shipped profiles parse and reproduce the measurement they were derived from;
// bad profiles are rejected naming file and field; profiles round-trip through JSON; lookup by
// name and path.
#include <gtest/gtest.h>

#include "support/input_error_of.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "estimators/latency.hpp"
#include "estimators/mcu_profile.hpp"
#include "space/input_error.hpp"
#include "space/json_fields.hpp"

namespace patchnas {
namespace {

std::string bundled_path(const std::string& name) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/configs/mcus/" + name + ".json";
}

TEST(McuProfile, ShippedProfilesParse) {
  struct Expected {
    const char* name;
    const char* core;
    double clock_hz;
    std::int64_t sram_kib;
    std::int64_t flash_kib;
  };
  const Expected expected[] = {{"stm32f412", "cortex-m4", 100e6, 256, 1024},
                               {"stm32f746", "cortex-m7", 216e6, 320, 1024},
                               {"stm32h743", "cortex-m7", 480e6, 512, 2048},
                               {"nrf52840", "cortex-m4f", 64e6, 256, 1024}};
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.name);
    const McuProfile mcu = read_mcu_profile(bundled_path(e.name));
    EXPECT_EQ(mcu.name, e.name);
    EXPECT_EQ(mcu.core, e.core);
    EXPECT_EQ(mcu.clock_hz, e.clock_hz);
    EXPECT_EQ(mcu.sram_bytes, e.sram_kib * 1024);
    EXPECT_EQ(mcu.flash_bytes, e.flash_kib * 1024);
    // Measured against the runtime's code by tests/export/firmware_test.cpp.
    EXPECT_GT(mcu.runtime_code_bytes, 0);
    EXPECT_NE(mcu.source.find("12.8M MACs in 56 ms"), std::string::npos);
    EXPECT_NE(mcu.source.find("runtime_code_bytes"), std::string::npos);
    EXPECT_EQ(find_mcu_profile(e.name), mcu);
  }
  EXPECT_EQ(mcu_profile_names(),
            (std::vector<std::string>{"nrf52840", "stm32f412", "stm32f746", "stm32h743"}));
}

// A MobileNetV2-like list of 50 layer calls (1 stem conv, 16 depthwise, 31 pointwise, the
// global pool over 7x7x1280 and the classifier) whose MACs total `total_macs`, split evenly
// over the 49 layers that have MACs.
double synthetic_network_cycles(const McuProfile& mcu, std::int64_t total_macs) {
  std::vector<CostKind> kinds{CostKind::Conv};
  kinds.insert(kinds.end(), 16, CostKind::Depthwise);
  kinds.insert(kinds.end(), 31, CostKind::Pointwise);
  kinds.push_back(CostKind::FullyConnected);
  const auto with_macs = static_cast<std::int64_t>(kinds.size());
  double cycles = 0.0;
  std::int64_t charged = 0;
  for (std::size_t i = 0; i < kinds.size(); ++i) {
    const std::int64_t macs = i == 0 ? total_macs - (with_macs - 1) * (total_macs / with_macs)
                                     : total_macs / with_macs;
    charged += macs;
    cycles += layer_cycles(mcu, kinds[i], {macs, /*outputs=*/28 * 28 * 96, /*inputs=*/0, 1});
  }
  cycles += layer_cycles(mcu, CostKind::GlobalAvgPool, {0, 1280, 7 * 7 * 1280, 1});
  EXPECT_EQ(charged, total_macs);
  EXPECT_EQ(kinds.size() + 1, 50u);
  return cycles;
}

TEST(McuProfile, H743ReproducesThePublishedMeasurement) {
  // Published: 12.8M MACs in 56 ms and 55.8M MACs in 234 ms at 480 MHz. The profile charges
  // 1.987 cycles/MAC, 28934 cycles per call (50 calls) and 97.4 cycles per pool output:
  //   (1.987 * 12.8e6 + 50 * 28934 + 97.4 * 1280) / 480e3 = 56.26 ms
  //   (1.987 * 55.8e6 + 50 * 28934 + 97.4 * 1280) / 480e3 = 234.26 ms
  const McuProfile h743 = find_mcu_profile("stm32h743");
  const double small_ms = cycles_to_ms(h743, synthetic_network_cycles(h743, 12'800'000));
  const double large_ms = cycles_to_ms(h743, synthetic_network_cycles(h743, 55'800'000));
  EXPECT_NEAR(small_ms, 56.26, 0.01);
  EXPECT_NEAR(large_ms, 234.26, 0.01);
  EXPECT_NEAR(small_ms, 56.0, 5.6);
  EXPECT_NEAR(large_ms, 234.0, 23.4);
}

TEST(McuProfile, CoefficientsFollowTheStatedDerivation) {
  const McuProfile h743 = find_mcu_profile("stm32h743");
  const McuProfile f746 = find_mcu_profile("stm32f746");
  // Same core: same cycles, so time scales with the clock.
  EXPECT_EQ(f746.ops, h743.ops);
  const double cycles = synthetic_network_cycles(h743, 12'800'000);
  EXPECT_NEAR(cycles_to_ms(f746, cycles), cycles_to_ms(h743, cycles) * 480.0 / 216.0, 1e-9);
  // Cortex-M4 parts: every coefficient is the Cortex-M7 one times CoreMark/MHz 5.01 / 3.40.
  for (const char* name : {"stm32f412", "nrf52840"}) {
    SCOPED_TRACE(name);
    const McuProfile m4 = find_mcu_profile(name);
    for (std::size_t k = 0; k < h743.ops.size(); ++k) {
      const double ratio = 5.01 / 3.40;
      EXPECT_NEAR(m4.ops[k].cycles_per_mac, h743.ops[k].cycles_per_mac * ratio, 1e-3);
      EXPECT_NEAR(m4.ops[k].cycles_per_output, h743.ops[k].cycles_per_output * ratio, 0.1);
      EXPECT_NEAR(m4.ops[k].cycles_per_call, h743.ops[k].cycles_per_call * ratio, 1.0);
    }
  }
}

TEST(McuProfile, RoundTripsThroughJson) {
  for (const char* name : {"stm32f412", "stm32f746", "stm32h743", "nrf52840"}) {
    const McuProfile mcu = find_mcu_profile(name);
    EXPECT_EQ(mcu_profile_from_json(nlohmann::json::parse(mcu_profile_to_json(mcu).dump()), "x"), mcu)
        << name;
  }
  McuProfile odd = find_mcu_profile("stm32h743");
  odd.name = "odd";
  odd.clock_hz = 123456789.5;
  odd.ops[2] = {1.0 / 3.0, 0.1, 1e-9};
  odd.runtime_code_bytes = 0;
  const auto text = mcu_profile_to_json(odd).dump(2);
  EXPECT_EQ(mcu_profile_from_json(nlohmann::json::parse(text), "x"), odd);
  EXPECT_EQ(text.find("\"format\": \"patchnas.mcu/1\""), 4u);  // the first key
}

// The variants (in-place depthwise, pointwise with residual) and cycles_per_input are optional:
// absent, a variant takes its layer kind's coefficients; present, its own.
TEST(McuProfile, VariantsDefaultToTheirLayerKind) {
  const nlohmann::json json = read_json_file(bundled_path("stm32f412"));
  ASSERT_FALSE(json["ops"].contains("depthwise_in_place"));
  const McuProfile mcu = mcu_profile_from_json(json, "f412.json");
  EXPECT_EQ(mcu.coefficients(CostKind::DepthwiseInPlace), mcu.coefficients(CostKind::Depthwise));
  EXPECT_EQ(mcu.coefficients(CostKind::PointwiseResidual), mcu.coefficients(CostKind::Pointwise));
  EXPECT_EQ(mcu.coefficients(CostKind::GlobalAvgPool).cycles_per_input, 0.0);

  nlohmann::json own = json;
  own["ops"]["pointwise_residual"] = {{"cycles_per_mac", 2.5},
                                      {"cycles_per_output", 30.0},
                                      {"cycles_per_input", 0.25},
                                      {"cycles_per_call", 7.0}};
  const McuProfile custom = mcu_profile_from_json(own, "own.json");
  EXPECT_EQ(custom.coefficients(CostKind::PointwiseResidual), (OpCoefficients{2.5, 30.0, 7.0, 0.25}));
  EXPECT_EQ(custom.coefficients(CostKind::DepthwiseInPlace), mcu.coefficients(CostKind::Depthwise));
  // Written out, every cost kind is explicit and reads back the same.
  const nlohmann::ordered_json written = mcu_profile_to_json(custom);
  for (const CostKind kind : kAllCostKinds) {
    EXPECT_TRUE(written["ops"].contains(std::string(cost_kind_name(kind)))) << cost_kind_name(kind);
  }
  EXPECT_EQ(mcu_profile_from_json(nlohmann::json::parse(written.dump()), "x"), custom);
}

// Each bad edit of a valid profile must be rejected with the file and the field's path.
struct BadProfileCase {
  const char* field;
  std::function<void(nlohmann::json&)> edit;
};

TEST(McuProfile, BadInputNamesFileAndField) {
  const nlohmann::json good = read_json_file(bundled_path("stm32h743"));
  const std::vector<BadProfileCase> cases = {
      {"format", [](nlohmann::json& j) { j["format"] = "patchnas.mcu/2"; }},
      {"name", [](nlohmann::json& j) { j.erase("name"); }},
      {"name", [](nlohmann::json& j) { j["name"] = ""; }},
      {"core", [](nlohmann::json& j) { j["core"] = 7; }},
      {"clock_hz", [](nlohmann::json& j) { j["clock_hz"] = "480 MHz"; }},
      {"clock_hz", [](nlohmann::json& j) { j["clock_hz"] = 0; }},
      {"sram_bytes", [](nlohmann::json& j) { j["sram_bytes"] = -1; }},
      {"sram_bytes", [](nlohmann::json& j) { j["sram_bytes"] = 1.5; }},
      {"flash_bytes", [](nlohmann::json& j) { j["flash_bytes"] = 0; }},
      {"runtime_code_bytes", [](nlohmann::json& j) { j["runtime_code_bytes"] = -4; }},
      {"source", [](nlohmann::json& j) { j.erase("source"); }},
      {"source", [](nlohmann::json& j) { j["source"] = ""; }},
      {"vendor", [](nlohmann::json& j) { j["vendor"] = "ST"; }},
      {"ops", [](nlohmann::json& j) { j["ops"] = nlohmann::json::array(); }},
      {"ops.fc", [](nlohmann::json& j) { j["ops"].erase("fc"); }},
      {"ops.add", [](nlohmann::json& j) { j["ops"]["add"] = j["ops"]["fc"]; }},
      {"ops.depthwise.cycles_per_mac",
       [](nlohmann::json& j) { j["ops"]["depthwise"]["cycles_per_mac"] = -0.5; }},
      {"ops.pool.cycles_per_output",
       [](nlohmann::json& j) { j["ops"]["pool"]["cycles_per_output"] = nullptr; }},
      {"ops.conv.cycles_per_call", [](nlohmann::json& j) { j["ops"]["conv"].erase("cycles_per_call"); }},
      {"ops.conv.cycles_per_byte", [](nlohmann::json& j) { j["ops"]["conv"]["cycles_per_byte"] = 1; }},
      {"ops.pool.cycles_per_input",
       [](nlohmann::json& j) { j["ops"]["pool"]["cycles_per_input"] = -1.0; }},
      {"ops.depthwise_in_place.cycles_per_call",
       [](nlohmann::json& j) {
         j["ops"]["depthwise_in_place"] = j["ops"]["depthwise"];
         j["ops"]["depthwise_in_place"].erase("cycles_per_call");
       }},
  };
  for (const BadProfileCase& c : cases) {
    nlohmann::json bad = good;
    c.edit(bad);
    try {
      mcu_profile_from_json(bad, "bad.json");
      ADD_FAILURE() << "accepted a bad " << c.field;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "bad.json");
      EXPECT_EQ(e.field(), c.field) << e.what();
    }
  }
  EXPECT_EQ(mcu_profile_from_json(good, "good.json").name, "stm32h743");
}

using testing::input_error_of;

TEST(McuProfile, MissingAndMalformedFiles) {
  auto e = input_error_of([] { read_mcu_profile("/nonexistent/m.json"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), "/nonexistent/m.json");
  EXPECT_NE(e->reason().find("cannot open"), std::string::npos);
  // A path that does not exist is reported as a missing file, not as an unknown name.
  e = input_error_of([] { find_mcu_profile("/nonexistent/m.json"); });
  ASSERT_TRUE(e);
  EXPECT_NE(e->reason().find("cannot open"), std::string::npos);

  const auto path = (std::filesystem::temp_directory_path() / "patchnas_latency_malformed.json").string();
  std::ofstream(path) << "{\"format\": \"patchnas.mcu/1\",";
  e = input_error_of([&] { find_mcu_profile(path); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), path);
  EXPECT_NE(e->reason().find("malformed JSON"), std::string::npos);
  std::filesystem::remove(path);
}

TEST(McuProfile, UnknownNameListsTheKnownOnes) {
  const auto e = input_error_of([] { find_mcu_profile("esp32"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), "esp32");
  for (const char* name : {"stm32f412", "stm32f746", "stm32h743", "nrf52840"}) {
    EXPECT_NE(e->reason().find(name), std::string::npos) << e->what();
  }
}

TEST(McuProfile, FindsByPathAndHonoursTheConfigDirVariable) {
  McuProfile custom = find_mcu_profile("stm32f746");
  custom.name = "custom";
  custom.clock_hz = 1e6;
  const auto dir = std::filesystem::temp_directory_path() / "patchnas_latency_configs";
  std::filesystem::create_directories(dir / "mcus");
  const std::string path = (dir / "mcus" / "custom.json").string();
  std::ofstream(path) << mcu_profile_to_json(custom).dump(2);
  EXPECT_EQ(find_mcu_profile(path), custom);

  ::setenv("PATCHNAS_CONFIG_DIR", dir.c_str(), 1);
  EXPECT_EQ(mcu_profile_dir(), (dir / "mcus").string());
  EXPECT_EQ(find_mcu_profile("custom"), custom);
  EXPECT_EQ(mcu_profile_names(), std::vector<std::string>{"custom"});
  const auto e = input_error_of([] { find_mcu_profile("stm32h743"); });
  ::unsetenv("PATCHNAS_CONFIG_DIR");
  ASSERT_TRUE(e);
  EXPECT_NE(e->reason().find("known: custom"), std::string::npos) << e->what();
  EXPECT_EQ(find_mcu_profile("stm32h743").name, "stm32h743");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace patchnas
