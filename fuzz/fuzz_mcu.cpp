// Fuzz target: an MCU profile file (patchnas.mcu/1) given by path, as `--mcu FILE` and an
// experiment's "mcu" read it.
#include "estimators/mcu_profile.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  const std::string path = fuzz::write_input("mcu.json", {data, size});
  return fuzz::expect_input_errors([&] { find_mcu_profile(path); });
}
