#include "tools/estimate_report.hpp"

#include <cstdio>

#include "estimators/latency.hpp"
#include "estimators/layer_cost.hpp"

namespace patchnas::cli {

std::string with_thousands(std::int64_t value) {
  const std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out = value < 0 ? "-" : "";
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

namespace {

std::string format(const char* fmt, auto... args) {
  char buffer[512];
  std::snprintf(buffer, sizeof buffer, fmt, args...);
  return buffer;
}

std::string shape_text(const Shape& s) { return format("%dx%dx%d", s.h, s.w, s.c); }

// The layer's role and shape, "+res" when it adds a residual and "in place" when the plan
// runs a depthwise layer in place: the kernel variant the runtime runs (its cost kind).
std::string layer_text(const Layer& l, bool in_place) {
  std::string name = std::string(layer_role_name(l.role));
  if (l.block >= 0) name = format("b%d.", l.block) + name;
  if (l.kind == LayerKind::Conv || l.kind == LayerKind::Depthwise) {
    name += format(" %dx%d/%d", l.kernel, l.kernel, l.stride);
  }
  if (l.residual >= 0) name += " +res";
  if (in_place) name += " in place";
  return name;
}

std::string kib(std::int64_t bytes) {
  return with_thousands(bytes) + format(" B (%.1f KiB)", static_cast<double>(bytes) / 1024.0);
}

}  // namespace

std::string estimate_table(const Arch& arch, const McuProfile& mcu, const Estimator& est) {
  const Network& net = est.network();
  const Estimate& e = est.result();
  const MemorySchedule& per_layer = est.per_layer_schedule();
  std::string out = format("%s on %s (%s, %.0f MHz)", arch.name.c_str(), mcu.name.c_str(),
                           mcu.core.c_str(), mcu.clock_hz / 1e6);
  if (e.patch) {
    out += format(", %dx%d patches over the stem and the first %d blocks", e.patch->n, e.patch->n,
                  e.patch->split);
  }
  out += "\n\n";
  out += format("%3s  %-31s %-13s %-13s %13s %13s %11s %11s %9s\n", "#", "layer", "input",
                "output", "MACs", "executed", "live/layer", "live/tile", "cum ms");
  double cumulative = 0.0;
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    cumulative += est.layer_cycles()[i];
    const bool in_stage = static_cast<int>(i) < net.patch_layers;
    out += format("%3zu  %-31s %-13s %-13s %13s %13s %11s %11s %9.2f\n", i, layer_text(l, est.schedule().step_scratch[i] >= 0).c_str(),
                  shape_text(l.in).c_str(), shape_text(l.out).c_str(),
                  with_thousands(layer_macs(l)).c_str(),
                  with_thousands(est.layer_executed_macs()[i]).c_str(),
                  with_thousands(per_layer.step_activation_bytes[i]).c_str(),
                  in_stage ? with_thousands(est.schedule().step_activation_bytes[i]).c_str() : "",
                  cycles_to_ms(mcu, cumulative));
  }
  out += "\n";
  out += "MACs                 " + with_thousands(e.macs);
  if (e.executed_macs != e.macs) out += " (" + with_thousands(e.executed_macs) + " executed)";
  out += "\nparams               " + with_thousands(e.params) + "\n";
  out += "flash                " + kib(e.flash_bytes) + format(" of %s: %s\n",
         with_thousands(mcu.flash_bytes).c_str(), e.fits_flash ? "fits" : "DOES NOT FIT");
  out += "per-layer peak       " + kib(e.per_layer_peak_activation_bytes) + "\n";
  if (e.patch) {
    const PatchSummary& p = *e.patch;
    out += "patch-based peak     " + kib(e.peak_activation_bytes) +
           format(" (stage %s, input patch %dx%d)\n", kib(p.stage_peak_activation_bytes).c_str(),
                  p.input_patch_h, p.input_patch_w);
    out += "patch stage MACs     " + with_thousands(p.stage_macs) + " -> " +
           with_thousands(p.stage_macs_with_overlap) +
           format(" with overlap (+%.1f%%)\n", 100.0 * p.overhead_ratio);
  }
  out += "arena (peak SRAM)    " + kib(e.arena_bytes) + format(" of %s: %s\n",
         with_thousands(mcu.sram_bytes).c_str(), e.fits_sram ? "fits" : "DOES NOT FIT");
  out += format("latency              %.2f ms (%s cycles)\n", e.latency_ms,
                with_thousands(static_cast<std::int64_t>(e.latency_cycles)).c_str());
  return out;
}

nlohmann::ordered_json estimate_json(const Arch& arch, const McuProfile& mcu, const Estimator& est) {
  const Estimate& e = est.result();
  nlohmann::ordered_json j;
  j["name"] = arch.name;
  j["mcu"] = mcu.name;
  j["macs"] = e.macs;
  j["executed_macs"] = e.executed_macs;
  j["params"] = e.params;
  j["flash_bytes"] = e.flash_bytes;
  j["model_flash_bytes"] = e.model_flash_bytes;
  j["per_layer_peak_activation_bytes"] = e.per_layer_peak_activation_bytes;
  j["peak_activation_bytes"] = e.peak_activation_bytes;
  j["arena_bytes"] = e.arena_bytes;
  j["peak_sram_bytes"] = e.peak_sram_bytes;
  j["latency_ms"] = e.latency_ms;
  j["fits"] = e.fits();
  j["fits_sram"] = e.fits_sram;
  j["fits_flash"] = e.fits_flash;
  if (e.patch) {
    const PatchSummary& p = *e.patch;
    j["patch"] = {{"n", p.n},
                  {"split", p.split},
                  {"input_patch", {p.input_patch_h, p.input_patch_w}},
                  {"stage_macs", p.stage_macs},
                  {"stage_macs_with_overlap", p.stage_macs_with_overlap},
                  {"overhead_ratio", p.overhead_ratio},
                  {"stage_peak_activation_bytes", p.stage_peak_activation_bytes}};
  }
  return j;
}

}  // namespace patchnas::cli
