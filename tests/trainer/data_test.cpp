// Data sets and batches: IDX/gzip parsing and its errors, Fashion-MNIST on the real files,
// CIFAR-10's binary format, the validation split, bilinear resize, normalization,
// augmentation and the determinism of batches.
#include <gtest/gtest.h>
#include <tbb/global_control.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "space/input_error.hpp"
#include "trainer/batcher.hpp"
#include "trainer/cifar10.hpp"
#include "trainer/dataset.hpp"
#include "trainer/fashion_mnist.hpp"
#include "trainer/idx_file.hpp"

namespace patchnas::trainer {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("patchnas_data_test_" + std::string(info->test_suite_name()) + "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string dir() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

void write_raw(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

Bytes read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

void write_gz(const std::string& path, const Bytes& bytes) {
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())),
            static_cast<int>(bytes.size()));
  ASSERT_EQ(gzclose(file), Z_OK);
}

void put_be32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    bytes.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

// An IDX images file: header for `count` images of rows x cols, then `pixels`.
Bytes idx_images(std::uint32_t count, std::uint32_t rows, std::uint32_t cols, const Bytes& pixels,
                 std::uint32_t magic = kIdxImagesMagic) {
  Bytes bytes;
  put_be32(bytes, magic);
  put_be32(bytes, count);
  put_be32(bytes, rows);
  put_be32(bytes, cols);
  bytes.insert(bytes.end(), pixels.begin(), pixels.end());
  return bytes;
}

Bytes idx_labels(std::uint32_t count, const Bytes& labels) {
  Bytes bytes;
  put_be32(bytes, kIdxLabelsMagic);
  put_be32(bytes, count);
  bytes.insert(bytes.end(), labels.begin(), labels.end());
  return bytes;
}

Bytes ramp(std::size_t count, int start = 0) {
  Bytes bytes(count);
  for (std::size_t i = 0; i < count; ++i)
    bytes[i] = static_cast<std::uint8_t>(start + static_cast<int>(i));
  return bytes;
}

// Runs `load`, which must throw an InputError naming `path` whose message contains `needle`.
void expect_input_error(const std::function<void()>& load, const std::string& path,
                        const std::string& needle, const std::string& field = "") {
  try {
    load();
    ADD_FAILURE() << "no InputError for " << path;
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), path);
    EXPECT_EQ(error.field(), field);
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(needle), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

// ---------------------------------------------------------------------------------------------
// IDX files

TEST(IdxFileTest, ReadsImagesAndLabelsWrittenWithZlib) {
  TempDir tmp;
  const Bytes pixels = ramp(3 * 2 * 3, 100);  // 3 images of 2x3: 100, 101, ..., 117
  write_gz(tmp.file("images.gz"), idx_images(3, 2, 3, pixels));
  write_gz(tmp.file("labels.gz"), idx_labels(3, {7, 0, 9}));

  const IdxImages images = read_idx_images(tmp.file("images.gz"));
  EXPECT_EQ(images.count, 3);
  EXPECT_EQ(images.rows, 2);
  EXPECT_EQ(images.cols, 3);
  EXPECT_EQ(images.pixels, pixels);
  EXPECT_EQ(images.pixels[1 * 6 + 1 * 3 + 2], 111);  // image 1, row 1, col 2
  EXPECT_EQ(read_idx_labels(tmp.file("labels.gz")), (Bytes{7, 0, 9}));
}

TEST(IdxFileTest, ReadsConcatenatedGzipMembers) {
  TempDir tmp;
  const Bytes whole = idx_labels(4, {1, 2, 3, 4});
  write_gz(tmp.file("a.gz"), Bytes(whole.begin(), whole.begin() + 9));
  write_gz(tmp.file("b.gz"), Bytes(whole.begin() + 9, whole.end()));
  Bytes joined = read_raw(tmp.file("a.gz"));
  const Bytes second = read_raw(tmp.file("b.gz"));
  joined.insert(joined.end(), second.begin(), second.end());
  write_raw(tmp.file("labels.gz"), joined);
  EXPECT_EQ(read_idx_labels(tmp.file("labels.gz")), (Bytes{1, 2, 3, 4}));
}

TEST(IdxFileTest, MissingFileIsAnInputErrorNamingIt) {
  TempDir tmp;
  const std::string path = tmp.file("absent-images.gz");
  expect_input_error([&] { read_idx_images(path); }, path, "cannot open");
  expect_input_error([&] { read_idx_labels(path); }, path, "cannot open");
}

TEST(IdxFileTest, NotGzipIsAnInputError) {
  TempDir tmp;
  const std::string path = tmp.file("plain.idx");
  write_raw(path, idx_labels(2, {1, 2}));  // a valid IDX file, but not compressed
  expect_input_error([&] { read_idx_labels(path); }, path, "not a gzip file");
}

