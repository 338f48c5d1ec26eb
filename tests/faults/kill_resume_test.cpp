// SIGKILL at seeded random moments during `patchnas search`, `train` and `run`: after every
// kill no output is half-written (output_check.hpp), and the command resumed with --resume
// (and killed again: kills are chained) ends with exactly the result files of an uninterrupted
// run (deterministic_outputs.hpp names what is left out of the comparison). The kill times come
// from PATCHNAS_FAULT_SEED (printed; set it to replay a failure).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"
#include "faults/output_check.hpp"

namespace patchnas::faults {
namespace {

constexpr int kKillPoints = 20;

// The k-th run of an episode (k = 0, 1, ...) is killed after a uniform random part of this
// fraction of the uninterrupted run's time: short windows first, so kills come cheap and
// often, then wider ones, so that a command whose last step is long still gets past it and
// the episode ends (a run that finishes before its kill time ends the episode).
double kill_window(int k) { return std::min(1.0, 0.25 * std::pow(1.5, k)); }

std::uint64_t fault_seed() {
  const char* text = std::getenv("PATCHNAS_FAULT_SEED");
  return text != nullptr ? std::strtoull(text, nullptr, 10) : 20261124;
}

struct KillTally {
  int kill_points = 0;
  int episodes = 0;
  int kills_leaving_temporaries = 0;
};

// One episode: the command started in a fresh directory, then resumed until it finishes,
// killed while the tally wants more kill points; at the end its results must be the reference's.
void run_episode(Command c, const Reference& ref, std::mt19937_64& rng, KillTally& tally) {
  const std::string name = command_name(c);
  const std::string out =
      scratch_dir("killed-" + name + "-" + std::to_string(++tally.episodes)).string();
  const std::string log = out + ".log";
  for (int attempt = 0;; ++attempt) {
    ASSERT_LT(attempt, 10 * kKillPoints) << "the " << name << " never finishes";
    const bool kill = tally.kill_points < kKillPoints;
    const double after =
        std::uniform_real_distribution<double>(0.0, kill_window(attempt) * ref.seconds)(rng);
    const Outcome o = run_patchnas(command_args(c, out, attempt > 0), log,
                                   kill ? std::optional<double>(after) : std::nullopt);
    if (o.killed) {
      ++tally.kill_points;
      const auto left = temporaries(out);
      tally.kills_leaving_temporaries += left.empty() ? 0 : 1;
      std::printf("%s kill point %d: episode %d, run %d, killed after %.3f s%s\n", name.c_str(),
                  tally.kill_points, tally.episodes, attempt + 1, after,
                  left.empty() ? "" : (", left " + left.front()).c_str());
      std::fflush(stdout);
      const auto problems = half_written_outputs(out, /*allow_log_tail=*/true);
      ASSERT_TRUE(problems.empty()) << name << " after kill point " << tally.kill_points << ": "
                                    << problems.front();
      continue;
    }
    ASSERT_EQ(o.exit_code, 0) << name << " failed after resuming:\n" << log_tail(log);
    EXPECT_EQ(half_written_outputs(out, /*allow_log_tail=*/false), std::vector<std::string>{});
    EXPECT_EQ(temporaries(out), std::vector<std::string>{}) << "left by killed runs";
    EXPECT_EQ(first_difference(ref.outputs, deterministic_outputs(out, out)), "")
        << name << " episode " << tally.episodes << " differs from the uninterrupted run";
    return;
  }
}

void survive_kills(Command c) {
  const Reference& ref = reference(c);
  const std::uint64_t seed = fault_seed() + static_cast<std::uint64_t>(c);
  std::printf("%s: uninterrupted run %.2f s; kill times from seed %llu "
              "(PATCHNAS_FAULT_SEED=%llu replays them)\n",
              command_name(c).c_str(), ref.seconds, static_cast<unsigned long long>(seed),
              static_cast<unsigned long long>(fault_seed()));
  std::mt19937_64 rng(seed);
  KillTally tally;
  while (tally.kill_points < kKillPoints && !::testing::Test::HasFatalFailure()) {
    run_episode(c, ref, rng, tally);
  }
  std::printf("%s: survived %d kill points in %d episodes (%d left temporaries behind, "
              "cleaned up by the resume)\n",
              command_name(c).c_str(), tally.kill_points, tally.episodes,
              tally.kills_leaving_temporaries);
  EXPECT_EQ(tally.kill_points, kKillPoints);
}

TEST(KillResume, Search) { survive_kills(Command::search); }
TEST(KillResume, Train) { survive_kills(Command::train); }
TEST(KillResume, Run) { survive_kills(Command::run); }

}  // namespace
}  // namespace patchnas::faults
