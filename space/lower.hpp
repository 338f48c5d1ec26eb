// Lowering: Arch -> Network (typed layers with shapes), following the arch format's semantics.
// The caller may reuse one Network across calls to avoid allocation on hot paths (search).
//   Network net; lower_into(arch, net);
#pragma once

#include "space/arch.hpp"
#include "space/network.hpp"

namespace patchnas {

// `arch` must have passed validate_arch.
Network lower(const Arch& arch);
void lower_into(const Arch& arch, Network& net);

}  // namespace patchnas