TEST(IdxFileTest, CorruptGzipStreamIsAnInputError) {
  TempDir tmp;
  const std::string good = tmp.file("good.gz");
  write_gz(good, idx_images(4, 8, 8, ramp(256)));
  Bytes bytes = read_raw(good);
  ASSERT_GT(bytes.size(), 30u);
  for (std::size_t i = 12; i < bytes.size() - 8; ++i)
    bytes[i] = static_cast<std::uint8_t>(~bytes[i]);
  const std::string path = tmp.file("corrupt.gz");
  write_raw(path, bytes);
  expect_input_error([&] { read_idx_images(path); }, path, "corrupt gzip stream");
}

TEST(IdxFileTest, CutGzipStreamIsTruncated) {
  TempDir tmp;
  const std::string good = tmp.file("good.gz");
  write_gz(good, idx_images(4, 8, 8, ramp(256)));
  Bytes bytes = read_raw(good);
  bytes.resize(bytes.size() - 10);  // loses the trailer and the end of the deflate data
  const std::string path = tmp.file("cut.gz");
  write_raw(path, bytes);
  expect_input_error([&] { read_idx_images(path); }, path, "truncated gzip stream");
}

TEST(IdxFileTest, WrongMagicSaysExpectedAndGotInHex) {
  TempDir tmp;
  const std::string path = tmp.file("labels-as-images.gz");
  write_gz(path, idx_labels(2, {1, 2}));
  expect_input_error([&] { read_idx_images(path); }, path, "expected 0x00000803, got 0x00000801",
                     "header");
  const std::string images = tmp.file("images-as-labels.gz");
  write_gz(images, idx_images(1, 1, 1, {5}));
  expect_input_error([&] { read_idx_labels(images); }, images,
                     "expected 0x00000801, got 0x00000803", "header");
}

TEST(IdxFileTest, TruncatedHeaderAndDataAreInputErrors) {
  TempDir tmp;
  const std::string short_header = tmp.file("short-header.gz");
  Bytes header = idx_images(2, 3, 3, {});
  header.resize(10);  // magic + count + half of rows
  write_gz(short_header, header);
  expect_input_error([&] { read_idx_images(short_header); }, short_header, "truncated", "header");

  const std::string short_images = tmp.file("short-images.gz");
  write_gz(short_images, idx_images(2, 3, 3, ramp(17)));  // promises 18 bytes
  expect_input_error([&] { read_idx_images(short_images); }, short_images,
                     "truncated: the header promises 2 images of 3x3 (18 bytes), the file has 17",
                     "data");

  const std::string short_labels = tmp.file("short-labels.gz");
  write_gz(short_labels, idx_labels(5, {1, 2, 3}));
  expect_input_error([&] { read_idx_labels(short_labels); }, short_labels, "truncated", "data");

  const std::string long_labels = tmp.file("long-labels.gz");
  write_gz(long_labels, idx_labels(2, {1, 2, 3}));
  expect_input_error([&] { read_idx_labels(long_labels); }, long_labels, "1 trailing bytes",
                     "data");
}

// A Fashion-MNIST-shaped directory holding `count` 2x2 train images and `labels`.
void write_fashion_dir(const TempDir& tmp, std::uint32_t count, const Bytes& labels) {
  write_gz(tmp.file("train-images-idx3-ubyte.gz"), idx_images(count, 2, 2, ramp(count * 4)));
  write_gz(tmp.file("train-labels-idx1-ubyte.gz"),
           idx_labels(static_cast<std::uint32_t>(labels.size()), labels));
}

TEST(IdxFileTest, ImageLabelCountMismatchNamesTheLabelsFile) {
  TempDir tmp;
  write_fashion_dir(tmp, 3, {1, 2});
  const std::string labels = tmp.file("train-labels-idx1-ubyte.gz");
  expect_input_error([&] { load_fashion_mnist(tmp.dir()); }, labels, "holds 2 labels but");
  try {
    load_fashion_mnist(tmp.dir());
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("train-images-idx3-ubyte.gz holds 3 images"),
              std::string::npos)
        << error.what();
  }
}

TEST(FashionMnistTest, LabelOutOfRangeNamesFileAndSample) {
  TempDir tmp;
  write_fashion_dir(tmp, 3, {1, 10, 2});
  expect_input_error([&] { load_fashion_mnist(tmp.dir()); }, tmp.file("train-labels-idx1-ubyte.gz"),
                     "label 10 is not a class", "labels[1]");
}

