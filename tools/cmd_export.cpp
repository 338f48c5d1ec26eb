// `patchnas export`: a trained checkpoint -> a self-contained C source tree (model, runtime,
// host harness, Cortex-M firmware project).
#include <cstdio>
#include <memory>

#include "export/codegen.hpp"
#include "export/runtime_model.hpp"
#include "space/input_error.hpp"
#include "tools/commands.hpp"

namespace patchnas::cli {
namespace {

struct ExportArgs {
  std::string checkpoint;
  std::string out_dir;
  int images = 8;
  std::string target = "cortex-m4";
};

void run_export(const ExportArgs& args) {
  if (args.images < 1 || args.images > 1000) {
    throw InputError("", "--images", "must be in [1, 1000]");
  }
  const ExportInputs inputs = export_inputs_from_checkpoint(args.checkpoint, args.images);
  const ExportTarget target = args.target == "host"        ? ExportTarget::Host
                              : args.target == "cortex-m7" ? ExportTarget::CortexM7
                                                           : ExportTarget::CortexM4;
  write_export(inputs, args.out_dir, target);
  const RuntimeModel rm(inputs.arch, inputs.quantized);
  std::printf("exported %s to %s: arena %zu bytes, %zu test images\n", inputs.arch.name.c_str(),
              args.out_dir.c_str(), rm.arena_bytes(), inputs.test_images.size());
}

}  // namespace

void add_export_command(CLI::App& app) {
  auto args = std::make_shared<ExportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "export", "Write a trained int8 model as C sources: model.c/.h, the runtime, a host "
                "harness and a Cortex-M firmware project");
  cmd->add_option("--checkpoint", args->checkpoint, "checkpoint.bin of a finished patchnas train")
      ->required();
  cmd->add_option("--out", args->out_dir, "Output directory (replaced)")->required();
  cmd->add_option("--images", args->images, "Test images embedded with their reference logits")
      ->capture_default_str();
  cmd->add_option("--target", args->target,
                  "host (model, runtime, host harness) or cortex-m4 / cortex-m7 (also the "
                  "firmware project, building for that core)")
      ->check(CLI::IsMember({"host", "cortex-m4", "cortex-m7"}))
      ->capture_default_str();
  cmd->callback([args] { run_export(*args); });
}

}  // namespace patchnas::cli
