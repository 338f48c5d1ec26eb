// A full disk under `patchnas search`, `train` and `run`: the command stops with exit 1 and one
// line "patchnas: error: ...<the file being written>: cannot write: No space left on device",
// leaves no half-written output and no temporary, keeps what it had finished (the search's last
// checkpoint, the training's last epoch, the run's finished stages), and once there is room
// again, --resume ends with exactly the uninterrupted run's results. The disk is a small tmpfs
// where it can be mounted, else simulated (small_disk.hpp); the test prints which.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "faults/fault_commands.hpp"
#include "faults/fault_process.hpp"
#include "faults/output_check.hpp"
#include "faults/small_disk.hpp"
#include "trainer/checkpoint_file.hpp"

namespace patchnas::faults {
namespace {

namespace fs = std::filesystem;

std::int64_t file_bytes(const fs::path& path) { return static_cast<std::int64_t>(fs::file_size(path)); }

// The tmpfs space of the reference's files under `parts` (files or folders of its output).
std::int64_t reference_pages(const Reference& ref, const std::vector<std::string>& parts) {
  std::int64_t bytes = 0;
  for (const std::string& part : parts) {
    const fs::path path = fs::path(ref.out) / part;
    if (fs::is_regular_file(path)) bytes += pages_bytes(file_bytes(path));
    if (!fs::is_directory(path)) continue;
    for (const auto& e : fs::recursive_directory_iterator(path)) {
      if (e.is_regular_file()) bytes += pages_bytes(static_cast<std::int64_t>(e.file_size()));
    }
  }
  return bytes;
}

// Runs `c` on a disk limited by `limit`, checks how it fails (naming `failing_file`), runs
// `check_kept` on what it left, then frees the space, resumes and compares with the reference.
template <typename CheckKept>
void fill_fail_resume(Command c, const DiskLimit& limit, const std::string& failing_file,
                      CheckKept&& check_kept) {
  const Reference& ref = reference(c);
  const fs::path dir = scratch_dir("disk-" + command_name(c));
  SmallDisk disk(dir);
  std::printf("%s: full disk: %s\n", command_name(c).c_str(), disk.method().c_str());
  const std::string out = (dir / "out").string();
  const fs::path log = dir.string() + ".log";

  const Outcome failed = run_patchnas(command_args(c, out, false), log.string(), {}, disk.fill(limit));
  ASSERT_EQ(failed.exit_code, 1) << log_tail(log);
  const auto errors = error_lines(log);
  ASSERT_EQ(errors.size(), 1u) << log_tail(log);
  std::printf("%s: %s\n", command_name(c).c_str(), errors.front().c_str());
  // The file named is `failing_file`, or when that is empty any file of the output.
  const std::string named = out + "/" + failing_file;
  const auto at = errors.front().find(named);
  EXPECT_NE(at, std::string::npos) << errors.front();
  EXPECT_NE(errors.front().find(": cannot write: No space left on device", at), std::string::npos)
      << errors.front();
  EXPECT_EQ(half_written_outputs(out, /*allow_log_tail=*/false), std::vector<std::string>{});
  EXPECT_EQ(temporaries(out), std::vector<std::string>{});
  check_kept(ref, out);

  disk.free_space();
  const Outcome resumed = run_patchnas(command_args(c, out, true), log.string());
  ASSERT_EQ(resumed.exit_code, 0) << log_tail(log);
  EXPECT_EQ(first_difference(ref.outputs, deterministic_outputs(out, out)), "");
}

TEST(FullDisk, SearchKeepsItsLastCheckpoint) {
  fill_fail_resume(Command::search, {.tmpfs_bytes = 32 << 10, .match = "/out/", .bytes = 32 << 10},
                   "", [](const Reference&, const std::string& out) {
                     const auto j = nlohmann::json::parse(std::ifstream(out + "/checkpoint.json"));
                     EXPECT_GT(j.at("generation").get<int>(), 0);
                     EXPECT_FALSE(fs::exists(out + "/best.json"));
                   });
}

TEST(FullDisk, TrainKeepsItsLastEpoch) {
  const std::int64_t checkpoint = file_bytes(fs::path(reference(Command::train).out) / "checkpoint.bin");
  fill_fail_resume(Command::train,
                   {.tmpfs_bytes = checkpoint * 3 / 2, .match = "/checkpoint.bin", .bytes = checkpoint * 3 / 2},
                   "checkpoint.bin", [](const Reference&, const std::string& out) {
                     const auto f = trainer::read_checkpoint_file(out + "/checkpoint.bin");
                     EXPECT_EQ(f.meta.at("epochs_done").get<int>(), 1);
                     EXPECT_FALSE(fs::exists(out + "/summary.json"));
                   });
}

TEST(FullDisk, RunKeepsItsFinishedStages) {
  const Reference& ref = reference(Command::run);
  const std::int64_t checkpoint = file_bytes(fs::path(ref.out) / "final" / "checkpoint.bin");
  const std::int64_t before_final = reference_pages(ref, {"run.json", "search", "survivors"});
  fill_fail_resume(
      Command::run,
      {.tmpfs_bytes = before_final + pages_bytes(checkpoint) / 2, .match = "/final/checkpoint.bin",
       .bytes = checkpoint / 2},
      "final/checkpoint.bin", [](const Reference& r, const std::string& out) {
        // The finished stages are as the uninterrupted run left them.
        const Outputs kept = deterministic_outputs(out, out);
        for (const auto& [name, content] : r.outputs) {
          const bool finished = name.rfind("search/", 0) == 0 || name.rfind("survivors/", 0) == 0;
          if (!finished) continue;
          EXPECT_EQ(kept.count(name) ? kept.at(name) : "missing", content) << name;
        }
        EXPECT_FALSE(fs::exists(out + "/final/done.json"));
      });
}

// The disk fills while verify builds the firmware (make and the cross compiler write the
// objects): one error line naming the stage and what the compiler said, nothing half-written,
// and with room again --resume ends with the uninterrupted run's results. The run is the
// reference's copy with verify and report undone and the firmware's build products removed.
TEST(FullDisk, RunStopsInTheFirmwareBuildWithOneLine) {
  const Reference& ref = reference(Command::run);
  const fs::path dir = scratch_dir("disk-firmware");
  SmallDisk disk(dir);
  std::printf("run: full disk: %s\n", disk.method().c_str());
  const fs::path out = dir / "out";
  fs::copy(ref.out, out, fs::copy_options::recursive);
  for (const char* undone : {"verify", "report", "report.html", "summary.json"}) {
    fs::remove_all(out / undone);
  }
  // The stages' records name the run directory (export/done.json: the model's folder).
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    if (e.path().extension() != ".json") continue;
    std::ifstream in(e.path());
    std::string text((std::istreambuf_iterator<char>(in)), {});
    for (std::size_t at = 0; (at = text.find(ref.out, at)) != std::string::npos;) {
      text.replace(at, ref.out.size(), out.string());
      at += out.string().size();
    }
    std::ofstream(e.path(), std::ios::trunc) << text;
  }
  std::vector<fs::path> products;
  for (const auto& e : fs::recursive_directory_iterator(out / "export")) {
    const std::string name = e.path().filename().string();
    if (name.rfind("build_", 0) == 0 || e.path().extension() == ".elf") products.push_back(e.path());
  }
  ASSERT_FALSE(products.empty()) << "the reference built no firmware";
  for (const fs::path& p : products) fs::remove_all(p);
  std::int64_t used = 0;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    if (e.is_regular_file()) used += pages_bytes(static_cast<std::int64_t>(e.file_size()));
  }
  // Room for run.json's rewrite, not for the firmware's objects.
  const fs::path log = dir.string() + ".log";
  const Outcome failed = run_patchnas(
      command_args(Command::run, out.string(), true), log.string(), {},
      disk.fill({.tmpfs_bytes = used + (8 << 10), .match = "/export/model/firmware/", .bytes = 0}));
  ASSERT_EQ(failed.exit_code, 1) << log_tail(log);
  const auto errors = error_lines(log);
  ASSERT_EQ(errors.size(), 1u) << log_tail(log);
  std::printf("run: %s\n", errors.front().c_str());
  EXPECT_EQ(errors.front().rfind("patchnas: error: stage verify: building the firmware", 0), 0u)
      << errors.front();
  EXPECT_NE(errors.front().find("No space left on device"), std::string::npos) << errors.front();
  EXPECT_EQ(half_written_outputs(out, /*allow_log_tail=*/false), std::vector<std::string>{});
  EXPECT_EQ(temporaries(out), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out / "verify" / "done.json"));

  disk.free_space();
  const Outcome resumed = run_patchnas(command_args(Command::run, out.string(), true), log.string());
  ASSERT_EQ(resumed.exit_code, 0) << log_tail(log);
  EXPECT_EQ(first_difference(ref.outputs, deterministic_outputs(out, out.string())), "");
}

}  // namespace
}  // namespace patchnas::faults
