#include "search/spread_scoring.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>

#include <oneapi/tbb/enumerable_thread_specific.h>
#include <oneapi/tbb/parallel_for.h>

#include "cluster/cluster.hpp"

namespace patchnas {
namespace {

// Scores genomes [begin, end) on oneTBB.
std::vector<Candidate> score_slice(const ExperimentConfig& config, const std::vector<Genome>& genomes,
                                   std::size_t begin, std::size_t end) {
  std::vector<Candidate> scored(end - begin);
  oneapi::tbb::enumerable_thread_specific<std::unique_ptr<CandidateEvaluator>> evaluators(
      [&] { return std::make_unique<CandidateEvaluator>(config); });
  oneapi::tbb::parallel_for(begin, end, [&](std::size_t i) {
    scored[i - begin] = evaluators.local()->evaluate(genomes[i]);
  });
  return scored;
}

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  template <typename T>
  T get() {
    T value;
    if (at_ + sizeof value > bytes_.size()) throw std::runtime_error("packed candidates cut short");
    std::memcpy(&value, bytes_.data() + at_, sizeof value);
    at_ += sizeof value;
    return value;
  }
  bool more() const { return at_ < bytes_.size(); }

 private:
  const std::string& bytes_;
  std::size_t at_ = 0;
};

}  // namespace

std::string pack_candidates(const std::vector<Candidate>& candidates) {
  std::string out;
  for (const Candidate& c : candidates) {
    put(out, static_cast<std::uint32_t>(c.genome.genes.size()));
    out.append(reinterpret_cast<const char*>(c.genome.genes.data()), c.genome.genes.size());
    put(out, static_cast<std::uint8_t>(c.patch.has_value()));
    put(out, c.patch ? c.patch->n : 0);
    put(out, c.patch ? c.patch->split : 0);
    put(out, c.macs);
    put(out, c.peak_sram_bytes);
    put(out, c.flash_bytes);
    put(out, c.latency_ms);
    put(out, static_cast<std::uint8_t>(c.feasible));
    put(out, c.violation);
    put(out, c.objective);
  }
  return out;
}

void unpack_candidates(const std::string& bytes, std::vector<Candidate>& out) {
  Reader in(bytes);
  while (in.more()) {
    Candidate c;
    c.genome.genes.resize(in.get<std::uint32_t>());
    for (std::uint8_t& gene : c.genome.genes) gene = in.get<std::uint8_t>();
    const bool patched = in.get<std::uint8_t>() != 0;
    const int n = in.get<int>();
    const int split = in.get<int>();
    if (patched) c.patch = PatchSpec{n, split};
    c.macs = in.get<std::int64_t>();
    c.peak_sram_bytes = in.get<std::int64_t>();
    c.flash_bytes = in.get<std::int64_t>();
    c.latency_ms = in.get<double>();
    c.feasible = in.get<std::uint8_t>() != 0;
    c.violation = in.get<double>();
    c.objective = in.get<double>();
    out.push_back(std::move(c));
  }
}

std::vector<Candidate> score_across_ranks(const ExperimentConfig& config,
                                          const std::vector<Genome>& genomes) {
  const std::size_t ranks = static_cast<std::size_t>(cluster::size());
  if (ranks == 1) return score_slice(config, genomes, 0, genomes.size());
  const std::size_t me = static_cast<std::size_t>(cluster::rank());
  const std::size_t count = genomes.size();
  const std::vector<Candidate> mine =
      score_slice(config, genomes, count * me / ranks, count * (me + 1) / ranks);
  std::vector<Candidate> all;
  all.reserve(count);
  for (const std::string& slice : cluster::allgather(pack_candidates(mine))) {
    unpack_candidates(slice, all);
  }
  if (all.size() != count) throw std::runtime_error("the ranks scored different genome lists");
  return all;
}

}  // namespace patchnas
