// The HTML report: a complete, balanced document; every string escaped; the chosen model
// marked; budget lines and points where the scale rule of report_html.hpp puts them (worked
// out here by hand); never "nan"/"inf" whatever the input.
#include "pipeline/report_html.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>
#include <vector>

#include "report_sample.hpp"

namespace patchnas {
namespace {

using testing::count;

// Empty when every element is closed in order; else what went wrong. Void elements, comments,
// the doctype, self-closing SVG elements and the raw text of <style> are handled.
std::string tag_balance_error(const std::string& html) {
  static const std::vector<std::string> kVoid{"meta", "br", "hr", "img", "input", "link"};
  std::vector<std::string> open;
  std::size_t at = 0;
  while ((at = html.find('<', at)) != std::string::npos) {
    if (html.compare(at, 4, "<!--") == 0) {
      at = html.find("-->", at);
      if (at == std::string::npos) return "unterminated comment";
      continue;
    }
    const std::size_t end = html.find('>', at);
    if (end == std::string::npos) return "unterminated tag at " + std::to_string(at);
    const std::string tag = html.substr(at + 1, end - at - 1);
    at = end + 1;
    if (tag.starts_with('!')) continue;
    if (tag.starts_with('/')) {
      const std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) {
        return "</" + name + "> closes <" + (open.empty() ? std::string("nothing") : open.back()) +
               ">";
      }
      open.pop_back();
      continue;
    }
    const std::string name = tag.substr(0, tag.find_first_of(" \n/"));
    if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0])))
      return "bad tag <" + tag + ">";
    if (tag.ends_with('/') || std::find(kVoid.begin(), kVoid.end(), name) != kVoid.end()) continue;
    if (name == "style") {  // raw text up to its end tag
      at = html.find("</style>", at);
      if (at == std::string::npos) return "unterminated style";
    }
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return {};
}

// "nan"/"inf" written as a number (not inside words such as "inference").
bool has_non_finite_number(const std::string& html) {
  static const std::regex kNonFinite("(^|[^a-z])-?(nan|inf|infinity)([^a-z]|$)", std::regex::icase);
  return std::regex_search(html, kNonFinite);
}

// The text of the figure with this id.
std::string figure(const std::string& html, const std::string& id) {
  const std::size_t begin = html.find("<figure id=\"" + id + "\"");
  if (begin == std::string::npos) return {};
  return html.substr(begin, html.find("</figure>", begin) - begin);
}

double attribute(const std::string& element, const std::string& name) {
  const std::regex pattern(" " + name + "=\"(-?[0-9.]+)\"");
  std::smatch match;
  if (!std::regex_search(element, match, pattern)) return std::numeric_limits<double>::quiet_NaN();
  return std::stod(match[1]);
}

// The first element that starts with `opening` (e.g. `<line class="budget"`) in `text`.
std::string element(const std::string& text, const std::string& opening) {
  const std::size_t begin = text.find(opening);
  if (begin == std::string::npos) return {};
  return text.substr(begin, text.find('>', begin) - begin + 1);
}

double plot_x(const ReportChartFrame& f, double fraction) {
  return f.left + fraction * (f.width - f.left - f.right);
}
double plot_y(const ReportChartFrame& f, double fraction) {
  return (f.height - f.bottom) - fraction * (f.height - f.top - f.bottom);
}

