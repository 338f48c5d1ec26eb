#include "space/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "space/file_io.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kTemporaryMarker = ".tmp.";

// fsync of the directory holding `path`, so a rename in it is durable.
void sync_directory_of(const std::string& path) {
  const fs::path parent = fs::path(path).parent_path();
  const int fd = ::open(parent.empty() ? "." : parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_write_error(path, errno);
  const bool synced = ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced) throw_write_error(path, error);
}

// The content, written, flushed to the device when `durable`, and closed; any failure throws.
void write_temporary(const std::string& temporary, const std::string& path,
                     std::string_view content, bool durable) {
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_write_error(path, errno);
  try {
    write_all(fd, content, path);
    if (durable && ::fsync(fd) != 0) throw_write_error(path, errno);
  } catch (...) {
    ::close(fd);
    throw;
  }
  // close() reports write-back errors of some file systems (NFS, quotas) only here.
  if (::close(fd) != 0) throw_write_error(path, errno);
}

// "<name>.tmp.<digits>" of another process than this one.
bool is_stale_temporary(const std::string& name) {
  const auto at = name.rfind(kTemporaryMarker);
  if (at == std::string::npos || at == 0) return false;
  const std::string pid = name.substr(at + kTemporaryMarker.size());
  if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) return false;
  return pid != std::to_string(::getpid());
}

}  // namespace

std::string temporary_path(const std::string& path) {
  std::string temporary = path;
  temporary.append(kTemporaryMarker).append(std::to_string(::getpid()));
  return temporary;
}

void write_file_atomically(const std::string& path, std::string_view content, bool durable) {
  const std::string temporary = temporary_path(path);
  try {
    write_temporary(temporary, path, content, durable);
    if (std::rename(temporary.c_str(), path.c_str()) != 0) throw_write_error(path, errno);
    if (durable) sync_directory_of(path);
  } catch (...) {
    std::remove(temporary.c_str());
    throw;
  }
}

void replace_directory(const std::string& staging, const std::string& path) {
  if (fs::exists(path)) {
    // Swap the two in one step, then remove the old content (now at `staging`).
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
      fs::remove_all(staging);
      return;
    }
    fs::remove_all(path);  // a file system without the exchange: remove, then rename
  }
  if (path.find('/') != std::string::npos) fs::create_directories(fs::path(path).parent_path());
  fs::rename(staging, path);
}

int remove_stale_temporaries(const std::string& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return 0;
  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    if (!is_stale_temporary(it->path().filename().string())) continue;
    stale.push_back(it->path());
    if (it->is_directory()) it.disable_recursion_pending();
  }
  for (const fs::path& p : stale) fs::remove_all(p);
  return static_cast<int>(stale.size());
}

}  // namespace patchnas
