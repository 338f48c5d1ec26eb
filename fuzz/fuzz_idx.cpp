// Fuzz target: the gzipped IDX files of Fashion-MNIST, loaded as `patchnas train` loads the
// data set (load_fashion_mnist on a folder); a loaded data set must be consistent.
// The input layout is in idx_input.hpp.
#include "fuzz/idx_input.hpp"
#include "trainer/fashion_mnist.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  const fuzz::IdxParts parts = fuzz::split_idx_input({data, size});
  const auto write = [&](const std::string& name, fuzz::Bytes bytes) {
    if (!parts.gzip_parts) return fuzz::write_input("fmnist/" + name, bytes);
    const std::string gz = fuzz::gzip_bytes(bytes);
    return fuzz::write_input("fmnist/" + name,
                             {reinterpret_cast<const std::uint8_t*>(gz.data()), gz.size()});
  };
  const std::string images = write("train-images-idx3-ubyte.gz", parts.images);
  write("train-labels-idx1-ubyte.gz", parts.labels);
  const std::string dir = images.substr(0, images.rfind('/'));
  return fuzz::expect_input_errors([&] {
    trainer::load_fashion_mnist(dir, trainer::Subset::train).check_consistent();
  });
}
