// What every fuzz target shares: the input bytes written to a scratch file (the parsers are
// called on a path, exactly as the CLI calls them), and the verdict on how a parser ended.
// Returning, or throwing an InputError that names a file and fits on one line, is the
// expected outcome for any input; anything else is a finding: it is printed and the process
// aborts, so libFuzzer keeps the input as a crash.
//   extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
//     const std::string path = patchnas::fuzz::write_input("arch.json", {data, size});
//     return patchnas::fuzz::expect_input_errors([&] { patchnas::read_arch_file(path); });
//   }
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <span>
#include <string>

#include "space/input_error.hpp"

namespace patchnas::fuzz {

using Bytes = std::span<const std::uint8_t>;

// This process's scratch directory (created on first use, removed at exit).
const std::string& scratch_dir();

// Writes `bytes` to scratch_dir()/relative_path (parent folders created) and returns the path.
std::string write_input(const std::string& relative_path, Bytes bytes);

// `bytes` as one gzip member, as gzip(1) writes it.
std::string gzip_bytes(Bytes bytes);

// Prints the finding and aborts.
[[noreturn]] void report_finding(const std::string& what);

// Checks that an InputError is the kind the CLI can print: a file, one line.
void check_input_error(const InputError& error);

template <typename Parse>
int expect_input_errors(Parse&& parse) {
  try {
    parse();
  } catch (const InputError& e) {
    check_input_error(e);
  } catch (const std::exception& e) {
    report_finding(std::string("an exception other than InputError escaped: ") + e.what());
  } catch (...) {
    report_finding("a non-standard exception escaped");
  }
  return 0;
}

}  // namespace patchnas::fuzz
