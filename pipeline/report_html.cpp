// Rendering of the end-of-run report (see report_html.hpp): one value-axis scale and one set of
// SVG writers (axes, marks, legends) shared by every chart, one function per chart, and the page
// around them. Every string reaches the output through append_escaped, every number through
// fixed().
#include "pipeline/report_html.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>

namespace patchnas {
namespace {

// ---- text and numbers ------------------------------------------------------------------------

void append_escaped(std::string& out, std::string_view text) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        // Control characters are not allowed in HTML text; drop them.
        if (static_cast<unsigned char>(c) >= 0x20 || c == '\n' || c == '\t') out += c;
    }
  }
}

// Joins pieces into one string (appending: GCC 12 warns falsely on "literal" + std::string).
std::string cat(std::initializer_list<std::string_view> pieces) {
  std::string joined;
  for (const std::string_view piece : pieces) joined += piece;
  return joined;
}

bool is_continuation_byte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::size_t code_points(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return !is_continuation_byte(c); }));
}

// At most `max_chars` code points (UTF-8 is never cut inside a character); "…" marks a cut.
std::string shortened(std::string_view text, std::size_t max_chars) {
  if (code_points(text) <= max_chars) return std::string(text);
  std::size_t kept = 0;
  std::size_t end = 0;
  for (; end < text.size(); ++end) {
    if (!is_continuation_byte(text[end]) && kept++ == max_chars - 1) break;
  }
  return cat({text.substr(0, end), "\u2026"});
}

// Values beyond this are treated as missing: they would only squash every other value.
constexpr double kLargestValue = 1e18;

bool usable(double v) { return std::isfinite(v) && std::abs(v) <= kLargestValue; }

// Fixed decimals, never "nan"/"inf" (a non-finite value writes as 0) and never "-0.0".
std::string fixed(double v, int decimals) {
  if (!usable(v)) v = 0.0;
  std::array<char, 64> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, v);
  std::string s = buffer.data();
  if (s.front() == '-' && s.find_first_not_of("-0.") == std::string::npos) s.erase(0, 1);
  return s;
}

std::string px(double v) { return fixed(v, 1); }  // SVG coordinates

// Decimals needed to write every multiple of `step` exactly (at most 3).
int decimals_for(double step) {
  for (int d = 0; d < 3; ++d) {
    const double scaled = step * std::pow(10.0, d);
    if (std::abs(scaled - std::round(scaled)) < 1e-6 * std::max(1.0, scaled)) return d;
  }
  return 3;
}

// ---- value axes --------------------------------------------------------------------------------

enum class Unit { Plain, Si, Bytes, Percent, Milliseconds, Epoch };

struct Axis {
  std::string title;
  Unit unit = Unit::Plain;
  bool from_zero = false;  // magnitudes: the axis starts at 0
};

// A prefix dividing values of magnitude `magnitude` into a readable range.
struct Prefix {
  double divisor;
  std::string_view suffix;
};

Prefix prefix_for(double magnitude, Unit unit) {
  if (unit == Unit::Bytes) {
    static constexpr std::array<std::string_view, 5> kNames{" B", " KiB", " MiB", " GiB", " TiB"};
    double divisor = 1;
    std::size_t i = 0;
    while (i + 1 < kNames.size() && magnitude >= divisor * 1024) {
      divisor *= 1024;
      ++i;
    }
    return {divisor, kNames[i]};
  }
  if (unit == Unit::Si) {
    if (magnitude >= 1e12) return {1e12, "T"};
    if (magnitude >= 1e9) return {1e9, "G"};
    if (magnitude >= 1e6) return {1e6, "M"};
    if (magnitude >= 1e3) return {1e3, "k"};
    return {1, ""};
  }
  if (unit == Unit::Percent) return {0.01, "%"};
  if (unit == Unit::Milliseconds) return {1, " ms"};
  return {1, ""};
}

// One value with up to three significant digits and its unit: "5.12M", "41.5 KiB", "96 KiB".
std::string value_label(double v, Unit unit) {
  const Prefix prefix = prefix_for(std::abs(v), unit);
  const double scaled = v / prefix.divisor;
  const int decimals = unit == Unit::Epoch       ? 0
                       : std::abs(scaled) >= 100 ? 0
                       : std::abs(scaled) >= 10  ? 1
                                                 : 2;
  std::string digits = fixed(scaled, decimals);
  if (digits.find('.') != std::string::npos) {  // "96.0" -> "96", "6.50" -> "6.5"
    digits.erase(digits.find_last_not_of('0') + 1);
    if (digits.back() == '.') digits.pop_back();
  }
  return digits.append(prefix.suffix);
}

