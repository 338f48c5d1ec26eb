#include "estimators/calibrate.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cstdio>
#include <cmath>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <sstream>

#include <Eigen/Dense>

#include "estimators/latency.hpp"
#include "estimators/layer_cost.hpp"
#include "space/input_error.hpp"

namespace patchnas {
namespace {


// ---- CSV ----------------------------------------------------------------------------------

enum class Column : std::uint8_t { Op, InH, InW, InC, OutH, OutW, OutC, Kernel, Stride, Cycles, Ms };
constexpr int kColumnCount = 11;
constexpr std::string_view kColumnNames[kColumnCount] = {
    "op", "in_h", "in_w", "in_c", "out_h", "out_w", "out_c", "kernel", "stride", "cycles", "ms"};

std::string_view column_name(Column c) { return kColumnNames[static_cast<int>(c)]; }

std::string line_field(int line) { return "line " + std::to_string(line); }

std::string cell_field(int line, Column c) {
  return line_field(line) + ", column " + std::string(column_name(c));
}

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::vector<std::string_view> split_cells(std::string_view line) {
  std::vector<std::string_view> cells;
  std::size_t start = 0;
  while (true) {
    const auto comma = line.find(',', start);
    cells.push_back(trim(line.substr(start, comma == std::string_view::npos ? comma : comma - start)));
    if (comma == std::string_view::npos) return cells;
    start = comma + 1;
  }
}

// Where each known column sits in the file (index into a row's cells), from the header row.
struct ColumnMap {
  std::array<std::optional<std::size_t>, kColumnCount> index{};
  std::size_t count = 0;
  Column time = Column::Cycles;  // Cycles or Ms, whichever the file has

  std::string_view cell(const std::vector<std::string_view>& cells, Column c) const {
    return cells[*index[static_cast<int>(c)]];
  }
};

ColumnMap read_header(std::string_view line, const std::string& file, int line_number) {
  ColumnMap map;
  const auto cells = split_cells(line);
  map.count = cells.size();
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const auto* known = std::find(std::begin(kColumnNames), std::end(kColumnNames), cells[i]);
    if (known == std::end(kColumnNames)) {
      throw InputError(file, line_field(line_number),
                       "unknown column \"" + std::string(cells[i]) +
                           "\" (expected op, in_h, in_w, in_c, out_h, out_w, out_c, kernel, "
                           "stride and one of cycles or ms)");
    }
    auto& slot = map.index[static_cast<std::size_t>(known - std::begin(kColumnNames))];
    if (slot) throw InputError(file, line_field(line_number), "duplicate column \"" + std::string(cells[i]) + "\"");
    slot = i;
  }
  for (int c = 0; c < static_cast<int>(Column::Cycles); ++c) {
    if (!map.index[static_cast<std::size_t>(c)]) {
      throw InputError(file, line_field(line_number),
                       "missing column \"" + std::string(kColumnNames[c]) + "\"");
    }
  }
  const bool has_cycles = map.index[static_cast<int>(Column::Cycles)].has_value();
  const bool has_ms = map.index[static_cast<int>(Column::Ms)].has_value();
  if (has_cycles == has_ms) {
    throw InputError(file, line_field(line_number),
                     has_cycles ? "has both cycles and ms columns; give exactly one"
                                : "missing column \"cycles\" or \"ms\" (the measured time)");
  }
  map.time = has_cycles ? Column::Cycles : Column::Ms;
  return map;
}

// No measured layer of an MCU is wider, taller or deeper; keeps shape products far from overflow.
constexpr int kMaxMeasuredSize = 65536;

int positive_int(std::string_view cell, const std::string& file, int line, Column c) {
  int value = 0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size() || cell.empty()) {
    throw InputError(file, cell_field(line, c), "expected an integer, got \"" + std::string(cell) + "\"");
  }
  if (value <= 0) throw InputError(file, cell_field(line, c), "must be > 0, got " + std::to_string(value));
  if (value > kMaxMeasuredSize) {
    throw InputError(file, cell_field(line, c),
                     "must be at most " + std::to_string(kMaxMeasuredSize) + ", got " +
                         std::to_string(value));
  }
  return value;
}

double positive_number(std::string_view cell, const std::string& file, int line, Column c) {
  double value = 0.0;
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  if (error != std::errc() || end != cell.data() + cell.size() || cell.empty() || !std::isfinite(value)) {
    throw InputError(file, cell_field(line, c), "expected a number, got \"" + std::string(cell) + "\"");
  }
  if (!(value > 0.0)) throw InputError(file, cell_field(line, c), "must be > 0, got " + std::string(cell));
  return value;
}

