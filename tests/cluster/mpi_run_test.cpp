// patchnas run and search under mpirun on 2 and 3 ranks of this machine give exactly the
// single-process results (deterministic_outputs.hpp says what is left out: wall-clock fields);
// the survivors' training runs are really dealt to other ranks; a rank killed during the
// survivor stage stops the whole run with mpirun's message naming it, leaves no half-written
// output, and --resume on another number of ranks finishes with the same results without
// training again what was finished.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <map>

#include <sys/stat.h>

#include "cluster/mpi_launch.hpp"
#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"
#include "faults/output_check.hpp"

namespace patchnas::mpi_tests {
namespace {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// The survivors' recorded results: path -> (inode, modification time). A result written again
// is a new file (atomic replace), so a changed entry means the run was trained again.
std::map<std::string, std::pair<fs::file_time_type, ino_t>> recorded_results(const fs::path& out) {
  std::map<std::string, std::pair<fs::file_time_type, ino_t>> results;
  // The run may be writing while this looks: entries that come and go are skipped.
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(out / "survivors", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->path().filename() != "result.json") continue;
    struct stat st {};
    if (::stat(it->path().c_str(), &st) != 0) continue;
    std::error_code gone;
    const fs::file_time_type written = fs::last_write_time(it->path(), gone);
    if (!gone) results[it->path().string()] = {written, st.st_ino};
  }
  return results;
}

void expect_same_as_single_process(Job job, int ranks) {
  const Reference& ref = single_process_reference(job);
  const std::string out =
      faults::scratch_dir("ranks-" + std::to_string(ranks) + "-" + (job == Job::run ? "run" : "search"))
          .string();
  const std::string log = out + ".log";
  const faults::Outcome o = faults::run_program(launch_args(job, out, ranks, false), log);
  ASSERT_EQ(o.exit_code, 0) << faults::log_tail(log);
  EXPECT_EQ(faults::first_difference(ref.outputs, faults::deterministic_outputs(out, out)), "")
      << "on " << ranks << " ranks";
  if (job == Job::run) {
    // Not everything trained on rank 0: the dealer used the other ranks.
    const std::string text = read_text(log);
    EXPECT_NE(text.find("dealt over " + std::to_string(ranks) + " ranks"), std::string::npos) << text;
    bool others = false;
    for (int r = 1; r < ranks; ++r) {
      for (int n = 1; n <= 4; ++n) {
        others |= text.find("rank " + std::to_string(r) + " ran " + std::to_string(n)) !=
                  std::string::npos;
      }
    }
    EXPECT_TRUE(others) << "no training run was dealt to a rank other than 0:\n" << text;
  }
}

TEST(Mpi, SearchOn3RanksMatchesOneProcess) { expect_same_as_single_process(Job::search, 3); }
TEST(Mpi, RunOn2RanksMatchesOneProcess) { expect_same_as_single_process(Job::run, 2); }
TEST(Mpi, RunOn3RanksMatchesOneProcess) { expect_same_as_single_process(Job::run, 3); }

// The search killed (every rank) after a few generations on 2 ranks, resumed on 3.
TEST(Mpi, SearchResumesOnAnotherNumberOfRanks) {
  const Reference& ref = single_process_reference(Job::search);
  const std::string out = faults::scratch_dir("search-killed").string();
  const std::string log = out + ".log";
  const faults::Outcome killed = faults::run_program(
      launch_args(Job::search, out, 2, false), log, std::nullopt, {}, [&](pid_t sid) {
        std::ifstream in(out + "/search.jsonl");
        int lines = 0;
        for (std::string line; std::getline(in, line);) ++lines;
        if (lines >= 3) {
          for (const pid_t pid : faults::session_members(sid)) ::kill(pid, SIGKILL);
        }
      });
  ASSERT_TRUE(killed.killed) << "the search ended before it could be killed:\n"
                             << faults::log_tail(log);
  EXPECT_EQ(faults::half_written_outputs(out, /*allow_log_tail=*/true), std::vector<std::string>{});
  const faults::Outcome resumed = faults::run_program(launch_args(Job::search, out, 3, true), log);
  ASSERT_EQ(resumed.exit_code, 0) << faults::log_tail(log);
  EXPECT_NE(read_text(log).find("resumed"), std::string::npos);
  EXPECT_EQ(faults::first_difference(ref.outputs, faults::deterministic_outputs(out, out)), "");
}

// Rank 1 of 2 killed once the first survivor training run has recorded its result.
TEST(Mpi, KilledRankStopsTheRunAndResumeOnOtherRanksFinishes) {
  const Reference& ref = single_process_reference(Job::run);
  const std::string out = faults::scratch_dir("run-rank-killed").string();
  const std::string log = out + ".log";
  std::map<std::string, std::pair<fs::file_time_type, ino_t>> before;
  pid_t victim = 0;
  const faults::Outcome stopped = faults::run_program(
      launch_args(Job::run, out, 2, false), log, std::nullopt, {}, [&](pid_t sid) {
        if (victim != 0) return;
        const auto results = recorded_results(out);
        if (results.empty()) return;
        victim = rank_pid(sid, 1);
        if (victim == 0) return;
        before = results;
        ::kill(victim, SIGKILL);
      });
  ASSERT_NE(victim, 0) << "rank 1 was never found to kill:\n" << faults::log_tail(log);
  EXPECT_FALSE(stopped.killed);
  EXPECT_NE(stopped.exit_code, 0) << faults::log_tail(log);
  EXPECT_NE(read_text(log).find("process rank 1 "), std::string::npos)
      << "no message names the dead rank:\n" << faults::log_tail(log);
  EXPECT_FALSE(fs::exists(out + "/survivors/done.json")) << "killed too late to test anything";
  EXPECT_EQ(faults::half_written_outputs(out, /*allow_log_tail=*/true), std::vector<std::string>{});

  const faults::Outcome resumed = faults::run_program(launch_args(Job::run, out, 3, true), log);
  ASSERT_EQ(resumed.exit_code, 0) << faults::log_tail(log);
  EXPECT_EQ(faults::temporaries(out), std::vector<std::string>{});
  EXPECT_EQ(faults::first_difference(ref.outputs, faults::deterministic_outputs(out, out)), "");
  const auto after = recorded_results(out);
  for (const auto& [path, stamp] : before) {
    ASSERT_TRUE(after.contains(path)) << path;
    EXPECT_EQ(after.at(path), stamp) << path << " was trained again";
  }
}

}  // namespace
}  // namespace patchnas::mpi_tests