TEST(ReportHtml, SampleIsACompleteBalancedSelfContainedDocument) {
  const std::string html = render_report_html(testing::sample_report());
  EXPECT_TRUE(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
  EXPECT_TRUE(html.ends_with("</body>\n</html>\n"));
  for (const char* part : {"<head>", "<meta charset=\"utf-8\">", "<title>fmnist-f412", "<style>",
                           "<body>", "<h1>fmnist-f412</h1>", "STM32F412"}) {
    EXPECT_NE(html.find(part), std::string::npos) << part;
  }
  EXPECT_EQ(tag_balance_error(html), "");
  for (const char* id : {"pareto-sram", "pareto-latency", "memory", "accuracy", "loss"}) {
    EXPECT_NE(figure(html, id).find("<svg"), std::string::npos) << id;
  }
  EXPECT_EQ(count(html, "<svg"), 5u);
  EXPECT_EQ(count(html, "no data"), 0u);
  // No script, nothing fetched: the only URL is the SVG namespace.
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  for (const char* fetch : {"src=", "href=", "url(", "@import"})
    EXPECT_EQ(count(html, fetch), 0u) << fetch;
  EXPECT_FALSE(has_non_finite_number(html));
  // The figures table and the notes.
  EXPECT_NE(html.find("<td>instructions per inference</td><td>9,120,000</td><td>9,312,455</td>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr class=\"differs\"><td>flash</td>"), std::string::npos);
  EXPECT_NE(html.find("<tr><td>peak SRAM</td>"), std::string::npos);
  EXPECT_NE(html.find("<td>search</td><td>1,200 candidates in 41 s</td>"), std::string::npos);
}

TEST(ReportHtml, EscapesEveryString) {
  const std::string evil = "<script>alert(1)</script>\"q' & b";
  const std::string escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;q&#39; &amp; b";
  ReportData data = testing::sample_report();
  data.title = evil;
  data.subtitle = evil;
  data.objective_name = evil;
  data.memory[0].name = evil;
  data.memory[1].name = evil;
  data.training[0].label = evil;
  data.figures.push_back({evil, evil, evil});
  data.notes.push_back({evil, evil});
  const std::string html = render_report_html(data);
  EXPECT_EQ(count(html, "<script"), 0u);
  EXPECT_EQ(count(html, "alert(1)</"), 0u);
  EXPECT_EQ(count(html, "\"q'"), 0u);
  // Title (page and heading), subtitle, objective (two chart titles, two axes, tooltips), layer
  // tooltips, run label, table cells and notes: every one is there, escaped.
  EXPECT_GE(count(html, escaped), 15u);
  EXPECT_NE(html.find("<h1>" + escaped + "</h1>"), std::string::npos);
  EXPECT_NE(html.find("<td>" + escaped + "</td><td>" + escaped + "</td><td>" + escaped + "</td>"),
            std::string::npos);
  EXPECT_EQ(tag_balance_error(html), "");
  // Labels are shortened (15 code points and "…") before escaping, so no entity is cut in two.
  EXPECT_NE(html.find(">&lt;script&gt;alert(1\u2026</text>"), std::string::npos);
}

// Points and budgets at hand-computed positions. Peak SRAM 10, 30, 90 KiB and a 50 KiB budget:
// (90 KiB - 0) / 5 = 18 KiB -> a 20 KiB step -> domain [0, 100 KiB], so the budget is at half
// the plot width and the chosen 30 KiB point at 0.3. MACs 2M, 6M, 9M: 9M / 5 = 1.8M -> 2M step
// -> [0, 10M], the chosen 6M at 0.6 of the height. Latency 10, 20, 80 ms and a 30 ms budget:
// 80 / 5 = 16 -> step 20 -> [0, 80]. Memory up to 150 KiB: 150 / 5 = 30 -> step 50 KiB ->
// [0, 150 KiB], the 50 KiB budget at a third of the height.
ReportData placed_data() {
  ReportData data;
  data.title = "placed";
  data.sram_budget_bytes = 50 * 1024;
  data.latency_budget_ms = 30;
  data.pareto = {
      {2e6, 10 * 1024, 10, false}, {6e6, 30 * 1024, 20, true}, {9e6, 90 * 1024, 80, false}};
  data.memory = {
      {"a", 150 * 1024, 40 * 1024}, {"b", 100 * 1024, 40 * 1024}, {"c", 20 * 1024, 20 * 1024}};
  return data;
}

TEST(ReportHtml, BudgetLinesAndChosenPointWhereTheScaleRulePutsThem) {
  const std::string html = render_report_html(placed_data());
  const ReportChartFrame& s = kReportScatterFrame;

  const std::string sram = figure(html, "pareto-sram");
  const std::string sram_budget = element(sram, "<line class=\"budget\"");
  ASSERT_FALSE(sram_budget.empty());
  EXPECT_NEAR(attribute(sram_budget, "x1"), plot_x(s, 0.5), 0.06);
  EXPECT_NEAR(attribute(sram_budget, "x2"), plot_x(s, 0.5), 0.06);
  EXPECT_NEAR(attribute(sram_budget, "y1"), s.top, 0.06);
  EXPECT_NEAR(attribute(sram_budget, "y2"), s.height - s.bottom, 0.06);
  EXPECT_NE(sram.find(">SRAM budget 50 KiB</text>"), std::string::npos);

  EXPECT_EQ(count(sram, "class=\"point chosen\""), 2u);  // the point and its legend entry
  const std::string chosen = element(sram, "<circle class=\"point chosen\"");
  EXPECT_NEAR(attribute(chosen, "cx"), plot_x(s, 0.3), 0.06);
  EXPECT_NEAR(attribute(chosen, "cy"), plot_y(s, 0.6), 0.06);
  EXPECT_NE(sram.find(">chosen: 6M, 30 KiB</text>"), std::string::npos);
  EXPECT_EQ(count(sram, "<circle class=\"point\""), 3u);  // two others and the legend's
  // Ticks every 20 KiB from 0 to 100 KiB, every 2M from 0 to 10M.
  EXPECT_NE(sram.find(">100 KiB</text>"), std::string::npos);
  EXPECT_NE(sram.find(">10M</text>"), std::string::npos);
  EXPECT_EQ(sram.find(">120 KiB</text>"), std::string::npos);

  const std::string latency = figure(html, "pareto-latency");
  const std::string latency_budget = element(latency, "<line class=\"budget\"");
  ASSERT_FALSE(latency_budget.empty());
  EXPECT_NEAR(attribute(latency_budget, "x1"), plot_x(s, 30.0 / 80.0), 0.06);
  const std::string latency_chosen = element(latency, "<circle class=\"point chosen\"");
  EXPECT_NEAR(attribute(latency_chosen, "cx"), plot_x(s, 20.0 / 80.0), 0.06);

  const ReportChartFrame& m = kReportMemoryFrame;
  const std::string memory = figure(html, "memory");
  const std::string memory_budget = element(memory, "<line class=\"budget\"");
  ASSERT_FALSE(memory_budget.empty());
  EXPECT_NEAR(attribute(memory_budget, "y1"), plot_y(m, 50.0 / 150.0), 0.06);
  EXPECT_NEAR(attribute(memory_budget, "y2"), plot_y(m, 50.0 / 150.0), 0.06);
  EXPECT_NEAR(attribute(memory_budget, "x1"), m.left, 0.06);
  // The first layer's per-layer bar reaches the top of the plot (150 KiB), its patch bar 40/150.
  const std::string first_bar = element(memory, "<rect class=\"bar per-layer\"");
  EXPECT_NEAR(attribute(first_bar, "y"), plot_y(m, 1.0), 0.06);
  const std::string first_patch = element(memory, "<rect class=\"bar patch\"");
  EXPECT_NEAR(attribute(first_patch, "y"), plot_y(m, 40.0 / 150.0), 0.06);
  EXPECT_NEAR(attribute(first_patch, "height"), (m.height - m.bottom) - plot_y(m, 40.0 / 150.0),
              0.06);
}

TEST(ReportHtml, NoBudgetLinesWhenBudgetsAreZero) {
  ReportData data = placed_data();
  data.sram_budget_bytes = 0;
  data.latency_budget_ms = 0;
  const std::string html = render_report_html(data);
  EXPECT_EQ(count(html, "class=\"budget\""), 0u);
  EXPECT_EQ(count(html, "class=\"point chosen\""), 4u);  // two charts: point and legend each
}

TEST(ReportHtml, NoChosenMarkWithoutAChosenModel) {
  ReportData data = placed_data();
  for (ReportCandidate& c : data.pareto) c.chosen = false;
  const std::string html = render_report_html(data);
  EXPECT_EQ(count(html, "<circle class=\"point chosen\""), 0u);  // not even in the legends
  EXPECT_EQ(count(html, "chosen: "), 0u);
  EXPECT_EQ(count(html, "chosen (exported)"), 0u);
}

TEST(ReportHtml, LatencyChartOmittedWithANoteWhenNoCandidateHasALatency) {
  ReportData data = placed_data();
  for (ReportCandidate& c : data.pareto) c.latency_ms = -1;
  const std::string html = render_report_html(data);
  const std::string latency = figure(html, "pareto-latency");
  EXPECT_NE(latency.find("class=\"empty\""), std::string::npos);
  EXPECT_NE(latency.find("no candidate has a latency estimate"), std::string::npos);
  EXPECT_EQ(latency.find("<svg"), std::string::npos);
  EXPECT_NE(figure(html, "pareto-sram").find("<svg"), std::string::npos);
}

TEST(ReportHtml, TrainingCurvesOnePolylinePerRunAndMetricWithQatMarked) {
  const ReportData data = testing::sample_report();
  const std::string html = render_report_html(data);
  const std::string accuracy = figure(html, "accuracy");
  // Train and validation per run.
  EXPECT_EQ(count(accuracy, "<polyline class=\"series\""), data.training.size());
  EXPECT_EQ(count(accuracy, "<polyline class=\"series train\""), data.training.size());
  std::size_t qat_epochs = 0;
  for (const ReportRun& run : data.training) {
    EXPECT_NE(accuracy.find(">" + run.label + "</text>"), std::string::npos) << run.label;
    for (const ReportEpoch& e : run.epochs) qat_epochs += e.quantization_aware ? 1 : 0;
  }
  ASSERT_EQ(qat_epochs, 4u);
  EXPECT_EQ(count(accuracy, "<polygon class=\"qat\""), qat_epochs + 1);  // + the legend's
  EXPECT_NE(accuracy.find(">quantization-aware</text>"), std::string::npos);
  // Accuracies 0.65 .. 0.92: a 10% step ((0.92 - 0.65) / 5 = 0.055 -> 0.1) from 60% to 100%.
  EXPECT_NE(accuracy.find(">60%</text>"), std::string::npos);
  EXPECT_NE(accuracy.find(">100%</text>"), std::string::npos);
  EXPECT_EQ(accuracy.find(">50%</text>"), std::string::npos);
}

TEST(ReportHtml, RunsWithoutValidationDrawTheirTrainCurveOnly) {
  ReportData data;
  data.training = {{"no validation", {{1, false, 1.0, 0.5, -1, -1}, {2, true, 0.8, 0.6, -1, -1}}}};
  const std::string html = render_report_html(data);
  const std::string accuracy = figure(html, "accuracy");
  EXPECT_EQ(count(accuracy, "<polyline class=\"series train\""), 1u);
  EXPECT_EQ(count(accuracy, "<polyline class=\"series\""), 0u);
  EXPECT_EQ(count(accuracy, "<polygon class=\"qat\""), 2u);  // epoch 2 and the legend
  EXPECT_FALSE(has_non_finite_number(html));
}

TEST(ReportHtml, ManyLayersGetThinnedRotatedLabelsAndOneBarPairEach) {
  ReportData data;
  for (int i = 0; i < 150; ++i) {
    data.memory.push_back(
        {"block" + std::to_string(i) + ".depthwise 7x7 stride 2", 1000.0 * (i % 17 + 1), 800.0});
  }
  const std::string html = render_report_html(data);
  const std::string memory = figure(html, "memory");
  EXPECT_EQ(count(memory, "<rect class=\"bar per-layer\""), 151u);  // + the legend's
  EXPECT_EQ(count(memory, "<rect class=\"bar patch\""), 151u);
  const std::size_t labels = count(memory, "rotate(-45.0");
  EXPECT_GT(labels, 10u);
  EXPECT_LT(labels, 100u);
  EXPECT_NE(memory.find("labelled)</text>"), std::string::npos);
  EXPECT_NE(memory.find(">block0.depthwis\u2026</text>"), std::string::npos);  // shortened
  EXPECT_EQ(tag_balance_error(html), "");
}

TEST(ReportHtml, LargeValuesUseUnitSuffixes) {
  ReportData data;
  data.pareto = {{4.2e9, 3.5 * 1024 * 1024, 1500, true}, {1.0e9, 1.0 * 1024 * 1024, 300, false}};
  data.memory = {{"x", 2.5e12, 1e12}};
  const std::string html = render_report_html(data);
  EXPECT_NE(figure(html, "pareto-sram").find(">4G</text>"), std::string::npos);
  EXPECT_NE(figure(html, "pareto-sram").find(" MiB</text>"), std::string::npos);
  EXPECT_NE(figure(html, "memory").find(" TiB</text>"), std::string::npos);
  EXPECT_NE(figure(html, "pareto-latency").find(" ms</text>"), std::string::npos);
  EXPECT_FALSE(has_non_finite_number(html));
}

TEST(ReportHtml, DegenerateInputsGiveNoNanInfAndStayBalanced) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<std::pair<std::string, ReportData>> cases;

  cases.push_back({"empty", ReportData{}});

  ReportData one;
  one.pareto = {{5e6, 40'000, 12, true}};
  one.memory = {{"only", 1000, 1000}};
  one.training = {{"one epoch", {{1, true, 0.5, 0.7, 0.6, 0.65}}}};
  cases.push_back({"one point", one});

  ReportData equal;
  equal.pareto = {{5e6, 40'000, 12, false}, {5e6, 40'000, 12, true}, {5e6, 40'000, 12, false}};
  equal.memory = {{"a", 512, 512}, {"b", 512, 512}};
  equal.training = {{"flat", {{3, false, 0.4, 0.8, 0.4, 0.8}, {3, false, 0.4, 0.8, 0.4, 0.8}}}};
  cases.push_back({"all equal", equal});

  ReportData zeros;
  zeros.pareto = {{0, 0, 0, true}, {0, 0, 0, false}};
  zeros.memory = {{"z", 0, 0}};
  zeros.training = {{"zero", {{0, false, 0, 0, 0, 0}}}};
  cases.push_back({"zeros and zero budgets", zeros});

  ReportData full_accuracy = one;
  full_accuracy.training = {{"perfect", {{1, false, 0, 1, 0, 1}, {2, false, 0, 1, 0, 1}}}};
  cases.push_back({"accuracy all 100%", full_accuracy});

  ReportData broken;
  broken.sram_budget_bytes = inf;
  broken.latency_budget_ms = nan;
  broken.pareto = {{nan, 1000, inf, true},
                   {1e6, inf, nan, false},
                   {2e6, 2000, 5, false},
                   {1e300, -1e300, 1, false}};
  broken.memory = {{"bad", nan, inf}, {"ok", 100, 50}};
  broken.training = {{"bad", {{1, false, nan, inf, nan, -inf}, {2, true, 0.5, 0.6, 0.4, 0.7}}}};
  cases.push_back({"non-finite and huge values", broken});

  ReportData negative;
  negative.pareto = {{-5e6, 1000, -1, true}, {-1e6, 3000, -1, false}};
  negative.memory = {{"neg", -100, -50}};
  cases.push_back({"negative values", negative});

  for (const auto& [name, data] : cases) {
    const std::string html = render_report_html(data);
    EXPECT_FALSE(has_non_finite_number(html)) << name;
    EXPECT_EQ(tag_balance_error(html), "") << name;
    EXPECT_EQ(html.find("e+"), std::string::npos) << name;  // fixed decimals, no exponents
    EXPECT_TRUE(html.ends_with("</html>\n")) << name;
  }
  const std::string empty = render_report_html(ReportData{});
  EXPECT_EQ(count(empty, "<svg"), 0u);
  EXPECT_EQ(count(empty, "class=\"no-data\">no data: "), 7u);  // five charts, two tables
  EXPECT_NE(empty.find("<h1>patchnas run</h1>"), std::string::npos);
  const std::string single = render_report_html(one);
  EXPECT_EQ(count(single, "<svg"), 5u);
  EXPECT_EQ(count(single, "<circle class=\"point chosen\""), 4u);
}

}  // namespace
}  // namespace patchnas
