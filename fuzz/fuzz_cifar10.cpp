// Fuzz target: a CIFAR-10 binary batch, loaded as `patchnas run` loads the test set
// (load_cifar10 on a folder holding test_batch.bin); a loaded data set must be consistent.
#include "fuzz/fuzz_support.hpp"
#include "trainer/cifar10.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  const std::string path = fuzz::write_input("cifar10/test_batch.bin", {data, size});
  const std::string dir = path.substr(0, path.rfind('/'));
  return fuzz::expect_input_errors([&] {
    trainer::load_cifar10(dir, trainer::Subset::test).check_consistent();
  });
}
