// Reading gzipped IDX files (the MNIST / Fashion-MNIST container): a big-endian header
// (magic 0x00000803 + count, rows, cols for u8 images; magic 0x00000801 + count for u8
// labels) followed by the bytes, the whole file gzip-compressed. Every problem is an
// InputError naming the file, one line: missing/unreadable file, not gzip, corrupt or cut
// gzip stream, wrong magic (expected vs got, in hex), a header shorter than its fields, data
// shorter (truncated) or longer (trailing bytes) than the header promises.
//   IdxImages images = read_idx_images("train-images-idx3-ubyte.gz");  // 60000 x 28 x 28
//   std::vector<std::uint8_t> labels = read_idx_labels("train-labels-idx1-ubyte.gz");
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace patchnas::trainer {

inline constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // u8, 3 dimensions
inline constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // u8, 1 dimension

struct IdxImages {
  int count = 0;
  int rows = 0;
  int cols = 0;
  std::vector<std::uint8_t> pixels;  // count * rows * cols bytes, row-major per image
};

IdxImages read_idx_images(const std::string& path);
std::vector<std::uint8_t> read_idx_labels(const std::string& path);

// The decompressed contents of the gzip file `path` (concatenated members included);
// InputError(path, "", ...) when it is missing, not gzip, corrupt or cut short.
std::vector<std::uint8_t> read_gzip_file(const std::string& path);

}  // namespace patchnas::trainer