CostKind op_kind(std::string_view cell, const std::string& file, int line) {
  for (const CostKind kind : kAllCostKinds) {
    if (cost_kind_name(kind) == cell) return kind;
  }
  throw InputError(file, cell_field(line, Column::Op),
                   "unknown op \"" + std::string(cell) +
                       "\" (expected conv, depthwise, pointwise, pool, fc, depthwise_in_place or "
                       "pointwise_residual)");
}

// The shape rules of the lowering (space/lower.cpp) that layer_macs relies on.
void check_layer(const Layer& l, const std::string& file, int line) {
  const auto fail = [&](Column c, const std::string& reason) {
    throw InputError(file, cell_field(line, c), reason);
  };
  const std::string op(layer_kind_name(l.kind));
  if ((l.kind == LayerKind::Depthwise || l.kind == LayerKind::GlobalAvgPool) && l.in.c != l.out.c) {
    fail(Column::OutC, op + " needs out_c == in_c, got " + std::to_string(l.out.c) + " vs " +
                           std::to_string(l.in.c));
  }
  if (l.kind == LayerKind::Pointwise && l.kernel != 1) {
    fail(Column::Kernel, "pointwise needs kernel 1, got " + std::to_string(l.kernel));
  }
  if (l.kind == LayerKind::GlobalAvgPool || l.kind == LayerKind::FullyConnected) {
    if (l.out.h != 1) fail(Column::OutH, op + " produces a 1x1 output, got out_h " + std::to_string(l.out.h));
    if (l.out.w != 1) fail(Column::OutW, op + " produces a 1x1 output, got out_w " + std::to_string(l.out.w));
  }
  if (l.kind == LayerKind::FullyConnected) {
    if (l.in.h != 1) fail(Column::InH, "fc reads a 1x1 input, got in_h " + std::to_string(l.in.h));
    if (l.in.w != 1) fail(Column::InW, "fc reads a 1x1 input, got in_w " + std::to_string(l.in.w));
  }
  // layer_macs works in int64; keep far away from overflow.
  const double macs_bound =
      static_cast<double>(l.out.h) * l.out.w * l.out.c * l.kernel * l.kernel * l.in.c;
  if (macs_bound > 1e15) fail(Column::OutC, "layer too large (more than 1e15 MACs)");
}

Measurement read_row(const std::vector<std::string_view>& cells, const ColumnMap& map,
                     const std::string& file, int line, double clock_hz) {
  if (cells.size() != map.count) {
    throw InputError(file, line_field(line),
                     "expected " + std::to_string(map.count) + " columns, got " +
                         std::to_string(cells.size()));
  }
  const auto shape = [&](Column c) { return positive_int(map.cell(cells, c), file, line, c); };
  Measurement m;
  m.line = line;
  m.kind = op_kind(map.cell(cells, Column::Op), file, line);
  m.layer.kind = layer_kind_of(m.kind);
  m.layer.in = {shape(Column::InH), shape(Column::InW), shape(Column::InC)};
  m.layer.out = {shape(Column::OutH), shape(Column::OutW), shape(Column::OutC)};
  m.layer.kernel = shape(Column::Kernel);
  m.layer.stride = shape(Column::Stride);
  check_layer(m.layer, file, line);
  const double time = positive_number(map.cell(cells, map.time), file, line, map.time);
  m.cycles = map.time == Column::Cycles ? time : time / 1000.0 * clock_hz;
  return m;
}

// ---- fit ----------------------------------------------------------------------------------

double feature(const Measurement& m, Term t) {
  const LayerWork w = m.work();
  switch (t) {
    case Term::PerMac: return static_cast<double>(w.macs);
    case Term::PerOutput: return static_cast<double>(w.outputs);
    case Term::PerInput: return static_cast<double>(w.inputs);
    case Term::PerWeight: return static_cast<double>(w.weights);
    case Term::PerRow: return static_cast<double>(w.rows);
    case Term::PerWindowWord: return static_cast<double>(w.window_words);
    case Term::PerCall: return static_cast<double>(w.calls);
  }
  return 0.0;
}

// The weighted design matrix of one op: row i is feature(row_i, term) / measured_i, so the
// least-squares residual against a vector of ones is the relative error.
Eigen::MatrixXd design(const std::vector<Measurement>& rows, const std::vector<Term>& terms) {
  Eigen::MatrixXd a(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(terms.size()));
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < terms.size(); ++j) {
      a(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          feature(rows[i], terms[j]) / rows[i].cycles;
    }
  }
  return a;
}

