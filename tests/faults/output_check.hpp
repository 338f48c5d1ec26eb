// What a reader could take for an output of patchnas but is not whole, in an output directory
// after a kill or a failed write:
//  - every *.json must parse, every complete line of a *.jsonl must parse, every
//    checkpoint.bin must read (trainer::read_checkpoint_file checks it is not truncated), an
//    .html file must end its document;
//  - a search's checkpoint.json must be covered by its logs (scored.txt and search.jsonl hold at
//    least the lines it counts, so the resume can trim them to it);
//  - a line cut short (no newline) is allowed only at the end of those two append-only logs, and
//    only while `allow_log_tail` (between a kill and the resume, which trims it).
// Temporaries ("*.tmp.<pid>", atomic writes cut short) are never read as outputs; they are
// listed apart, and must be gone once a resumed command has finished.
//   EXPECT_EQ(half_written_outputs(dir, /*allow_log_tail=*/true), std::vector<std::string>{});
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace patchnas::faults {

// One line per problem, naming the file.
std::vector<std::string> half_written_outputs(const std::filesystem::path& dir, bool allow_log_tail);

// The temporaries under `dir` (relative paths).
std::vector<std::string> temporaries(const std::filesystem::path& dir);

bool is_temporary(const std::filesystem::path& path);

}  // namespace patchnas::faults
