// Fuzz target: a search space file (patchnas.space/1) read as `patchnas space info/sample`
// read it, then summarised and sampled as those commands do.
#include "fuzz/fuzz_support.hpp"
#include "space/genome.hpp"
#include "space/lower.hpp"
#include "space/random.hpp"
#include "space/space_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  const std::string path = fuzz::write_input("space.json", {data, size});
  return fuzz::expect_input_errors([&] {
    const SearchSpace space = read_space_file(path);
    genome_layout(space);
    space_size(space);
    Rng rng(1);
    lower(sample_arch(space, rng));
  });
}
