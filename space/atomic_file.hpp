// Atomic output files: content goes to a temporary name beside the target and is renamed
// over it only when complete, so a crash or an error never leaves a half-written output.
// It lives in space/ (the bottom layer) because every later part writes outputs this way.
//   write_file_atomically("out/best.json", text);   // throws std::runtime_error on I/O failure
#pragma once

#include <string>
#include <string_view>

namespace patchnas {

// `durable`: fsync before the rename, so the content also survives a power loss; without it
// the file is still never seen half-written after a crash or kill of the process (rename is
// atomic), which is what frequently rewritten checkpoints need.
void write_file_atomically(const std::string& path, std::string_view content, bool durable = true);

}  // namespace patchnas
