#include "cluster/start_up_agreement.hpp"

#include <cstddef>

namespace patchnas::cluster {
namespace {

// "rank 3", "ranks 0, 2-4": the ranks in increasing order, runs of consecutive ranks as ranges.
std::string rank_list(const std::vector<int>& ranks) {
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  for (std::size_t i = 0; i < ranks.size();) {
    std::size_t j = i;
    while (j + 1 < ranks.size() && ranks[j + 1] == ranks[j] + 1) ++j;
    if (i > 0) text += ", ";
    text += std::to_string(ranks[i]);
    if (j > i) text.append("-").append(std::to_string(ranks[j]));
    i = j + 1;
  }
  return text;
}

}  // namespace

InputsRefused::InputsRefused(std::vector<std::string> lines)
    : std::runtime_error(lines.empty() ? std::string() : lines.front()), lines_(std::move(lines)) {}

std::vector<std::string> refusal_lines(const std::vector<std::optional<std::string>>& errors) {
  std::vector<std::string> messages;       // distinct, in order of first appearance
  std::vector<std::vector<int>> met_by;    // the ranks that met each
  for (std::size_t r = 0; r < errors.size(); ++r) {
    if (!errors[r]) continue;
    std::size_t m = 0;
    while (m < messages.size() && messages[m] != *errors[r]) ++m;
    if (m == messages.size()) {
      messages.push_back(*errors[r]);
      met_by.emplace_back();
    }
    met_by[m].push_back(static_cast<int>(r));
  }
  if (messages.size() == 1 && met_by[0].size() == errors.size()) return messages;
  std::vector<std::string> lines;
  for (std::size_t m = 0; m < messages.size(); ++m) {
    lines.push_back(rank_list(met_by[m]).append(": ").append(messages[m]));
  }
  return lines;
}

void agree_inputs_were_read(const std::optional<std::string>& error) {
  // Each rank's word: "" when it read its inputs, else "!" and its error.
  std::string word;
  if (error) word.append("!").append(*error);
  const std::vector<std::string> words = allgather(word);
  std::vector<std::optional<std::string>> errors(words.size());
  bool any = false;
  for (std::size_t r = 0; r < words.size(); ++r) {
    if (words[r].empty()) continue;
    errors[r] = words[r].substr(1);
    any = true;
  }
  if (any) throw InputsRefused(refusal_lines(errors));
}

}  // namespace patchnas::cluster
