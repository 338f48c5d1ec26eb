#include "pipeline/verify.hpp"

#include <filesystem>
#include <stdexcept>

#include "export/command.hpp"
#include "export/qemu_profile.hpp"
#include "export/runtime_model.hpp"
#include "space/lower.hpp"
#include "trainer/batcher.hpp"
#include "trainer/checkpoint_model.hpp"
#include "trainer/int8_inference.hpp"
#include "trainer/quantize_model.hpp"

namespace patchnas {
namespace {

void run_host(const trainer::TrainedModel& trained, const trainer::TrainData& data,
              VerifyResult& v) {
  const Network net = lower(trained.arch);
  const trainer::QuantizedModel q = trainer::quantize_model(
      net, trainer::fold_batchnorm(net, trained.params), trained.int8_ranges);
  const RuntimeModel rm(trained.arch, q);
  v.arena_bytes = static_cast<std::int64_t>(rm.arena_bytes());
  std::vector<std::uint8_t> arena(rm.arena_bytes());
  trainer::BatcherOptions options;
  options.resolution = trained.arch.resolution;
  options.batch_size = 256;
  options.mean = data.mean;
  options.stddev = data.stddev;
  const trainer::Batcher batcher(data.test, options);
  const trainer::EpochOrder order = batcher.epoch_order(0);
  int runtime_correct = 0, reference_correct = 0;
  for (int s = 0; s < batcher.batch_count(); ++s) {
    const trainer::Batch batch = batcher.batch(order, s);
    const trainer::Int8Tensor images = trainer::quantize_images(batch.images, q.tensors[0]);
    const trainer::Int8Tensor reference = trainer::int8_inference(net, q, images);
    const std::vector<int> reference_class = trainer::argmax_rows(reference);
    const std::size_t n = batch.labels.size();
    const std::size_t bytes = images.data.size() / n;
    const std::size_t classes = static_cast<std::size_t>(trained.arch.classes);
    for (std::size_t i = 0; i < n; ++i) {
      trainer::Int8Tensor logits(1, 1, 1, trained.arch.classes);
      if (pn_model_run(&rm.model(), images.data.data() + i * bytes, arena.data(), arena.size(),
                       logits.data.data()) != PN_OK) {
        throw std::runtime_error("the runtime failed on test image " + std::to_string(v.images));
      }
      const bool same = std::equal(logits.data.begin(), logits.data.end(),
                                   reference.data.begin() + static_cast<long>(i * classes));
      v.logit_mismatches += same ? 0 : 1;
      runtime_correct += trainer::argmax_rows(logits)[0] == batch.labels[i];
      reference_correct += reference_class[i] == batch.labels[i];
      ++v.images;
    }
  }
  v.runtime_int8_accuracy = static_cast<double>(runtime_correct) / v.images;
  v.reference_int8_accuracy = static_cast<double>(reference_correct) / v.images;
}

void run_qemu(const std::string& export_dir, VerifyResult& v) {
  const std::string missing = missing_firmware_tool();
  if (!missing.empty()) {
    v.qemu_note = missing + " is not installed (tools/setup.sh installs it)";
    return;
  }
  const std::string firmware = export_dir + "/firmware";
  // The outputs saved by an earlier attempt that failed (command_failure) are out of date.
  for (const char* log : {"/run.log", "/profile.log", "/size.log"}) {
    std::filesystem::remove(firmware + log);
  }
  std::string make = "make --no-print-directory -C ";
  make.append(shell_quoted(firmware)).append(" CPU=m4");
  const CommandResult run = run_command(make + " -j2 && " + make + " run");
  if (run.exit_code != 0) {
    throw command_failure("building the firmware or running it under QEMU failed", run,
                          firmware + "/run.log");
  }
  v.qemu_ran = true;
  v.arena_high_water_bytes = firmware_value(run.output, "arena_high_water_bytes");
  v.stack_high_water_bytes = firmware_value(run.output, "stack_high_water_bytes");
  const CommandResult profile = run_command(make + " profile");
  if (profile.exit_code != 0) {
    throw command_failure("the profiling firmware failed under QEMU", profile,
                          firmware + "/profile.log");
  }
  v.instructions = firmware_value(profile.output, "instructions_inference");
  const CommandResult size = run_command(make + " size");
  if (size.exit_code != 0) throw command_failure("make size failed", size, firmware + "/size.log");
  v.model_flash_bytes = firmware_value(size.output, "firmware_flash_bytes") -
                        firmware_value(size.output, "test_data_bytes");
  v.static_sram_bytes = firmware_value(size.output, "firmware_static_sram_bytes");
  v.qemu_note = "Cortex-M4 (mps2-an386): logits, guards and arena checked by the firmware";
}

}  // namespace

bool VerifyResult::passed() const {
  return images > 0 && logit_mismatches == 0 && runtime_int8_accuracy == reference_int8_accuracy &&
         (!qemu_ran || arena_high_water_bytes == arena_bytes);
}

nlohmann::json verify_result_to_json(const VerifyResult& v) {
  nlohmann::ordered_json j;
  j["passed"] = v.passed();
  j["images"] = v.images;
  j["logit_mismatches"] = v.logit_mismatches;
  j["runtime_int8_accuracy"] = v.runtime_int8_accuracy;
  j["reference_int8_accuracy"] = v.reference_int8_accuracy;
  j["arena_bytes"] = v.arena_bytes;
  j["qemu_ran"] = v.qemu_ran;
  j["qemu_note"] = v.qemu_note;
  j["arena_high_water_bytes"] = v.arena_high_water_bytes;
  j["stack_high_water_bytes"] = v.stack_high_water_bytes;
  j["instructions"] = v.instructions;
  j["model_flash_bytes"] = v.model_flash_bytes;
  j["static_sram_bytes"] = v.static_sram_bytes;
  return j;
}

VerifyResult verify_export(const std::string& checkpoint, const std::string& export_dir,
                           const trainer::TrainData& data) {
  VerifyResult v;
  run_host(trainer::read_trained_model(checkpoint), data, v);
  run_qemu(export_dir, v);
  return v;
}

}  // namespace patchnas
