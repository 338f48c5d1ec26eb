// Fuzz target: an arch file (patchnas.arch/1) read as `patchnas estimate --arch` reads it,
// then estimated on a bundled MCU as that command does.
#include "estimators/estimate.hpp"
#include "fuzz/fuzz_support.hpp"
#include "space/arch_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  static const McuProfile mcu = find_mcu_profile("stm32f746");
  const std::string path = fuzz::write_input("arch.json", {data, size});
  return fuzz::expect_input_errors([&] {
    const Arch arch = read_arch_file(path);
    Estimator estimator;
    estimator.run(arch, mcu);
  });
}
