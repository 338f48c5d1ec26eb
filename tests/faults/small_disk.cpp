#include "faults/small_disk.hpp"

#include <cstdlib>
#include <stdexcept>

#include <sys/mount.h>

namespace patchnas::faults {

namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kPage = 4096;
constexpr std::int64_t kRoomy = std::int64_t{512} << 20;

bool remount(const fs::path& dir, std::int64_t bytes) {
  const std::string options = "size=" + std::to_string(pages_bytes(bytes));
  return ::mount("tmpfs", dir.c_str(), "tmpfs", MS_REMOUNT, options.c_str()) == 0;
}

}  // namespace

std::int64_t pages_bytes(std::int64_t file_bytes) { return (file_bytes + kPage - 1) / kPage * kPage; }

SmallDisk::SmallDisk(fs::path dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  const char* simulated = std::getenv("PATCHNAS_FAULTS_SIMULATED_DISK");
  if (simulated != nullptr && std::string(simulated) == "1") return;
  const std::string options = "size=" + std::to_string(kRoomy);
  mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0;
}

SmallDisk::~SmallDisk() {
  if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
}

std::string SmallDisk::method() const {
  return mounted_ ? "a tmpfs of limited size mounted at " + dir_.string()
                  : "simulated: the LD_PRELOAD enospc_shim makes write() fail with ENOSPC";
}

std::vector<std::string> SmallDisk::fill(const DiskLimit& limit) {
  if (mounted_) {
    if (!remount(dir_, limit.tmpfs_bytes)) throw std::runtime_error("cannot resize the tmpfs");
    return {};
  }
  return {"LD_PRELOAD=" + std::string(PATCHNAS_ENOSPC_SHIM), "PATCHNAS_ENOSPC_MATCH=" + limit.match,
          "PATCHNAS_ENOSPC_BYTES=" + std::to_string(limit.bytes)};
}

void SmallDisk::free_space() {
  if (mounted_ && !remount(dir_, kRoomy)) throw std::runtime_error("cannot resize the tmpfs");
}

}  // namespace patchnas::faults
