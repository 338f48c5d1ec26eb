// ParetoArchive: the feasible candidates no other feasible candidate dominates on
// (objective: higher is better, peak SRAM: lower, latency: lower), kept across generations.
// Entries are ordered by genome, so the archive is the same whatever order candidates came in.
//   ParetoArchive archive;
//   archive.offer(candidate);          // ignored when infeasible or dominated
//   for (const Candidate& c : archive.entries()) ...
#pragma once

#include <vector>

#include "search/candidate.hpp"

namespace patchnas {

// a is at least as good as b everywhere and better somewhere.
bool dominates(const Candidate& a, const Candidate& b);

class ParetoArchive {
 public:
  void offer(const Candidate& candidate);
  const std::vector<Candidate>& entries() const { return entries_; }
  void clear() { entries_.clear(); }

 private:
  std::vector<Candidate> entries_;
};

}  // namespace patchnas
