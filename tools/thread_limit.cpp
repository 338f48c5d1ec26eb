#include "tools/thread_limit.hpp"

namespace patchnas::cli {

void add_threads_option(CLI::App* cmd, int& threads, const std::string& help) {
  cmd->add_option("--threads", threads, help)->check(CLI::Range(0, 4096))->capture_default_str();
}

ThreadLimit::ThreadLimit(int threads) {
  if (threads > 0) {
    control_ = std::make_unique<oneapi::tbb::global_control>(
        oneapi::tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  }
}

}  // namespace patchnas::cli