TEST(FashionMnistTest, LoadsASmallDirectory) {
  TempDir tmp;
  write_fashion_dir(tmp, 3, {1, 9, 2});
  const Dataset data = load_fashion_mnist(tmp.dir(), Subset::train);
  EXPECT_EQ(data.size(), 3);
  EXPECT_EQ(data.height, 2);
  EXPECT_EQ(data.width, 2);
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.classes, 10);
  EXPECT_EQ(data.labels, (Bytes{1, 9, 2}));
  EXPECT_EQ(data.image(2)[3], 11);
  expect_input_error([&] { load_fashion_mnist(tmp.dir(), Subset::test); },
                     tmp.file("t10k-images-idx3-ubyte.gz"), "cannot open");
}

void expect_real_fashion_mnist(Subset which, int count, int per_class) {
  const Dataset data = load_fashion_mnist(which);
  EXPECT_EQ(data.size(), count);
  EXPECT_EQ(data.height, 28);
  EXPECT_EQ(data.width, 28);
  EXPECT_EQ(data.channels, 1);
  EXPECT_EQ(data.classes, 10);
  EXPECT_EQ(data.pixels.size(), static_cast<std::size_t>(count) * 28 * 28);
  std::array<int, 10> histogram{};
  for (const std::uint8_t label : data.labels) ++histogram[label];
  for (int c = 0; c < 10; ++c) EXPECT_EQ(histogram[static_cast<std::size_t>(c)], per_class) << c;
  EXPECT_EQ(data.labels[0], 9);  // both subsets start with an ankle boot
  const auto [lo, hi] = std::minmax_element(data.pixels.begin(), data.pixels.end());
  EXPECT_EQ(*lo, 0);
  EXPECT_EQ(*hi, 255);
}

TEST(FashionMnistTest, RealTrainSet) { expect_real_fashion_mnist(Subset::train, 60000, 6000); }
TEST(FashionMnistTest, RealTestSet) { expect_real_fashion_mnist(Subset::test, 10000, 1000); }

// ---------------------------------------------------------------------------------------------
// CIFAR-10

// One record: label, then planes R, G, B with R(p) = p + r, G(p) = 3p + 1, B(p) = 255 - p
// (mod 256) for pixel p = 32 y + x.
Bytes cifar_record(std::uint8_t label, int r) {
  Bytes bytes{label};
  for (int p = 0; p < 1024; ++p) bytes.push_back(static_cast<std::uint8_t>(p + r));
  for (int p = 0; p < 1024; ++p) bytes.push_back(static_cast<std::uint8_t>(3 * p + 1));
  for (int p = 0; p < 1024; ++p) bytes.push_back(static_cast<std::uint8_t>(255 - p));
  return bytes;
}

Bytes cifar_file(const std::vector<std::uint8_t>& labels, int first_record = 0) {
  Bytes bytes;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const Bytes record = cifar_record(labels[i], first_record + static_cast<int>(i));
    bytes.insert(bytes.end(), record.begin(), record.end());
  }
  return bytes;
}

TEST(Cifar10Test, RoundTripConvertsPlanarChwToHwc) {
  TempDir tmp;
  const std::string path = tmp.file("test_batch.bin");
  write_raw(path, cifar_file({3, 8}));
  const Dataset data = read_cifar10_file(path);
  ASSERT_EQ(data.size(), 2);
  EXPECT_EQ(data.height, 32);
  EXPECT_EQ(data.width, 32);
  EXPECT_EQ(data.channels, 3);
  EXPECT_EQ(data.labels, (Bytes{3, 8}));
  // Record 1, y = 2, x = 5: p = 69; R = 69 + 1 = 70, G = 3 * 69 + 1 = 208, B = 255 - 69 = 186.
  const std::uint8_t* pixel = data.image(1) + (2 * 32 + 5) * 3;
  EXPECT_EQ(pixel[0], 70);
  EXPECT_EQ(pixel[1], 208);
  EXPECT_EQ(pixel[2], 186);
  // Record 0, y = 31, x = 31: p = 1023; R = 1023 mod 256 = 255, G = 3070 mod 256 = 254,
  // B = (255 - 1023) mod 256 = 0.
  const std::uint8_t* last = data.image(0) + (31 * 32 + 31) * 3;
  EXPECT_EQ(last[0], 255);
  EXPECT_EQ(last[1], 254);
  EXPECT_EQ(last[2], 0);

  const Dataset test = load_cifar10(tmp.dir(), Subset::test);
  EXPECT_EQ(test.pixels, data.pixels);
  EXPECT_EQ(test.labels, data.labels);
}