// The smallest of 1, 2, 2.5, 5 x 10^k (1, 2, 5 x 10^k for whole numbers) not below `raw`.
double nice_decimal(double raw, bool whole) {
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  static constexpr std::array<double, 5> kAny{1, 2, 2.5, 5, 10};
  static constexpr std::array<double, 4> kWhole{1, 2, 5, 10};
  const std::span<const double> multiples = whole ? std::span<const double>(kWhole) : kAny;
  for (const double m : multiples) {
    if (m * magnitude >= raw * (1 - 1e-9)) return m * magnitude;
  }
  return 10 * magnitude;
}

double nice_step(double raw, Unit unit) {
  if (unit == Unit::Bytes) {  // steps of whole KiB, MiB, ... once they are that large
    double scale = 1;
    while (scale * 1024 <= raw) scale *= 1024;
    const double step = nice_decimal(raw / scale, false);
    return step >= 1000 ? scale * 1024 : step * scale;
  }
  if (unit == Unit::Epoch) return std::max(1.0, nice_decimal(raw, true));
  return nice_decimal(raw, false);
}

// A linear map from the domain [lo, hi] (ticks every `step`) onto [pixel_lo, pixel_hi]; values
// outside the domain land on its edge, so nothing is drawn outside the frame.
struct Scale {
  double lo = 0, hi = 1, step = 0.2;
  double pixel_lo = 0, pixel_hi = 1;
  Unit unit = Unit::Plain;

  double operator()(double v) const {
    const double t = std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
    return pixel_lo + t * (pixel_hi - pixel_lo);
  }
  std::vector<double> ticks() const {
    const long count = std::min(100L, std::lround((hi - lo) / step));
    std::vector<double> values;
    for (long i = 0; i <= count; ++i) values.push_back(lo + static_cast<double>(i) * step);
    return values;
  }
  std::string tick_label(double v) const {
    if (std::abs(v) < step * 1e-9) return "0";
    const Prefix prefix = prefix_for(std::max(std::abs(lo), std::abs(hi)), unit);
    return fixed(v / prefix.divisor, decimals_for(step / prefix.divisor)).append(prefix.suffix);
  }
};

