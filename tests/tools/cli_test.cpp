// The patchnas executable end to end: exit codes, one error line naming file and field, the
// --json keys, and that nothing is written on error.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "estimators/calibrate.hpp"
#include "support/chromium.hpp"
#include "support/run_cli.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

using namespace patchnas;

using Outcome = patchnas::testing::CliOutcome;

Outcome run(const std::string& args) { return patchnas::testing::run_cli(args); }

std::string arch(const std::string& name) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/configs/archs/" + name + ".json";
}

// A path in the temporary directory unique to this process (test runs may overlap).
std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / (name + "_" + std::to_string(::getpid()));
}

std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = temp_path(name);
  std::ofstream(path) << text;
  return path.string();
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

int lines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

TEST(Cli, HelpListsSubcommands) {
  const Outcome r = run("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"estimate", "space", "calibrate"}) {
    EXPECT_NE(r.out.find(cmd), std::string::npos) << cmd;
  }
}

TEST(Cli, EstimateJsonHasTheDocumentedKeys) {
  const Outcome r = run("estimate --arch " + arch("mbv2-w1.0-r224-p4s4") + " --mcu stm32h743 --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  for (const char* key : {"macs", "params", "flash_bytes", "per_layer_peak_activation_bytes",
                          "peak_activation_bytes", "arena_bytes", "peak_sram_bytes", "latency_ms",
                          "fits", "patch"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["macs"], 300774272);
  EXPECT_EQ(j["peak_activation_bytes"], 175616);
  EXPECT_EQ(j["per_layer_peak_activation_bytes"], 1404928);
  EXPECT_EQ(j["patch"]["input_patch"], nlohmann::json::array({75, 75}));
  EXPECT_EQ(j["patch"]["stage_macs"], 91282688);
  EXPECT_EQ(j["patch"]["stage_macs_with_overlap"], 119202032);
  EXPECT_EQ(j["patch"]["n"], 4);
  EXPECT_EQ(j["patch"]["split"], 4);
  EXPECT_TRUE(j["fits"].is_boolean());
  EXPECT_GT(j["latency_ms"].get<double>(), 0.0);
}

TEST(Cli, EstimateTableShowsEveryLayer) {
  const Outcome r = run("estimate --arch " + arch("fmnist-ref") + " --mcu stm32f412");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("b5.project"), std::string::npos);
  EXPECT_NE(r.out.find("1,851,496"), std::string::npos);  // total MACs
  EXPECT_NE(r.out.find("latency"), std::string::npos);
  // The kernel variant of each layer: residual projections and in-place depthwise layers.
  int in_place = 0;
  std::istringstream table(r.out);
  for (std::string line; std::getline(table, line);) {
    if (line.find(" in place") == std::string::npos) continue;
    EXPECT_NE(line.find("depthwise"), std::string::npos) << line;
    ++in_place;
  }
  EXPECT_GT(in_place, 0) << r.out;
  EXPECT_NE(r.out.find("b0.project +res"), std::string::npos);
}

TEST(Cli, BadArchIsOneLineNamingFileAndField) {
  std::ifstream in(arch("fmnist-ref"));
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("\"kernel\": 5"), 11, "\"kernel\": 4");
  const std::string file = write_temp("patchnas_cli_bad_arch.json", text);
  const Outcome r = run("estimate --arch " + file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(file + ": blocks[2].kernel: must be odd"), std::string::npos) << r.err;
}

TEST(Cli, MalformedJsonAndMissingFile) {
  const std::string file = write_temp("patchnas_cli_malformed.json", "{\"format\": ");
  Outcome r = run("estimate --arch " + file);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("malformed JSON"), std::string::npos);
  r = run("estimate --arch /nonexistent/arch.json");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/arch.json: cannot open"), std::string::npos) << r.err;
}

TEST(Cli, UnknownMcuListsTheKnownOnes) {
  const Outcome r = run("estimate --arch " + arch("fmnist-ref") + " --mcu esp32");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("stm32h743"), std::string::npos) << r.err;
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run("estimate").exit_code, 2);
  EXPECT_EQ(run("frobnicate").exit_code, 2);
}

