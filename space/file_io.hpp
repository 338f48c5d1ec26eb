// Checked low-level writes of output files, shared by the atomic writer (atomic_file.hpp) and
// the append-only logs: every byte is written (a short write continues, EINTR retries) and
// every failure (write, fsync, close) throws one line naming the file and the reason, e.g.
// "runs/x/search.jsonl: cannot write: No space left on device".
//   append_to_file("runs/x/search.jsonl", line + "\n");
#pragma once

#include <string>
#include <string_view>

namespace patchnas {

// Throws std::runtime_error("PATH: cannot write: <strerror(error)>").
[[noreturn]] void throw_write_error(const std::string& path, int error);

// Writes all of `bytes` to `fd`; `path` names the file in the error.
void write_all(int fd, std::string_view bytes, const std::string& path);

// Appends `text` to `path` (creating it), checking the write and the close; when the write
// fails, the file is cut back to its old size before the error is thrown.
void append_to_file(const std::string& path, std::string_view text);

}  // namespace patchnas
