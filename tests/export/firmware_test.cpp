// The exported C tree end to end: a tiny patched model is exported with write_export(), then
// (1) the host harness is built from the exported CMakeLists.txt with the system C compiler and
// must print the reference int8 logits and exit 0; (2) the bare-metal firmware is built with
// arm-none-eabi-gcc for Cortex-M4 and Cortex-M7 and run under QEMU (mps2-an386 / an500): the
// same logits, intact guards, and an arena high-water mark measured on the device equal to the
// planned arena size (ARCHITECTURE.md invariants 1 and 3). A missing cross toolchain or QEMU is
// a failure that names tools/setup.sh, never a silent skip.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "estimators/estimate.hpp"
#include "export/codegen.hpp"
#include "export/command.hpp"
#include "export/qemu_profile.hpp"
#include "export/runtime_model.hpp"
#include "runtime/small_model.hpp"
#include "support/random_model.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/init.hpp"
#include "trainer/int8_inference.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;
using namespace trainer;

constexpr int kTestImages = 3;

using testing::random_images;
using testing::random_quantized;

ExportInputs tiny_export_inputs() {
  ExportInputs in;
  in.arch = testing::small_arch(/*patched=*/true);
  in.quantized = random_quantized(in.arch, 21);
  Rng rng(5);
  const Int8Tensor q =
      quantize_images(random_images(kTestImages, in.arch, rng), in.quantized.tensors[0]);
  const std::size_t bytes = q.data.size() / kTestImages;
  for (int i = 0; i < kTestImages; ++i) {
    in.test_images.emplace_back(q.data.begin() + static_cast<long>(i * bytes),
                                q.data.begin() + static_cast<long>((i + 1) * bytes));
  }
  compute_expected_logits(in);
  return in;
}

std::string quoted(const fs::path& p) { return shell_quoted(p); }

std::vector<std::string> lines_starting_with(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  }
  return lines;
}

bool has_line(const std::string& text, const std::string& wanted) {
  const auto lines = lines_starting_with(text, wanted);
  return std::find(lines.begin(), lines.end(), wanted) != lines.end();
}


// The size of `section` in `arm-none-eabi-size -A` output, or -1.
long long section_size(const std::string& size_output, const std::string& section) {
  const std::regex row("^" + std::regex_replace(section, std::regex(R"(\.)"), R"(\.)") +
                       R"(\s+(\d+)\s+\d+\s*$)");
  std::istringstream in(size_output);
  std::string line;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, row)) return std::stoll(m[1]);
  }
  return -1;
}

