#include "trainer/cifar10.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <vector>

#include "space/input_error.hpp"

namespace patchnas::trainer {
namespace {

constexpr std::size_t kPlane = kCifar10Side * kCifar10Side;  // 1024

// Appends the records of `path` to `data` (which has the CIFAR-10 shape already).
void append_cifar10_file(const std::string& path, Dataset& data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", std::string("cannot open: ") + std::strerror(errno));
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  if (in.bad()) throw InputError(path, "", "read error");
  if (bytes.size() % kCifar10RecordBytes != 0) {
    throw InputError(path, "",
                     "truncated: " + std::to_string(bytes.size()) +
                         " bytes is not a multiple of the 3073-byte record "
                         "(1 label + 3072 pixels)");
  }
  if (bytes.empty()) throw InputError(path, "", "empty file: no records");
  const std::size_t records = bytes.size() / kCifar10RecordBytes;
  const std::size_t first = data.labels.size();
  data.labels.resize(first + records);
  data.pixels.resize((first + records) * 3 * kPlane);
  for (std::size_t r = 0; r < records; ++r) {
    const std::uint8_t* record = bytes.data() + r * kCifar10RecordBytes;
    if (record[0] >= kCifar10Classes) {
      throw InputError(path, "records[" + std::to_string(r) + "].label",
                       "label " + std::to_string(record[0]) + " is not a class (expected 0..9)");
    }
    data.labels[first + r] = record[0];
    const std::uint8_t* planes = record + 1;  // CHW
    std::uint8_t* hwc = data.pixels.data() + (first + r) * 3 * kPlane;
    for (std::size_t p = 0; p < kPlane; ++p) {
      for (std::size_t c = 0; c < 3; ++c) hwc[3 * p + c] = planes[c * kPlane + p];
    }
  }
}

Dataset empty_cifar10(const std::string& name) {
  Dataset data;
  data.name = name;
  data.height = kCifar10Side;
  data.width = kCifar10Side;
  data.channels = 3;
  data.classes = kCifar10Classes;
  return data;
}

}  // namespace

Dataset read_cifar10_file(const std::string& path) {
  Dataset data = empty_cifar10(path);
  append_cifar10_file(path, data);
  return data;
}

Dataset load_cifar10(const std::string& dir, Subset which) {
  if (which == Subset::test) {
    Dataset data = empty_cifar10("cifar10/test");
    append_cifar10_file(dir + "/test_batch.bin", data);
    return data;
  }
  Dataset data = empty_cifar10("cifar10/train");
  for (int part = 1; part <= 5; ++part) {
    append_cifar10_file(dir + "/data_batch_" + std::to_string(part) + ".bin", data);
  }
  return data;
}

}  // namespace patchnas::trainer
