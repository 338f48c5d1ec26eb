// Calibration of an McuProfile's latency coefficients from per-layer measurements.
// Owns the measurements CSV format and the per-op least-squares fit of
//   cycles = cycles_per_mac * MACs + cycles_per_output * outputs + cycles_per_call
//          + cycles_per_input * inputs + cycles_per_weight * weights + cycles_per_row * rows
//          + cycles_per_window_word * window words
// (the model of estimators/latency.hpp); MACs come from layer_macs (estimators/layer_cost.hpp),
// the one place they are computed.
//
// CSV: a header row naming the columns (any order), then one row per measured layer call:
//   op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles     (or ms instead of cycles)
//   pointwise,56,56,24,56,56,144,1,1,2215000
// op is a cost kind (estimators/mcu_profile.hpp): conv|depthwise|pointwise|pool|fc, or
// depthwise_in_place|pointwise_residual for the runtime's in-place depthwise and the pointwise
// with a fused residual add; blank lines and lines starting with '#' are skipped.
// Shapes must be positive; depthwise and pool need in_c == out_c; pointwise needs kernel 1;
// pool and fc produce 1x1 outputs (fc also reads a 1x1 input). ms is converted to cycles with
// the base profile's clock.
//
// The fit, per op, minimises the squared *relative* error (rows are weighted by 1/measured), so
// small layers count as much as large ones and the result is what the report's error measures.
//  - Terms the rows cannot determine are left out and set to 0: a term whose column is all zero
//    (pool has no MACs), and, when there are fewer independent rows than terms, the last terms in
//    the order [work term, cycles_per_call, other term, cycles_per_input, cycles_per_weight,
//    cycles_per_row, cycles_per_window_word], where the work term
//    is cycles_per_mac (cycles_per_output for pool) and the other term cycles_per_output
//    (cycles_per_mac). One row fits only the work term, two fit it and the per-call term;
//    collinear columns (e.g. depthwise rows of one kernel size) drop the later term too.
//  - Coefficients are constrained to be >= 0 exactly (non-negative least squares): every subset
//    of the determined terms is solved and the best fit with no negative coefficient is kept;
//    the terms outside it are clamped to 0.
//  - A measured row is one call over the whole maps (latency.hpp's layer_work(layer)).
//  - Ops with no rows keep the base profile's coefficients, except a variant (depthwise_in_place,
//    pointwise_residual) whose layer kind has rows: it takes that kind's fit.
//
//   const MeasurementSet data = read_measurements("f746.csv", base.clock_hz);
//   const Calibration fit = calibrate(base, data);
//   write_file_atomically("f746-cal.json", mcu_profile_to_json(fit.profile).dump(2));
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "estimators/latency.hpp"
#include "estimators/mcu_profile.hpp"
#include "space/network.hpp"

namespace patchnas {

struct Measurement {
  int line = 0;  // 1-based line in the CSV, for messages
  CostKind kind = CostKind::Conv;
  Layer layer;   // its layer kind, in/out shapes, kernel and stride of the measured call
  double cycles = 0.0;

  std::int64_t macs() const;
  std::int64_t outputs() const { return layer.out.elements(); }
  LayerWork work() const;  // one call over the whole maps
};

struct MeasurementSet {
  std::string file;
  std::vector<Measurement> rows;
};

// Throws InputError(file, "line N, column NAME", ...) for malformed input.
MeasurementSet read_measurements(const std::string& path, double clock_hz);
MeasurementSet parse_measurements(std::string_view csv_text, const std::string& file,
                                  double clock_hz);
// The rows as CSV in the format above, with a cycles column (reads back to the same rows).
std::string measurements_to_csv(const MeasurementSet& set);

// The terms of the latency model (estimators/latency.hpp), in OpCoefficients order.
enum class Term : std::uint8_t {
  PerMac,
  PerOutput,
  PerCall,
  PerInput,
  PerWeight,
  PerRow,
  PerWindowWord
};
inline constexpr int kTermCount = 7;
std::string_view term_name(Term term);  // "cycles_per_mac", "cycles_per_output", ...

// The coefficient of `term` in k.
inline constexpr double OpCoefficients::*kTermCoefficient[kTermCount] = {
    &OpCoefficients::cycles_per_mac,   &OpCoefficients::cycles_per_output,
    &OpCoefficients::cycles_per_call,  &OpCoefficients::cycles_per_input,
    &OpCoefficients::cycles_per_weight, &OpCoefficients::cycles_per_row,
    &OpCoefficients::cycles_per_window_word};
inline double& coefficient(OpCoefficients& k, Term term) {
  return k.*kTermCoefficient[static_cast<int>(term)];
}
inline double coefficient(const OpCoefficients& k, Term term) {
  return k.*kTermCoefficient[static_cast<int>(term)];
}

enum class TermStatus : std::uint8_t {
  Fitted,        // estimated from the rows
  Undetermined,  // the rows cannot determine it (too few, zero or collinear column): set to 0
  Clamped,       // the unconstrained fit wanted it negative: set to 0
  Kept,          // no rows for this op: the base profile's value
};
std::string_view term_status_name(TermStatus status);  // "fitted", "undetermined", ...

struct FitError {
  int rows = 0;
  double rms_relative_error = 0.0;  // sqrt(mean(((predicted - measured) / measured)^2))
  double max_relative_error = 0.0;  // max |predicted - measured| / measured
};

struct OpFit {
  OpCoefficients coefficients;
  std::array<TermStatus, kTermCount> status{TermStatus::Kept, TermStatus::Kept, TermStatus::Kept,
                                            TermStatus::Kept, TermStatus::Kept, TermStatus::Kept,
                                            TermStatus::Kept};
  FitError error;  // of `coefficients` on this op's rows

  bool fitted() const { return error.rows > 0; }
  TermStatus term_status(Term term) const { return status[static_cast<std::size_t>(term)]; }
};

struct Calibration {
  McuProfile profile;  // the base profile with the fitted coefficients and an extended source
  std::array<OpFit, kCostKindCount> ops{};  // indexed by CostKind
  FitError overall;                         // over every row

  const OpFit& op(CostKind kind) const { return ops[static_cast<std::size_t>(kind)]; }
};

// Fits `base`'s coefficients to `data` (see the top of this file). The result's source reads
// "calibrated from FILE (N rows) ...; base profile: <base.source>".
Calibration calibrate(const McuProfile& base, const MeasurementSet& data);

// The relative errors of `profile` on `rows` (all ops together).
FitError fit_error(const McuProfile& profile, const std::vector<Measurement>& rows);

}  // namespace patchnas
