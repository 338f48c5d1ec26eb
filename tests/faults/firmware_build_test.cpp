// A firmware build killed while the compiler writes an object must not leave a truncated object
// under the object's name: make would take it as up to date (it is newer than its source), and
// the resumed verify stage of `patchnas run` would fail to link. The exported Makefile writes each
// object and the ELF under a temporary name and renames it when complete. Here a compiler that
// writes half its output and then kills the whole build stands in for the kill.
#include <gtest/gtest.h>

#include <fstream>

#include <sys/stat.h>

#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

// Compiles as asked, then leaves half of the output at the -o path and kills its session.
constexpr const char* kKilledCompiler = R"(#!/bin/sh
out=""; previous=""
for a in "$@"; do [ "$previous" = "-o" ] && out="$a"; previous="$a"; done
arm-none-eabi-gcc "$@" || exit 1
size=$(stat -c %s "$out")
head -c $((size / 2)) "$out" > "$out.half" && mv "$out.half" "$out"
kill -KILL 0
)";

TEST(KillResume, RunFirmwareBuildKilledMidCompileResumes) {
  if (std::system("command -v arm-none-eabi-gcc >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "arm-none-eabi-gcc is not installed (tools/setup.sh installs it)";
  }
  const fs::path dir = scratch_dir("firmware-build");
  fs::create_directories(dir);
  fs::copy(fs::path(reference(Command::run).out) / "export" / "model", dir / "model",
           fs::copy_options::recursive);
  const fs::path firmware = dir / "model" / "firmware";
  const fs::path compiler = dir / "killed-cc";
  std::ofstream(compiler) << kKilledCompiler;
  fs::permissions(compiler, fs::perms::owner_all);
  const std::string log = (dir / "make.log").string();
  const std::vector<std::string> make{"make", "--no-print-directory", "-C", firmware.string(),
                                      "CPU=m4"};

  ASSERT_EQ(run_program({"make", "-C", firmware.string(), "clean"}, log).exit_code, 0);
  std::vector<std::string> killed = make;
  killed.push_back("CC=" + compiler.string());
  const Outcome o = run_program(killed, log);
  ASSERT_FALSE(o.exit_code == 0) << "the build was not killed:\n" << log_tail(log);
  const Outcome resumed = run_program(make, log);
  EXPECT_EQ(resumed.exit_code, 0) << log_tail(log);
  EXPECT_TRUE(fs::exists(firmware / "firmware_m4.elf"));
}

}  // namespace
}  // namespace patchnas::faults