TEST(Cifar10Test, TrainConcatenatesTheFiveBatchesInOrder) {
  TempDir tmp;
  for (int part = 1; part <= 5; ++part) {
    write_raw(tmp.file("data_batch_" + std::to_string(part) + ".bin"),
              cifar_file({static_cast<std::uint8_t>(part), static_cast<std::uint8_t>(part - 1)},
                         10 * part));
  }
  const Dataset data = load_cifar10(tmp.dir());
  ASSERT_EQ(data.size(), 10);
  EXPECT_EQ(data.labels, (Bytes{1, 0, 2, 1, 3, 2, 4, 3, 5, 4}));
  EXPECT_EQ(data.image(7)[0], 10 * 4 + 1);  // batch 4, record 1, pixel 0, red
}

TEST(Cifar10Test, TruncatedFileIsAnInputErrorNamingIt) {
  TempDir tmp;
  const std::string path = tmp.file("test_batch.bin");
  Bytes bytes = cifar_file({1, 2});
  bytes.pop_back();
  write_raw(path, bytes);
  expect_input_error([&] { load_cifar10(tmp.dir(), Subset::test); }, path,
                     "truncated: 6145 bytes is not a multiple of the 3073-byte record");
}

TEST(Cifar10Test, BadLabelMissingAndEmptyFilesAreInputErrors) {
  TempDir tmp;
  const std::string bad = tmp.file("bad.bin");
  write_raw(bad, cifar_file({1, 10}));
  expect_input_error([&] { read_cifar10_file(bad); }, bad, "label 10 is not a class",
                     "records[1].label");

  for (int part = 1; part <= 5; ++part) {
    if (part != 3)
      write_raw(tmp.file("data_batch_" + std::to_string(part) + ".bin"), cifar_file({0}));
  }
  expect_input_error([&] { load_cifar10(tmp.dir()); }, tmp.file("data_batch_3.bin"), "cannot open");

  const std::string empty = tmp.file("empty.bin");
  write_raw(empty, {});
  expect_input_error([&] { read_cifar10_file(empty); }, empty, "no records");
}

// ---------------------------------------------------------------------------------------------
// Validation split

