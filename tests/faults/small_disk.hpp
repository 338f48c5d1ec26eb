// A small disk for the full-disk tests. Where mounting is allowed (the suite runs as root), a
// tmpfs of a chosen size at a directory; otherwise, or with PATCHNAS_FAULTS_SIMULATED_DISK=1 in
// the environment, a simulated one: the LD_PRELOAD shim tests/support/enospc_shim.c makes
// write() to the chosen files fail with ENOSPC after a number of bytes. method() says which.
//   SmallDisk disk(dir);
//   const auto env = disk.fill({.tmpfs_bytes = 700000, .match = "checkpoint.bin", .bytes = 600000});
//   run_patchnas(args, log, {}, env);   // fails writing
//   disk.free_space();                  // resume now has room
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace patchnas::faults {

struct DiskLimit {
  std::int64_t tmpfs_bytes = 0;  // tmpfs: the file system's size (rounded up to pages)
  std::string match;             // simulated: the paths that fill up ...
  std::int64_t bytes = 0;        // ... after this many bytes written to them
};

class SmallDisk {
 public:
  explicit SmallDisk(std::filesystem::path dir);
  ~SmallDisk();
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  std::string method() const;
  // Sets the limit; returns the environment a command needs for it.
  std::vector<std::string> fill(const DiskLimit& limit);
  void free_space();

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
};

// The space files take on a tmpfs: whole pages.
std::int64_t pages_bytes(std::int64_t file_bytes);

}  // namespace patchnas::faults
