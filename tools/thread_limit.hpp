// The --threads option of the commands that compute (search, train, run) and the limit it puts
// on oneTBB's worker threads for the command's lifetime.
//   cli::add_threads_option(cmd, args->threads, "Worker threads per process (0: all cores)");
//   const cli::ThreadLimit limit(args.threads);   // in the command's callback
#pragma once

#include <memory>

#include <CLI/CLI.hpp>
#include <oneapi/tbb/global_control.h>

namespace patchnas::cli {

// --threads N (0 to 4096; 0, the default, means all cores).
void add_threads_option(CLI::App* cmd, int& threads, const std::string& help);

// oneTBB runs at most `threads` workers while this lives (no limit when 0).
class ThreadLimit {
 public:
  explicit ThreadLimit(int threads);

 private:
  std::unique_ptr<oneapi::tbb::global_control> control_;
};

}  // namespace patchnas::cli