// `count` 1x1x1 samples whose pixel is the sample index and label index % 10.
Dataset indexed_dataset(int count) {
  Dataset data;
  data.name = "indexed";
  data.height = data.width = data.channels = 1;
  data.classes = 10;
  for (int i = 0; i < count; ++i) {
    data.pixels.push_back(static_cast<std::uint8_t>(i));
    data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  return data;
}

TEST(DatasetSplitTest, SizesDisjointCoveringSortedAndSeeded) {
  const Dataset data = indexed_dataset(200);
  const ValidationSplit split = split_validation(data, 30, 11);
  ASSERT_EQ(split.train.size(), 170);
  ASSERT_EQ(split.validation.size(), 30);
  std::set<int> seen;
  for (const Dataset* part : {&split.train, &split.validation}) {
    EXPECT_TRUE(std::is_sorted(part->pixels.begin(), part->pixels.end()));
    EXPECT_EQ(part->height, 1);
    EXPECT_EQ(part->classes, 10);
    for (int i = 0; i < part->size(); ++i) {
      EXPECT_TRUE(seen.insert(part->pixels[static_cast<std::size_t>(i)]).second);
      EXPECT_EQ(part->labels[static_cast<std::size_t>(i)],
                part->pixels[static_cast<std::size_t>(i)] % 10);
    }
  }
  EXPECT_EQ(seen.size(), 200u);

  const ValidationSplit again = split_validation(data, 30, 11);
  EXPECT_EQ(again.validation.pixels, split.validation.pixels);
  EXPECT_EQ(again.train.pixels, split.train.pixels);
  const ValidationSplit other = split_validation(data, 30, 12);
  EXPECT_NE(other.validation.pixels, split.validation.pixels);
  // Not simply the first or last samples.
  EXPECT_NE(split.validation.pixels, Bytes(data.pixels.begin(), data.pixels.begin() + 30));
  EXPECT_NE(split.validation.pixels, Bytes(data.pixels.end() - 30, data.pixels.end()));
}

TEST(DatasetSplitTest, FractionEdgesAndErrors) {
  const Dataset data = indexed_dataset(200);
  EXPECT_EQ(split_validation_fraction(data, 0.125, 3).validation.size(), 25);
  EXPECT_EQ(split_validation_fraction(data, 0.125, 3).validation.pixels,
            split_validation(data, 25, 3).validation.pixels);
  EXPECT_EQ(split_validation(data, 0, 3).train.pixels, data.pixels);
  EXPECT_EQ(split_validation(data, 200, 3).validation.pixels, data.pixels);
  EXPECT_THROW(split_validation(data, 201, 3), std::invalid_argument);
  EXPECT_THROW(split_validation(data, -1, 3), std::invalid_argument);
  EXPECT_THROW(split_validation_fraction(data, 1.5, 3), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// Bilinear resize (PyTorch F.interpolate, bilinear, align_corners=False)

TEST(BatchResizeTest, TwoByTwoToFourByFourByHand) {
  // Scale 2 -> 4: source x = (d + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25
  // (floor 1 is the last column, so its neighbour is itself). A row [a, b] becomes
  // [a, 0.75a + 0.25b, 0.25a + 0.75b, b]; columns the same.
  // [[0, 40], [80, 120]] -> rows [0, 10, 30, 40] and [80, 90, 110, 120], then vertically:
  const std::vector<float> src = {0, 40, 80, 120};
  const std::vector<float> expected = {0,  10, 30,  40,   //
                                       20, 30, 50,  60,   // 0.75 row0 + 0.25 row1
                                       60, 70, 90,  100,  // 0.25 row0 + 0.75 row1
                                       80, 90, 110, 120};
  std::vector<float> dst(16);
  resize_bilinear(src.data(), 2, 2, 1, dst.data(), 4, 4);
  for (std::size_t i = 0; i < 16; ++i) EXPECT_FLOAT_EQ(dst[i], expected[i]) << i;
}

TEST(BatchResizeTest, DownscaleAveragesBlocksAndUpscaleThreeToFive) {
  // 4x4 -> 2x2: source 0.5 and 2.5, the mean of each 2x2 block.
  std::vector<float> src(16);
  for (int i = 0; i < 16; ++i) src[static_cast<std::size_t>(i)] = static_cast<float>(i);
  std::vector<float> dst(4);
  resize_bilinear(src.data(), 4, 4, 1, dst.data(), 2, 2);
  EXPECT_FLOAT_EQ(dst[0], 2.5f);   // (0 + 1 + 4 + 5) / 4
  EXPECT_FLOAT_EQ(dst[1], 4.5f);   // (2 + 3 + 6 + 7) / 4
  EXPECT_FLOAT_EQ(dst[2], 10.5f);  // (8 + 9 + 12 + 13) / 4
  EXPECT_FLOAT_EQ(dst[3], 12.5f);

  // 1x3 with 2 channels -> 1x5: source x = 0.6 (d + 0.5) - 0.5 = 0 (clamped), 0.4, 1.0, 1.6,
  // 2.2 (floor 2 is the last column). Channel 0 [a, b, c] = [10, 20, 40] ->
  // [a, 0.6a + 0.4b, b, 0.4b + 0.6c, c] = [10, 14, 20, 32, 40]; channel 1 is [1, 2, 3] ->
  // [1, 1.4, 2, 2.6, 3].
  const std::vector<float> row = {10, 1, 20, 2, 40, 3};
  std::vector<float> wide(10);
  resize_bilinear(row.data(), 1, 3, 2, wide.data(), 1, 5);
  const std::vector<float> expected = {10, 1, 14, 1.4f, 20, 2, 32, 2.6f, 40, 3};
  for (std::size_t i = 0; i < 10; ++i) EXPECT_NEAR(wide[i], expected[i], 1e-5) << i;
}

TEST(BatchResizeTest, SameSizeIsTheIdentityBitForBit) {
  std::vector<float> src(5 * 7 * 3);
  for (std::size_t i = 0; i < src.size(); ++i) src[i] = 0.37f * static_cast<float>(i) - 11.1f;
  std::vector<float> dst(src.size());
  resize_bilinear(src.data(), 5, 7, 3, dst.data(), 5, 7);
  EXPECT_EQ(dst, src);
}

// ---------------------------------------------------------------------------------------------
// Batcher

float normalized(std::uint8_t pixel, float mean, float stddev) {
  return (static_cast<float>(pixel) / 255.0f - mean) / stddev;
}

Dataset single_image(int height, int width, int channels, const Bytes& pixels, int copies = 1) {
  Dataset data;
  data.name = "hand-made";
  data.height = height;
  data.width = width;
  data.channels = channels;
  data.classes = 10;
  for (int i = 0; i < copies; ++i) {
    data.pixels.insert(data.pixels.end(), pixels.begin(), pixels.end());
    data.labels.push_back(static_cast<std::uint8_t>(i % 10));
  }
  return data;
}

TEST(BatcherTest, NormalizesWithConfigurableMeanAndStd) {
  const Dataset grey = single_image(2, 2, 1, {0, 51, 255, 102});
  const Batcher custom(grey, {.batch_size = 4, .mean = {0.5f}, .stddev = {0.25f}});
  const Batch batch = custom.batch(custom.epoch_order(0), 0);
  ASSERT_EQ(batch.images.n, 1);
  ASSERT_EQ(batch.images.h, 2);
  ASSERT_EQ(batch.images.c, 1);
  // (x / 255 - 0.5) / 0.25: 0 -> -2, 51 -> -1.2, 255 -> 2, 102 -> -0.4.
  EXPECT_FLOAT_EQ(batch.images.data[0], -2.0f);
  EXPECT_FLOAT_EQ(batch.images.data[1], -1.2f);
  EXPECT_FLOAT_EQ(batch.images.data[2], 2.0f);
  EXPECT_FLOAT_EQ(batch.images.data[3], -0.4f);
  EXPECT_EQ(batch.labels, (std::vector<int>{0}));

  const Batcher fashion(grey, {});  // Fashion-MNIST statistics by default
  const Batch defaults = fashion.batch(fashion.epoch_order(0), 0);
  EXPECT_FLOAT_EQ(defaults.images.data[0], -0.2860f / 0.3530f);
  EXPECT_FLOAT_EQ(defaults.images.data[2], (1.0f - 0.2860f) / 0.3530f);

  const Dataset colour = single_image(1, 1, 3, {255, 0, 51});
  const Batcher rgb(colour, {.mean = {0.5f, 0.0f, 0.2f}, .stddev = {0.5f, 2.0f, 0.1f}});
  const Batch pixel = rgb.batch(rgb.epoch_order(0), 0);
  EXPECT_FLOAT_EQ(pixel.images.data[0], 1.0f);
  EXPECT_FLOAT_EQ(pixel.images.data[1], 0.0f);
  EXPECT_NEAR(pixel.images.data[2], 0.0f, 1e-6);

  EXPECT_THROW(Batcher(colour, {.mean = {0.1f, 0.2f}}), std::invalid_argument);
  EXPECT_THROW(Batcher(colour, {.stddev = {0.0f}}), std::invalid_argument);
  EXPECT_THROW(Batcher(colour, {.batch_size = 0}), std::invalid_argument);
}

TEST(BatcherTest, ResizesToTheResolutionCachedOrNot) {
  const Dataset data = single_image(2, 2, 1, {0, 40, 80, 120}, 3);
  const Batcher cached(data, {.resolution = 4, .batch_size = 3, .mean = {0.0f}, .stddev = {1.0f}});
  const Batcher fresh(
      data,
      {.resolution = 4, .batch_size = 3, .mean = {0.0f}, .stddev = {1.0f}, .cache_limit_bytes = 0});
  EXPECT_TRUE(cached.cached());
  EXPECT_FALSE(fresh.cached());
  const Batch a = cached.batch(cached.epoch_order(0), 0);
  const Batch b = fresh.batch(fresh.epoch_order(0), 0);
  ASSERT_EQ(a.images.h, 4);
  ASSERT_EQ(a.images.w, 4);
  EXPECT_EQ(a.images.data, b.images.data);
  // The hand-computed 2x2 -> 4x4 case of BatchResizeTest, on pixel / 255.
  const std::vector<float> expected = {0,  10, 30, 40,  20, 30, 50,  60,
                                       60, 70, 90, 100, 80, 90, 110, 120};
  for (int s = 0; s < 3; ++s) {
    for (int i = 0; i < 16; ++i) {
      EXPECT_NEAR(a.images.data[static_cast<std::size_t>(16 * s + i)],
                  expected[static_cast<std::size_t>(i)] / 255.0f, 1e-6);
    }
  }
}

TEST(BatcherTest, NativeResolutionIsTheIdentityOnRealData) {
  const Dataset all = load_fashion_mnist(Subset::test);
  std::vector<int> first(300);
  for (int i = 0; i < 300; ++i) first[static_cast<std::size_t>(i)] = i;
  const Dataset data = select_samples(all, first, "/first-300");
  const Batcher batcher(data, {.resolution = 28, .batch_size = 128});
  EXPECT_FALSE(batcher.cached());  // nothing to resize
  ASSERT_EQ(batcher.batch_count(), 3);
  const EpochOrder order = batcher.epoch_order(0);
  for (int b = 0; b < 3; ++b) {
    const Batch batch = batcher.batch(order, b);
    ASSERT_EQ(batch.images.n, b < 2 ? 128 : 44);
    for (int k = 0; k < batch.images.n; ++k) {
      const int index = b * 128 + k;
      EXPECT_EQ(batch.samples[static_cast<std::size_t>(k)], index);
      EXPECT_EQ(batch.labels[static_cast<std::size_t>(k)],
                data.labels[static_cast<std::size_t>(index)]);
      for (int p = 0; p < 784; ++p) {
        ASSERT_EQ(batch.images.data[static_cast<std::size_t>(k * 784 + p)],
                  normalized(data.image(index)[p], kFashionMnistMean, kFashionMnistStd));
      }
    }
  }
}

TEST(BatcherTest, PartialLastBatchKeptOrDropped) {
  const Dataset data = indexed_dataset(10);
  const Batcher keep(data, {.batch_size = 4});
  const Batcher drop(data, {.batch_size = 4, .drop_last = true});
  EXPECT_EQ(keep.batch_count(), 3);
  EXPECT_EQ(drop.batch_count(), 2);
  EXPECT_EQ(keep.batch(keep.epoch_order(0), 2).labels, (std::vector<int>{8, 9}));
  EXPECT_THROW(drop.batch(drop.epoch_order(0), 2), std::invalid_argument);
}

bool same_batch(const Batch& a, const Batch& b) {
  return a.images.data == b.images.data && a.labels == b.labels && a.samples == b.samples;
}

BatcherOptions training_options(int resolution) {
  return {.resolution = resolution,
          .batch_size = 64,
          .shuffle = true,
          .crop_padding = 3,
          .horizontal_flip = true,
          .drop_last = true,
          .seed = 2024};
}

TEST(BatcherTest, EpochDependsOnlyOnSeedAndEpochWhateverThreadsOrCache) {
  const Dataset all = load_fashion_mnist(Subset::test);
  std::vector<int> first(500);
  for (int i = 0; i < 500; ++i) first[static_cast<std::size_t>(i)] = i;
  const Dataset data = select_samples(all, first, "/first-500");

  // The run that trained epochs 0..2 before epoch 3 ...
  const Batcher long_run(data, training_options(32));
  EXPECT_TRUE(long_run.cached());
  for (int epoch = 0; epoch < 3; ++epoch) {
    const EpochOrder order = long_run.epoch_order(epoch);
    for (int b = 0; b < long_run.batch_count(); ++b) long_run.batch(order, b);
  }
  std::vector<Batch> expected;
  const EpochOrder order3 = long_run.epoch_order(3);
  for (int b = 0; b < long_run.batch_count(); ++b) expected.push_back(long_run.batch(order3, b));

  // ... equals a resumed run that starts at epoch 3, on one thread and without the cache.
  BatcherOptions uncached = training_options(32);
  uncached.cache_limit_bytes = 0;
  const Batcher resumed(data, uncached);
  EXPECT_FALSE(resumed.cached());
  {
    tbb::global_control one_thread(tbb::global_control::max_allowed_parallelism, 1);
    const EpochOrder order = resumed.epoch_order(3);
    EXPECT_EQ(order.samples, order3.samples);
    for (int b = 0; b < resumed.batch_count(); ++b) {
      EXPECT_TRUE(same_batch(resumed.batch(order, b), expected[static_cast<std::size_t>(b)])) << b;
    }
  }

  // Another epoch has another order (and so other batches); another seed too.
  const EpochOrder order4 = long_run.epoch_order(4);
  EXPECT_NE(order4.samples, order3.samples);
  EXPECT_FALSE(same_batch(long_run.batch(order4, 0), expected[0]));
  BatcherOptions other_seed = training_options(32);
  other_seed.seed = 2025;
  EXPECT_NE(Batcher(data, other_seed).epoch_order(3).samples, order3.samples);
  std::vector<int> sorted = order3.samples;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, first);  // a permutation

  // Without shuffle the order is the data set's.
  const Batcher evaluation(data, {.resolution = 32});
  EXPECT_EQ(evaluation.epoch_order(5).samples, first);
}

// The reference augmentation: pad the h x w normalized image with the normalized value of
// pixel 0 by `padding`, take the h x w window at (dy, dx), then mirror it when `flip`.
std::vector<float> reference_augment(const std::vector<float>& image, int h, int w, float pad,
                                     int padding, int dy, int dx, bool flip) {
  std::vector<float> out(static_cast<std::size_t>(h * w));
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; ++x) {
      const int cx = flip ? w - 1 - x : x;
      const int sy = y + dy - padding;
      const int sx = cx + dx - padding;
      out[static_cast<std::size_t>(y * w + x)] = (sy >= 0 && sy < h && sx >= 0 && sx < w)
                                                     ? image[static_cast<std::size_t>(sy * w + sx)]
                                                     : pad;
    }
  }
  return out;
}