// The rule of report_html.hpp: the values' range (0 included for magnitudes) rounded outwards
// to multiples of a nice step; no usable value gives [0, 1], equal values a widened domain.
Scale make_scale(std::span<const double> values, const Axis& axis, double pixel_lo,
                 double pixel_hi) {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (const double v : values) {
    if (!usable(v)) continue;
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  if (lo > hi) lo = hi = 0;
  if (axis.from_zero) {
    lo = std::min(lo, 0.0);
    hi = std::max(hi, 0.0);
  }
  if (hi <= lo) {
    const double pad = lo == 0 ? 1 : std::abs(lo) * 0.1;
    hi += pad;
    if (!(axis.from_zero && lo == 0)) lo -= pad;
  }
  Scale scale{.pixel_lo = pixel_lo, .pixel_hi = pixel_hi, .unit = axis.unit};
  scale.step = nice_step((hi - lo) / 5, axis.unit);
  scale.lo = std::floor(lo / scale.step + 1e-9) * scale.step;
  scale.hi = std::ceil(hi / scale.step - 1e-9) * scale.step;
  if (axis.unit == Unit::Percent) {  // accuracies: never beyond [0, 100%]
    scale.lo = std::max(scale.lo, 0.0);
    scale.hi = std::min(scale.hi, 1.0);
    if (scale.hi <= scale.lo)
      scale = Scale{.step = 0.2, .pixel_lo = pixel_lo, .pixel_hi = pixel_hi, .unit = axis.unit};
  }
  return scale;
}

// A chart's frame and its two value scales (the memory chart's x is categorical).
struct Plot {
  ReportChartFrame frame;
  Scale x, y;
  double left() const { return frame.left; }
  double right() const { return frame.width - frame.right; }
  double top() const { return frame.top; }
  double bottom() const { return frame.height - frame.bottom; }
};

Plot make_plot(const ReportChartFrame& frame, std::span<const double> xs, const Axis& x_axis,
               std::span<const double> ys, const Axis& y_axis) {
  return Plot{.frame = frame,
              .x = make_scale(xs, x_axis, frame.left, frame.width - frame.right),
              .y = make_scale(ys, y_axis, frame.height - frame.bottom, frame.top)};
}

// ---- SVG writers -------------------------------------------------------------------------------

void attr(std::string& out, std::string_view name, double v) {
  out.append(" ").append(name).append("=\"").append(px(v)).append("\"");
}
void attr(std::string& out, std::string_view name, std::string_view v) {
  out.append(" ").append(name).append("=\"");
  append_escaped(out, v);
  out += '"';
}

void line(std::string& out, double x1, double y1, double x2, double y2, std::string_view cls) {
  out += "<line";
  attr(out, "class", cls);
  attr(out, "x1", x1);
  attr(out, "y1", y1);
  attr(out, "x2", x2);
  attr(out, "y2", y2);
  out += "/>";
}

enum class Anchor { Start, Middle, End };

// A text element; `rotate` turns it (degrees) around its anchor point.
void text(std::string& out, double x, double y, std::string_view content, std::string_view cls,
          Anchor anchor = Anchor::Start, double rotate = 0) {
  out += "<text";
  attr(out, "class", cls);
  attr(out, "x", x);
  attr(out, "y", y);
  if (anchor != Anchor::Start)
    attr(out, "text-anchor", anchor == Anchor::Middle ? "middle" : "end");
  if (rotate != 0) {
    attr(out, "transform", cat({"rotate(", px(rotate), " ", px(x), " ", px(y), ")"}));
  }
  out += '>';
  append_escaped(out, content);
  out += "</text>";
}

// A hover tooltip for the element just opened.
void tooltip(std::string& out, std::string_view content) {
  out += "<title>";
  append_escaped(out, content);
  out += "</title>";
}

void open_chart(std::string& out, const ReportChartFrame& frame, std::string_view id,
                std::string_view title) {
  out += "<figure";
  attr(out, "id", id);
  out += "><svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\"";
  attr(out, "width", frame.width);
  attr(out, "height", frame.height);
  attr(out, "viewBox", cat({"0 0 ", px(frame.width), " ", px(frame.height)}));
  out += '>';
  tooltip(out, title);
  text(out, frame.left, 20, title, "chart-title");
}

void close_chart(std::string& out) { out += "</svg></figure>\n"; }

// A chart that has nothing to draw: its title and the reason, no SVG.
std::string no_data(std::string_view id, std::string_view title, std::string_view reason) {
  std::string out = "<figure";
  attr(out, "id", id);
  out += " class=\"empty\"><figcaption>";
  append_escaped(out, title);
  out += "</figcaption><p class=\"no-data\">no data: ";
  append_escaped(out, reason);
  out += "</p></figure>\n";
  return out;
}

void draw_y_axis(std::string& out, const Plot& plot, const Axis& axis) {
  for (const double tick : plot.y.ticks()) {
    const double y = plot.y(tick);
    line(out, plot.left(), y, plot.right(), y, "grid");
    text(out, plot.left() - 8, y + 4, plot.y.tick_label(tick), "tick", Anchor::End);
  }
  line(out, plot.left(), plot.top(), plot.left(), plot.bottom(), "axis");
  text(out, 20, (plot.top() + plot.bottom()) / 2, axis.title, "axis-title", Anchor::Middle, -90);
}

void draw_x_axis(std::string& out, const Plot& plot, const Axis& axis) {
  for (const double tick : plot.x.ticks()) {
    const double x = plot.x(tick);
    line(out, x, plot.top(), x, plot.bottom(), "grid");
    line(out, x, plot.bottom(), x, plot.bottom() + 5, "axis");
    text(out, x, plot.bottom() + 19, plot.x.tick_label(tick), "tick", Anchor::Middle);
  }
  line(out, plot.left(), plot.bottom(), plot.right(), plot.bottom(), "axis");
  text(out, (plot.left() + plot.right()) / 2, plot.bottom() + 42, axis.title, "axis-title",
       Anchor::Middle);
}

// Marks shared by plots and legends. `colour` empty: the CSS class gives it.
enum class Mark { Point, Chosen, Diamond, Line, DashedLine, PerLayerBar, PatchBar, Budget };

void draw_mark(std::string& out, Mark mark, double x, double y, std::string_view colour = {}) {
  switch (mark) {
    case Mark::Point:
    case Mark::Chosen:
      out += "<circle";
      attr(out, "class", mark == Mark::Chosen ? "point chosen" : "point");
      attr(out, "cx", x);
      attr(out, "cy", y);
      attr(out, "r", mark == Mark::Chosen ? 7.0 : 4.5);
      if (!colour.empty()) attr(out, "fill", colour);
      out += "/>";
      break;
    case Mark::Diamond: {
      out += "<polygon class=\"qat\"";
      const double r = 5.5;
      attr(out, "points",
           cat({px(x), ",", px(y - r), " ", px(x + r), ",", px(y), " ", px(x), ",", px(y + r), " ",
                px(x - r), ",", px(y)}));
      if (!colour.empty()) attr(out, "fill", colour);
      out += "/>";
      break;
    }
    case Mark::Line:
    case Mark::DashedLine:
    case Mark::Budget:
      out += "<line";
      attr(out, "class",
           mark == Mark::Line         ? "series"
           : mark == Mark::DashedLine ? "series train"
                                      : "budget");
      attr(out, "x1", x - 11);
      attr(out, "y1", y);
      attr(out, "x2", x + 11);
      attr(out, "y2", y);
      if (!colour.empty()) attr(out, "stroke", colour);
      out += "/>";
      break;
    case Mark::PerLayerBar:
    case Mark::PatchBar:
      out += "<rect";
      attr(out, "class", mark == Mark::PerLayerBar ? "bar per-layer" : "bar patch");
      attr(out, "x", x - 7);
      attr(out, "y", y - 6);
      attr(out, "width", 14.0);
      attr(out, "height", 12.0);
      out += "/>";
      break;
  }
}

struct LegendEntry {
  Mark mark;
  std::string label;
  std::string colour = {};
};

// Rough width of a label in the 12 px legend font, for laying out entries side by side.
double label_width(std::string_view label) { return 7.0 * static_cast<double>(code_points(label)); }

// Entries left to right from (x, y), or top to bottom when `vertical`.
void draw_legend(std::string& out, double x, double y, std::span<const LegendEntry> entries,
                 bool vertical = false) {
  out += "<g class=\"legend\">";
  for (const LegendEntry& entry : entries) {
    draw_mark(out, entry.mark, x + 11, y, entry.colour);
    text(out, x + 28, y + 4, entry.label, "legend-label");
    if (vertical) {
      y += 20;
    } else {
      x += 28 + label_width(entry.label) + 18;
    }
  }
  out += "</g>";
}

// A dashed budget line across the plot at `at` (an x when vertical, else a y), labelled.
void draw_budget(std::string& out, const Plot& plot, double at, bool vertical,
                 std::string_view label) {
  if (vertical) {
    line(out, at, plot.top(), at, plot.bottom(), "budget");
    const bool room_right = at + 8 + label_width(label) < plot.right();
    text(out, room_right ? at + 5 : at - 5, plot.top() + 14, label, "budget-label",
         room_right ? Anchor::Start : Anchor::End);
  } else {
    line(out, plot.left(), at, plot.right(), at, "budget");
    text(out, plot.right() - 4, at - 6, label, "budget-label", Anchor::End);
  }
}

// ---- charts ------------------------------------------------------------------------------------

struct ScatterPoint {
  double x, y;
  bool chosen;
};

// A Pareto archive projected on two objectives, the chosen model marked and labelled, and a
// budget line on x when `budget` > 0.
std::string scatter_chart(std::string_view id, std::string_view title, const Axis& x_axis,
                          const Axis& y_axis, std::span<const ScatterPoint> points, double budget,
                          std::string_view budget_name) {
  std::vector<double> xs, ys;
  for (const ScatterPoint& p : points) {
    xs.push_back(p.x);
    ys.push_back(p.y);
  }
  if (budget > 0) xs.push_back(budget);
  const Plot plot = make_plot(kReportScatterFrame, xs, x_axis, ys, y_axis);

  std::string out;
  open_chart(out, plot.frame, id, title);
  draw_y_axis(out, plot, y_axis);
  draw_x_axis(out, plot, x_axis);
  const std::string budget_label = cat({budget_name, " ", value_label(budget, x_axis.unit)});
  if (budget > 0) draw_budget(out, plot, plot.x(budget), true, budget_label);

  // The chosen model last, on top of the others.
  std::vector<ScatterPoint> ordered(points.begin(), points.end());
  std::stable_partition(ordered.begin(), ordered.end(),
                        [](const ScatterPoint& p) { return !p.chosen; });
  for (const ScatterPoint& p : ordered) {
    const double x = plot.x(p.x);
    const double y = plot.y(p.y);
    out += "<g>";
    draw_mark(out, p.chosen ? Mark::Chosen : Mark::Point, x, y);
    tooltip(out, cat({x_axis.title, " ", value_label(p.x, x_axis.unit), ", ", y_axis.title, " ",
                      value_label(p.y, y_axis.unit)}));
    out += "</g>";
    if (p.chosen) {
      const std::string label =
          cat({"chosen: ", value_label(p.y, y_axis.unit), ", ", value_label(p.x, x_axis.unit)});
      const bool left_side = x > (plot.left() + plot.right()) / 2;
      text(out, left_side ? x - 11 : x + 11, y < plot.top() + 20 ? y + 18 : y - 9, label,
           "chosen-label", left_side ? Anchor::End : Anchor::Start);
    }
  }

  std::vector<LegendEntry> legend{
      {Mark::Point, cat({"archive (", std::to_string(points.size()), ")"})}};
  if (std::any_of(points.begin(), points.end(), [](const ScatterPoint& p) { return p.chosen; })) {
    legend.push_back({Mark::Chosen, "chosen (exported)"});
  }
  if (budget > 0) legend.push_back({Mark::Budget, std::string(budget_name)});
  draw_legend(out, plot.left(), 36, legend);
  close_chart(out);
  return out;
}

std::string pareto_sram_chart(const ReportData& data) {
  constexpr std::string_view kId = "pareto-sram";
  const std::string title = cat({data.objective_name, " vs peak SRAM"});
  std::vector<ScatterPoint> points;
  for (const ReportCandidate& c : data.pareto) {
    if (usable(c.objective) && usable(c.peak_sram_bytes))
      points.push_back({c.peak_sram_bytes, c.objective, c.chosen});
  }
  if (points.empty()) return no_data(kId, title, "the Pareto archive is empty");
  return scatter_chart(kId, title, {"peak SRAM", Unit::Bytes, true},
                       {data.objective_name, Unit::Si, true}, points, data.sram_budget_bytes,
                       "SRAM budget");
}

std::string pareto_latency_chart(const ReportData& data) {
  constexpr std::string_view kId = "pareto-latency";
  const std::string title = cat({data.objective_name, " vs latency"});
  std::vector<ScatterPoint> points;
  for (const ReportCandidate& c : data.pareto) {
    if (usable(c.objective) && usable(c.latency_ms) && c.latency_ms >= 0) {
      points.push_back({c.latency_ms, c.objective, c.chosen});
    }
  }
  if (points.empty()) return no_data(kId, title, "no candidate has a latency estimate");
  return scatter_chart(kId, title, {"latency", Unit::Milliseconds, true},
                       {data.objective_name, Unit::Si, true}, points, data.latency_budget_ms,
                       "latency budget");
}

// Per-layer vs patch-based live bytes of each layer, grouped bars (MCUNetV2, Figure 1).
std::string memory_chart(const ReportData& data) {
  constexpr std::string_view kId = "memory";
  constexpr std::string_view kTitle = "Activation memory per layer of the chosen model";
  const std::vector<ReportLayerMemory>& layers = data.memory;
  if (layers.empty()) return no_data(kId, kTitle, "no layer memory profile");

  std::vector<double> ys;
  double peak_per_layer = 0, peak_patch = 0;
  for (const ReportLayerMemory& layer : layers) {
    ys.push_back(layer.per_layer_bytes);
    ys.push_back(layer.patch_bytes);
    if (usable(layer.per_layer_bytes))
      peak_per_layer = std::max(peak_per_layer, layer.per_layer_bytes);
    if (usable(layer.patch_bytes)) peak_patch = std::max(peak_patch, layer.patch_bytes);
  }
  if (data.sram_budget_bytes > 0) ys.push_back(data.sram_budget_bytes);
  const Axis y_axis{"live activation memory", Unit::Bytes, true};
  const Plot plot = make_plot(kReportMemoryFrame, {}, {}, ys, y_axis);

  std::string out;
  open_chart(out, plot.frame, kId, kTitle);
  draw_y_axis(out, plot, y_axis);

  const double group = (plot.right() - plot.left()) / static_cast<double>(layers.size());
  const double baseline = plot.y(0);  // bars grow from 0
  constexpr std::size_t kLabelChars = 16;
  // Horizontal labels when the widest fits its group, else rotated; every k-th when crowded.
  double widest = 0;
  for (const ReportLayerMemory& layer : layers)
    widest = std::max(widest, label_width(shortened(layer.name, kLabelChars)));
  const bool rotated = widest + 6 > group;
  constexpr double kLabelSpacing = 16;  // pixels between neighbouring rotated labels
  const std::size_t label_every =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(kLabelSpacing / group)));
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const ReportLayerMemory& layer = layers[i];
    const double x = plot.left() + group * static_cast<double>(i);
    out += "<g>";
    tooltip(out, cat({layer.name, ": per-layer ", value_label(layer.per_layer_bytes, Unit::Bytes),
                      ", patch-based ", value_label(layer.patch_bytes, Unit::Bytes)}));
    const std::array<std::pair<double, std::string_view>, 2> bars{
        {{layer.per_layer_bytes, "bar per-layer"}, {layer.patch_bytes, "bar patch"}}};
    for (std::size_t b = 0; b < bars.size(); ++b) {
      const double end = plot.y(usable(bars[b].first) ? bars[b].first : 0);
      out += "<rect";
      attr(out, "class", bars[b].second);
      attr(out, "x", x + group * (0.1 + 0.4 * static_cast<double>(b)));
      attr(out, "y", std::min(end, baseline));
      attr(out, "width", group * 0.4);
      attr(out, "height", std::abs(baseline - end));
      out += "/>";
    }
    out += "</g>";
    if (i % label_every == 0) {
      const double cx = x + group / 2;
      if (rotated) {
        text(out, cx + 4, plot.bottom() + 12, shortened(layer.name, kLabelChars), "tick",
             Anchor::End, -45);
      } else {
        text(out, cx, plot.bottom() + 18, shortened(layer.name, kLabelChars), "tick",
             Anchor::Middle);
      }
    }
  }
  line(out, plot.left(), plot.bottom(), plot.right(), plot.bottom(), "axis");
  const double labels_depth = rotated ? widest * 0.71 + 14 : 20;  // sin 45 = 0.71
  text(out, (plot.left() + plot.right()) / 2,
       std::min(plot.frame.height - 10, plot.bottom() + labels_depth + 20),
       label_every > 1 ? cat({"layer (every ", std::to_string(label_every), " labelled)"})
                       : std::string("layer"),
       "axis-title", Anchor::Middle);
  if (data.sram_budget_bytes > 0) {
    draw_budget(out, plot, plot.y(data.sram_budget_bytes), false,
                cat({"SRAM budget ", value_label(data.sram_budget_bytes, Unit::Bytes)}));
  }
  const std::array<LegendEntry, 2> legend{
      {{Mark::PerLayerBar,
        cat({"per-layer (peak ", value_label(peak_per_layer, Unit::Bytes), ")"})},
       {Mark::PatchBar, cat({"patch-based (peak ", value_label(peak_patch, Unit::Bytes), ")"})}}};
  draw_legend(out, plot.left(), 36, legend);
  close_chart(out);
  return out;
}

