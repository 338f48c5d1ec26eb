#include "search/pareto.hpp"

#include <algorithm>

namespace patchnas {

bool dominates(const Candidate& a, const Candidate& b) {
  const bool no_worse = a.objective >= b.objective && a.peak_sram_bytes <= b.peak_sram_bytes &&
                        a.latency_ms <= b.latency_ms;
  const bool better = a.objective > b.objective || a.peak_sram_bytes < b.peak_sram_bytes ||
                      a.latency_ms < b.latency_ms;
  return no_worse && better;
}

void ParetoArchive::offer(const Candidate& candidate) {
  if (!candidate.feasible) return;
  for (const Candidate& e : entries_) {
    if (dominates(e, candidate) || e.genome == candidate.genome) return;
    // Equal on all three objectives: keep one, the smaller genome, so the result is unique.
    if (e.objective == candidate.objective && e.peak_sram_bytes == candidate.peak_sram_bytes &&
        e.latency_ms == candidate.latency_ms && e.genome < candidate.genome) {
      return;
    }
  }
  std::erase_if(entries_, [&](const Candidate& e) {
    return dominates(candidate, e) ||
           (e.objective == candidate.objective && e.peak_sram_bytes == candidate.peak_sram_bytes &&
            e.latency_ms == candidate.latency_ms);
  });
  const auto at = std::lower_bound(
      entries_.begin(), entries_.end(), candidate,
      [](const Candidate& x, const Candidate& y) { return x.genome < y.genome; });
  entries_.insert(at, candidate);
}

}  // namespace patchnas
