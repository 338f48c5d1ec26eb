// The arch JSON format ("patchnas.arch/1"): parsing with full validation, and writing.
//   Arch a = read_arch_file("mbv2.json");          // throws InputError naming file + field
//   std::string text = arch_to_json_text(a);        // same format, keys in documented order
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "space/arch.hpp"

namespace patchnas {

inline constexpr const char* kArchFormat = "patchnas.arch/1";

Arch read_arch_file(const std::string& path);
Arch arch_from_json(const nlohmann::json& json, const std::string& file);

nlohmann::ordered_json arch_to_json(const Arch& arch);
std::string arch_to_json_text(const Arch& arch);  // pretty, one block per line, trailing newline

}  // namespace patchnas
