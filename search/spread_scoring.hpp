// Scoring a list of genomes spread over the ranks of the job (cluster/): the list is cut into
// contiguous slices, one per rank in rank order; each rank scores its slice on oneTBB (one
// evaluator per thread) and the scored candidates are exchanged, so every rank returns the
// whole list, in order. Scoring is a pure function of the genome, so the result is the same on
// any number of ranks and threads. The candidates travel in a compact binary form
// (pack_candidates) that keeps every double's bits. On one rank nothing is packed.
//   const std::vector<Candidate> scored = score_across_ranks(config, fresh);  // collective
#pragma once

#include <string>
#include <vector>

#include "search/candidate.hpp"

namespace patchnas {

// Collective: every rank calls it with the same genomes.
std::vector<Candidate> score_across_ranks(const ExperimentConfig& config,
                                          const std::vector<Genome>& genomes);

std::string pack_candidates(const std::vector<Candidate>& candidates);
// Appends what pack_candidates wrote to `out`; std::runtime_error when malformed.
void unpack_candidates(const std::string& bytes, std::vector<Candidate>& out);

}  // namespace patchnas