class ExportedFirmware : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    inputs_ = new ExportInputs(tiny_export_inputs());
    arena_bytes_ = RuntimeModel(inputs_->arch, inputs_->quantized).arena_bytes();
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("patchnas_firmware_test_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    write_export(*inputs_, dir_->string());
  }

  static void TearDownTestSuite() {
    const auto* suite = ::testing::UnitTest::GetInstance()->current_test_suite();
    if (suite != nullptr && suite->failed_test_count() > 0) {
      std::cout << "firmware_test: kept the export in " << dir_->string() << "\n";
    } else {
      fs::remove_all(*dir_);
    }
    delete dir_;
    delete inputs_;
  }

  // "image K: v0 v1 ... vN" for every test image, from the reference int8 inference.
  static std::vector<std::string> expected_image_lines() {
    std::vector<std::string> lines;
    for (std::size_t i = 0; i < inputs_->expected_logits.size(); ++i) {
      std::string line = "image " + std::to_string(i) + ":";
      for (const std::int8_t v : inputs_->expected_logits[i]) {
        line.append(" ").append(std::to_string(v));
      }
      lines.push_back(line);
    }
    return lines;
  }

  static void check_firmware(const std::string& cpu) {
    ASSERT_TRUE(have_tool("arm-none-eabi-gcc"))
        << "arm-none-eabi-gcc is not installed: run tools/setup.sh";
    ASSERT_TRUE(have_tool("qemu-system-arm")) << "qemu-system-arm is not installed: run tools/setup.sh";
    const std::string make = "make --no-print-directory -C " + quoted(*dir_ / "firmware") +
                             " CPU=" + cpu;
    const CommandResult build = run_command(make + " -j4");
    ASSERT_EQ(build.exit_code, 0) << build.output;
    EXPECT_EQ(build.output.find("warning:"), std::string::npos) << build.output;

    const CommandResult run = run_command(make + " run");
    std::cout << "--- " << cpu << " under QEMU ---\n" << run.output;
    EXPECT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(lines_starting_with(run.output, "image "), expected_image_lines()) << run.output;
    EXPECT_TRUE(has_line(run.output, "guards intact")) << run.output;
    EXPECT_TRUE(has_line(run.output, "OK " + std::to_string(kTestImages) + " images"))
        << run.output;
    EXPECT_EQ(firmware_value(run.output, "arena_bytes"), static_cast<long long>(arena_bytes_));
    EXPECT_EQ(firmware_value(run.output, "arena_high_water_bytes"),
              static_cast<long long>(arena_bytes_));
    const long long stack = firmware_value(run.output, "stack_high_water_bytes");
    EXPECT_GT(stack, 0);

    const CommandResult size = run_command(make + " size");
    std::cout << size.output;
    ASSERT_EQ(size.exit_code, 0) << size.output;
    const long long stack_section = section_size(size.output, ".stack");
    EXPECT_EQ(stack_section, 16 * 1024) << size.output;  // link.ld's default STACK_SIZE
    EXPECT_LT(stack, stack_section);
    EXPECT_GE(section_size(size.output, ".bss"), static_cast<long long>(arena_bytes_))
        << size.output;

    // Flash and static SRAM next to the estimator's (verification 4). The firmware adds to the
    // model and runtime its test data (exact, from estimate.mk) and this harness: startup,
    // semihosting, the checking loop, libc's memcpy/memset (a few KiB); the linker drops the
    // runtime code this model does not call. SRAM adds the arena guards and the harness's few
    // statics to the arena.
    const long long flash = firmware_value(size.output, "firmware_flash_bytes");
    const long long sram = firmware_value(size.output, "firmware_static_sram_bytes");
    const long long test_data = firmware_value(size.output, "test_data_bytes");
    const long long estimated_flash = firmware_value(size.output, "estimated_flash_bytes");
    const long long estimated_sram = firmware_value(size.output, "estimated_peak_sram_bytes");
    ASSERT_GT(test_data, 0) << size.output;
    const Estimate e = estimate(inputs_->arch, find_mcu_profile(cpu == "m7" ? kCortexM7Profile
                                                                            : kCortexM4Profile));
    EXPECT_EQ(estimated_flash, e.flash_bytes) << size.output;
    EXPECT_EQ(estimated_sram, e.peak_sram_bytes) << size.output;
    EXPECT_EQ(estimated_sram, static_cast<long long>(arena_bytes_));
    EXPECT_NEAR(static_cast<double>(flash - test_data), static_cast<double>(estimated_flash),
                8 * 1024.0)
        << size.output;
    EXPECT_GE(sram, estimated_sram) << size.output;
    EXPECT_LE(sram, estimated_sram + 1024) << size.output;
    std::printf("%s: firmware flash %lld B (%lld B of test data), estimator flash_bytes %lld B; "
                "static SRAM %lld B, estimator peak_sram_bytes %lld B\n",
                cpu.c_str(), flash, test_data, estimated_flash, sram, estimated_sram);
  }

  static ExportInputs* inputs_;
  static std::size_t arena_bytes_;
  static fs::path* dir_;
};

ExportInputs* ExportedFirmware::inputs_ = nullptr;
std::size_t ExportedFirmware::arena_bytes_ = 0;
fs::path* ExportedFirmware::dir_ = nullptr;

TEST_F(ExportedFirmware, HostHarnessPrintsTheReferenceLogits) {
  const fs::path build = *dir_ / "build-host";
  const CommandResult configure =
      run_command("cmake -S " + quoted(*dir_) + " -B " + quoted(build));
  ASSERT_EQ(configure.exit_code, 0) << configure.output;
  const CommandResult compile = run_command("cmake --build " + quoted(build) + " -j 4");
  ASSERT_EQ(compile.exit_code, 0) << compile.output;
  EXPECT_EQ(compile.output.find("warning:"), std::string::npos) << compile.output;

  const CommandResult run = run_command(quoted(build / "model_host"));
  std::cout << "--- host ---\n" << run.output;
  EXPECT_EQ(run.exit_code, 0) << run.output;
  EXPECT_EQ(lines_starting_with(run.output, "image "), expected_image_lines()) << run.output;
  EXPECT_TRUE(has_line(run.output, "OK " + std::to_string(kTestImages) + " images"))
      << run.output;
}

