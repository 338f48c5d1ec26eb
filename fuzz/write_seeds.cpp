// Writes the binary seed files of the fuzz corpora (the JSON seeds are committed by hand):
// small valid IDX pairs, CIFAR-10 batches and training checkpoints, plus a few edge cases
// next to them. Run once from the repository root after changing a format:
//   build-fuzz/fuzz/write_seeds fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fuzz/idx_input.hpp"
#include "fuzz/tiny_training.hpp"

namespace fs = std::filesystem;
using namespace patchnas;

namespace {

void write(const fs::path& path, const std::string& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string big_endian32(std::uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

std::string idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols) {
  std::string bytes = big_endian32(0x803);
  bytes.append(big_endian32(count)).append(big_endian32(rows)).append(big_endian32(cols));
  for (std::uint32_t i = 0; i < count * rows * cols; ++i) bytes.push_back(static_cast<char>(i * 37));
  return bytes;
}

std::string idx_labels(std::uint32_t count) {
  std::string bytes = big_endian32(0x801);
  bytes.append(big_endian32(count));
  for (std::uint32_t i = 0; i < count; ++i) bytes.push_back(static_cast<char>(i % 10));
  return bytes;
}

std::string gz(const std::string& bytes) {
  return fuzz::gzip_bytes({reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
}

void write_idx_seeds(const fs::path& dir) {
  const auto both = [&](const std::string& name, const std::string& images, const std::string& labels) {
    write(dir / (name + "-plain"), fuzz::join_idx_input(fuzz::kIdxGzipParts, images, labels));
    write(dir / (name + "-gz"), fuzz::join_idx_input(0, gz(images), gz(labels)));
  };
  both("three-2x3", idx_images(3, 2, 3), idx_labels(3));
  both("empty-set", idx_images(0, 28, 28), idx_labels(0));
  both("one-28x28", idx_images(1, 28, 28), idx_labels(1));
  both("count-mismatch", idx_images(2, 1, 1), idx_labels(3));
  // Two gzip members in one file are one valid stream.
  const std::string images = idx_images(2, 2, 2);
  write(dir / "two-members-gz",
        fuzz::join_idx_input(0, gz(images.substr(0, 9)) + gz(images.substr(9)), gz(idx_labels(2))));
}

void write_cifar10_seeds(const fs::path& dir) {
  std::string records;
  for (int r = 0; r < 2; ++r) {
    records.push_back(static_cast<char>(r == 0 ? 0 : 9));
    for (int p = 0; p < 3072; ++p) records.push_back(static_cast<char>(p * 7 + r));
  }
  write(dir / "one-record", records.substr(0, 3073));
  write(dir / "two-records", records);
  write(dir / "label-10", std::string(1, '\x0a') + records.substr(1, 3072));
  write(dir / "short-record", records.substr(0, 3072));
  write(dir / "empty", "");
}

void write_checkpoint_seeds(const fs::path& dir) {
  const fuzz::TinyTraining run;
  const fs::path scratch = fs::temp_directory_path() / "patchnas-write-seeds";
  fs::create_directories(scratch);
  trainer::Trainer trainer(run.arch, run.options, run.data);
  trainer.train_until(1, (scratch / "float.bin").string());
  trainer.run((scratch / "final.bin").string());
  write(dir / "after-float-epoch", read(scratch / "float.bin"));
  write(dir / "finished", read(scratch / "final.bin"));
  fs::remove_all(scratch);
  write(dir / "magic-only", "PATCHNAS-CKPT-1\n");
  std::string empty_header("PATCHNAS-CKPT-1\n\x02\0\0\0\0\0\0\0{}", 26);
  write(dir / "empty-header", empty_header);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seeds CORPUS_DIR\n");
    return 2;
  }
  const fs::path corpus = argv[1];
  write_idx_seeds(corpus / "idx");
  write_cifar10_seeds(corpus / "cifar10");
  write_checkpoint_seeds(corpus / "checkpoint");
  return 0;
}
