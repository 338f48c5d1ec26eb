// The end-of-run report of `patchnas run`: one self-contained HTML file (inline CSS and SVG, no
// script, no external resource, system fonts) with
//   1. the search's Pareto archive, objective vs peak SRAM (SRAM budget as a vertical line),
//   2. the same archive, objective vs latency (latency budget line; a note when no latency),
//   3. the chosen model's memory per layer, per-layer vs patch-based, SRAM budget as a line,
//   4. training curves (accuracy and loss per epoch) of every run, QAT epochs marked,
//   5. a table of predicted vs measured figures, and free notes.
// This file owns the report's data (plain numbers and strings the pipeline fills in) and its
// rendering; it knows nothing of the search or the trainer. Every string is HTML-escaped, every
// number is written with fixed decimals, and non-finite values are dropped (never written); an
// empty part renders as "no data".
//   ReportData data;
//   data.title = "fmnist-f412";
//   data.pareto.push_back({.objective = 5.1e6, .peak_sram_bytes = 41'000, .chosen = true});
//   write_file_atomically("out/report.html", render_report_html(data));
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace patchnas {

struct ReportCandidate {   // one point of the search's Pareto archive
  double objective = 0.0;  // e.g. MACs, in the objective's unit
  double peak_sram_bytes = 0.0;
  double latency_ms = 0.0;  // < 0: unknown
  bool chosen = false;      // the exported model
};

struct ReportLayerMemory {     // one layer of the chosen model
  std::string name;            // e.g. "b3.dw 5x5"
  double per_layer_bytes = 0;  // live activation bytes when run layer by layer
  double patch_bytes = 0;      // the same under the patch schedule (equal after the patch stage)
};

struct ReportEpoch {
  int epoch = 0;
  bool quantization_aware = false;
  // Accuracies in [0, 1]; validation < 0: none.
  double train_loss = 0, train_accuracy = 0, validation_loss = 0, validation_accuracy = 0;
};

struct ReportRun {  // one training run (a survivor round, the final training)
  std::string label;
  std::vector<ReportEpoch> epochs;
};

struct ReportRow {  // e.g. {"peak SRAM", "21,952 B", "21,952 B"}
  std::string what, predicted, measured;
};

struct ReportData {
  std::string title;     // experiment name
  std::string subtitle;  // one line: MCU, budgets
  std::string objective_name = "MACs";
  std::vector<ReportCandidate> pareto;
  double sram_budget_bytes = 0;  // > 0: drawn as a line
  double latency_budget_ms = 0;  // > 0: drawn as a line
  std::vector<ReportLayerMemory> memory;
  std::vector<ReportRun> training;
  std::vector<ReportRow> figures;  // predicted vs measured (SRAM, flash, instructions, accuracy)
  std::vector<std::pair<std::string, std::string>> notes;  // free key/value lines
};

std::string render_report_html(const ReportData& data);

// Chart geometry in SVG user units, public so that a reader (or a test) can place a value
// without the renderer. The plot area is x in [left, width - right], y in [top, height - bottom].
// A value axis maps its domain [lo, hi] linearly onto it (lo at the left / bottom edge). The
// domain is the data's range (budgets included; widened to 0 on every axis but epochs and
// accuracy) rounded outwards to multiples of a step: the smallest of 1, 2, 2.5, 5 x 10^k not
// below (hi - lo) / 5; on byte axes the step is such a number of 1024^j bytes (the largest
// 1024^j not above (hi - lo) / 5), 1000 of them becoming 1024. Accuracy stays within [0, 1];
// equal or missing values widen the domain.
struct ReportChartFrame {
  double width, height, left, right, top, bottom;
};
inline constexpr ReportChartFrame kReportScatterFrame{580, 380, 84, 24, 48, 56};
inline constexpr ReportChartFrame kReportMemoryFrame{1180, 470, 84, 24, 48, 136};
inline constexpr ReportChartFrame kReportTrainingFrame{1180, 360, 84, 230, 48, 56};

}  // namespace patchnas
