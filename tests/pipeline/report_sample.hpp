// A representative end-of-run report for the report tests (and count(), which they share): a
// 24-point Pareto archive on an
// STM32F412-sized budget, a MobileNetV2-style memory profile whose first 12 layers run
// patch by patch, three survivor rounds and a final training whose last 4 epochs are QAT.
//   const ReportData data = testing::sample_report();
#pragma once

#include <cmath>
#include <string>

#include "pipeline/report_html.hpp"

namespace patchnas::testing {

// Occurrences of `needle` in `haystack` (overlapping ones too).
inline std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

inline ReportData sample_report() {
  ReportData data;
  data.title = "fmnist-f412";
  data.subtitle =
      "STM32F412 (Cortex-M4 @ 100 MHz): SRAM budget 96 KiB, flash budget 1 MiB, latency budget 150 "
      "ms";
  data.objective_name = "MACs";
  data.sram_budget_bytes = 96 * 1024;
  data.latency_budget_ms = 150;
  for (int i = 0; i < 24; ++i) {
    const double t = i / 23.0;
    ReportCandidate c;
    c.objective = 2.0e6 + 16.0e6 * t * t;
    c.peak_sram_bytes = 24 * 1024 + 66 * 1024 * std::sqrt(t) + 1500 * ((i * 7) % 5);
    c.latency_ms = c.objective / 140'000.0 + 6 + 3 * ((i * 3) % 4);
    c.chosen = i == 17;
    data.pareto.push_back(c);
  }

  const char* const kBlocks[] = {"b1", "b2", "b3", "b4",  "b5",  "b6",
                                 "b7", "b8", "b9", "b10", "b11", "b12"};
  const int kKernels[] = {3, 3, 5, 3, 5, 7, 3, 5, 3, 5, 7, 3};
  double resolution = 64, channels = 16;
  data.memory.push_back({"stem 3x3 s2", 64 * 64 * 3 + 32 * 32 * 16, 9'200});
  resolution = 32;
  for (int b = 0; b < 12; ++b) {
    const double expanded = channels * 6;
    const bool downsample = b == 1 || b == 3 || b == 6 || b == 9;
    const double out_resolution = downsample ? resolution / 2 : resolution;
    const double out_channels = channels + (downsample ? 8 : 0);
    const double in_bytes = resolution * resolution * channels;
    const bool patched = b < 4;  // the patch stage: 3x3 tiles, sized for the largest tile
    auto patch = [&](double bytes) { return patched ? bytes / 7.0 + 2'048 : bytes; };
    const std::string block = kBlocks[b];
    const double expand_bytes = in_bytes + resolution * resolution * expanded;
    const double dw_bytes =
        resolution * resolution * expanded + out_resolution * out_resolution * expanded;
    const double project_bytes = out_resolution * out_resolution * (expanded + out_channels);
    data.memory.push_back({block + ".exp 1x1", expand_bytes, patch(expand_bytes)});
    data.memory.push_back(
        {block + ".dw " + std::to_string(kKernels[b]) + "x" + std::to_string(kKernels[b]), dw_bytes,
         patch(dw_bytes)});
    data.memory.push_back({block + ".proj 1x1", project_bytes, patch(project_bytes)});
    resolution = out_resolution;
    channels = out_channels;
  }
  data.memory.push_back({"pool", resolution * resolution * channels + channels,
                         resolution * resolution * channels + channels});
  data.memory.push_back({"fc", channels + 10, channels + 10});

  for (int round = 1; round <= 3; ++round) {
    ReportRun run{"round " + std::to_string(round) + " (8 survivors)", {}};
    for (int e = 1; e <= 4; ++e) {
      const double progress = 1 - std::exp(-e / 2.0);
      run.epochs.push_back({e, false, 1.2 - 0.7 * progress, 0.55 + 0.3 * progress + 0.01 * round,
                            1.25 - 0.65 * progress, 0.52 + 0.3 * progress + 0.012 * round});
    }
    data.training.push_back(run);
  }
  ReportRun final_run{"final (20 epochs)", {}};
  for (int e = 1; e <= 20; ++e) {
    const double progress = 1 - std::exp(-e / 4.0);
    const bool qat = e > 16;
    final_run.epochs.push_back({e, qat, 1.1 - 0.85 * progress,
                                0.6 + 0.33 * progress - (qat ? 0.004 : 0), 1.15 - 0.78 * progress,
                                0.58 + 0.32 * progress - (qat ? 0.006 : 0)});
  }
  data.training.push_back(final_run);

  data.figures = {{"peak SRAM", "61,440 B", "61,440 B"},
                  {"flash", "412,312 B", "409,880 B"},
                  {"instructions per inference", "9,120,000", "9,312,455"},
                  {"latency (QEMU, cycle model)", "97.4 ms", "99.1 ms"},
                  {"accuracy float vs int8", "89.6%", "89.1%"}};
  data.notes = {{"search", "1,200 candidates in 41 s"},
                {"training", "3 rounds + final, 312 s"},
                {"export", "out/fmnist-f412/firmware (C99, arena 61,440 B)"}};
  return data;
}

}  // namespace patchnas::testing
