// Atomic output files: content goes to a temporary name beside the target and is renamed
// over it only when complete, so a crash or an error never leaves a half-written output.
// Every write error (a short or failed write, fsync, close or rename; a full disk) throws one
// line naming the target file, and the temporary is removed. A process killed mid-write
// leaves its temporary ("<target>.tmp.<pid>"), which a resumed command removes with
// remove_stale_temporaries. It lives in space/ (the bottom layer) because every later part
// writes outputs this way.
//   write_file_atomically("out/best.json", text);   // throws std::runtime_error on I/O failure
//   remove_stale_temporaries("out");                // on resume, before writing anything
#pragma once

#include <string>
#include <string_view>

namespace patchnas {

// `durable`: fsync the file before the rename and its directory after, so the content also
// survives a power loss; without it the file is still never seen half-written after a crash
// or kill of the process (rename is atomic), which is what frequently rewritten checkpoints need.
void write_file_atomically(const std::string& path, std::string_view content, bool durable = true);

// The name an output is written under before it is renamed: "<path>.tmp.<pid>".
std::string temporary_path(const std::string& path);

// Puts the complete directory `staging` in the place of `path` (swapped atomically when the
// file system can; the old content is removed).
void replace_directory(const std::string& staging, const std::string& path);

// Removes, under `dir` and recursively, the temporaries ("*.tmp.<pid>", files or staged
// directories) that other processes left; returns how many. A missing `dir` holds none.
int remove_stale_temporaries(const std::string& dir);

}  // namespace patchnas