struct Augmentation {
  int dy;
  int dx;
  bool flip;
  bool operator<(const Augmentation& o) const {
    return std::tie(dy, dx, flip) < std::tie(o.dy, o.dx, o.flip);
  }
};

// Which (dy, dx, flip) produced each sample of one epoch of `batcher` over copies of `pixels`
// (3x3 grey); fails unless exactly one candidate matches each sample.
std::vector<Augmentation> identify_augmentations(const Batcher& batcher, const Bytes& pixels,
                                                 int padding, int epoch) {
  const float mean = 0.5f;
  const float stddev = 0.25f;
  std::vector<float> image;
  for (const std::uint8_t p : pixels) image.push_back(normalized(p, mean, stddev));
  const float pad = normalized(0, mean, stddev);  // pixel 0 before normalization: -2
  const EpochOrder order = batcher.epoch_order(epoch);
  std::vector<Augmentation> found(static_cast<std::size_t>(batcher.sample_count()));
  for (int b = 0; b < batcher.batch_count(); ++b) {
    const Batch batch = batcher.batch(order, b);
    for (int k = 0; k < batch.images.n; ++k) {
      const std::vector<float> got(batch.images.data.begin() + 9 * k,
                                   batch.images.data.begin() + 9 * (k + 1));
      int matches = 0;
      for (int dy = 0; dy <= 2 * padding; ++dy) {
        for (int dx = 0; dx <= 2 * padding; ++dx) {
          for (const bool flip : {false, true}) {
            if (got == reference_augment(image, 3, 3, pad, padding, dy, dx, flip)) {
              ++matches;
              found[static_cast<std::size_t>(batch.samples[static_cast<std::size_t>(k)])] = {dy, dx,
                                                                                             flip};
            }
          }
        }
      }
      EXPECT_EQ(matches, 1) << "sample " << batch.samples[static_cast<std::size_t>(k)];
    }
  }
  return found;
}