TEST_F(ExportedFirmware, CortexM4UnderQemuMatchesAndUsesExactlyThePlannedArena) {
  check_firmware("m4");
}

TEST_F(ExportedFirmware, CortexM7UnderQemuMatchesAndUsesExactlyThePlannedArena) {
  check_firmware("m7");
}

// Instruction counts per op type under QEMU -icount: the timer's rate is measured against a
// loop of known length (1.6 ticks an instruction at shift 6), the per-op counts add up to the
// total, every op with MACs executes instructions, and two runs count exactly the same.
TEST_F(ExportedFirmware, InstructionCountsPerOpUnderQemu) {
  ASSERT_TRUE(have_tool("arm-none-eabi-gcc"))
      << "arm-none-eabi-gcc is not installed: run tools/setup.sh";
  ASSERT_TRUE(have_tool("qemu-system-arm")) << "qemu-system-arm is not installed: run tools/setup.sh";
  const std::string profile =
      "make --no-print-directory -C " + quoted(*dir_ / "firmware") + " CPU=m4 profile";
  const CommandResult first = run_command(profile);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(first.output.find("warning:"), std::string::npos) << first.output;
  const long long rate = firmware_value(first.output, "ticks_per_million_instructions");
  EXPECT_NEAR(static_cast<double>(rate), 1.6e6, 1.6e6 * 1e-4) << first.output;
  long long sum = 0;
  for (const char* op : {"conv", "depthwise", "pointwise", "pool", "fc"}) {
    const long long instructions = firmware_value(first.output, std::string("instructions ") + op);
    const long long macs = firmware_value(first.output, std::string("macs ") + op);
    const long long executed = firmware_value(first.output, std::string("executed_macs ") + op);
    ASSERT_GE(instructions, 0) << op << "\n" << first.output;
    if (macs > 0) {
      EXPECT_GT(instructions, macs) << op;  // at least one instruction a MAC
      EXPECT_LT(instructions, 200 * macs) << op;
      const auto per_mac =
          lines_starting_with(first.output, std::string("instructions_per_mac ") + op + " ");
      ASSERT_EQ(per_mac.size(), 1u) << first.output;
      const double printed = std::stod(per_mac[0].substr(per_mac[0].rfind(' ') + 1));
      EXPECT_NEAR(printed, static_cast<double>(instructions) / static_cast<double>(executed), 0.006)
          << per_mac[0];
    }
    sum += instructions;
  }
  const long long total = firmware_value(first.output, "instructions_total");
  EXPECT_EQ(total, sum);
  EXPECT_GT(total, 0);
  // The plain inference, timed whole, adds only the executor's glue between kernel calls.
  const long long inference = firmware_value(first.output, "instructions_inference");
  EXPECT_NEAR(static_cast<double>(inference), static_cast<double>(total),
              0.02 * static_cast<double>(total))
      << first.output;
  const CommandResult second = run_command(profile);
  EXPECT_EQ(lines_starting_with(second.output, "instructions"),
            lines_starting_with(first.output, "instructions"));
}

// The model's constants in flash, compiled for Cortex-M4, against the estimator's count of
// them: the object's read-only data is exactly model_flash_bytes (weights, per-channel
// constants, layer descriptors, residual parameters, tile rows, the model descriptor).
TEST_F(ExportedFirmware, ModelConstantsInFlashMatchTheEstimator) {
  ASSERT_TRUE(have_tool("arm-none-eabi-gcc"))
      << "arm-none-eabi-gcc is not installed: run tools/setup.sh";
  const fs::path object = *dir_ / "model_m4.o";
  const CommandResult compiled = run_command(
      "arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -O2 -std=c99 -c " + quoted(*dir_ / "model.c") +
      " -I" + quoted(*dir_) + " -I" + quoted(*dir_ / "runtime" / "include") + " -o " +
      quoted(object));
  ASSERT_EQ(compiled.exit_code, 0) << compiled.output;
  const CommandResult size = run_command("arm-none-eabi-size -A " + quoted(object));
  ASSERT_EQ(size.exit_code, 0) << size.output;
  const long long rodata = section_size(size.output, ".rodata");
  McuProfile mcu;
  mcu.clock_hz = 1.0;
  const Estimate e = estimate(inputs_->arch, mcu);
  EXPECT_EQ(rodata, e.model_flash_bytes) << size.output;
  std::printf("model .rodata %lld B, estimator model_flash_bytes %lld B\n", rodata,
              static_cast<long long>(e.model_flash_bytes));
}

