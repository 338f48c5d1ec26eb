// patchnas: the command line. One subcommand per job; see `patchnas --help`.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>

#include "space/input_error.hpp"
#include "tools/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "patchnas: joint search of tiny CNNs and patch-based schedules for microcontrollers"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "patchnas 0.1.0");
  patchnas::cli::add_estimate_command(app);
  patchnas::cli::add_space_command(app);
  patchnas::cli::add_calibrate_command(app);
  patchnas::cli::add_search_command(app);
  patchnas::cli::add_train_command(app);
  patchnas::cli::add_export_command(app);
  patchnas::cli::add_run_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const patchnas::InputError& e) {
    std::fprintf(stderr, "patchnas: error: %s\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "patchnas: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
