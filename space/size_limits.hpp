// Size limits: what an arch or a search space may ask for before anything is lowered,
// estimated, allocated or trained. They keep every size computation (int shapes, int64
// element, MAC and byte counts) far from overflow and refuse absurd configs with a message
// that says what they would need:
//   check_arch_size(arch, "a.json");  // "a.json: input.resolution: resolution 100000 gives a
//                                     //  50000x50000x16 stem output (4.0e10 elements); ..."
#pragma once

#include <cstdint>
#include <string>

#include "space/arch.hpp"
#include "space/search_space.hpp"

namespace patchnas {

inline constexpr int kMaxResolution = 1 << 20;                  // pixels per side
inline constexpr int kMaxChannels = 65536;                      // per tensor, classes included
inline constexpr int kMaxKernel = 255;                          // per side
inline constexpr int kMaxBlocks = 1000;                         // per arch
inline constexpr std::int64_t kMaxTensorElements = 2147483647;  // int32 indexing in the runtime
inline constexpr std::int64_t kMaxParams = 2147483647;          // weights + biases
inline constexpr double kMaxMacs = 9007199254740992.0;          // 2^53: exact in a double

// Throws InputError(file, field, reason) for the first field of `arch` beyond a limit. Call
// after the format's own rules (validate_arch) hold.
void check_arch_size(const Arch& arch, const std::string& file);

// The arch of `space` with the largest (or smallest) choice of every gene: resolution, width,
// depth, kernel, expand; no patch. Every arch of the space lies between the two in every tensor.
Arch largest_arch(const SearchSpace& space);
Arch smallest_arch(const SearchSpace& space);

// Throws InputError(file, field, reason) for the first choice of `space` beyond a limit. Call
// after the space's own rules hold, before any channel count is computed from its widths.
void check_space_size(const SearchSpace& space, const std::string& file);

// "512 B", "1.5 KiB", "2.4 TiB": a byte count for messages.
std::string byte_text(double bytes);

}  // namespace patchnas
