// Test helper: runs `f` and returns the InputError it throws, or nothing when it throws none,
// so a test can check the file, field and reason of a bad-input error.
//   const auto e = input_error_of([] { read_mcu_profile("/nonexistent/m.json"); });
//   ASSERT_TRUE(e); EXPECT_EQ(e->file(), "/nonexistent/m.json");
#pragma once

#include <optional>

#include "space/input_error.hpp"

namespace patchnas::testing {

template <typename F>
std::optional<InputError> input_error_of(F&& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e;
  }
  return std::nullopt;
}

}  // namespace patchnas::testing