TEST(BatcherTest, CropAndFlipAsDocumentedOnAHandMadeImage) {
  // 3x3 image a..i = 10, 20, ..., 90 (all distinct, no symmetry).
  const Bytes pixels = {10, 20, 30, 40, 50, 60, 70, 80, 90};
  std::vector<float> image;
  for (const std::uint8_t p : pixels) image.push_back(normalized(p, 0.5f, 0.25f));
  const float pad = normalized(0, 0.5f, 0.25f);
  EXPECT_FLOAT_EQ(pad, -2.0f);
  // The reference itself, by hand: padding 1, offset (0, 0), no flip shifts the image down
  // and right by one; offset (2, 1) with a flip shows rows 1..2 (then padding), mirrored.
  const float a = image[0], b = image[1], d = image[3], e = image[4], f = image[5];
  const float g = image[6], h = image[7], i = image[8];
  EXPECT_EQ(reference_augment(image, 3, 3, pad, 1, 0, 0, false),
            (std::vector<float>{pad, pad, pad, pad, a, b, pad, d, e}));
  EXPECT_EQ(reference_augment(image, 3, 3, pad, 1, 2, 1, true),
            (std::vector<float>{f, e, d, i, h, g, pad, pad, pad}));

  const Dataset data = single_image(3, 3, 1, pixels, 400);
  const BatcherOptions crop_flip{.batch_size = 50,
                                 .mean = {0.5f},
                                 .stddev = {0.25f},
                                 .shuffle = true,
                                 .crop_padding = 1,
                                 .horizontal_flip = true,
                                 .seed = 9};
  const std::vector<Augmentation> both =
      identify_augmentations(Batcher(data, crop_flip), pixels, 1, 0);
  std::set<Augmentation> distinct(both.begin(), both.end());
  EXPECT_EQ(distinct.size(), 18u);  // every offset in [0, 2]^2, flipped or not

  // Flip only: each sample is the image or its mirror, about half of each; and the coin is
  // the same one as with the crop on (the augmentation draws dy, dx, flip in that order).
  BatcherOptions flip_only = crop_flip;
  flip_only.crop_padding = 0;
  const std::vector<Augmentation> flips =
      identify_augmentations(Batcher(data, flip_only), pixels, 0, 0);
  int flipped = 0;
  for (std::size_t s = 0; s < flips.size(); ++s) {
    flipped += flips[s].flip ? 1 : 0;
    EXPECT_EQ(flips[s].flip, both[s].flip) << s;
  }
  EXPECT_GT(flipped, 150);
  EXPECT_LT(flipped, 250);

  // Crop only never flips; augmentation off leaves the image alone.
  BatcherOptions crop_only = crop_flip;
  crop_only.horizontal_flip = false;
  for (const Augmentation& aug : identify_augmentations(Batcher(data, crop_only), pixels, 1, 0)) {
    EXPECT_FALSE(aug.flip);
  }
  BatcherOptions plain = crop_flip;
  plain.crop_padding = 0;
  plain.horizontal_flip = false;
  for (const Augmentation& aug : identify_augmentations(Batcher(data, plain), pixels, 0, 0)) {
    EXPECT_FALSE(aug.flip);
  }

  // A new epoch draws new augmentations.
  const std::vector<Augmentation> next =
      identify_augmentations(Batcher(data, crop_flip), pixels, 1, 1);
  int differing = 0;
  for (std::size_t s = 0; s < next.size(); ++s) {
    differing += (next[s] < both[s] || both[s] < next[s]) ? 1 : 0;
  }
  EXPECT_GT(differing, 200);
}

}  // namespace
}  // namespace patchnas::trainer