// The MCU profiles' runtime_code_bytes (added to every flash estimate) against the runtime's
// code as compiled now for each core: within 25%, so a grown runtime shows up here.
TEST_F(ExportedFirmware, ProfilesCountTheRuntimeCodeThatIsCompiled) {
  ASSERT_TRUE(have_tool("arm-none-eabi-gcc"))
      << "arm-none-eabi-gcc is not installed: run tools/setup.sh";
  const std::pair<const char*, const char*> cores[] = {
      {"stm32f412", "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16"},
      {"nrf52840", "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16"},
      {"stm32f746", "-mcpu=cortex-m7 -mfpu=fpv5-d16"},
      {"stm32h743", "-mcpu=cortex-m7 -mfpu=fpv5-d16"}};
  for (const auto& [mcu_name, flags] : cores) {
    const fs::path objects = *dir_ / (std::string("runtime_objects_") + mcu_name);
    fs::create_directories(objects);
    const fs::path runtime = *dir_ / "runtime";
    const CommandResult compiled = run_command(
        "cd " + quoted(objects) + " && arm-none-eabi-gcc " + flags +
        " -mthumb -mfloat-abi=hard -std=c99 -O2 -ffunction-sections -fdata-sections -I" +
        quoted(runtime / "include") + " -I" + quoted(runtime / "src") + " -c " +
        quoted(runtime / "src") + "/*.c && arm-none-eabi-size -A *.o");
    ASSERT_EQ(compiled.exit_code, 0) << compiled.output;
    long long text = 0;
    std::istringstream rows(compiled.output);
    std::string section;
    long long bytes = 0;
    std::string line;
    while (std::getline(rows, line)) {
      std::istringstream row(line);
      if (row >> section >> bytes && section.rfind(".text", 0) == 0) text += bytes;
    }
    const McuProfile mcu = find_mcu_profile(mcu_name);
    EXPECT_GT(text, 0) << compiled.output;
    EXPECT_NEAR(static_cast<double>(mcu.runtime_code_bytes), static_cast<double>(text),
                0.25 * static_cast<double>(text))
        << mcu_name << ": the runtime compiles to " << text << " B of code";
  }
}

// RAM_SIZE emulates a real part: with room for the 16K stack, the arena and some slack the
// firmware links; with less RAM than stack + arena the link fails, not the device.
TEST_F(ExportedFirmware, LinkFollowsTheRamSizeOfARealPart) {
  ASSERT_TRUE(have_tool("arm-none-eabi-gcc"))
      << "arm-none-eabi-gcc is not installed: run tools/setup.sh";
  const std::string make = "make --no-print-directory -C " + quoted(*dir_ / "firmware") +
                           " CPU=m4 -j4 RAM_SIZE=";
  const std::size_t stack = 16 * 1024;
  const CommandResult fits = run_command(make + std::to_string(stack + arena_bytes_ + 4096));
  EXPECT_EQ(fits.exit_code, 0) << fits.output;
  const CommandResult too_small = run_command(make + std::to_string(stack + arena_bytes_ / 2));
  EXPECT_NE(too_small.exit_code, 0) << too_small.output;
  EXPECT_NE(too_small.output.find("region `RAM' overflowed"), std::string::npos)
      << too_small.output;

  // A part's own addresses (STM32: flash at 0x08000000): the vector table moves there.
  const fs::path firmware = *dir_ / "firmware";
  const CommandResult at_part = run_command(
      make + "320K FLASH_SIZE=1M FLASH_ORIGIN=0x08000000 && arm-none-eabi-nm " +
      quoted(firmware / "firmware_m4.elf"));
  ASSERT_EQ(at_part.exit_code, 0) << at_part.output;
  EXPECT_NE(at_part.output.find("08000000 T __isr_vector"), std::string::npos) << at_part.output;
}

}  // namespace
}  // namespace patchnas
