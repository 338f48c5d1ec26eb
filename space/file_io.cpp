#include "space/file_io.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace patchnas {

void throw_write_error(const std::string& path, int error) {
  std::string message = path;
  message.append(": cannot write: ").append(std::strerror(error));
  throw std::runtime_error(message);
}

void write_all(int fd, std::string_view bytes, const std::string& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_write_error(path, errno);
    }
    // write() returning 0 for a non-empty buffer is a device that takes nothing: no space.
    if (n == 0) throw_write_error(path, ENOSPC);
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

void append_to_file(const std::string& path, std::string_view text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw_write_error(path, errno);
  const off_t size_before = ::lseek(fd, 0, SEEK_END);
  try {
    write_all(fd, text, path);
  } catch (...) {
    // Take back the part that was written: a failed append leaves the file as it was (should
    // even that fail, a search's resume trims its logs to the checkpoint).
    const int cut = size_before >= 0 ? ::ftruncate(fd, size_before) : 0;
    static_cast<void>(cut);
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0) throw_write_error(path, errno);
}

}  // namespace patchnas
