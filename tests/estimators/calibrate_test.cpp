// Calibration: the CSV's MACs per op by hand, exact recovery of hand-chosen coefficients,
// plausible errors under noise, the documented handling of too few rows, collinear and negative
// terms, every CSV error class naming file and line, and that the written profile reloads.
#include <gtest/gtest.h>

#include "support/input_error_of.hpp"

#include <cmath>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "estimators/calibrate.hpp"
#include "space/atomic_file.hpp"
#include "space/input_error.hpp"
#include "test_support.hpp"

namespace patchnas {
namespace {

constexpr double kClockHz = 100e6;

struct Row {
  const char* op;
  int in_h, in_w, in_c, out_h, out_w, out_c, kernel, stride;
};

// MACs and outputs by the formulas of the CSV format, written out here independently.
double hand_macs(const Row& r) {
  const double out = double(r.out_h) * r.out_w * r.out_c;
  const std::string op = r.op;
  if (op == "conv") return out * r.kernel * r.kernel * r.in_c;
  if (op == "depthwise") return out * r.kernel * r.kernel;
  if (op == "pointwise") return out * r.in_c;
  if (op == "fc") return double(r.in_c) * r.out_c;
  return 0.0;  // pool
}
double hand_outputs(const Row& r) { return double(r.out_h) * r.out_w * r.out_c; }

std::string csv_line(const Row& r, double time) {
  char text[200];
  std::snprintf(text, sizeof text, "%s,%d,%d,%d,%d,%d,%d,%d,%d,%.17g\n", r.op, r.in_h, r.in_w,
                r.in_c, r.out_h, r.out_w, r.out_c, r.kernel, r.stride, time);
  return text;
}

const char* kHeader = "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles\n";

// Varied shapes per op: kernels 3/5/7 keep depthwise MACs and outputs independent.
const std::vector<Row>& varied_rows() {
  static const std::vector<Row> rows = {
      {"conv", 224, 224, 3, 112, 112, 16, 3, 2},   {"conv", 96, 96, 3, 48, 48, 8, 3, 2},
      {"conv", 64, 64, 1, 64, 64, 4, 5, 1},        {"conv", 32, 32, 8, 32, 32, 16, 3, 1},
      {"depthwise", 112, 112, 16, 112, 112, 16, 3, 1}, {"depthwise", 56, 56, 48, 28, 28, 48, 5, 2},
      {"depthwise", 14, 14, 96, 14, 14, 96, 7, 1}, {"depthwise", 28, 28, 24, 28, 28, 24, 3, 1},
      {"depthwise", 7, 7, 320, 7, 7, 320, 5, 1},   {"pointwise", 56, 56, 24, 56, 56, 144, 1, 1},
      {"pointwise", 28, 28, 32, 28, 28, 8, 1, 1},  {"pointwise", 7, 7, 320, 7, 7, 1280, 1, 1},
      {"pointwise", 14, 14, 4, 14, 14, 96, 1, 1},  {"pointwise", 112, 112, 16, 112, 112, 8, 1, 1},
      {"pool", 7, 7, 1280, 1, 1, 1280, 7, 1},      {"pool", 5, 5, 160, 1, 1, 160, 5, 1},
      {"pool", 3, 3, 64, 1, 1, 64, 3, 1},          {"fc", 1, 1, 1280, 1, 1, 1000, 1, 1},
      {"fc", 1, 1, 160, 1, 1, 10, 1, 1},           {"fc", 1, 1, 64, 1, 1, 2, 1, 1},
      {"fc", 1, 1, 512, 1, 1, 100, 1, 1},
  };
  return rows;
}

// Hand-chosen truth per op, indexed by CostKind (pool's cycles_per_mac is meaningless).
// The five layer kinds (the first cost kinds); the variants are tested on their own below.
constexpr std::size_t kBaseKinds = 5;
const std::array<OpCoefficients, kBaseKinds> kTruth = {{
    {1.75, 3.5, 4100.0},   // conv
    {2.25, 12.0, 900.0},   // depthwise
    {1.5, 0.75, 2500.0},   // pointwise
    {0.0, 60.0, 700.0},    // pool
    {2.5, 9.0, 350.0},     // fc
}};

CostKind kind_of(const Row& r) {
  const std::string op = r.op;
  if (op == "conv") return CostKind::Conv;
  if (op == "depthwise") return CostKind::Depthwise;
  if (op == "pointwise") return CostKind::Pointwise;
  if (op == "pool") return CostKind::GlobalAvgPool;
  return CostKind::FullyConnected;
}

double true_cycles(const Row& r) {
  const OpCoefficients& k = kTruth[static_cast<std::size_t>(kind_of(r))];
  return k.cycles_per_mac * hand_macs(r) + k.cycles_per_output * hand_outputs(r) + k.cycles_per_call;
}

std::string synthetic_csv(const std::vector<Row>& rows, double noise = 0.0) {
  std::mt19937 generator(12345);
  std::uniform_real_distribution<double> jitter(-noise, noise);
  std::string csv = kHeader;
  for (const Row& r : rows) csv += csv_line(r, true_cycles(r) * (1.0 + jitter(generator)));
  return csv;
}

void expect_relative(double actual, double expected, double tolerance, const char* what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * std::abs(expected))
      << what << ": " << actual << " vs " << expected;
}

using testing::input_error_of;

TEST(Calibrate, MacsAndOutputsPerOpByHand) {
  const MeasurementSet set = parse_measurements(synthetic_csv(varied_rows()), "m.csv", kClockHz);
  ASSERT_EQ(set.rows.size(), varied_rows().size());
  for (std::size_t i = 0; i < set.rows.size(); ++i) {
    const Row& r = varied_rows()[i];
    EXPECT_EQ(static_cast<double>(set.rows[i].macs()), hand_macs(r)) << i;
    EXPECT_EQ(static_cast<double>(set.rows[i].outputs()), hand_outputs(r)) << i;
    EXPECT_EQ(set.rows[i].kind, kind_of(r));
    EXPECT_EQ(set.rows[i].layer.kind, layer_kind_of(kind_of(r)));
    EXPECT_EQ(set.rows[i].line, static_cast<int>(i) + 2);
  }
  // Spot checks with the numbers written out.
  EXPECT_EQ(set.rows[0].macs(), 112 * 112 * 16 * 9 * 3);   // conv
  EXPECT_EQ(set.rows[5].macs(), 28 * 28 * 48 * 25);        // depthwise
  EXPECT_EQ(set.rows[9].macs(), 56 * 56 * 144 * 24);       // pointwise
  EXPECT_EQ(set.rows[14].macs(), 0);                       // pool
  EXPECT_EQ(set.rows[17].macs(), 1280 * 1000);             // fc
}

TEST(Calibrate, RecoversKnownCoefficientsExactly) {
  const McuProfile base = testing::unit_mcu();
  const Calibration fit =
      calibrate(base, parse_measurements(synthetic_csv(varied_rows()), "m.csv", kClockHz));
  for (std::size_t k = 0; k < kBaseKinds; ++k) {
    SCOPED_TRACE(cost_kind_name(static_cast<CostKind>(k)));
    const OpFit& op = fit.ops[k];
    const bool pool = static_cast<CostKind>(k) == CostKind::GlobalAvgPool;
    if (pool) {
      EXPECT_EQ(op.term_status(Term::PerMac), TermStatus::Undetermined);
      EXPECT_EQ(op.coefficients.cycles_per_mac, 0.0);
    } else {
      EXPECT_EQ(op.term_status(Term::PerMac), TermStatus::Fitted);
      expect_relative(op.coefficients.cycles_per_mac, kTruth[k].cycles_per_mac, 1e-6, "mac");
    }
    EXPECT_EQ(op.term_status(Term::PerOutput), TermStatus::Fitted);
    EXPECT_EQ(op.term_status(Term::PerCall), TermStatus::Fitted);
    expect_relative(op.coefficients.cycles_per_output, kTruth[k].cycles_per_output, 1e-6, "output");
    expect_relative(op.coefficients.cycles_per_call, kTruth[k].cycles_per_call, 1e-6, "call");
    EXPECT_EQ(fit.profile.ops[k], op.coefficients);
    EXPECT_LT(op.error.max_relative_error, 1e-9);
  }
  EXPECT_EQ(fit.overall.rows, static_cast<int>(varied_rows().size()));
  EXPECT_LT(fit.overall.rms_relative_error, 1e-9);
  EXPECT_EQ(fit.profile.clock_hz, base.clock_hz);
  EXPECT_EQ(fit.profile.sram_bytes, base.sram_bytes);
}

TEST(Calibrate, MillisecondsAreConvertedWithTheClock) {
  std::string csv = "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,ms\n";
  for (const Row& r : varied_rows()) csv += csv_line(r, true_cycles(r) / kClockHz * 1000.0);
  McuProfile base = testing::unit_mcu();
  base.clock_hz = kClockHz;
  const Calibration fit = calibrate(base, parse_measurements(csv, "ms.csv", kClockHz));
  const OpFit& pw = fit.op(CostKind::Pointwise);
  expect_relative(pw.coefficients.cycles_per_mac, 1.5, 1e-6, "mac");
  expect_relative(pw.coefficients.cycles_per_output, 0.75, 1e-6, "output");
  expect_relative(pw.coefficients.cycles_per_call, 2500.0, 1e-6, "call");
}

TEST(Calibrate, NoiseGivesANonZeroPlausibleError) {
  const double noise = 0.05;  // uniform in +-5%: the fit's RMS relative error should be ~2-3%
  const Calibration fit = calibrate(
      testing::unit_mcu(), parse_measurements(synthetic_csv(varied_rows(), noise), "n.csv", kClockHz));
  EXPECT_GT(fit.overall.rms_relative_error, 0.002);
  EXPECT_LT(fit.overall.rms_relative_error, noise);
  EXPECT_GE(fit.overall.max_relative_error, fit.overall.rms_relative_error);
  EXPECT_LT(fit.overall.max_relative_error, 2 * noise);
  int rows = 0;
  for (const OpFit& op : fit.ops) {
    if (!op.fitted()) continue;  // the variants: no rows here
    rows += op.error.rows;
    EXPECT_GT(op.error.rms_relative_error, 0.0);
    EXPECT_LE(op.error.rms_relative_error, op.error.max_relative_error);
    EXPECT_LE(op.error.max_relative_error, fit.overall.max_relative_error);
  }
  EXPECT_EQ(rows, fit.overall.rows);
  // The MAC-dominated coefficients stay close to the truth.
  expect_relative(fit.op(CostKind::Conv).coefficients.cycles_per_mac, 1.75, 0.1, "conv mac");
  expect_relative(fit.op(CostKind::Pointwise).coefficients.cycles_per_mac, 1.5, 0.1, "pw mac");
}

TEST(Calibrate, OpsWithoutRowsKeepTheBaseCoefficients) {
  const McuProfile base = find_mcu_profile("stm32f746");
  std::vector<Row> pointwise_only;
  for (const Row& r : varied_rows()) {
    if (kind_of(r) == CostKind::Pointwise) pointwise_only.push_back(r);
  }
  const Calibration fit =
      calibrate(base, parse_measurements(synthetic_csv(pointwise_only), "pw.csv", kClockHz));
  for (const CostKind kind : {CostKind::Conv, CostKind::Depthwise, CostKind::GlobalAvgPool,
                               CostKind::FullyConnected}) {
    EXPECT_FALSE(fit.op(kind).fitted());
    EXPECT_EQ(fit.op(kind).term_status(Term::PerMac), TermStatus::Kept);
    EXPECT_EQ(fit.profile.coefficients(kind), base.coefficients(kind));
  }
  EXPECT_TRUE(fit.op(CostKind::Pointwise).fitted());
  expect_relative(fit.profile.coefficients(CostKind::Pointwise).cycles_per_mac, 1.5, 1e-6, "mac");
  // The source says where the numbers came from, then what they were calibrated from.
  EXPECT_NE(fit.profile.source.find("calibrated by `patchnas calibrate` from pw.csv (5 rows"),
            std::string::npos)
      << fit.profile.source;
  EXPECT_NE(fit.profile.source.find(base.source), std::string::npos);
}

// Rows of a variant fit the variant; a variant without rows takes its layer kind's fit (not the
// base profile's stale numbers); the CSV names variants like the profile does.
TEST(Calibrate, VariantsFitTheirOwnRowsOrFollowTheirKind) {
  const McuProfile base = find_mcu_profile("stm32f746");
  std::string csv = kHeader;
  for (const Row& r : varied_rows()) {
    const std::string op = r.op;
    if (op == "depthwise") csv += csv_line(r, 2.0 * hand_macs(r) + 10.0 * hand_outputs(r) + 100.0);
    if (op == "pointwise") {
      csv += csv_line(r, 1.5 * hand_macs(r) + 0.75 * hand_outputs(r) + 2500.0);
      Row residual = r;
      residual.op = "pointwise_residual";
      csv += csv_line(residual, 1.5 * hand_macs(r) + 20.0 * hand_outputs(r) + 2500.0);
    }
  }
  const MeasurementSet set = parse_measurements(csv, "variants.csv", kClockHz);
  const auto first_residual = std::find_if(set.rows.begin(), set.rows.end(), [](const Measurement& m) {
    return m.kind == CostKind::PointwiseResidual;
  });
  ASSERT_NE(first_residual, set.rows.end());
  EXPECT_EQ(first_residual->layer.kind, LayerKind::Pointwise);
  EXPECT_EQ(std::prev(first_residual)->kind, CostKind::Pointwise);
  EXPECT_EQ(measurements_to_csv(set).find("pointwise_residual,"), csv.find("pointwise_residual,"));
  const Calibration fit = calibrate(base, set);
  const OpFit& residual = fit.op(CostKind::PointwiseResidual);
  ASSERT_TRUE(residual.fitted());
  expect_relative(residual.coefficients.cycles_per_output, 20.0, 1e-6, "residual output");
  expect_relative(fit.op(CostKind::Pointwise).coefficients.cycles_per_output, 0.75, 1e-6, "output");
  // No depthwise_in_place rows: it takes the depthwise fit.
  EXPECT_FALSE(fit.op(CostKind::DepthwiseInPlace).fitted());
  EXPECT_EQ(fit.profile.coefficients(CostKind::DepthwiseInPlace),
            fit.profile.coefficients(CostKind::Depthwise));
  expect_relative(fit.profile.coefficients(CostKind::DepthwiseInPlace).cycles_per_mac, 2.0, 1e-6,
                  "in-place mac");
  // No conv rows at all: conv keeps the base profile's.
  EXPECT_EQ(fit.profile.coefficients(CostKind::Conv), base.coefficients(CostKind::Conv));
}

TEST(Calibrate, TooFewRowsFitFewerTerms) {
  // One row: only cycles_per_mac, which then explains the whole measurement.
  std::string csv = std::string(kHeader) + "pointwise,8,8,16,8,8,32,1,1,50000\n";
  Calibration fit = calibrate(testing::unit_mcu(), parse_measurements(csv, "one.csv", kClockHz));
  const OpFit* pw = &fit.op(CostKind::Pointwise);
  EXPECT_EQ(pw->term_status(Term::PerMac), TermStatus::Fitted);
  EXPECT_EQ(pw->term_status(Term::PerOutput), TermStatus::Undetermined);
  EXPECT_EQ(pw->term_status(Term::PerCall), TermStatus::Undetermined);
  EXPECT_NEAR(pw->coefficients.cycles_per_mac, 50000.0 / (8 * 8 * 32 * 16), 1e-12);
  EXPECT_EQ(pw->coefficients.cycles_per_output, 0.0);
  EXPECT_EQ(pw->coefficients.cycles_per_call, 0.0);

  // Two rows: cycles_per_mac and cycles_per_call through both points.
  // 32768 MACs -> 50000 cycles, 65536 MACs -> 90000: 40000 / 32768 per MAC, 10000 per call.
  csv += "pointwise,8,8,32,8,8,32,1,1,90000\n";
  fit = calibrate(testing::unit_mcu(), parse_measurements(csv, "two.csv", kClockHz));
  pw = &fit.op(CostKind::Pointwise);
  EXPECT_EQ(pw->term_status(Term::PerMac), TermStatus::Fitted);
  EXPECT_EQ(pw->term_status(Term::PerOutput), TermStatus::Undetermined);
  EXPECT_EQ(pw->term_status(Term::PerCall), TermStatus::Fitted);
  expect_relative(pw->coefficients.cycles_per_mac, 40000.0 / 32768.0, 1e-9, "mac");
  expect_relative(pw->coefficients.cycles_per_call, 10000.0, 1e-9, "call");

  // Pool has no MACs: one row fits cycles_per_output only.
  csv = std::string(kHeader) + "pool,7,7,100,1,1,100,7,1,5000\n";
  fit = calibrate(testing::unit_mcu(), parse_measurements(csv, "pool.csv", kClockHz));
  const OpFit& pool = fit.op(CostKind::GlobalAvgPool);
  EXPECT_EQ(pool.term_status(Term::PerMac), TermStatus::Undetermined);
  EXPECT_EQ(pool.term_status(Term::PerOutput), TermStatus::Fitted);
  EXPECT_NEAR(pool.coefficients.cycles_per_output, 50.0, 1e-12);
}

TEST(Calibrate, CollinearColumnsDropTheOutputTerm) {
  // Depthwise rows of one kernel size: MACs = 9 * outputs, so per-MAC and per-output cannot be
  // told apart; the fit keeps per-MAC and per-call (exactly: 2 * 9 + 4 = 22 cycles per output).
  std::string csv = kHeader;
  for (const int side : {8, 16, 32}) {
    const double outputs = side * side * 32.0;
    csv += csv_line({"depthwise", side, side, 32, side, side, 32, 3, 1}, 22.0 * outputs + 1000.0);
  }
  const Calibration fit = calibrate(testing::unit_mcu(), parse_measurements(csv, "dw.csv", kClockHz));
  const OpFit& dw = fit.op(CostKind::Depthwise);
  EXPECT_EQ(dw.term_status(Term::PerOutput), TermStatus::Undetermined);
  expect_relative(dw.coefficients.cycles_per_mac, 22.0 / 9.0, 1e-9, "mac");
  expect_relative(dw.coefficients.cycles_per_call, 1000.0, 1e-9, "call");
}

TEST(Calibrate, NegativeCoefficientsAreClampedToZero) {
  // Truth has a negative per-call term; the constrained fit sets it to 0 and refits the rest.
  std::string csv = kHeader;
  for (const auto& [in_c, out_c] : {std::pair{8, 10}, {16, 5}, {32, 20}, {64, 3}, {128, 7}}) {
    const Row r{"fc", 1, 1, in_c, 1, 1, out_c, 1, 1};
    csv += csv_line(r, 3.0 * hand_macs(r) + 2.0 * hand_outputs(r) - 100.0);
  }
  const MeasurementSet set = parse_measurements(csv, "neg.csv", kClockHz);
  const Calibration fit = calibrate(testing::unit_mcu(), set);
  const OpFit& fc = fit.op(CostKind::FullyConnected);
  EXPECT_EQ(fc.term_status(Term::PerCall), TermStatus::Clamped);
  EXPECT_EQ(fc.coefficients.cycles_per_call, 0.0);
  EXPECT_GE(fc.coefficients.cycles_per_mac, 0.0);
  EXPECT_GE(fc.coefficients.cycles_per_output, 0.0);
  // The result is the best non-negative fit: no feasible nudge of any term lowers the error.
  const auto rms = [&](const OpCoefficients& k) {
    McuProfile p = fit.profile;
    p.ops[static_cast<std::size_t>(CostKind::FullyConnected)] = k;
    return fit_error(p, set.rows).rms_relative_error;
  };
  const double best = rms(fc.coefficients);
  EXPECT_GT(best, 0.0);
  EXPECT_EQ(best, fc.error.rms_relative_error);
  for (double OpCoefficients::*term : {&OpCoefficients::cycles_per_mac,
                                       &OpCoefficients::cycles_per_output,
                                       &OpCoefficients::cycles_per_call}) {
    for (const double step : {-1e-3, 1e-3}) {
      OpCoefficients k = fc.coefficients;
      k.*term += step * std::max(1.0, k.*term);
      if (k.*term < 0.0) continue;
      EXPECT_GE(rms(k), best * (1.0 - 1e-12));
    }
  }
}

TEST(Calibrate, WrittenProfileReloadsEqual) {
  const Calibration fit = calibrate(
      find_mcu_profile("stm32h743"), parse_measurements(synthetic_csv(varied_rows(), 0.03), "m.csv", kClockHz));
  const auto path =
      (std::filesystem::temp_directory_path() / "patchnas_calibrated_profile.json").string();
  write_file_atomically(path, mcu_profile_to_json(fit.profile).dump(2));
  EXPECT_EQ(read_mcu_profile(path), fit.profile);
  std::filesystem::remove(path);
}

struct CsvErrorCase {
  const char* what;
  std::string csv;
  const char* field;   // expected InputError::field()
  const char* reason;  // a part of the reason
};

TEST(Calibrate, CsvErrorsNameFileAndLine) {
  const std::string good_row = "pointwise,8,8,16,8,8,32,1,1,50000\n";
  const std::vector<CsvErrorCase> cases = {
      {"empty file", "", "", "no header row"},
      {"header only", std::string(kHeader) + "\n# nothing measured\n", "", "no measurement rows"},
      {"missing column", "op,in_h,in_w,out_h,out_w,out_c,kernel,stride,cycles\n" + good_row,
       "line 1", "missing column \"in_c\""},
      {"unknown column", "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles,temp\n",
       "line 1", "unknown column \"temp\""},
      {"duplicate column", "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,op,cycles\n",
       "line 1", "duplicate column \"op\""},
      {"no time column", "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride\n", "line 1",
       "missing column \"cycles\" or \"ms\""},
      {"both time columns", "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles,ms\n",
       "line 1", "both cycles and ms"},
      {"non-numeric shape", std::string(kHeader) + good_row + "conv,8x,8,3,4,4,8,3,2,100\n",
       "line 3, column in_h", "expected an integer, got \"8x\""},
      {"non-numeric time", std::string(kHeader) + "conv,8,8,3,4,4,8,3,2,fast\n",
       "line 2, column cycles", "expected a number"},
      {"too few columns", std::string(kHeader) + "conv,8,8,3,4,4,8,3,100\n", "line 2",
       "expected 10 columns, got 9"},
      {"too many columns", std::string(kHeader) + "conv,8,8,3,4,4,8,3,2,100,1\n", "line 2",
       "expected 10 columns, got 11"},
      {"unknown op", std::string(kHeader) + "add,8,8,3,8,8,3,1,1,100\n", "line 2, column op",
       "unknown op \"add\""},
      {"zero shape", std::string(kHeader) + "conv,8,8,3,4,4,0,3,2,100\n", "line 2, column out_c",
       "must be > 0"},
      {"negative shape", std::string(kHeader) + "conv,8,8,3,4,4,8,-3,2,100\n",
       "line 2, column kernel", "must be > 0"},
      {"zero time", std::string(kHeader) + "conv,8,8,3,4,4,8,3,2,0\n", "line 2, column cycles",
       "must be > 0"},
      {"depthwise channels", std::string(kHeader) + "depthwise,8,8,16,8,8,32,3,1,100\n",
       "line 2, column out_c", "depthwise needs out_c == in_c"},
      {"pointwise kernel", std::string(kHeader) + "pointwise,8,8,16,8,8,32,3,1,100\n",
       "line 2, column kernel", "pointwise needs kernel 1"},
      {"fc output", std::string(kHeader) + "fc,1,1,16,2,1,10,1,1,100\n", "line 2, column out_h",
       "1x1 output"},
      {"line numbers count comments and blanks",
       std::string("# measured on a Nucleo-F746ZG\n\n") + kHeader + good_row + "\nconv,8,8,3\n",
       "line 6", "expected 10 columns, got 4"},
  };
  for (const CsvErrorCase& c : cases) {
    SCOPED_TRACE(c.what);
    const auto e = input_error_of([&] { parse_measurements(c.csv, "meas.csv", kClockHz); });
    ASSERT_TRUE(e);
    EXPECT_EQ(e->file(), "meas.csv");
    EXPECT_EQ(e->field(), c.field) << e->what();
    EXPECT_NE(e->reason().find(c.reason), std::string::npos) << e->what();
    if (*c.field != '\0') {
      EXPECT_EQ(std::string(e->what()).rfind(std::string("meas.csv: ") + c.field, 0), 0u);
    }
  }
}

TEST(Calibrate, MissingFileAndCarriageReturns) {
  const auto e = input_error_of([] { read_measurements("/nonexistent/m.csv", kClockHz); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->file(), "/nonexistent/m.csv");
  EXPECT_NE(e->reason().find("cannot open"), std::string::npos);

  const auto path = (std::filesystem::temp_directory_path() / "patchnas_calibrate_crlf.csv").string();
  write_file_atomically(path, "op, in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles\r\n"
                              "pointwise, 8,8,16,8,8,32,1,1,50000\r\n");
  const MeasurementSet set = read_measurements(path, kClockHz);
  ASSERT_EQ(set.rows.size(), 1u);
  EXPECT_EQ(set.file, path);
  EXPECT_EQ(set.rows[0].cycles, 50000.0);
  EXPECT_EQ(set.rows[0].macs(), 8 * 8 * 32 * 16);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace patchnas
