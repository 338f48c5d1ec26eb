// The report in a real browser: headless Chromium (Debian's, installed by tools/setup.sh) renders
// the sample report to a PNG with no console message, and its DOM holds every chart. A page with
// a broken script is rendered the same way first, to show the console check can fail.
// Chromium logs console messages (errors included) to stderr as "...:INFO:CONSOLE:<line>] ...";
// the report has no script, so any such line is a failure (invalid SVG values, such as a
// negative height or "nan", are logged there too). The screenshot stays in the build
// directory (its path is printed) for a human to look at.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "pipeline/report_html.hpp"
#include "report_sample.hpp"
#include "support/chromium.hpp"

namespace patchnas {
namespace {

namespace fs = std::filesystem;

const fs::path kOutputDir = PATCHNAS_REPORT_OUTPUT_DIR;

using testing::ChromiumRun;
using testing::console_messages;
using testing::find_chromium;
using testing::is_png;
using testing::read_file;
using testing::run_chromium;

void write_file(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

using testing::count;

class ReportRender : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    ASSERT_FALSE(chromium_.empty()) << "chromium is not on PATH: run tools/setup.sh, which "
                                       "installs Debian's chromium for this test";
  }
  fs::path chromium_;
};

// The negative control: a script error and an invalid SVG attribute are both console messages.
TEST_F(ReportRender, BrokenScriptAndInvalidSvgAreDetectedAsConsoleErrors) {
  const fs::path page = kOutputDir / "broken.html";
  write_file(
      page,
      "<!DOCTYPE html><html><head><title>broken</title></head><body><p>broken</p>"
      "<svg width=\"20\" height=\"20\"><rect x=\"0\" y=\"0\" width=\"5\" height=\"-3\"/></svg>"
      "<script>undefined_function()</script></body></html>\n");
  const fs::path png = kOutputDir / "broken.png";
  fs::remove(png);
  const ChromiumRun run = run_chromium(chromium_, page, "--screenshot=" + png.string());
  EXPECT_EQ(run.exit_status, 0) << run.log;
  EXPECT_TRUE(is_png(png));
  const std::vector<std::string> messages = console_messages(run.log);
  ASSERT_EQ(messages.size(), 2u) << run.log;
  EXPECT_NE(run.log.find("undefined_function is not defined"), std::string::npos) << run.log;
  EXPECT_NE(run.log.find("<rect> attribute height: A negative value is not valid"),
            std::string::npos)
      << run.log;
}

// Odd data (one point, non-finite and negative values, zero budgets) still gives valid SVG.
TEST_F(ReportRender, DegenerateReportRendersWithoutConsoleMessages) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ReportData data;
  data.title = "degenerate <&>";
  data.pareto = {{nan, 1000, nan, true}, {5e6, 40'000, 12, false}, {1e300, -5, -1, false}};
  data.memory = {{"nan", nan, -50}, {"neg", -100, 20}, {"zero", 0, 0}};
  data.training = {{"one", {{1, true, nan, 0.7, -1, -1}}}, {"empty", {}}};
  const fs::path page = kOutputDir / "degenerate.html";
  write_file(page, render_report_html(data));
  const ChromiumRun run =
      run_chromium(chromium_, page, "--screenshot=" + (kOutputDir / "degenerate.png").string());
  EXPECT_EQ(run.exit_status, 0) << run.log;
  EXPECT_EQ(console_messages(run.log), std::vector<std::string>{});
}

TEST_F(ReportRender, SampleReportRendersToAScreenshotWithoutConsoleMessages) {
  const fs::path page = kOutputDir / "report.html";
  write_file(page, render_report_html(testing::sample_report()));
  const fs::path png = kOutputDir / "report.png";
  fs::remove(png);
  const ChromiumRun run = run_chromium(chromium_, page, "--screenshot=" + png.string());
  EXPECT_EQ(run.exit_status, 0) << run.log;
  ASSERT_TRUE(fs::exists(png)) << run.log;
  EXPECT_TRUE(is_png(png));
  // A blank 1280x2400 page compresses to about 10 KB; five charts are several times that.
  EXPECT_GT(fs::file_size(png), 60'000u);
  EXPECT_EQ(console_messages(run.log), std::vector<std::string>{});
  std::cout << "report screenshot: " << fs::absolute(png).string() << "\n";
}

TEST_F(ReportRender, DomHoldsEveryChart) {
  const fs::path page = kOutputDir / "report_dom.html";
  const std::string html = render_report_html(testing::sample_report());
  write_file(page, html);
  const ChromiumRun run = run_chromium(chromium_, page, "--dump-dom");
  EXPECT_EQ(run.exit_status, 0) << run.log;
  // The parsed DOM has the five SVG charts, each with its marks, in their figures.
  EXPECT_EQ(count(run.out, "<svg"), 5u);
  EXPECT_EQ(count(run.out, "</svg></figure>"), 5u);
  for (const char* id : {"pareto-sram", "pareto-latency", "memory", "accuracy", "loss"}) {
    EXPECT_NE(run.out.find(std::string("<figure id=\"") + id + "\"><svg"), std::string::npos) << id;
  }
  EXPECT_EQ(count(run.out, "<circle"), count(html, "<circle"));
  EXPECT_EQ(count(run.out, "<rect"), count(html, "<rect"));
  EXPECT_EQ(count(run.out, "<polyline"), count(html, "<polyline"));
  EXPECT_EQ(console_messages(run.log), std::vector<std::string>{});
}

}  // namespace
}  // namespace patchnas
