// Fuzz target: an experiment file as `patchnas run` reads it (read_run_config: the
// experiment of `patchnas search` plus its "training" object). The file sits in
// experiments/ of a scratch tree whose spaces/ and mcus/ are the bundled configs, so the
// relative paths of the bundled experiments resolve.
#include <filesystem>

#include "fuzz/fuzz_support.hpp"
#include "pipeline/run_config.hpp"

namespace {

void link_bundled_configs() {
  namespace fs = std::filesystem;
  const fs::path configs = PATCHNAS_CONFIG_DIR;
  for (const char* dir : {"spaces", "mcus"}) {
    fs::create_directory_symlink(configs / dir, fs::path(patchnas::fuzz::scratch_dir()) / dir);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace patchnas;
  static const bool linked = (link_bundled_configs(), true);
  (void)linked;
  const std::string path = fuzz::write_input("experiments/experiment.json", {data, size});
  return fuzz::expect_input_errors([&] { read_run_config(path, {}); });
}
