// Valid input files of every kind the patchnas CLI reads, small enough to write in a test, and
// the byte-level tools to break them: JSON documents edited in place, gzipped IDX files,
// CIFAR-10 records, and checkpoints taken apart into magic, header and arrays.
//   nlohmann::json arch = tiny_arch(1);
//   arch["blocks"][0]["kernel"] = 4;
//   write_file(dir / "a.json", arch.dump());
#pragma once

#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace patchnas::testing {

namespace fs = std::filesystem;

inline void write_file(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

inline nlohmann::json read_json(const fs::path& path) {
  return nlohmann::json::parse(read_file(path));
}

inline std::string source_path(const std::string& relative) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/" + relative;
}

// A two-layer arch the trainer runs in milliseconds: `channels` 1 for Fashion-MNIST, 3 for CIFAR.
inline nlohmann::json tiny_arch(int channels) {
  return {{"format", "patchnas.arch/1"},
          {"name", "tiny"},
          {"input", {{"resolution", 8}, {"channels", channels}}},
          {"stem", {{"out", 8}, {"kernel", 3}, {"stride", 2}}},
          {"blocks", {{{"kernel", 3}, {"expand", 1}, {"out", 8}, {"stride", 1}}}},
          {"classes", 10}};
}

// ---- IDX (Fashion-MNIST) -----------------------------------------------------------------

inline std::string gzip(const std::string& bytes) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                   Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("deflateInit2");
  }
  std::string out(deflateBound(&stream, bytes.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

inline void append_big_endian32(std::string& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(value >> shift));
}

// Uncompressed IDX images: magic 0x00000803, count, rows, cols, then count*rows*cols pixels.
inline std::string idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols,
                              std::size_t pixels) {
  std::string bytes;
  append_big_endian32(bytes, 0x00000803);
  append_big_endian32(bytes, count);
  append_big_endian32(bytes, rows);
  append_big_endian32(bytes, cols);
  for (std::size_t i = 0; i < pixels; ++i) bytes.push_back(static_cast<char>(i * 37 % 256));
  return bytes;
}

inline std::string idx_labels(std::uint32_t count, std::size_t labels) {
  std::string bytes;
  append_big_endian32(bytes, 0x00000801);
  append_big_endian32(bytes, count);
  for (std::size_t i = 0; i < labels; ++i) bytes.push_back(static_cast<char>(i % 10));
  return bytes;
}

inline constexpr std::uint32_t kTinyTrain = 40;
inline constexpr std::uint32_t kTinyTest = 20;

inline std::string fashion_file(const std::string& subset, const std::string& kind) {
  return subset + "-" + kind + (kind == "images" ? "-idx3-ubyte.gz" : "-idx1-ubyte.gz");
}

// A Fashion-MNIST directory of 40 training and 20 test images of 28x28.
inline void write_fashion_dir(const fs::path& dir) {
  for (const auto& [subset, count] :
       {std::pair{"train", kTinyTrain}, std::pair{"t10k", kTinyTest}}) {
    write_file(dir / fashion_file(subset, "images"),
               gzip(idx_images(count, 28, 28, count * 28 * 28)));
    write_file(dir / fashion_file(subset, "labels"), gzip(idx_labels(count, count)));
  }
}

// ---- CIFAR-10 binary batches -------------------------------------------------------------

inline std::string cifar_records(std::size_t records, std::uint8_t label = 3) {
  std::string bytes;
  for (std::size_t r = 0; r < records; ++r) {
    bytes.push_back(static_cast<char>(label));
    for (int p = 0; p < 3072; ++p) bytes.push_back(static_cast<char>((r + p) % 256));
  }
  return bytes;
}

inline void write_cifar_dir(const fs::path& dir) {
  for (int part = 1; part <= 5; ++part) {
    write_file(dir / (std::string("data_batch_") + std::to_string(part) + ".bin"),
               cifar_records(8));
  }
  write_file(dir / "test_batch.bin", cifar_records(8));
}

// ---- checkpoints ------------------------------------------------------------------------

inline constexpr char kCheckpointMagic[] = "PATCHNAS-CKPT-1\n";
inline constexpr std::size_t kCheckpointMagicBytes = 16;

// A checkpoint taken apart: the JSON header and the raw float data after it.
struct CheckpointParts {
  nlohmann::json header;
  std::string data;

  static CheckpointParts split(const std::string& bytes) {
    std::uint64_t length = 0;
    std::memcpy(&length, bytes.data() + kCheckpointMagicBytes, sizeof length);
    const std::size_t start = kCheckpointMagicBytes + sizeof length;
    return {nlohmann::json::parse(bytes.substr(start, length)), bytes.substr(start + length)};
  }

  std::string join() const {
    const std::string text = header.dump();
    std::string bytes(kCheckpointMagic, kCheckpointMagicBytes);
    const std::uint64_t length = text.size();
    bytes.append(reinterpret_cast<const char*>(&length), sizeof length);
    return bytes.append(text).append(data);
  }

  // The byte offset in `data` of array `name`'s first value.
  std::size_t offset_of(const std::string& name) const {
    for (const auto& entry : header["arrays"]) {
      if (entry["name"] == name) return entry["offset"].get<std::size_t>();
    }
    throw std::runtime_error(std::string("no array ") + name);
  }
};

}  // namespace patchnas::testing
