// A failed external command (make, the cross compiler, QEMU) becomes one error line naming the
// line of its output that tells the problem, with the whole output saved to a file.
#include "export/command.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace patchnas {
namespace {

namespace fs = std::filesystem;

TEST(TellingLine, PrefersTheHarnessFailureThenErrorsThenFailedWritesThenMake) {
  const std::string make = "make: *** [Makefile:40: build/main.o] Error 1";
  const std::string compiler = "main.c:3:10: fatal error: model.h: No such file or directory";
  const std::string assembler =
      "/tmp/ccA.s: Assembler messages:\n/tmp/ccA.s: Fatal error: can't write 10 bytes to section "
      ".text of build/main.o: 'No space left on device'";
  const std::string write = "cp: error writing 'a.bin': No space left on device";
  EXPECT_EQ(telling_line("arena 100\nFAIL the network wrote outside its arena\n" + make + "\n"),
            "FAIL the network wrote outside its arena");
  EXPECT_EQ(telling_line("image 0: 3 -1\nMISMATCH image 0 class 1: got -1 expected 2\n"
                         "error: 1 guard\n" + make),
            "MISMATCH image 0 class 1: got -1 expected 2");
  EXPECT_EQ(telling_line("image 0: 3 -1\nmodel_run_in failed with status 4\n" + make),
            "model_run_in failed with status 4");
  EXPECT_EQ(telling_line("cc -c main.c\n" + compiler + "\ncompilation terminated.\n" + make),
            compiler);
  EXPECT_EQ(telling_line(assembler + "\n" + make),
            "/tmp/ccA.s: Fatal error: can't write 10 bytes to section .text of build/main.o: "
            "'No space left on device'");
  EXPECT_EQ(telling_line("ld: final link failed: No space left on device\n" + make),
            "ld: final link failed: No space left on device");
  EXPECT_EQ(telling_line("cc -c a.c\n" + make + "\n"), make);
  EXPECT_EQ(telling_line("one\ntwo\n\n   \n"), "two");
  EXPECT_EQ(telling_line(write), write);
}

TEST(TellingLine, ControlCharactersBecomeSpaces) {
  EXPECT_EQ(telling_line("a\tb\rc\x1b[0m"), "a b c [0m");
  EXPECT_EQ(telling_line(""), "(no output)");
  EXPECT_EQ(telling_line("\n \n"), "(no output)");
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("patchnas_command_test_" + name);
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(CommandFailure, IsOneLineWithTheTellingLineAndTheWholeOutputSaved) {
  const fs::path dir = fresh_dir("saved");
  const CommandResult r = run_command(
      "echo 'arm-none-eabi-gcc -c main.c'; echo 'main.c:1: error: expected ;' >&2; "
      "echo 'make: *** [all] Error 1'; exit 3");
  ASSERT_EQ(r.exit_code, 3);
  const std::string line =
      command_failure("building the firmware failed", r, dir / "build.log").what();
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line, "building the firmware failed (exit 3): main.c:1: error: expected ; [whole output in " +
                      (dir / "build.log").string() + "]");
  std::ifstream in(dir / "build.log");
  std::stringstream saved;
  saved << in.rdbuf();
  EXPECT_EQ(saved.str(), r.output);
  EXPECT_NE(saved.str().find("arm-none-eabi-gcc -c main.c"), std::string::npos);
  fs::remove_all(dir);
}

TEST(CommandFailure, SaysSoWhenTheOutputCannotBeSaved) {
  const fs::path dir = fresh_dir("unsaved");
  fs::create_directories(dir / "log.txt");  // a directory where the log file would go
  CommandResult r;
  r.exit_code = -1;
  r.output = "qemu-system-arm: cannot start\n";
  const std::string line = command_failure("running QEMU failed", r, dir / "log.txt").what();
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_EQ(line.rfind("running QEMU failed (did not start, or was killed): qemu-system-arm: "
                       "cannot start [its output could not be saved: ", 0),
            0u)
      << line;
  fs::remove_all(dir);
}

}  // namespace
}  // namespace patchnas
