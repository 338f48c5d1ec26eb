// The output writers detect every write error: a write cut short and then refused (the file
// size limit RLIMIT_FSIZE makes write() return a short count, then fail with EFBIG, as a full
// disk does with ENOSPC), a rename that cannot happen, a missing directory. Each throws one line
// naming the target, leaves the old content and no temporary. Also: the temporaries a killed
// process leaves are found and removed, and a directory is replaced whole.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <functional>
#include <fstream>

#include <sys/resource.h>
#include <unistd.h>

#include "space/atomic_file.hpp"
#include "space/file_io.hpp"

namespace {

namespace fs = std::filesystem;
using namespace patchnas;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

// Files of this process may not grow beyond `bytes` while it lives (SIGXFSZ ignored, so the
// write fails with EFBIG instead of killing the process).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &saved_);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

std::string error_of(const std::function<void()>& write) {
  try {
    write();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(AtomicFile, AWriteCutShortThrowsNamingTheFileAndKeepsTheOldContent) {
  const fs::path dir = fresh_dir("atomic_short");
  const std::string path = (dir / "best.json").string();
  write_file_atomically(path, "old\n");
  std::string error;
  {
    const FileSizeLimit limit(1000);
    error = error_of([&] { write_file_atomically(path, std::string(5000, 'x')); });
  }
  EXPECT_EQ(error, path + ": cannot write: File too large");
  EXPECT_EQ(read_text(path), "old\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(AtomicFile, ARenameThatFailsThrowsAndRemovesTheTemporary) {
  const fs::path dir = fresh_dir("atomic_rename");
  fs::create_directories(dir / "taken" / "inside");  // a non-empty directory is in the way
  const std::string path = (dir / "taken").string();
  const std::string error = error_of([&] { write_file_atomically(path, "text"); });
  EXPECT_EQ(error.rfind(path + ": cannot write: ", 0), 0u) << error;
  EXPECT_FALSE(fs::exists(temporary_path(path)));
  EXPECT_EQ(error_of([&] { write_file_atomically((dir / "missing" / "a.json").string(), "x"); }),
            (dir / "missing" / "a.json").string() + ": cannot write: No such file or directory");
  fs::remove_all(dir);
}

TEST(AtomicFile, AFailedAppendLeavesTheFileAsItWas) {
  const fs::path dir = fresh_dir("atomic_append");
  const std::string path = (dir / "search.jsonl").string();
  append_to_file(path, "line 1\n");
  append_to_file(path, "line 2\n");
  std::string error;
  {
    const FileSizeLimit limit(100);
    error = error_of([&] { append_to_file(path, std::string(500, 'x') + "\n"); });
  }
  EXPECT_EQ(error, path + ": cannot write: File too large");
  EXPECT_EQ(read_text(path), "line 1\nline 2\n");
  fs::remove_all(dir);
}

TEST(AtomicFile, StaleTemporariesOfOtherProcessesAreRemoved) {
  const fs::path dir = fresh_dir("atomic_stale");
  fs::create_directories(dir / "export" / "model.tmp.99999999" / "runtime");
  std::ofstream(dir / "best.json.tmp.99999999") << "{\"na";
  std::ofstream(dir / "export" / "done.json.tmp.12") << "{";
  std::ofstream(dir / "best.json") << "{}";
  std::ofstream(dir / "notes.tmp.txt") << "not a temporary";
  std::ofstream(temporary_path((dir / "mine.json").string())) << "being written by this process";
  EXPECT_EQ(remove_stale_temporaries(dir.string()), 3);
  EXPECT_TRUE(fs::exists(dir / "best.json"));
  EXPECT_TRUE(fs::exists(dir / "notes.tmp.txt"));
  EXPECT_TRUE(fs::exists(temporary_path((dir / "mine.json").string())));
  EXPECT_FALSE(fs::exists(dir / "export" / "model.tmp.99999999"));
  EXPECT_EQ(remove_stale_temporaries((dir / "absent").string()), 0);
  fs::remove_all(dir);
}

TEST(AtomicFile, ADirectoryIsReplacedWhole) {
  const fs::path dir = fresh_dir("atomic_replace");
  const std::string target = (dir / "survivors").string();
  for (const char* content : {"first", "second"}) {
    const std::string staging = temporary_path(target);
    fs::create_directories(staging);
    std::ofstream(staging + "/01.json") << content;
    replace_directory(staging, target);
    EXPECT_EQ(read_text(target + "/01.json"), content);
    EXPECT_FALSE(fs::exists(staging));
  }
  fs::remove_all(dir);
}

}  // namespace
