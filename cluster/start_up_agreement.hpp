// The start-up agreement of a job of several ranks: every rank reads the command's inputs
// itself (a node may see other files than rank 0's), then, before any work is shared, the
// ranks tell each other whether they could. An error on any rank stops every rank right there,
// alike and cleanly (no rank is left waiting, so nothing needs aborting), and rank 0 reports it
// once: the message alone when every rank met the same one, else one line per message naming
// the ranks that met it. On one process the error simply propagates.
//   const RunConfig config = cluster::read_on_every_rank([&] { return read_run_config(...); });
#pragma once

#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "cluster/cluster.hpp"

namespace patchnas::cluster {

// Thrown on every rank when any rank could not read its inputs; lines() are what rank 0 prints.
class InputsRefused : public std::runtime_error {
 public:
  explicit InputsRefused(std::vector<std::string> lines);
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  std::vector<std::string> lines_;
};

// Collective. `error` is this rank's (nullopt when it read its inputs); throws InputsRefused on
// every rank when any rank has one.
void agree_inputs_were_read(const std::optional<std::string>& error);

// What rank 0 reports for the ranks' errors (indexed by rank; nullopt where a rank had none):
// {message} when every rank met the same one, else "rank 1: message", "ranks 0, 2-4: message"
// per distinct message, in order of the first rank that met it.
std::vector<std::string> refusal_lines(const std::vector<std::optional<std::string>>& errors);

// `read()` on this rank, then the agreement (on one process, just `read()`).
template <class Read>
auto read_on_every_rank(const Read& read) -> decltype(read()) {
  if (size() == 1) return read();
  std::optional<decltype(read())> value;
  std::optional<std::string> error;
  try {
    value.emplace(read());
  } catch (const std::exception& e) {
    error = e.what();
  }
  agree_inputs_were_read(error);
  return std::move(*value);
}

}  // namespace patchnas::cluster
