#include "export/qemu_profile.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "export/command.hpp"

namespace patchnas {

namespace fs = std::filesystem;

std::string firmware_cpu(ExportTarget core) {
  switch (core) {
    case ExportTarget::CortexM4: return "m4";
    case ExportTarget::CortexM7: return "m7";
    case ExportTarget::Host: break;
  }
  throw std::invalid_argument("the host has no QEMU firmware");
}

std::string missing_firmware_tool() {
  for (const char* tool : {"arm-none-eabi-gcc", "qemu-system-arm", "make"}) {
    if (!have_tool(tool)) return tool;
  }
  return "";
}

std::int64_t firmware_value(const std::string& output, const std::string& key) {
  std::istringstream in(output);
  std::string line;
  const std::string prefix = key + " ";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::stoll(line.substr(prefix.size()));
  }
  return -1;
}

QemuProfile parse_qemu_profile(const std::string& output, std::size_t layers) {
  QemuProfile p;
  p.inference_instructions = -1;
  p.layers.assign(layers, LayerProfile{-1, -1});
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string key;
    words >> key;
    if (key == "instructions_inference") {
      words >> p.inference_instructions;
    } else if (key == "layer") {
      std::size_t index = 0;
      std::string calls_word, instructions_word;
      LayerProfile l;
      if (words >> index >> calls_word >> l.calls >> instructions_word >> l.instructions &&
          calls_word == "calls" && instructions_word == "instructions" && index < layers) {
        p.layers[index] = l;
      }
    }
  }
  if (p.inference_instructions < 0) {
    throw std::runtime_error("the profiling firmware printed no instructions_inference line: " +
                             telling_line(output));
  }
  for (std::size_t i = 0; i < layers; ++i) {
    if (p.layers[i].calls < 0) {
      throw std::runtime_error("the profiling firmware printed no count for layer " +
                               std::to_string(i) + ": " + telling_line(output));
    }
  }
  return p;
}

QemuProfiler::QemuProfiler(ExportTarget core, std::string work_dir)
    : core_(core), work_dir_(std::move(work_dir)) {
  firmware_cpu(core_);  // throws for the host
  const std::string missing = missing_firmware_tool();
  if (!missing.empty()) throw std::runtime_error(missing + " is not installed: run tools/setup.sh");
}

QemuProfile QemuProfiler::profile(const ExportInputs& inputs) {
  if (exported_) {
    write_model_files(inputs, work_dir_);
  } else {
    write_export(inputs, work_dir_, core_);
    exported_ = true;
  }
  const fs::path firmware = fs::path(work_dir_) / "firmware";
  std::string make = "make --no-print-directory -C ";
  make.append(shell_quoted(firmware)).append(" CPU=").append(firmware_cpu(core_));
  const CommandResult build = run_command(make + " PROFILE=1 -j2");
  if (build.exit_code != 0) {
    throw command_failure("building the profiling firmware failed", build, firmware / "build.log");
  }
  const CommandResult run = run_command(make + " profile");
  if (run.exit_code != 0) {
    throw command_failure("the profiling firmware failed under QEMU", run, firmware / "profile.log");
  }
  return parse_qemu_profile(run.output, inputs.quantized.layers.size());
}

}  // namespace patchnas
