// The result files of an output directory in the form that must be byte-identical between an
// uninterrupted command and one killed and resumed (or stopped by a full disk and resumed):
// relative path -> content. What is left out, and why:
//  - the JSON keys "seconds" and "samples_per_second", wherever they are (search.jsonl per
//    generation; the epoch reports of metrics.jsonl, result.json and a checkpoint's meta):
//    wall-clock measurements;
//  - the output directory's own path, replaced by "<out>" (summary.json's "checkpoint" and
//    "metrics", the stages' "dir", report.html): the two runs write to different directories;
//  - export/model/firmware/build_*/ and firmware*.elf: compiler outputs that hold the absolute
//    build directory in their debug information; what the firmware does is compared through
//    verify/done.json (logits checked on the device, arena and stack high-water marks,
//    instructions per inference, flash and static SRAM);
//  - temporaries ("*.tmp.<pid>"), which are not outputs (and must not be left at the end).
// A checkpoint.bin is compared as its meta (minus the keys above) and every array's bytes.
//   EXPECT_EQ(first_difference(deterministic_outputs(a), deterministic_outputs(b)), "");
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace patchnas::faults {

using Outputs = std::map<std::string, std::string>;

// `out_as_written` is the --out argument the command was given (how it names itself in files).
Outputs deterministic_outputs(const std::filesystem::path& dir, const std::string& out_as_written);

// "" when equal; otherwise the first file missing, extra or different, and where it differs.
std::string first_difference(const Outputs& expected, const Outputs& actual);

}  // namespace patchnas::faults
