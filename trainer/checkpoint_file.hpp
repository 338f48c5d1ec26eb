// The checkpoint file container: a JSON header (free-form metadata chosen by the caller) plus
// named float32 arrays, in one file written atomically. Layout, all little-endian:
//   bytes 0..15   "PATCHNAS-CKPT-1\n"
//   bytes 16..23  uint64 header length H
//   H bytes       JSON header: {"meta": {...}, "arrays": [{"name", "offset", "count"}, ...]}
//                 offsets are from the start of the data section, in bytes
//   the rest      the data section: the arrays' float32 values
// Reading validates the magic, the header, and that every array lies inside the file
// (a truncated file is an InputError naming it).
//   CheckpointFile f; f.meta["epoch"] = 3; f.arrays["layers.0.weight"] = w;
//   write_checkpoint_file("out/checkpoint.bin", f);
//   CheckpointFile g = read_checkpoint_file("out/checkpoint.bin");
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace patchnas::trainer {

struct CheckpointFile {
  nlohmann::json meta = nlohmann::json::object();
  std::map<std::string, std::vector<float>> arrays;

  // The array `name`; throws InputError(file, name, "missing array") when absent or when its
  // size is not `count` (count < 0: any size).
  const std::vector<float>& array(const std::string& name, const std::string& file,
                                  long long count = -1) const;
};

void write_checkpoint_file(const std::string& path, const CheckpointFile& checkpoint);
CheckpointFile read_checkpoint_file(const std::string& path);

}  // namespace patchnas::trainer