TEST(Cli, SpaceSamplePrintsAValidArch) {
  const std::string space = std::string(PATCHNAS_SOURCE_DIR) + "/configs/spaces/mcunetv2.json";
  const Outcome a = run("space sample --space " + space + " --seed 5");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const std::string file = write_temp("patchnas_cli_sampled.json", a.out);
  const Outcome e = run("estimate --arch " + file + " --json");
  EXPECT_EQ(e.exit_code, 0) << e.err;
  EXPECT_EQ(run("space sample --space " + space + " --seed 5").out, a.out);  // deterministic
  EXPECT_NE(run("space sample --space " + space + " --seed 6").out, a.out);
}

TEST(Cli, CalibrateWritesAProfileOnlyWhenTheDataIsGood) {
  // Pointwise rows generated with 3 cycles/MAC + 100 cycles/call: the fit must find them.
  std::string csv = "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles\n";
  for (int c : {8, 16, 24, 32, 48}) {
    for (int hw : {4, 7, 10}) {
      const long long macs = 1LL * hw * hw * c * (2 * c);
      csv += "pointwise," + std::to_string(hw) + "," + std::to_string(hw) + "," +
             std::to_string(c) + "," + std::to_string(hw) + "," + std::to_string(hw) + "," +
             std::to_string(2 * c) + ",1,1," + std::to_string(3 * macs + 100) + "\n";
    }
  }
  const std::string data = write_temp("patchnas_cli_measure.csv", csv);
  const auto out = temp_path("patchnas_cli_calibrated.json");
  std::filesystem::remove(out);
  Outcome r = run("calibrate --mcu stm32f746 --measurements " + data + " --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(out));
  const auto profile = nlohmann::json::parse(std::ifstream(out));
  EXPECT_NEAR(profile["ops"]["pointwise"]["cycles_per_mac"].get<double>(), 3.0, 1e-6);
  EXPECT_NEAR(profile["ops"]["pointwise"]["cycles_per_call"].get<double>(), 100.0, 1e-3);
  std::filesystem::remove(out);

  const std::string bad = write_temp("patchnas_cli_measure_bad.csv", csv + "pointwise,4,4\n");
  r = run("calibrate --mcu stm32f746 --measurements " + bad + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(bad), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// calibrate --qemu measures the grid in QEMU (about 15 s) and writes a profile whose every
// op was fitted; a core that is not the profile's, or both sources at once, is a usage error
// that writes nothing.
TEST(Cli, CalibrateUnderQemu) {
  const auto out = temp_path("patchnas_cli_qemu.json");
  const auto rows = temp_path("patchnas_cli_qemu.csv");
  std::filesystem::remove(out);
  Outcome r = run("calibrate --mcu stm32f412 --qemu cortex-m7 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stm32f412 has core cortex-m4"), std::string::npos) << r.err;
  r = run("calibrate --mcu stm32f412 --qemu cortex-m4 --measurements x.csv --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("excludes"), std::string::npos) << r.err;
  r = run("calibrate --mcu stm32f412 --out " + out.string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--measurements or --qemu"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));

  r = run("calibrate --mcu stm32f412 --qemu cortex-m4 --name f412-qemu --out " + out.string() +
          " --save-measurements " + rows.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const McuProfile profile = read_mcu_profile(out.string());
  EXPECT_EQ(profile.name, "f412-qemu");
  EXPECT_NE(profile.source.find("QEMU cortex-m4"), std::string::npos) << profile.source;
  for (const CostKind kind : kAllCostKinds) {
    EXPECT_NE(r.out.find(std::string(cost_kind_name(kind)) + " "), std::string::npos) << r.out;
  }
  EXPECT_EQ(r.out.find("no rows"), std::string::npos) << r.out;  // the grid has every kernel
  // The saved rows read back, and refitting them gives the same profile.
  const MeasurementSet saved = read_measurements(rows.string(), profile.clock_hz);
  EXPECT_GT(saved.rows.size(), 150u);
  McuProfile refit = calibrate(find_mcu_profile("stm32f412"), saved).profile;
  refit.name = profile.name;
  for (const CostKind kind : kAllCostKinds) {
    for (int t = 0; t < kTermCount; ++t) {
      EXPECT_NEAR(coefficient(refit.coefficients(kind), static_cast<Term>(t)),
                  coefficient(profile.coefficients(kind), static_cast<Term>(t)),
                  1e-6 * (1.0 + coefficient(profile.coefficients(kind), static_cast<Term>(t))))
          << cost_kind_name(kind) << " " << term_name(static_cast<Term>(t));
    }
  }
  std::filesystem::remove(out);
  std::filesystem::remove(rows);
}

TEST(Cli, TrainQuickRunWritesOutputsAndResumes) {
  const auto out = temp_path("patchnas_cli_train");
  std::filesystem::remove_all(out);
  const std::string args = "train --arch " + arch("fmnist-ref") + " --out " + out.string() +
                           " --epochs 2 --qat-epochs 1 --batch 64 --validation 128 "
                           "--limit-train 2000 --limit-test 256 --metrics csv";
  const Outcome first = run(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("epoch 2/3"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("qat epoch 3/3"), std::string::npos) << first.out;
  for (const char* file : {"checkpoint.bin", "metrics.csv", "summary.json"}) {
    EXPECT_TRUE(std::filesystem::exists(out / file)) << file;
  }
  std::ifstream metrics(out / "metrics.csv");
  const std::string csv((std::istreambuf_iterator<char>(metrics)), {});
  EXPECT_EQ(lines(csv), 4);  // header + 3 epochs
  const auto summary = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  const double int8 = summary["int8_test_accuracy"].get<double>();
  EXPECT_GT(int8, 0.5);  // 10 classes, 2000 samples, 3 epochs: far above chance
  EXPECT_GT(summary["float_test_accuracy"].get<double>(), 0.5);

  // Without --resume the finished run is not overwritten.
  const Outcome refused = run(args);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(lines(refused.err), 1) << refused.err;
  EXPECT_NE(refused.err.find("pass --resume"), std::string::npos) << refused.err;
  // Resuming a finished run trains nothing and reproduces the same summary.
  const Outcome again = run(args + " --resume");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("resumed"), std::string::npos);
  EXPECT_EQ(again.out.find("epoch 1/3"), std::string::npos);
  const auto summary2 = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  EXPECT_EQ(summary2["int8_test_accuracy"], summary["int8_test_accuracy"]);
  std::filesystem::remove_all(out);
}

TEST(Cli, ExportWritesTheTreeForTheTarget) {
  const auto run_dir = temp_path("patchnas_cli_export_run");
  std::filesystem::remove_all(run_dir);
  ASSERT_EQ(run("train --arch " + arch("fmnist-ref") + " --out " + run_dir.string() +
                " --epochs 1 --batch 64 --validation 64 --limit-train 640 --limit-test 64")
                .exit_code,
            0);
  const std::string checkpoint = (run_dir / "checkpoint.bin").string();
  const auto host = temp_path("patchnas_cli_export_host");
  const auto m7 = temp_path("patchnas_cli_export_m7");
  Outcome r = run("export --checkpoint " + checkpoint + " --out " + host.string() +
                  " --target host --images 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* file : {"model.h", "model.c", "test_images.c", "CMakeLists.txt",
                           "runtime/include/pn_model.h", "host/main.c"}) {
    EXPECT_TRUE(std::filesystem::exists(host / file)) << file;
  }
  EXPECT_FALSE(std::filesystem::exists(host / "firmware"));
  EXPECT_NE(read_text(host / "model.h").find("#define MODEL_ARENA_BYTES"), std::string::npos);
  r = run("export --checkpoint " + checkpoint + " --out " + m7.string() + " --target cortex-m7");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(read_text(m7 / "firmware" / "Makefile").find("CPU ?= m7"), std::string::npos);

  // Not a checkpoint: one line naming the file; no output directory.
  const std::string bogus = write_temp("patchnas_cli_bogus.bin", "garbage");
  const auto nowhere = temp_path("patchnas_cli_export_nowhere");
  r = run("export --checkpoint " + bogus + " --out " + nowhere.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find(bogus), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(nowhere));
  EXPECT_EQ(run("export --checkpoint " + checkpoint + " --out " + nowhere.string() +
                " --target esp32")
                .exit_code,
            2);
  for (const auto& dir : {run_dir, host, m7}) std::filesystem::remove_all(dir);
}

TEST(Cli, TrainRejectsBadDataFilesWithOneLine) {
  const auto dir = temp_path("patchnas_cli_bad_data");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Not gzip at all.
  std::ofstream(dir / "train-images-idx3-ubyte.gz") << "garbage";
  const auto out = temp_path("patchnas_cli_train_bad");
  std::filesystem::remove_all(out);
  const Outcome r = run("train --arch " + arch("fmnist-ref") + " --data-dir " + dir.string() +
                        " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find((dir / "train-images-idx3-ubyte.gz").string()), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "summary.json"));
  std::filesystem::remove_all(dir);
}

TEST(Cli, TrainRejectsAnArchThatDoesNotMatchTheData) {
  const auto out = temp_path("patchnas_cli_train_mismatch");
  const Outcome r = run("train --arch " + arch("mbv2-w0.35-r144") + " --out " + out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("input.channels"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "checkpoint.bin"));
}

std::string experiment(const std::string& name) {
  return std::string(PATCHNAS_SOURCE_DIR) + "/configs/experiments/" + name + ".json";
}


// search.jsonl without the wall-clock field, the one part of a search that may differ.
std::string log_without_timings(const std::filesystem::path& path) {
  std::string out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line);
    j.erase("seconds");
    out += j.dump() + "\n";
  }
  return out;
}

TEST(Cli, SearchKilledWithSigkillResumesToTheSameResult) {
  const std::string args = "search --config " + experiment("mcunetv2-f746") +
                           " --set algorithm.generations=1500 --out ";
  const auto straight = temp_path("patchnas_cli_search_straight");
  const auto killed = temp_path("patchnas_cli_search_killed");
  std::filesystem::remove_all(straight);
  std::filesystem::remove_all(killed);
  ASSERT_EQ(run(args + straight.string()).exit_code, 0);

  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::string command = std::string(PATCHNAS_BINARY) + " " + args + killed.string() +
                                " >/dev/null 2>&1";
    ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Kill it once a few hundred generations are checkpointed, long before the end.
  int lines_seen = 0;
  for (int wait = 0; wait < 4000 && lines_seen < 300; ++wait) {
    ::usleep(5000);
    lines_seen = lines(read_text(killed / "search.jsonl"));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the search ended before it could be killed";
  EXPECT_FALSE(std::filesystem::exists(killed / "best.json"));

  // Without --resume the directory is refused; with it the search finishes identically.
  const Outcome refused = run(args + killed.string());
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_EQ(lines(refused.err), 1) << refused.err;
  const Outcome resumed = run(args + killed.string() + " --resume");
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find("resumed"), std::string::npos);
  EXPECT_EQ(read_text(killed / "best.json"), read_text(straight / "best.json"));
  EXPECT_EQ(read_text(killed / "pareto.json"), read_text(straight / "pareto.json"));
  EXPECT_EQ(log_without_timings(killed / "search.jsonl"),
            log_without_timings(straight / "search.jsonl"));
  EXPECT_EQ(lines(read_text(killed / "search.jsonl")), 1500);
  std::vector<std::string> a, b;
  for (const auto& e : std::filesystem::directory_iterator(straight / "survivors")) {
    a.push_back(e.path().filename().string() + read_text(e.path()));
  }
  for (const auto& e : std::filesystem::directory_iterator(killed / "survivors")) {
    b.push_back(e.path().filename().string() + read_text(e.path()));
  }
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.size(), 10u);
  std::filesystem::remove_all(straight);
  std::filesystem::remove_all(killed);
}

TEST(Cli, ThreadCountsOutOfRangeAreRefused) {
  const std::string config = experiment("fmnist-f412");
  for (const std::string& command : {"search --config " + config + " --out /nonexistent/x",
                                     "run --config " + config + " --out /nonexistent/x",
                                     "train --arch " + arch("fmnist-ref") + " --out /nonexistent/x"}) {
    for (const char* threads : {"-1", "4097", "two"}) {
      const Outcome r = run(command + " --threads " + threads);
      EXPECT_EQ(r.exit_code, 2) << command << " --threads " << threads;
      EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
    }
  }
}

TEST(Cli, SearchWithInfeasibleBudgetsStopsWithOneMessage) {
  const auto out = temp_path("patchnas_cli_search_infeasible");
  std::filesystem::remove_all(out);
  const Outcome r = run("search --config " + experiment("fmnist-f412") +
                        " --set budgets.sram_bytes=64 --set algorithm.generations=20 --out " +
                        out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("budgets: no arch of the space fits"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("smallest peak SRAM found"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out / "best.json"));
  std::filesystem::remove_all(out);
}

TEST(Cli, SearchConfigErrorsNameTheField) {
  const auto out = temp_path("patchnas_cli_search_bad");
  const Outcome r = run("search --config " + experiment("fmnist-f412") +
                        " --set algorithm.populaton=5 --out " + out.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("algorithm.populaton: unknown field"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

// patchnas run --quick: every stage runs and records that it is done; the exported model is
// bit-exact on the host and checked under QEMU; the int8 model learned something; a second
// run refuses the directory without --resume and with it skips every stage; a bad training
// key names the file and field; a stage that fails names itself and keeps the earlier stages.
TEST(Cli, RunQuickFromConfigToVerifiedFirmware) {
  const auto out = temp_path("patchnas_cli_run");
  std::filesystem::remove_all(out);
  const std::string base = "run --config " + experiment("fmnist-f412") + " --quick --out " + out.string();
  Outcome r = run(base);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const char* stage : {"search", "survivors", "final", "export", "verify", "report"}) {
    EXPECT_TRUE(std::filesystem::exists(out / stage / "done.json")) << stage;
  }
  const auto summary = nlohmann::json::parse(std::ifstream(out / "summary.json"));
  const auto& verify = summary["verify"];
  EXPECT_TRUE(verify["passed"].get<bool>()) << verify.dump();
  EXPECT_EQ(verify["logit_mismatches"].get<int>(), 0);
  EXPECT_EQ(verify["images"].get<int>(), 1000);
  EXPECT_EQ(verify["runtime_int8_accuracy"].get<double>(),
            verify["reference_int8_accuracy"].get<double>());
  EXPECT_TRUE(verify["qemu_ran"].get<bool>()) << verify.dump();
  EXPECT_EQ(verify["arena_high_water_bytes"], summary["export"]["arena_bytes"]);
  EXPECT_GT(verify["instructions"].get<long long>(), 0);
  EXPECT_GT(summary["final"]["int8_test_accuracy"].get<double>(), 0.3);  // chance is 0.1
  EXPECT_TRUE(std::filesystem::exists(out / "export" / "model" / "model.c"));
  EXPECT_EQ(summary["survivors"]["runs"].size(), 2u);
  // The final training warm-started from the winner's survivor run.
  const std::string warm = summary["survivors"]["winner_checkpoint"].get<std::string>();
  EXPECT_TRUE(std::filesystem::is_regular_file(out / "survivors" / warm)) << warm;
  EXPECT_NE(r.out.find("warm start from the survivors' " + warm), std::string::npos) << r.out;
  EXPECT_GT(verify["model_flash_bytes"].get<long long>(), summary["export"]["flash_bytes"].get<long long>() / 2);
  // The report: every chart drawn, the chosen model marked, and it renders in headless
  // Chromium without a console message; the screenshot is kept next to the test's binary.
  const std::string html = read_text(out / "report.html");
  EXPECT_EQ(html.find("no data"), std::string::npos);
  EXPECT_NE(html.find("chosen"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  const auto chromium = patchnas::testing::find_chromium();
  ASSERT_FALSE(chromium.empty()) << "chromium is not installed: run tools/setup.sh";
  const auto png = std::filesystem::current_path() / "run_report.png";
  const auto render = patchnas::testing::run_chromium(chromium, out / "report.html",
                                                      "--screenshot=" + png.string());
  EXPECT_EQ(render.exit_status, 0) << render.log;
  EXPECT_TRUE(patchnas::testing::console_messages(render.log).empty()) << render.log;
  EXPECT_TRUE(patchnas::testing::is_png(png));
  std::printf("report screenshot: %s\n", png.string().c_str());

  Outcome again = run(base);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  const auto before = std::filesystem::last_write_time(out / "final" / "checkpoint.bin");
  again = run(base + " --resume");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.out.find("stage "), std::string::npos) << again.out;  // nothing re-ran
  EXPECT_EQ(std::filesystem::last_write_time(out / "final" / "checkpoint.bin"), before);
  EXPECT_EQ(nlohmann::json::parse(std::ifstream(out / "summary.json")), summary);

  r = run(base + " --set training.lr=-1");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("training.lr"), std::string::npos) << r.err;

  // A data directory without the data set passes the config check and fails its stage.
  const auto failing = temp_path("patchnas_cli_run_fail");
  const auto no_data = temp_path("patchnas_cli_run_no_data");
  std::filesystem::remove_all(failing);
  std::filesystem::create_directories(no_data);
  r = run("run --config " + experiment("fmnist-f412") + " --quick --out " + failing.string() +
          " --set training.data_dir=" + no_data.string());
  std::filesystem::remove_all(no_data);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("stage survivors: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("train-images-idx3-ubyte.gz"), std::string::npos) << r.err;
  EXPECT_TRUE(std::filesystem::exists(failing / "search" / "done.json"));
  EXPECT_FALSE(std::filesystem::exists(failing / "survivors" / "done.json"));
  std::filesystem::remove_all(failing);
  std::filesystem::remove_all(out);
}

}  // namespace