// Columns scaled to unit norm (MACs, outputs and 1 differ by orders of magnitude).
struct ScaledLeastSquares {
  Eigen::VectorXd scale;
  Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr;

  explicit ScaledLeastSquares(const Eigen::MatrixXd& a) : scale(a.colwise().norm().transpose()) {
    qr.setThreshold(1e-10);
    qr.compute(a * scale.cwiseInverse().asDiagonal());
  }
  bool full_rank() const { return qr.rank() == qr.cols(); }
  Eigen::VectorXd solve() const {
    const Eigen::VectorXd ones = Eigen::VectorXd::Ones(qr.rows());
    return (qr.solve(ones).array() / scale.array()).matrix();
  }
};

OpFit fit_op(const std::vector<Measurement>& rows, const OpCoefficients& base) {
  OpFit fit;
  if (rows.empty()) {
    fit.coefficients = base;
    return fit;
  }
  fit.status.fill(TermStatus::Undetermined);
  // Order of preference: the work term, the per-call term, then the other term.
  const bool has_macs =
      std::any_of(rows.begin(), rows.end(), [](const Measurement& m) { return m.macs() > 0; });
  const Term work = has_macs ? Term::PerMac : Term::PerOutput;
  const Term other = has_macs ? Term::PerOutput : Term::PerMac;
  std::vector<Term> determined;
  for (const Term t : {work, Term::PerCall, other, Term::PerInput, Term::PerWeight, Term::PerRow,
                       Term::PerWindowWord}) {
    std::vector<Term> candidate = determined;
    candidate.push_back(t);
    const Eigen::MatrixXd a = design(rows, candidate);
    if (a.col(a.cols() - 1).norm() == 0.0) continue;  // an all-zero column (pool MACs)
    if (ScaledLeastSquares(a).full_rank()) determined = std::move(candidate);
  }

  // Exact non-negative least squares: the best of the unconstrained fits on every subset of
  // the determined terms that has no negative coefficient (at most 127 subsets). Larger subsets
  // come first so an exact tie keeps more terms.
  const std::size_t n = determined.size();
  std::vector<unsigned> masks;
  for (unsigned mask = 1; mask < (1u << n); ++mask) masks.push_back(mask);
  std::stable_sort(masks.begin(), masks.end(), [](unsigned x, unsigned y) {
    return std::popcount(x) > std::popcount(y);
  });
  double best_residual = std::numeric_limits<double>::infinity();
  OpCoefficients best;
  unsigned best_mask = 0;
  for (const unsigned mask : masks) {
    std::vector<Term> terms;
    for (std::size_t j = 0; j < n; ++j) {
      if (mask & (1u << j)) terms.push_back(determined[j]);
    }
    const Eigen::MatrixXd a = design(rows, terms);
    const ScaledLeastSquares ls(a);
    if (!ls.full_rank()) continue;
    const Eigen::VectorXd x = ls.solve();
    if ((x.array() < 0.0).any() || !x.allFinite()) continue;
    const double residual = (a * x - Eigen::VectorXd::Ones(a.rows())).squaredNorm();
    if (residual < best_residual) {
      best_residual = residual;
      best_mask = mask;
      best = OpCoefficients{};
      for (std::size_t j = 0; j < terms.size(); ++j) {
        coefficient(best, terms[j]) = x(static_cast<Eigen::Index>(j));
      }
    }
  }
  fit.coefficients = best;
  for (std::size_t j = 0; j < n; ++j) {
    fit.status[static_cast<std::size_t>(determined[j])] =
        (best_mask & (1u << j)) ? TermStatus::Fitted : TermStatus::Clamped;
  }
  return fit;
}

std::string format_percent(double ratio) {
  std::ostringstream s;
  s.precision(3);
  s << ratio * 100.0 << "%";
  return s.str();
}

}  // namespace

std::int64_t Measurement::macs() const { return layer_macs(layer); }
LayerWork Measurement::work() const { return layer_work(layer); }

