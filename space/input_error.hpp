// InputError: the one exception type for bad user input (configs, archs, data files).
// It carries the file and the field path so the CLI can print one line that names both:
//   throw InputError("archs/a.json", "blocks[3].kernel", "must be odd, got 4");
//   // what(): "archs/a.json: blocks[3].kernel: must be odd, got 4"
// Control characters in any part (a quoted value with a newline) are escaped in what(),
// so the message is always one line.
#pragma once

#include <stdexcept>
#include <string>

namespace patchnas {

class InputError : public std::runtime_error {
 public:
  InputError(std::string file, std::string field, std::string reason);

  const std::string& file() const { return file_; }
  const std::string& field() const { return field_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string file_;
  std::string field_;
  std::string reason_;
};

}  // namespace patchnas
