// Bad input, systematically: every parser the CLI reaches gets every error class that applies
// to it (bad_input_rows.cpp). The contract for each row: exit code 1, exactly one line on
// stderr, "patchnas: error: FILE: FIELD: reason", nothing on stdout, and no output written (the
// output path is absent afterwards, or unchanged when it existed). The matrix test prints which
// (parser, class) pairs are covered and fails when a pair is neither covered nor explained.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "support/run_cli.hpp"
#include "tools/bad_input_files.hpp"
#include "tools/bad_input_rows.hpp"

namespace patchnas::testing {
namespace {

fs::path work_root() {
  return fs::temp_directory_path() /
         (std::string("patchnas_bad_input_") + std::to_string(::getpid()));
}

fs::path shared_dir() { return work_root() / "shared"; }

class SharedInputs : public ::testing::Environment {
 public:
  void SetUp() override { write_shared_inputs(shared_dir()); }
  void TearDown() override { fs::remove_all(work_root()); }
};

const ::testing::Environment* const kShared = ::testing::AddGlobalTestEnvironment(new SharedInputs);

const std::vector<Row>& rows() {
  static const std::vector<Row> all = bad_input_rows(shared_dir());
  return all;
}

// Everything under `path` (or the file itself) as relative name -> bytes; empty when absent.
std::map<std::string, std::string> snapshot(const fs::path& path) {
  std::map<std::string, std::string> files;
  if (fs::is_regular_file(path)) files[""] = read_file(path);
  if (fs::is_directory(path)) {
    files["/"] = "";
    for (const auto& entry : fs::recursive_directory_iterator(path)) {
      files[fs::relative(entry.path(), path).string()] =
          entry.is_regular_file() ? read_file(entry.path()) : std::string("<dir>");
    }
  }
  return files;
}

std::string test_name(const Row& row) {
  std::string name = row.parser + "_" + row.error_class + "_" + row.name;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

class BadInput : public ::testing::TestWithParam<std::size_t> {};

TEST_P(BadInput, OneLineNamingFileAndFieldNothingWritten) {
  const Row& row = rows()[GetParam()];
  const fs::path dir = work_root() / test_name(row);
  fs::remove_all(dir);
  fs::create_directories(dir);
  const Case c = row.make(dir);
  std::vector<std::map<std::string, std::string>> before;
  for (const fs::path& output : c.outputs) before.push_back(snapshot(output));

  const CliOutcome r = run_cli(c.args);

  EXPECT_EQ(r.exit_code, 1) << c.args << "\n" << r.err;
  if (c.reports_start) {
    EXPECT_EQ(r.out.rfind("searching ", 0), 0U) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  } else {
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  std::string prefix = "patchnas: error: ";
  prefix.append(c.file);
  if (!c.field.empty()) prefix.append(": ").append(c.field);
  prefix.append(": ");
  EXPECT_EQ(r.err.rfind(prefix, 0), 0U)
      << "expected the line to start with\n  " << prefix << "\ngot\n  " << r.err;
  EXPECT_NE(r.err.find(c.reason, prefix.size()), std::string::npos)
      << "expected the reason to contain \"" << c.reason << "\", got\n  " << r.err;
  for (std::size_t i = 0; i < c.outputs.size(); ++i) {
    EXPECT_TRUE(snapshot(c.outputs[i]) == before[i]) << c.outputs[i] << " was written";
  }
}

INSTANTIATE_TEST_SUITE_P(Rows, BadInput, ::testing::Range<std::size_t>(0, rows().size()),
                         [](const ::testing::TestParamInfo<std::size_t>& param) {
                           return test_name(rows()[param.param]);
                         });

TEST(BadInputMatrix, EveryPairIsCoveredOrExplained) {
  std::vector<std::string> parsers;
  std::map<std::pair<std::string, std::string>, int> count;
  for (const Row& row : rows()) {
    if (std::find(parsers.begin(), parsers.end(), row.parser) == parsers.end()) {
      parsers.push_back(row.parser);
    }
    ++count[{row.parser, row.error_class}];
  }
  std::map<std::pair<std::string, std::string>, std::string> why_not;
  for (const NotApplicable& n : not_applicable()) why_not[{n.parser, n.error_class}] = n.why;

  std::printf("%-28s", "rows per (parser, class)");
  for (const std::string& cls : error_classes()) std::printf(" %12s", cls.c_str());
  std::printf("\n");
  int covered = 0;
  for (const std::string& parser : parsers) {
    std::printf("%-28s", parser.c_str());
    for (const std::string& cls : error_classes()) {
      const auto key = std::make_pair(parser, cls);
      const bool has_rows = count.count(key) > 0;
      const bool excused = why_not.count(key) > 0;
      EXPECT_NE(has_rows, excused) << parser << " x " << cls
                                   << (has_rows ? ": has rows but is listed as not applicable"
                                                : ": neither covered nor explained");
      covered += has_rows ? 1 : 0;
      std::printf(" %12s", has_rows ? std::to_string(count[key]).c_str() : "n/a");
    }
    std::printf("\n");
  }
  std::printf("%d rows; %d of %zu (parser, class) pairs covered; not applicable:\n",
              static_cast<int>(rows().size()), covered, parsers.size() * error_classes().size());
  for (const NotApplicable& n : not_applicable()) {
    std::printf("  %s x %s: %s\n", n.parser.c_str(), n.error_class.c_str(), n.why.c_str());
  }
  for (const auto& [key, n] : count) {
    EXPECT_NE(std::find(error_classes().begin(), error_classes().end(), key.second),
              error_classes().end())
        << "unknown error class " << key.second;
  }
}

}  // namespace
}  // namespace patchnas::testing