// Okabe-Ito colours (told apart with colour-vision deficiencies), one per training run.
constexpr std::array<std::string_view, 7> kRunColours{"#0072B2", "#E69F00", "#009E73", "#CC79A7",
                                                      "#56B4E9", "#D55E00", "#000000"};

bool present(double v) { return usable(v) && v >= 0; }

// One metric per epoch for every run: validation solid, train dashed, one colour per run, QAT
// epochs as diamonds on the validation line (on the train line for runs without validation).
std::string training_chart(std::string_view id, std::string_view title, const Axis& y_axis,
                           std::span<const ReportRun> runs, double ReportEpoch::*train,
                           double ReportEpoch::*validation) {
  std::vector<double> xs, ys;
  bool any_qat = false;
  for (const ReportRun& run : runs) {
    for (const ReportEpoch& e : run.epochs) {
      if (!present(e.*train) && !present(e.*validation)) continue;
      xs.push_back(e.epoch);
      for (const double v : {e.*train, e.*validation}) {
        if (present(v)) ys.push_back(v);
      }
      any_qat = any_qat || e.quantization_aware;
    }
  }
  if (xs.empty()) return no_data(id, title, "no training epochs");
  const Axis x_axis{"epoch", Unit::Epoch, false};
  const Plot plot = make_plot(kReportTrainingFrame, xs, x_axis, ys, y_axis);

  std::string out;
  open_chart(out, plot.frame, id, title);
  draw_y_axis(out, plot, y_axis);
  draw_x_axis(out, plot, x_axis);

  std::vector<LegendEntry> legend;
  const std::size_t legend_rows = static_cast<std::size_t>((plot.bottom() - plot.top()) / 20) - 4;
  for (std::size_t r = 0; r < runs.size(); ++r) {
    const ReportRun& run = runs[r];
    const std::string_view colour = kRunColours[r % kRunColours.size()];
    const bool has_validation =
        std::any_of(run.epochs.begin(), run.epochs.end(),
                    [&](const ReportEpoch& e) { return present(e.*validation); });
    for (const double ReportEpoch::*metric : {train, validation}) {
      std::string points;
      for (const ReportEpoch& e : run.epochs) {
        if (!present(e.*metric)) continue;
        points.append(px(plot.x(e.epoch))).append(",").append(px(plot.y(e.*metric))).append(" ");
      }
      if (points.empty()) continue;
      points.pop_back();
      out += "<polyline";
      attr(out, "class", metric == train ? "series train" : "series");
      attr(out, "stroke", colour);
      attr(out, "points", points);
      out += "/>";
    }
    const double ReportEpoch::*marked = has_validation ? validation : train;
    for (const ReportEpoch& e : run.epochs) {
      if (!present(e.*marked)) continue;
      out += "<g>";
      draw_mark(out, e.quantization_aware ? Mark::Diamond : Mark::Point, plot.x(e.epoch),
                plot.y(e.*marked), colour);
      tooltip(out,
              cat({run.label, ", epoch ", std::to_string(e.epoch),
                   e.quantization_aware ? " (QAT): " : ": ", value_label(e.*marked, y_axis.unit)}));
      out += "</g>";
    }
    if (r < legend_rows)
      legend.push_back({Mark::Line, shortened(run.label, 22), std::string(colour)});
  }
  if (runs.size() > legend_rows) {
    legend.push_back({Mark::Point,
                      cat({"+", std::to_string(runs.size() - legend_rows), " more runs"}),
                      "#999999"});
  }
  legend.push_back({Mark::Line, "validation", "#555555"});
  legend.push_back({Mark::DashedLine, "train", "#555555"});
  if (any_qat) legend.push_back({Mark::Diamond, "quantization-aware", "#555555"});
  draw_legend(out, plot.right() + 16, plot.top() + 6, legend, true);
  close_chart(out);
  return out;
}

