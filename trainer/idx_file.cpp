#include "trainer/idx_file.hpp"

#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>

#include "space/input_error.hpp"

namespace patchnas::trainer {
namespace {

std::string hex32(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", value);
  return text;
}

std::uint32_t big_endian32(const std::vector<std::uint8_t>& bytes, std::size_t offset) {
  return (static_cast<std::uint32_t>(bytes[offset]) << 24) |
         (static_cast<std::uint32_t>(bytes[offset + 1]) << 16) |
         (static_cast<std::uint32_t>(bytes[offset + 2]) << 8) |
         static_cast<std::uint32_t>(bytes[offset + 3]);
}

// Checks the magic and that the header's `fields` dimensions are present; returns them.
std::vector<std::uint32_t> read_header(const std::string& path,
                                       const std::vector<std::uint8_t>& bytes, std::uint32_t magic,
                                       std::size_t fields, const char* kind) {
  const std::size_t header_bytes = 4 * (1 + fields);
  if (bytes.size() < 4) {
    throw InputError(
        path, "header",
        "truncated: " + std::to_string(bytes.size()) + " bytes, too short for an IDX magic number");
  }
  const std::uint32_t got = big_endian32(bytes, 0);
  if (got != magic) {
    throw InputError(path, "header",
                     std::string("wrong magic for IDX ") + kind + ": expected " + hex32(magic) +
                         ", got " + hex32(got));
  }
  if (bytes.size() < header_bytes) {
    throw InputError(path, "header",
                     "truncated: " + std::to_string(bytes.size()) + " bytes, the header needs " +
                         std::to_string(header_bytes));
  }
  std::vector<std::uint32_t> dims(fields);
  for (std::size_t i = 0; i < fields; ++i) dims[i] = big_endian32(bytes, 4 * (i + 1));
  if (dims[0] > static_cast<std::uint32_t>(std::numeric_limits<int>::max())) {
    throw InputError(path, "header", "count " + std::to_string(dims[0]) + " is too large");
  }
  return dims;
}

void check_data_size(const std::string& path, std::size_t available, std::uint64_t promised,
                     const std::string& what) {
  if (available < promised) {
    throw InputError(path, "data",
                     "truncated: the header promises " + what + " (" + std::to_string(promised) +
                         " bytes), the file has " + std::to_string(available));
  }
  if (available > promised) {
    throw InputError(path, "data",
                     std::to_string(available - promised) + " trailing bytes after " + what);
  }
}

}  // namespace

std::vector<std::uint8_t> read_gzip_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", std::string("cannot open: ") + std::strerror(errno));
  const std::vector<std::uint8_t> compressed((std::istreambuf_iterator<char>(in)),
                                             std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path, "", "read error");
  if (compressed.size() < 2 || compressed[0] != 0x1f || compressed[1] != 0x8b) {
    throw InputError(path, "", "not a gzip file (expected magic bytes 1f 8b)");
  }

  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {  // 16: gzip wrapper only
    throw InputError(path, "", "cannot initialise zlib");
  }
  std::vector<std::uint8_t> out;
  // The gzip trailer holds the size mod 2^32: a good first guess for the output buffer,
  // capped so that a corrupt trailer cannot ask for gigabytes (the buffer grows as needed).
  const std::size_t tail = compressed.size();
  const std::size_t trailer_size = tail >= 4
                                       ? (static_cast<std::size_t>(compressed[tail - 4]) |
                                          static_cast<std::size_t>(compressed[tail - 3]) << 8 |
                                          static_cast<std::size_t>(compressed[tail - 2]) << 16 |
                                          static_cast<std::size_t>(compressed[tail - 1]) << 24)
                                       : 0;
  out.resize(std::min(trailer_size, 8 * tail + 65536) + 1);
  std::size_t produced = 0;
  std::size_t consumed = 0;
  while (true) {
    if (produced == out.size()) out.resize(out.size() * 2);
    const std::size_t in_chunk =
        std::min<std::size_t>(compressed.size() - consumed, std::numeric_limits<uInt>::max());
    const std::size_t out_chunk =
        std::min<std::size_t>(out.size() - produced, std::numeric_limits<uInt>::max());
    stream.next_in = const_cast<Bytef*>(compressed.data() + consumed);
    stream.avail_in = static_cast<uInt>(in_chunk);
    stream.next_out = out.data() + produced;
    stream.avail_out = static_cast<uInt>(out_chunk);
    int status = inflate(&stream, Z_NO_FLUSH);
    consumed += in_chunk - stream.avail_in;
    produced += out_chunk - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (consumed == compressed.size()) break;
      // Another gzip member follows (concatenated .gz files are one valid stream).
      status = inflateReset(&stream);
      if (status == Z_OK) continue;
    }
    if (status == Z_BUF_ERROR && consumed == compressed.size() && produced < out.size()) {
      inflateEnd(&stream);
      throw InputError(path, "", "truncated gzip stream (ends before its trailer)");
    }
    if (status != Z_OK && status != Z_BUF_ERROR) {
      const std::string message =
          stream.msg != nullptr ? stream.msg : "error " + std::to_string(status);
      inflateEnd(&stream);
      throw InputError(path, "", "corrupt gzip stream: " + message);
    }
  }
  inflateEnd(&stream);
  out.resize(produced);
  return out;
}

IdxImages read_idx_images(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_gzip_file(path);
  const std::vector<std::uint32_t> dims = read_header(path, bytes, kIdxImagesMagic, 3, "images");
  if (dims[1] == 0 || dims[2] == 0 || dims[1] > 65535 || dims[2] > 65535) {
    throw InputError(path, "header",
                     "image size " + std::to_string(dims[1]) + "x" + std::to_string(dims[2]) +
                         " is not in 1..65535");
  }
  const std::uint64_t promised = std::uint64_t{dims[0]} * dims[1] * dims[2];
  check_data_size(path, bytes.size() - 16, promised,
                  std::to_string(dims[0]) + " images of " + std::to_string(dims[1]) + "x" +
                      std::to_string(dims[2]));
  IdxImages images;
  images.count = static_cast<int>(dims[0]);
  images.rows = static_cast<int>(dims[1]);
  images.cols = static_cast<int>(dims[2]);
  bytes.erase(bytes.begin(), bytes.begin() + 16);
  images.pixels = std::move(bytes);
  return images;
}

std::vector<std::uint8_t> read_idx_labels(const std::string& path) {
  std::vector<std::uint8_t> bytes = read_gzip_file(path);
  const std::vector<std::uint32_t> dims = read_header(path, bytes, kIdxLabelsMagic, 1, "labels");
  check_data_size(path, bytes.size() - 8, dims[0], std::to_string(dims[0]) + " labels");
  bytes.erase(bytes.begin(), bytes.begin() + 8);
  return bytes;
}

}  // namespace patchnas::trainer
