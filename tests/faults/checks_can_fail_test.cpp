// The fault suite's checks can fail: a half-written output, a cut line, a checkpoint its logs do
// not cover, a leftover temporary and a changed result are each caught, while a changed
// wall-clock field is not a difference.
#include <gtest/gtest.h>

#include <fstream>

#include "faults/deterministic_outputs.hpp"
#include "faults/fault_commands.hpp"
#include "faults/output_check.hpp"
#include "trainer/checkpoint_file.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A small output directory like a search's and a training's.
fs::path sample_outputs(const std::string& name) {
  const fs::path dir = scratch_dir(name);
  write(dir / "best.json", "{\"name\": \"a\"}\n");
  write(dir / "search.jsonl", "{\"generation\":1,\"seconds\":0.5}\n{\"generation\":2,\"seconds\":0.7}\n");
  write(dir / "scored.txt", "abc\ndef\n");
  write(dir / "checkpoint.json", "{\"generation\": 2, \"scored\": 2}\n");
  write(dir / "summary.json", "{\"checkpoint\": \"" + dir.string() + "/checkpoint.bin\"}\n");
  trainer::CheckpointFile f;
  f.meta["history"] = {{{"epoch", 1}, {"seconds", 2.5}, {"samples_per_second", 100.0}}};
  f.arrays["layers.0.weight"] = {1.0f, 2.0f, 3.0f};
  trainer::write_checkpoint_file((dir / "checkpoint.bin").string(), f);
  return dir;
}

TEST(FaultChecks, WholeOutputsPass) {
  const fs::path dir = sample_outputs("checks-whole");
  EXPECT_EQ(half_written_outputs(dir, false), std::vector<std::string>{});
  EXPECT_EQ(temporaries(dir), std::vector<std::string>{});
}

TEST(FaultChecks, HalfWrittenOutputsAreCaught) {
  const fs::path dir = sample_outputs("checks-half");
  write(dir / "pareto.json", "{\"points\": [1, 2");
  const std::string bin = (dir / "checkpoint.bin").string();
  fs::resize_file(bin, fs::file_size(bin) - 4);
  write(dir / "metrics.jsonl", "{\"epoch\": 1}\n{\"epo");
  const auto problems = half_written_outputs(dir, /*allow_log_tail=*/true);
  ASSERT_EQ(problems.size(), 3u) << ::testing::PrintToString(problems);
  EXPECT_NE(problems[0].find("checkpoint.bin: does not read"), std::string::npos) << problems[0];
  EXPECT_NE(problems[1].find("metrics.jsonl: last line cut short"), std::string::npos) << problems[1];
  EXPECT_NE(problems[2].find("pareto.json: not JSON"), std::string::npos) << problems[2];
}

TEST(FaultChecks, ALogTailIsAllowedOnlyBeforeTheResumeAndTheCheckpointMustBeCovered) {
  const fs::path dir = sample_outputs("checks-tail");
  write(dir / "scored.txt", "abc\ndef\ngh");
  EXPECT_EQ(half_written_outputs(dir, /*allow_log_tail=*/true), std::vector<std::string>{});
  EXPECT_EQ(half_written_outputs(dir, /*allow_log_tail=*/false).size(), 1u);
  write(dir / "search.jsonl", "{\"generation\":1}\n");
  const auto problems = half_written_outputs(dir, /*allow_log_tail=*/true);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("counts 2 lines of search.jsonl, which holds 1"), std::string::npos)
      << problems[0];
}

TEST(FaultChecks, TemporariesAreListedAndNeverReadAsOutputs) {
  const fs::path dir = sample_outputs("checks-temporaries");
  write(dir / "best.json.tmp.4242", "{\"na");
  write(dir / "export" / "model.tmp.4242" / "model.c", "int");
  write(dir / "notes.tmp.txt", "kept: not a temporary");
  EXPECT_EQ(half_written_outputs(dir, false), std::vector<std::string>{});
  EXPECT_EQ(temporaries(dir), (std::vector<std::string>{"best.json.tmp.4242", "export/model.tmp.4242"}));
}

TEST(FaultChecks, AChangedResultIsADifferenceAndAChangedTimingIsNot) {
  const fs::path a = sample_outputs("checks-a");
  const fs::path b = sample_outputs("checks-b");
  const Outputs expected = deterministic_outputs(a, a.string());
  // Other timings and another directory: the same results.
  write(b / "search.jsonl", "{\"generation\":1,\"seconds\":9.5}\n{\"generation\":2,\"seconds\":1}\n");
  trainer::CheckpointFile f = trainer::read_checkpoint_file((b / "checkpoint.bin").string());
  f.meta["history"][0]["seconds"] = 7.0;
  trainer::write_checkpoint_file((b / "checkpoint.bin").string(), f);
  EXPECT_EQ(first_difference(expected, deterministic_outputs(b, b.string())), "");
  // One weight changed by one ulp.
  f.arrays["layers.0.weight"][1] = std::nextafter(2.0f, 3.0f);
  trainer::write_checkpoint_file((b / "checkpoint.bin").string(), f);
  EXPECT_NE(first_difference(expected, deterministic_outputs(b, b.string())).find("checkpoint.bin"),
            std::string::npos);
  trainer::write_checkpoint_file((b / "checkpoint.bin").string(),
                                 trainer::read_checkpoint_file((a / "checkpoint.bin").string()));
  // A result field, a missing file and an extra file.
  write(b / "search.jsonl", "{\"generation\":1,\"seconds\":0.5}\n{\"generation\":3,\"seconds\":0.7}\n");
  EXPECT_NE(first_difference(expected, deterministic_outputs(b, b.string())).find("search.jsonl"),
            std::string::npos);
  fs::copy_file(a / "search.jsonl", b / "search.jsonl", fs::copy_options::overwrite_existing);
  fs::remove(b / "best.json");
  EXPECT_EQ(first_difference(expected, deterministic_outputs(b, b.string())), "best.json: missing");
  fs::copy_file(a / "best.json", b / "best.json");
  write(b / "survivors" / "01-x.json", "{}");
  EXPECT_EQ(first_difference(expected, deterministic_outputs(b, b.string())),
            "survivors/01-x.json: not in the uninterrupted run");
}

}  // namespace
}  // namespace patchnas::faults