// ---- page --------------------------------------------------------------------------------------

constexpr std::string_view kStyle = R"(
body{font-family:"DejaVu Sans",Verdana,sans-serif;color:#222;background:#fff;max-width:1200px;margin:0 auto;padding:12px 16px 40px}
h1{font-size:26px;margin:8px 0 4px}
h2{font-size:19px;border-bottom:1px solid #ddd;padding-bottom:4px;margin:28px 0 8px}
.subtitle{color:#555;margin:0 0 8px}
.row{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:8px 0}
figcaption{font-weight:bold}
svg{max-width:100%;height:auto;display:block}
svg text{font-family:inherit;font-size:12px;fill:#333}
.chart-title{font-size:15px;font-weight:bold}
.axis-title{font-size:13px}
.tick{font-size:11px;fill:#555}
.axis{stroke:#333;stroke-width:1}
.grid{stroke:#e8e8e8;stroke-width:1}
.point{fill:#0072B2;fill-opacity:.8;stroke:#fff;stroke-width:.8}
.point.chosen{fill:#D55E00;fill-opacity:1;stroke:#000;stroke-width:1.8}
.chosen-label,.budget-label{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}
.chosen-label{font-weight:bold;fill:#A04000}
.budget{stroke:#C0392B;stroke-width:1.6;stroke-dasharray:7 4}
.budget-label{fill:#C0392B;font-size:11px}
.bar.per-layer{fill:#9BB3C8}
.bar.patch{fill:#E69F00}
.series{fill:none;stroke-width:2}
.series.train{stroke-width:1.5;stroke-dasharray:5 4;opacity:.75}
.qat{stroke:#000;stroke-width:.8}
.no-data{color:#777;font-style:italic;border:1px dashed #ccc;padding:24px;text-align:center}
table{border-collapse:collapse;margin:8px 0}
th,td{border:1px solid #ddd;padding:4px 12px;text-align:left}
th{background:#f4f4f4}
tr.differs td{background:#fff4e0}
footer{color:#888;font-size:12px;margin-top:32px}
)";

void section(std::string& out, std::string_view id, std::string_view heading) {
  out += "<section";
  attr(out, "id", id);
  out += "><h2>";
  append_escaped(out, heading);
  out += "</h2>\n";
}

void table_row(std::string& out, std::span<const std::string_view> cells, std::string_view cell_tag,
               std::string_view cls = {}) {
  out += "<tr";
  if (!cls.empty()) attr(out, "class", cls);
  out += '>';
  for (const std::string_view cell : cells) {
    out.append("<").append(cell_tag).append(">");
    append_escaped(out, cell);
    out.append("</").append(cell_tag).append(">");
  }
  out += "</tr>\n";
}

void figures_table(std::string& out, const ReportData& data) {
  if (data.figures.empty()) {
    out += "<p class=\"no-data\">no data: no predicted or measured figures</p>\n";
    return;
  }
  out += "<table class=\"figures\">\n<thead>";
  const std::array<std::string_view, 3> head{"figure", "predicted", "measured"};
  table_row(out, head, "th");
  out += "</thead>\n<tbody>\n";
  for (const ReportRow& row : data.figures) {
    const std::array<std::string_view, 3> cells{row.what, row.predicted, row.measured};
    // Rows where a measurement disagrees with its prediction stand out.
    const bool differs =
        !row.predicted.empty() && !row.measured.empty() && row.predicted != row.measured;
    table_row(out, cells, "td", differs ? "differs" : "");
  }
  out += "</tbody>\n</table>\n";
}

void notes_table(std::string& out, const ReportData& data) {
  if (data.notes.empty()) {
    out += "<p class=\"no-data\">no data: no notes</p>\n";
    return;
  }
  out += "<table class=\"notes\">\n<tbody>\n";
  for (const auto& [key, value] : data.notes) {
    const std::array<std::string_view, 2> cells{key, value};
    table_row(out, cells, "td");
  }
  out += "</tbody>\n</table>\n";
}

}  // namespace

std::string render_report_html(const ReportData& data) {
  const std::string_view title = data.title.empty() ? std::string_view("patchnas run") : data.title;
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>";
  append_escaped(out, title);
  out += " \u2014 patchnas report</title>\n<style>";
  out += kStyle;
  out += "</style>\n</head>\n<body>\n<header><h1>";
  append_escaped(out, title);
  out += "</h1>";
  if (!data.subtitle.empty()) {
    out += "<p class=\"subtitle\">";
    append_escaped(out, data.subtitle);
    out += "</p>";
  }
  out += "</header>\n";

  section(out, "search", "Search: the Pareto archive");
  out += "<div class=\"row\">\n";
  out += pareto_sram_chart(data);
  out += pareto_latency_chart(data);
  out += "</div>\n</section>\n";

  section(out, "memory-profile", "Memory: per-layer vs patch-based inference");
  out += memory_chart(data);
  out += "</section>\n";

  section(out, "training", "Training");
  out += training_chart("accuracy", "Accuracy per epoch", {"accuracy", Unit::Percent, false},
                        data.training, &ReportEpoch::train_accuracy,
                        &ReportEpoch::validation_accuracy);
  out += training_chart("loss", "Loss per epoch", {"loss", Unit::Plain, true}, data.training,
                        &ReportEpoch::train_loss, &ReportEpoch::validation_loss);
  out += "</section>\n";

  section(out, "figures", "Predicted vs measured");
  figures_table(out, data);
  out += "</section>\n";

  section(out, "notes", "Notes");
  notes_table(out, data);
  out += "</section>\n";

  out +=
      "<footer>Written by patchnas; self-contained: no script, no external resources.</footer>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace patchnas
