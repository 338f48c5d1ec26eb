// FieldReader: types, paths and unknown keys, each error naming file and field.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "space/json_fields.hpp"
#include "support/input_error_of.hpp"

namespace patchnas {
namespace {

// The InputError `f` throws (a test failure when it throws none).
template <typename F>
InputError capture(F&& f) {
  auto e = testing::input_error_of(std::forward<F>(f));
  if (!e) ADD_FAILURE() << "no InputError thrown";
  return e ? *e : InputError("", "", "");
}

TEST(FieldReader, ReadsTypedValuesWithPaths) {
  const auto j = parse_json_text(R"({"a": 3, "b": {"c": [1, 2]}, "s": "x", "f": 0.5})", "t.json");
  FieldReader root(j, "t.json");
  EXPECT_EQ(root.integer("a"), 3);
  auto b = root.object("b");
  EXPECT_EQ(b.integer_array("c"), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(root.string("s"), "x");
  EXPECT_DOUBLE_EQ(root.number("f"), 0.5);
  EXPECT_EQ(b.field_path("c"), "b.c");
  root.finish();
  b.finish();
}

TEST(FieldReader, WrongTypeNamesTheField) {
  const auto j = parse_json_text(R"({"b": {"c": [1, "two"]}, "k": 3.5})", "t.json");
  FieldReader root(j, "t.json");
  auto b = root.object("b");
  const auto e = capture([&] { b.integer_array("c"); });
  EXPECT_EQ(e.file(), "t.json");
  EXPECT_EQ(e.field(), "b.c[1]");
  const auto k = capture([&] { root.integer("k"); });
  EXPECT_EQ(k.field(), "k");
  EXPECT_NE(std::string(k.what()).find("expected an integer"), std::string::npos);
}

TEST(FieldReader, MissingAndUnknownKeys) {
  const auto j = parse_json_text(R"({"a": 1, "typo": 2})", "t.json");
  FieldReader root(j, "t.json");
  EXPECT_EQ(capture([&] { root.integer("b"); }).field(), "b");
  root.integer("a");
  const auto e = capture([&] { root.finish(); });
  EXPECT_EQ(e.field(), "typo");
  EXPECT_EQ(std::string(e.what()), "t.json: typo: unknown field");
}

TEST(FieldReader, QuotedValuesWithControlCharactersStayOnOneLine) {
  // A format string and an unknown key holding a newline, a tab and an escape byte: the
  // message quotes them escaped, so the CLI still prints one line.
  const auto j = parse_json_text(R"({"format": "patchnas.\nx", "a\tb\u001b": 1})", "t.json");
  FieldReader root(j, "t.json");
  const auto format = capture([&] { root.expect_format("patchnas.arch/1"); });
  EXPECT_EQ(std::string(format.what()),
            R"(t.json: format: expected "patchnas.arch/1", got "patchnas.\nx")");
  const auto key = capture([&] { root.finish(); });
  EXPECT_EQ(key.field(), "a\tb\x1b");
  EXPECT_EQ(std::string(key.what()), R"(t.json: a\tb\x1b: unknown field)");
}

TEST(FieldReader, MalformedJsonAndMissingFile) {
  const auto e = capture([] { parse_json_text("{\"a\": 1,,}", "bad.json"); });
  EXPECT_EQ(e.file(), "bad.json");
  EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos);
  EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos);
  const auto m = capture([] { read_json_file("/nonexistent/x.json"); });
  EXPECT_EQ(m.file(), "/nonexistent/x.json");
}

// An endless file (a config path pointing at /dev/zero) is refused at the size limit, and a
// file at the limit is still read.
TEST(FieldReader, EndlessFileIsRefusedAtTheSizeLimit) {
  const auto e = capture([] { read_json_file("/dev/zero"); });
  EXPECT_EQ(e.file(), "/dev/zero");
  EXPECT_NE(std::string(e.what()).find("larger than 64 MiB"), std::string::npos) << e.what();
  const auto small = capture([] { read_json_file("/dev/zero", 3u << 20); });
  EXPECT_NE(std::string(small.what()).find("larger than 3 MiB"), std::string::npos) << small.what();
}

TEST(FieldReader, FileOfExactlyTheLimitIsRead) {
  const std::string path = ::testing::TempDir() + "/limit.json";
  const std::size_t limit = 1u << 20;
  {
    std::ofstream out(path, std::ios::binary);
    out << "[1";
    out << std::string(limit - 3, ' ');
    out << "]";
  }
  EXPECT_EQ(read_json_file(path, limit), nlohmann::json::array({1}));
  {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << " ";
  }
  EXPECT_NE(std::string(capture([&] { read_json_file(path, limit); }).what()).find("larger than 1 MiB"),
            std::string::npos);
  std::remove(path.c_str());
}

// Found by fuzz/fuzz_space: a number beyond a double escaped as nlohmann's out_of_range.
TEST(FieldReader, NumberTooLargeForADoubleIsAnInputError) {
  const auto e = capture([] { parse_json_text(R"({"widths": [88828E888888]})", "big.json"); });
  EXPECT_EQ(e.file(), "big.json");
}

TEST(FieldReader, RootMustBeAnObject) {
  const auto j = parse_json_text("[1, 2]", "t.json");
  EXPECT_NE(std::string(capture([&] { FieldReader r(j, "t.json"); }).what()).find("expected an object"),
            std::string::npos);
}

}  // namespace
}  // namespace patchnas
