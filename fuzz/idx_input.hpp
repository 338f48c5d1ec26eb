// The input layout of the IDX fuzz target, shared with the seed writer: one fuzz input holds
// both files of a Fashion-MNIST subset.
//   byte 0     flags: bit 0 set = the target gzips each part (the fuzzer explores the IDX
//              headers), clear = each part is the .gz file's bytes as they are (the fuzzer
//              explores the gzip reader)
//   bytes 1-2  little-endian length L of the images part (clamped to what follows)
//   then       L bytes of the images file, the rest the labels file
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "fuzz/fuzz_support.hpp"

namespace patchnas::fuzz {

inline constexpr std::uint8_t kIdxGzipParts = 1;

struct IdxParts {
  bool gzip_parts = false;
  Bytes images;
  Bytes labels;
};

inline IdxParts split_idx_input(Bytes input) {
  IdxParts parts;
  if (input.size() < 3) return parts;
  parts.gzip_parts = (input[0] & kIdxGzipParts) != 0;
  const std::size_t length = std::min<std::size_t>(input[1] | (std::size_t{input[2]} << 8),
                                                   input.size() - 3);
  parts.images = input.subspan(3, length);
  parts.labels = input.subspan(3 + length);
  return parts;
}

inline std::string join_idx_input(std::uint8_t flags, const std::string& images,
                                  const std::string& labels) {
  std::string input;
  input.push_back(static_cast<char>(flags));
  input.push_back(static_cast<char>(images.size() & 0xff));
  input.push_back(static_cast<char>(images.size() >> 8));
  input.append(images);
  input.append(labels);
  return input;
}

}  // namespace patchnas::fuzz
