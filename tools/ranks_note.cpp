// ranks_note (commands.hpp): how the run and search commands say they run on several ranks.
#include "cluster/cluster.hpp"
#include "tools/commands.hpp"

namespace patchnas::cli {

std::string ranks_note() {
  const int ranks = cluster::size();
  return ranks > 1 ? " on " + std::to_string(ranks) + " MPI ranks" : "";
}

}  // namespace patchnas::cli