MeasurementSet parse_measurements(std::string_view text, const std::string& file, double clock_hz) {
  MeasurementSet set;
  set.file = file;
  std::optional<ColumnMap> header;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto newline = text.find('\n', start);
    const std::string_view line =
        text.substr(start, newline == std::string_view::npos ? newline : newline - start);
    start = newline == std::string_view::npos ? text.size() : newline + 1;
    ++line_number;
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') continue;
    if (!header) {
      header = read_header(content, file, line_number);
    } else {
      set.rows.push_back(read_row(split_cells(content), *header, file, line_number, clock_hz));
    }
  }
  if (!header) {
    throw InputError(file, "", std::string(text.empty() ? "empty file: " : "") +
                                   "no header row (expected op,in_h,...,cycles or ms)");
  }
  if (set.rows.empty()) throw InputError(file, "", "no measurement rows after the header");
  return set;
}

MeasurementSet read_measurements(const std::string& path, double clock_hz) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path, "", "cannot open file");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path, "", "cannot read file");
  return parse_measurements(text.str(), path, clock_hz);
}

std::string measurements_to_csv(const MeasurementSet& set) {
  std::string csv = "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles\n";
  for (const Measurement& m : set.rows) {
    const Layer& l = m.layer;
    csv.append(cost_kind_name(m.kind));
    for (const int v : {l.in.h, l.in.w, l.in.c, l.out.h, l.out.w, l.out.c, l.kernel, l.stride}) {
      csv.append(",").append(std::to_string(v));
    }
    char cycles[32];
    std::snprintf(cycles, sizeof cycles, ",%.17g\n", m.cycles);
    csv.append(cycles);
  }
  return csv;
}

std::string_view term_name(Term term) {
  switch (term) {
    case Term::PerMac: return "cycles_per_mac";
    case Term::PerOutput: return "cycles_per_output";
    case Term::PerInput: return "cycles_per_input";
    case Term::PerWeight: return "cycles_per_weight";
    case Term::PerRow: return "cycles_per_row";
    case Term::PerWindowWord: return "cycles_per_window_word";
    case Term::PerCall: return "cycles_per_call";
  }
  return "?";
}

std::string_view term_status_name(TermStatus status) {
  switch (status) {
    case TermStatus::Fitted: return "fitted";
    case TermStatus::Undetermined: return "undetermined";
    case TermStatus::Clamped: return "clamped";
    case TermStatus::Kept: return "kept";
  }
  return "?";
}

FitError fit_error(const McuProfile& profile, const std::vector<Measurement>& rows) {
  FitError e;
  double sum_squares = 0.0;
  for (const Measurement& m : rows) {
    const double predicted = layer_cycles(profile, m.kind, m.work());
    const double relative = std::abs(predicted - m.cycles) / m.cycles;
    sum_squares += relative * relative;
    e.max_relative_error = std::max(e.max_relative_error, relative);
    ++e.rows;
  }
  if (e.rows > 0) e.rms_relative_error = std::sqrt(sum_squares / e.rows);
  return e;
}

Calibration calibrate(const McuProfile& base, const MeasurementSet& data) {
  Calibration result;
  result.profile = base;
  std::string counts;
  // kAllCostKinds lists the layer kinds before the variants, whose fallback is their kind's fit.
  for (const CostKind kind : kAllCostKinds) {
    std::vector<Measurement> rows;
    std::copy_if(data.rows.begin(), data.rows.end(), std::back_inserter(rows),
                 [kind](const Measurement& m) { return m.kind == kind; });
    const auto k = static_cast<std::size_t>(kind);
    const auto own_kind = static_cast<std::size_t>(layer_kind_of(kind));
    const bool follows_kind = rows.empty() && own_kind != k && result.ops[own_kind].fitted();
    OpFit& fit = result.ops[k];
    fit = fit_op(rows, follows_kind ? result.profile.ops[own_kind] : base.ops[k]);
    result.profile.ops[k] = fit.coefficients;
    fit.error = fit_error(result.profile, rows);
    if (!rows.empty()) {
      counts.append(counts.empty() ? "" : ", ")
          .append(cost_kind_name(kind))
          .append(" ")
          .append(std::to_string(rows.size()));
    }
  }
  result.overall = fit_error(result.profile, data.rows);
  result.profile.source = "calibrated by `patchnas calibrate` from " + data.file + " (" +
                          std::to_string(data.rows.size()) + " rows: " + counts +
                          "; RMS relative error " + format_percent(result.overall.rms_relative_error) +
                          ", max " + format_percent(result.overall.max_relative_error) +
                          "; ops without rows keep the base coefficients, variants their kind's "
                          "fit); base profile " +
                          base.name + ": " + base.source;
  return result;
}

}  // namespace patchnas
