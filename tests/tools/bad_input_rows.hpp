// The bad-input table: one row per (parser, error class, case). A row builds its broken input
// in a fresh directory and says which file and field the one error line must name, a fragment
// of the reason, and which outputs must not appear (or must stay unchanged). The test
// (bad_input_test.cpp) runs each row through the real CLI and prints the parser x class matrix.
//   for (const Row& row : bad_input_rows()) { const Case c = row.make(dir); ... }
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace patchnas::testing {

struct Case {
  std::string args;                            // the command line after the executable
  std::string file;                            // the file the error line names
  std::string field;                           // its field path; "" for the file as a whole
  std::string reason;                          // a fragment the reason must contain
  std::vector<std::filesystem::path> outputs;  // absent afterwards, or unchanged if present
  bool reports_start = false;  // stdout may hold the command's one "searching ..." line
};

struct Row {
  std::string parser;
  std::string error_class;
  std::string name;  // what is broken, for the test's name
  std::function<Case(const std::filesystem::path& dir)> make;
};

// The error classes of the matrix, in column order.
inline const std::vector<std::string>& error_classes() {
  static const std::vector<std::string> classes{"wrong type",   "missing key", "unknown key",
                                                "out of range", "empty file",  "truncated",
                                                "wrong magic",  "huge size",   "nan/inf"};
  return classes;
}

struct NotApplicable {
  std::string parser;
  std::string error_class;
  std::string why;
};

// Every row of the table. `shared` holds the valid inputs rows start from (written once by
// write_shared_inputs: a Fashion-MNIST directory, a trained checkpoint, ...).
std::vector<Row> bad_input_rows(const std::filesystem::path& shared);

// The (parser, class) pairs no row covers, each with the reason it cannot apply.
const std::vector<NotApplicable>& not_applicable();

// Writes the valid inputs under `shared`; trains the tiny arch once for the checkpoint rows.
void write_shared_inputs(const std::filesystem::path& shared);

}  // namespace patchnas::testing
