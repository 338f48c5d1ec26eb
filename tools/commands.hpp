// The patchnas subcommands. Each add_*_command registers one subcommand (options, help and
// callback) on the app; callbacks throw InputError for bad input and main() turns any error
// into one line on stderr and a non-zero exit.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace patchnas::cli {

void add_estimate_command(CLI::App& app);
void add_space_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_search_command(CLI::App& app);
void add_export_command(CLI::App& app);
void add_run_command(CLI::App& app);

// " on N MPI ranks" in a job of several ranks, else "".
std::string ranks_note();

}  // namespace patchnas::cli
