#include "space/input_error.hpp"

#include <utility>

namespace patchnas {
namespace {

std::string compose(const std::string& file, const std::string& field, const std::string& reason) {
  std::string text = file.empty() ? std::string("<input>") : file;
  if (!field.empty()) text.append(": ").append(field);
  return text.append(": ").append(reason);
}

}  // namespace

InputError::InputError(std::string file, std::string field, std::string reason)
    : std::runtime_error(compose(file, field, reason)),
      file_(std::move(file)),
      field_(std::move(field)),
      reason_(std::move(reason)) {}

}  // namespace patchnas
