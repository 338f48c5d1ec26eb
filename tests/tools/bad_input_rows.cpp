#include "tools/bad_input_rows.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "support/run_cli.hpp"
#include "tools/bad_input_files.hpp"

namespace patchnas::testing {
namespace {

using nlohmann::json;
using Edit = std::function<void(json&)>;

// ---- how each parser is reached from the command line -----------------------------------

// Where a row's broken bytes go and the command that reads them.
struct Target {
  std::string parser;
  // Writes `bytes` as the parser's input under `dir`; returns the case without expectations.
  std::function<Case(const fs::path& dir, const std::string& bytes)> place;
};

std::string shell_path(const fs::path& path) { return std::string("'") + path.string() + "'"; }

Target arch_target(const fs::path& /*shared*/) {
  return {"arch", [](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "a.json", bytes);
            return Case{std::string("estimate --json --arch ") + shell_path(dir / "a.json"),
                        (dir / "a.json").string(),
                        "",
                        "",
                        {}};
          }};
}

// The arch file read by `train`, which allocates from it (resource limits).
Target arch_train_target(const fs::path& shared) {
  return {"arch", [shared](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "a.json", bytes);
            return Case{std::string("train --epochs 1 --validation 10 --batch 16 --data-dir ") +
                            shell_path(shared / "fm") + " --arch " + shell_path(dir / "a.json") +
                            " --out " + shell_path(dir / "out"),
                        (dir / "a.json").string(),
                        "",
                        "",
                        {dir / "out"}};
          }};
}

json experiment(const fs::path& shared) {
  return {{"format", "patchnas.experiment/1"},
          {"space", source_path("configs/spaces/fashion-mnist.json")},
          {"mcu", "stm32f412"},
          {"algorithm", {{"population", 4}, {"generations", 1}, {"tournament", 2}}},
          {"survivors", 1},
          {"training",
           {{"data_dir", (shared / "fm").string()},
            {"validation", 10},
            {"survivor_epochs", 1},
            {"final_epochs", 1},
            {"batch_size", 16}}}};
}

Target space_target(const fs::path& shared) {
  return {"space", [shared](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "s.json", bytes);
            json e = experiment(shared);
            e["space"] = (dir / "s.json").string();
            write_file(dir / "e.json", e.dump());
            return Case{std::string("search --config ") + shell_path(dir / "e.json") + " --out " +
                            shell_path(dir / "out"),
                        (dir / "s.json").string(),
                        "",
                        "",
                        {dir / "out"}};
          }};
}

Target experiment_target(const std::string& command, const std::string& overrides = "") {
  return {command == "search" ? "experiment (search)" : "experiment (run)",
          [command, overrides](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "e.json", bytes);
            return Case{command + " --config " + shell_path(dir / "e.json") + " --out " +
                            shell_path(dir / "out") + overrides,
                        (dir / "e.json").string(),
                        "",
                        "",
                        {dir / "out"}};
          }};
}

Target mcu_target(const fs::path& shared) {
  return {"mcu profile", [shared](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "m.json", bytes);
            return Case{std::string("calibrate --mcu ") + shell_path(dir / "m.json") +
                            " --measurements " + shell_path(shared / "layers.csv") + " --out " +
                            shell_path(dir / "out.json"),
                        (dir / "m.json").string(),
                        "",
                        "",
                        {dir / "out.json"}};
          }};
}

Target csv_target() {
  return {"measurements csv", [](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "l.csv", bytes);
            return Case{std::string("calibrate --mcu stm32f412 --measurements ") +
                            shell_path(dir / "l.csv") + " --out " + shell_path(dir / "out.json"),
                        (dir / "l.csv").string(),
                        "",
                        "",
                        {dir / "out.json"}};
          }};
}

// A copy of the shared data directory `data` with file `name` replaced by `bytes` (or removed
// when `bytes` is kRemove), read by `train`.
const std::string kRemove = "\x01remove";

Target data_target(const fs::path& shared, const std::string& data, const std::string& name) {
  const bool cifar = data == "cifar10";
  return {cifar ? "cifar-10 batch" : "idx (fashion-mnist)",
          [shared, cifar, name](const fs::path& dir, const std::string& bytes) {
            const fs::path source = shared / (cifar ? "cifar" : "fm");
            fs::copy(source, dir / "data", fs::copy_options::recursive);
            if (bytes == kRemove) {
              fs::remove(dir / "data" / name);
            } else {
              write_file(dir / "data" / name, bytes);
            }
            const std::string arch = (shared / (cifar ? "tiny3.json" : "tiny1.json")).string();
            return Case{std::string("train --epochs 1 --validation 10 --batch 16 --data ") +
                            std::string(cifar ? "cifar10" : "fashion-mnist") + " --data-dir " +
                            shell_path(dir / "data") + " --arch " + shell_path(arch) + " --out " +
                            shell_path(dir / "out"),
                        (dir / "data" / name).string(),
                        "",
                        "",
                        {dir / "out"}};
          }};
}

Target checkpoint_export_target() {
  return {"checkpoint (export)", [](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "ck.bin", bytes);
            return Case{std::string("export --target host --checkpoint ") +
                            shell_path(dir / "ck.bin") + " --out " + shell_path(dir / "out"),
                        (dir / "ck.bin").string(),
                        "",
                        "",
                        {dir / "out"}};
          }};
}

// The options of the shared checkpoint's training; a resume must repeat them.
const std::string kTrainOptions =
    "--epochs 1 --validation 10 --batch 16 --calibration-batches 1 --threads 1";

// train --resume over a run directory whose checkpoint is broken: the directory must stay as
// it was.
Target checkpoint_resume_target(const fs::path& shared) {
  return {"checkpoint (train --resume)", [shared](const fs::path& dir, const std::string& bytes) {
            write_file(dir / "run" / "checkpoint.bin", bytes);
            return Case{std::string("train --resume ") + kTrainOptions + " --data-dir " +
                            shell_path(shared / "fm") + " --arch " +
                            shell_path(shared / "tiny1.json") + " --out " + shell_path(dir / "run"),
                        (dir / "run" / "checkpoint.bin").string(),
                        "",
                        "",
                        {dir / "run"}};
          }};
}

// search --resume over a finished search whose checkpoint.json is broken: the output
// directory must stay as it was.
Target search_checkpoint_target(const fs::path& shared) {
  return {"search checkpoint", [shared](const fs::path& dir, const std::string& bytes) {
            fs::copy(shared / "search", dir / "search", fs::copy_options::recursive);
            write_file(dir / "search" / "checkpoint.json", bytes);
            Case c{std::string("search --resume --config ") + shell_path(shared / "e.json") +
                       " --out " + shell_path(dir / "search"),
                   (dir / "search" / "checkpoint.json").string(),
                   "",
                   "",
                   {dir / "search"}};
            c.reports_start = true;
            return c;
          }};
}

// ---- rows ---------------------------------------------------------------------------------

struct Table {
  std::vector<Row> rows;

  // A row whose input is `bytes` placed by `target`, expecting `field` and `reason`.
  void add(const Target& target, const std::string& error_class, const std::string& name,
           std::function<std::string()> bytes, const std::string& field, const std::string& reason,
           const std::string& file_suffix = "", const std::string& other_file = "") {
    rows.push_back({target.parser, error_class, name,
                    [target, bytes, field, reason, file_suffix, other_file](const fs::path& dir) {
                      Case c = target.place(dir, bytes());
                      c.file += file_suffix;
                      if (!other_file.empty()) c.file = (dir / other_file).string();
                      c.field = field;
                      c.reason = reason;
                      return c;
                    }});
  }

  // A row whose input is the JSON document `base()` after `edit`.
  void edit(const Target& target, const std::string& error_class, const std::string& name,
            std::function<json()> base, Edit edit, const std::string& field,
            const std::string& reason) {
    add(
        target, error_class, name,
        [base, edit] {
          json j = base();
          edit(j);
          return j.dump(2);
        },
        field, reason);
  }

  // The classes every JSON file shares: empty, truncated, not JSON at all, another format.
  void json_file_rows(const Target& target, std::function<json()> base, const std::string& format) {
    add(
        target, "empty file", "empty", [] { return std::string(); }, "", "empty file");
    add(
        target, "empty file", "whitespace only", [] { return std::string(" \n\t\n"); }, "",
        "empty file");
    add(
        target, "truncated", "cut in the middle",
        [base] {
          const std::string text = base().dump(2);
          return text.substr(0, text.size() / 2);
        },
        "", "malformed JSON: parse error at line");
    add(
        target, "wrong magic", "binary garbage",
        [] {
          return std::string(
              "\x7f"
              "ELF\x02\x01\x01\0\0garbage",
              17);
        },
        "", "malformed JSON: parse error at line 1");
    edit(
        target, "wrong magic", "another format", base, [format](json& j) { j["format"] = format; },
        "format", "expected \"");
  }
};

// A number JSON cannot hold as a double: the text 1e999 in place of `key`'s value.
std::string with_infinity(const json& document, const std::string& placeholder) {
  std::string text = document.dump(2);
  const std::string quoted_placeholder = std::string("\"") + placeholder + "\"";
  text.replace(text.find(quoted_placeholder), quoted_placeholder.size(), "1e999");
  return text;
}

void arch_rows(Table& t, const fs::path& shared) {
  const Target arch = arch_target(shared);
  const auto base = [] { return tiny_arch(1); };
  t.edit(
      arch, "wrong type", "kernel is a string", base,
      [](json& j) { j["blocks"][0]["kernel"] = "3"; }, "blocks[0].kernel",
      "expected an integer, got string");
  t.edit(
      arch, "wrong type", "blocks is an object", base,
      [](json& j) { j["blocks"] = json::object(); }, "blocks", "expected an array, got object");
  t.edit(
      arch, "missing key", "no classes", base, [](json& j) { j.erase("classes"); }, "classes",
      "missing required field");
  t.edit(
      arch, "unknown key", "stem.padding", base, [](json& j) { j["stem"]["padding"] = 1; },
      "stem.padding", "unknown field");
  t.edit(
      arch, "out of range", "even kernel", base, [](json& j) { j["blocks"][0]["kernel"] = 4; },
      "blocks[0].kernel", "must be odd, got 4");
  t.edit(
      arch, "out of range", "stride 3", base, [](json& j) { j["stem"]["stride"] = 3; },
      "stem.stride", "must be 1 or 2, got 3");
  t.edit(
      arch, "out of range", "negative channels", base, [](json& j) { j["input"]["channels"] = -1; },
      "input.channels", "must be positive");
  t.edit(
      arch, "out of range", "kernel beyond int", base,
      [](json& j) { j["blocks"][0]["kernel"] = 1LL << 40; }, "blocks[0].kernel", "out of range");
  t.json_file_rows(arch, base, "patchnas.space/1");
  t.edit(
      arch, "huge size", "resolution 100000", base,
      [](json& j) { j["input"]["resolution"] = 100000; }, "input.resolution",
      "a tensor may hold at most");
  t.edit(
      arch, "huge size", "kernel 2^31-1", base, [](json& j) { j["stem"]["kernel"] = 2147483647; },
      "stem.kernel", "must be at most");
  t.edit(
      arch, "huge size", "expand 1e300", base, [](json& j) { j["blocks"][0]["expand"] = 1e300; },
      "blocks[0].expand", "channels; the limit is");
  t.edit(
      arch, "huge size", "1e9 classes", base, [](json& j) { j["classes"] = 1000000000; }, "classes",
      "classes; the limit is 65536");
  t.edit(
      arch, "huge size", "100000 blocks", base,
      [](json& j) {
        const json block = j["blocks"][0];
        j["blocks"] = json::array();
        for (int i = 0; i < 100000; ++i) j["blocks"].push_back(block);
      },
      "blocks", "at most");
  t.edit(
      arch_train_target(shared), "huge size", "train at resolution 2048", base,
      [](json& j) { j["input"]["resolution"] = 2048; }, "input.resolution",
      "for training (activations and gradients");
  t.add(
      arch, "nan/inf", "expand 1e999",
      [] {
        json j = tiny_arch(1);
        j["blocks"][0]["expand"] = "INF";
        return with_infinity(j, "INF");
      },
      "blocks[0].expand", "not a finite number");
}

json space_json() { return read_json(source_path("configs/spaces/fashion-mnist.json")); }

void space_rows(Table& t, const fs::path& shared) {
  const Target space = space_target(shared);
  t.edit(
      space, "wrong type", "kernels is a string", space_json, [](json& j) { j["kernels"] = "3"; },
      "kernels", "expected an array, got string");
  t.edit(
      space, "wrong type", "width is a string", space_json,
      [](json& j) { j["widths"][1] = "wide"; }, "widths[1]", "expected a number, got string");
  t.edit(
      space, "missing key", "no stages", space_json, [](json& j) { j.erase("stages"); }, "stages",
      "missing required field");
  t.edit(
      space, "unknown key", "stages[1].kernel", space_json,
      [](json& j) { j["stages"][1]["kernel"] = 3; }, "stages[1].kernel", "unknown field");
  t.edit(
      space, "out of range", "even kernel choice", space_json, [](json& j) { j["kernels"][1] = 4; },
      "kernels[1]", "must be odd, got 4");
  t.edit(
      space, "out of range", "expand below 1", space_json, [](json& j) { j["expands"][0] = 0.5; },
      "expands[0]", "must be at least 1");
  t.json_file_rows(space, space_json, "patchnas.arch/1");
  t.edit(
      space, "huge size", "resolution 100000", space_json,
      [](json& j) { j["input"]["resolutions"].push_back(100000); }, "input.resolutions[10]",
      "a tensor may hold at most");
  t.edit(
      space, "huge size", "width 10000", space_json, [](json& j) { j["widths"].push_back(10000); },
      "widths[3]", "channels; the limit is");
  t.edit(
      space, "huge size", "depth 1e6", space_json,
      [](json& j) { j["stages"][0]["depths"].push_back(1000000); }, "stages[0].depths[3]",
      "must be at most");
  t.add(
      space, "nan/inf", "width 1e999",
      [] {
        json j = space_json();
        j["widths"][2] = "INF";
        return with_infinity(j, "INF");
      },
      "widths[2]", "not a finite number");
}

void experiment_rows(Table& t, const fs::path& shared) {
  const Target search = experiment_target("search");
  const auto base = [shared] { return experiment(shared); };
  t.edit(
      search, "wrong type", "seed is a string", base, [](json& j) { j["seed"] = "x"; }, "seed",
      "expected an integer, got string");
  t.edit(
      search, "wrong type", "budgets is a number", base, [](json& j) { j["budgets"] = 5; },
      "budgets", "expected an object, got integer");
  t.edit(
      search, "missing key", "no space", base, [](json& j) { j.erase("space"); }, "space",
      "missing required field");
  t.edit(
      search, "unknown key", "algorithm.populaton", base,
      [](json& j) { j["algorithm"]["populaton"] = 10; }, "algorithm.populaton", "unknown field");
  t.edit(
      search, "out of range", "population 1", base,
      [](json& j) { j["algorithm"]["population"] = 1; }, "algorithm.population", "must be >= 2");
  t.edit(
      search, "out of range", "unknown schedule", base, [](json& j) { j["schedule"] = "fast"; },
      "schedule", "unknown value \"fast\"");
  t.edit(
      search, "out of range", "no such space file", base,
      [](json& j) { j["space"] = "/nonexistent/space.json"; }, "space", "cannot open");
  t.json_file_rows(search, base, "patchnas.arch/1");
  t.edit(
      search, "huge size", "population 2e9", base,
      [](json& j) { j["algorithm"]["population"] = 2000000000; }, "algorithm.population",
      "must be at most 1000000");
  t.edit(
      search, "huge size", "population x generations 1e10", base,
      [](json& j) {
        j["algorithm"]["population"] = 100000;
        j["algorithm"]["generations"] = 100000;
      },
      "algorithm.generations", "candidates to score; the limit is");
  t.edit(
      search, "huge size", "generations 2e9", base,
      [](json& j) { j["algorithm"]["generations"] = 2000000000; }, "algorithm.generations",
      "must be at most");
  t.add(
      search, "nan/inf", "latency 1e999",
      [base] {
        json j = base();
        j["budgets"] = {{"latency_ms", "INF"}};
        return with_infinity(j, "INF");
      },
      "budgets.latency_ms", "not a finite number");

  // --set edits the document before it is checked.
  const std::string file = experiment(shared).dump();
  const auto set_row = [&t, file](const std::string& error_class, const std::string& name,
                                  const std::string& overrides, const std::string& field,
                                  const std::string& reason) {
    t.add(
        experiment_target("search", std::string(" ") + overrides), error_class,
        std::string("--set ") + name, [file] { return file; }, field, reason);
  };
  set_row("wrong type", "population=x", "--set algorithm.population=x", "algorithm.population",
          "expected an integer, got string");
  set_row("wrong type", "survivors.x=1 (survivors is no object)", "--set survivors.x=1", "--set",
          "\"survivors\" is integer, not an object");
  set_row("missing key", "no '='", "--set population", "--set", "expected key.path=value");
  set_row("unknown key", "algorithm.speed=1", "--set algorithm.speed=1", "algorithm.speed",
          "unknown field");
  set_row("out of range", "mutation_probability=2", "--set algorithm.mutation_probability=2",
          "algorithm.mutation_probability", "must be in [0, 1]");
  set_row("huge size", "population=1e12", "--set algorithm.population=1000000000000",
          "algorithm.population", "must be at most");
  set_row("nan/inf", "latency_ms=1e999", "--set budgets.latency_ms=1e999", "budgets.latency_ms",
          "not a finite number");
}

void run_rows(Table& t, const fs::path& shared) {
  const Target run = experiment_target("run");
  const auto base = [shared] { return experiment(shared); };
  t.edit(
      run, "wrong type", "training.lr is a string", base,
      [](json& j) { j["training"]["lr"] = "fast"; }, "training.lr",
      "expected a number, got string");
  t.edit(
      run, "wrong type", "training is an array", base,
      [](json& j) { j["training"] = json::array(); }, "training", "expected an object, got array");
  t.edit(
      run, "missing key", "no mcu", base, [](json& j) { j.erase("mcu"); }, "mcu",
      "missing required field");
  t.edit(
      run, "unknown key", "training.epochs", base, [](json& j) { j["training"]["epochs"] = 3; },
      "training.epochs", "unknown field");
  t.edit(
      run, "out of range", "training.lr 0", base, [](json& j) { j["training"]["lr"] = 0; },
      "training.lr", "must be in (0");
  t.edit(
      run, "out of range", "training.data mnist", base,
      [](json& j) { j["training"]["data"] = "mnist"; }, "training.data",
      "unknown data set \"mnist\"");
  t.edit(
      run, "out of range", "cifar10 without data_dir", base,
      [](json& j) {
        j["training"]["data"] = "cifar10";
        j["training"].erase("data_dir");
      },
      "training.data_dir", "cifar10 needs a data directory");
  t.edit(
      run, "out of range", "data_dir is no directory", base,
      [](json& j) { j["training"]["data_dir"] = "/nonexistent/data"; }, "training.data_dir",
      "not a directory");
  t.json_file_rows(run, base, "patchnas.space/1");
  t.edit(
      run, "huge size", "batch_size 1e9", base,
      [](json& j) { j["training"]["batch_size"] = 1000000000; }, "training.batch_size",
      "for training (activations and gradients");
  t.add(
      run, "nan/inf", "training.momentum 1e999",
      [base] {
        json j = base();
        j["training"]["momentum"] = "INF";
        return with_infinity(j, "INF");
      },
      "training.momentum", "not a finite number");
  const std::string file = experiment(shared).dump();
  t.add(
      experiment_target("run", " --set training.lr=-1"), "out of range", "--set training.lr=-1",
      [file] { return file; }, "training.lr", "must be in (0");
  t.add(
      experiment_target("run", " --set training.batch_size=x"), "wrong type",
      "--set training.batch_size=x", [file] { return file; }, "training.batch_size",
      "expected an integer, got string");
}

json mcu_json() { return read_json(source_path("configs/mcus/stm32f412.json")); }

void mcu_rows(Table& t, const fs::path& shared) {
  const Target mcu = mcu_target(shared);
  t.edit(
      mcu, "wrong type", "clock_hz is a string", mcu_json, [](json& j) { j["clock_hz"] = "fast"; },
      "clock_hz", "expected a number, got string");
  t.edit(
      mcu, "missing key", "no source", mcu_json, [](json& j) { j.erase("source"); }, "source",
      "missing required field");
  t.edit(
      mcu, "missing key", "no conv coefficients", mcu_json, [](json& j) { j["ops"].erase("conv"); },
      "ops.conv", "missing required field");
  t.edit(
      mcu, "unknown key", "ops.conv.cycles_per_flop", mcu_json,
      [](json& j) { j["ops"]["conv"]["cycles_per_flop"] = 1; }, "ops.conv.cycles_per_flop",
      "unknown field");
  t.edit(
      mcu, "out of range", "sram_bytes 0", mcu_json, [](json& j) { j["sram_bytes"] = 0; },
      "sram_bytes", "must be > 0");
  t.edit(
      mcu, "out of range", "negative cycles_per_mac", mcu_json,
      [](json& j) { j["ops"]["fc"]["cycles_per_mac"] = -1; }, "ops.fc.cycles_per_mac",
      "must be >= 0");
  t.json_file_rows(mcu, mcu_json, "patchnas.arch/1");
  t.add(
      mcu, "nan/inf", "clock_hz 1e999",
      [] {
        json j = mcu_json();
        j["clock_hz"] = "INF";
        return with_infinity(j, "INF");
      },
      "clock_hz", "not a finite number");
}

const std::string kCsvHeader = "op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,stride,cycles\n";

std::string good_csv() {
  return kCsvHeader +
         "conv,32,32,3,16,16,16,3,2,1200000\n"
         "depthwise,16,16,16,16,16,16,3,1,350000\n"
         "pointwise,16,16,16,16,16,32,1,1,400000\n"
         "pool,4,4,64,1,1,64,1,1,9000\n"
         "fc,1,1,64,1,1,10,1,1,2500\n";
}

void csv_rows(Table& t) {
  const Target csv = csv_target();
  const auto text = [](const std::string& s) { return [s] { return s; }; };
  t.add(csv, "wrong type", "in_h is a word", text(kCsvHeader + "conv,abc,32,3,16,16,16,3,2,100\n"),
        "line 2, column in_h", "expected an integer, got \"abc\"");
  t.add(csv, "missing key", "no stride column",
        text("op,in_h,in_w,in_c,out_h,out_w,out_c,kernel,cycles\n"), "line 1",
        "missing column \"stride\"");
  t.add(csv, "unknown key", "a flops column", text("op,flops\n"), "line 1",
        "unknown column \"flops\"");
  t.add(csv, "out of range", "in_h 0", text(kCsvHeader + "conv,0,32,3,16,16,16,3,2,100\n"),
        "line 2, column in_h", "must be > 0");
  t.add(csv, "out of range", "unknown op", text(kCsvHeader + "gemm,1,1,3,1,1,16,1,1,100\n"),
        "line 2, column op", "unknown op \"gemm\"");
  t.add(csv, "empty file", "empty", text(""), "", "empty file");
  t.add(
      csv, "truncated", "last row cut",
      [] {
        const std::string s = good_csv();
        return s.substr(0, s.size() - 12);
      },
      "line 6", "expected 10 columns");
  t.add(csv, "wrong magic", "binary garbage",
        text(std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16)), "line 1", "unknown column");
  t.add(csv, "huge size", "2^31-1 rows and columns",
        text(kCsvHeader + "conv,2147483647,2147483647,3,2147483647,2147483647,16,3,1,100\n"),
        "line 2, column in_h", "must be at most");
  t.add(csv, "nan/inf", "cycles nan", text(kCsvHeader + "conv,32,32,3,16,16,16,3,2,nan\n"),
        "line 2, column cycles", "expected a number, got \"nan\"");
  t.add(csv, "nan/inf", "cycles inf", text(kCsvHeader + "conv,32,32,3,16,16,16,3,2,inf\n"),
        "line 2, column cycles", "expected a number, got \"inf\"");
}

void idx_rows(Table& t, const fs::path& shared) {
  const std::string images = fashion_file("train", "images");
  const std::string labels = fashion_file("train", "labels");
  const Target train_images = data_target(shared, "fashion-mnist", images);
  const Target train_labels = data_target(shared, "fashion-mnist", labels);
  const Target test_labels = data_target(shared, "fashion-mnist", fashion_file("t10k", "labels"));
  const auto gz = [](std::function<std::string()> raw) { return [raw] { return gzip(raw()); }; };
  t.add(train_images, "wrong type", "float images (type code 0x0d)", gz([] {
          std::string b = idx_images(kTinyTrain, 28, 28, kTinyTrain * 28 * 28);
          b[2] = 0x0d;
          return b;
        }),
        "header", "wrong magic for IDX images");
  t.add(
      train_labels, "missing key", "labels file missing", [] { return kRemove; }, "",
      "cannot open");
  t.add(test_labels, "out of range", "label 12", gz([] {
          std::string b = idx_labels(kTinyTest, kTinyTest);
          b[8 + 3] = 12;
          return b;
        }),
        "labels[3]", "label 12 is not a class");
  t.add(train_images, "out of range", "0x28 images",
        gz([] { return idx_images(kTinyTrain, 0, 28, 0); }), "header", "is not in 1..65535");
  t.add(train_labels, "out of range", "fewer labels than images",
        gz([] { return idx_labels(kTinyTrain - 1, kTinyTrain - 1); }), "", "holds 39 labels but");
  t.add(
      train_images, "empty file", "zero bytes", [] { return std::string(); }, "",
      "not a gzip file");
  t.add(train_images, "empty file", "gzip of nothing", gz([] { return std::string(); }), "header",
        "truncated: 0 bytes");
  t.add(train_images, "truncated", "half the images",
        gz([] { return idx_images(kTinyTrain, 28, 28, kTinyTrain * 28 * 28 / 2); }), "data",
        "truncated: the header promises");
  t.add(
      train_images, "truncated", "gzip stream cut",
      [] {
        const std::string b = gzip(idx_images(kTinyTrain, 28, 28, kTinyTrain * 28 * 28));
        return b.substr(0, b.size() / 2);
      },
      "", "truncated gzip stream");
  t.add(train_images, "truncated", "trailing bytes",
        gz([] { return idx_images(kTinyTrain, 28, 28, kTinyTrain * 28 * 28 + 5); }), "data",
        "5 trailing bytes");
  t.add(train_images, "wrong magic", "labels magic in an images file",
        gz([] { return idx_labels(kTinyTrain, kTinyTrain); }), "header",
        "wrong magic for IDX images");
  t.add(train_images, "huge size", "2^31-1 images of 65535x65535",
        gz([] { return idx_images(2147483647, 65535, 65535, 100); }), "data",
        "truncated: the header promises");
  t.add(train_images, "huge size", "2^32-1 images",
        gz([] { return idx_images(0xffffffffu, 28, 28, 100); }), "header", "is too large");
}

void cifar_rows(Table& t, const fs::path& shared) {
  const Target batch3 = data_target(shared, "cifar10", "data_batch_3.bin");
  const Target test = data_target(shared, "cifar10", "test_batch.bin");
  t.add(
      batch3, "missing key", "data_batch_3.bin missing", [] { return kRemove; }, "", "cannot open");
  t.add(
      test, "out of range", "label 11", [] { return cifar_records(2) + cifar_records(1, 11); },
      "records[2].label", "label 11 is not a class");
  t.add(
      batch3, "empty file", "zero bytes", [] { return std::string(); }, "", "empty file");
  t.add(
      batch3, "truncated", "last record cut",
      [] {
        const std::string b = cifar_records(3);
        return b.substr(0, b.size() - 100);
      },
      "", "is not a multiple of the 3073-byte record");
}

// The shared trained checkpoint after `edit` of its header and float data.
std::function<std::string()> checkpoint_bytes(const fs::path& shared,
                                              std::function<void(CheckpointParts&)> edit) {
  return [shared, edit] {
    CheckpointParts parts = CheckpointParts::split(read_file(shared / "ck" / "checkpoint.bin"));
    edit(parts);
    return parts.join();
  };
}

void checkpoint_rows(Table& t, const fs::path& shared, const Target& target, bool resume) {
  const auto ck = [&shared](std::function<void(CheckpointParts&)> edit) {
    return checkpoint_bytes(shared, edit);
  };
  const auto raw = [&shared](std::function<void(std::string&)> edit) {
    return [shared, edit] {
      std::string b = read_file(shared / "ck" / "checkpoint.bin");
      edit(b);
      return b;
    };
  };
  const std::string in_arch = " (meta.arch)";
  t.add(target, "wrong type", "meta.arch.classes is a string",
        ck([](CheckpointParts& p) { p.header["meta"]["arch"]["classes"] = "ten"; }), "classes",
        "expected an integer, got string", in_arch);
  t.add(target, "wrong type", "an array's count is a string",
        ck([](CheckpointParts& p) { p.header["arrays"][0]["count"] = "many"; }), "arrays[0].count",
        "expected an integer, got string");
  if (resume) {  // export reads the arch and the arrays only
    t.add(target, "wrong type", "meta.epochs_done is a string",
          ck([](CheckpointParts& p) { p.header["meta"]["epochs_done"] = "one"; }),
          "meta.epochs_done", "expected an integer, got string");
  }
  t.add(target, "missing key", "no weights of layer 0", ck([](CheckpointParts& p) {
          auto& arrays = p.header["arrays"];
          for (std::size_t i = 0; i < arrays.size(); ++i) {
            if (arrays[i]["name"] == "layers.0.weight") arrays.erase(i);
          }
        }),
        "layers.0.weight", "missing array");
  t.add(target, "missing key", "no meta", ck([](CheckpointParts& p) { p.header.erase("meta"); }),
        "meta", "missing required field");
  t.add(target, "unknown key", "header.extra",
        ck([](CheckpointParts& p) { p.header["extra"] = 1; }), "extra", "unknown field");
  t.add(target, "unknown key", "meta.arch.stem.padding",
        ck([](CheckpointParts& p) { p.header["meta"]["arch"]["stem"]["padding"] = 1; }),
        "stem.padding", "unknown field", in_arch);
  t.add(target, "out of range", "meta.arch kernel 4",
        ck([](CheckpointParts& p) { p.header["meta"]["arch"]["blocks"][0]["kernel"] = 4; }),
        "blocks[0].kernel", "must be odd, got 4", in_arch);
  t.add(target, "out of range", "an array past the end",
        ck([](CheckpointParts& p) { p.header["arrays"][0]["offset"] = p.data.size(); }),
        "arrays[0]", "extends past the end of the file");
  t.add(
      target, "empty file", "zero bytes", [] { return std::string(); }, "", "empty file");
  t.add(target, "truncated", "cut in the float data", ck([](CheckpointParts& p) {
          // The array that ends the file goes first, so the error is at arrays[0].
          auto& arrays = p.header["arrays"];
          std::size_t last = 0;
          for (std::size_t i = 1; i < arrays.size(); ++i) {
            if (arrays[i]["offset"] > arrays[last]["offset"]) last = i;
          }
          const json entry = arrays[last];
          arrays.erase(last);
          arrays.insert(arrays.begin(), entry);
          p.data.resize(p.data.size() - 64);
        }),
        "arrays[0]", "extends past the end of the file");
  t.add(target, "truncated", "cut in the header", raw([](std::string& b) { b.resize(40); }),
        "header", "truncated");
  t.add(target, "wrong magic", "version 9", raw([](std::string& b) { b[14] = '9'; }), "",
        "not a patchnas checkpoint");
  t.add(target, "wrong magic", "header is not JSON",
        raw([](std::string& b) { b[kCheckpointMagicBytes + 8] = '@'; }), "header",
        "malformed JSON");
  t.add(target, "huge size", "header length 2^63", raw([](std::string& b) {
          const std::uint64_t huge = std::uint64_t{1} << 63;
          std::memcpy(b.data() + kCheckpointMagicBytes, &huge, sizeof huge);
        }),
        "header", "truncated");
  t.add(target, "huge size", "an array of 2^61 floats",
        ck([](CheckpointParts& p) { p.header["arrays"][0]["count"] = std::uint64_t{1} << 61; }),
        "arrays[0]", "extends past the end of the file");
  t.add(target, "huge size", "meta.arch at resolution 100000",
        ck([](CheckpointParts& p) { p.header["meta"]["arch"]["input"]["resolution"] = 100000; }),
        "input.resolution", "a tensor may hold at most", in_arch);
  t.add(target, "nan/inf", "a NaN weight", ck([](CheckpointParts& p) {
          const float nan = std::numeric_limits<float>::quiet_NaN();
          std::memcpy(p.data.data() + p.offset_of("layers.0.weight") + 2 * sizeof(float), &nan,
                      sizeof nan);
        }),
        "layers.0.weight[2]", "not a finite number");
  t.add(target, "nan/inf", "an infinite range", ck([](CheckpointParts& p) {
          const float inf = std::numeric_limits<float>::infinity();
          std::memcpy(p.data.data() + p.offset_of("int8.ranges"), &inf, sizeof inf);
        }),
        "int8.ranges[0]", "not a finite number");
}

void search_checkpoint_rows(Table& t, const fs::path& shared) {
  const Target target = search_checkpoint_target(shared);
  const auto base = [shared] { return read_json(shared / "search" / "checkpoint.json"); };
  t.edit(
      target, "wrong type", "generation is a string", base,
      [](json& j) { j["generation"] = "one"; }, "generation", "expected an integer, got string");
  t.edit(
      target, "wrong type", "a genome is a number", base, [](json& j) { j["population"][0] = 5; },
      "population[0]", "expected a genome string, got integer");
  t.edit(
      target, "missing key", "no rng", base, [](json& j) { j.erase("rng"); }, "rng",
      "missing required field");
  t.edit(
      target, "unknown key", "extra", base, [](json& j) { j["extra"] = 1; }, "extra",
      "unknown field");
  t.edit(
      target, "out of range", "generation -1", base, [](json& j) { j["generation"] = -1; },
      "generation", "must be in [0, 1], got -1");
  t.edit(
      target, "out of range", "three rng words", base, [](json& j) { j["rng"].erase(0); }, "rng",
      "expected 4 words, got 3");
  t.json_file_rows(target, base, "patchnas.experiment/1");
  t.add(
      target, "huge size", "2^62 scored genomes",
      [base] {
        json j = base();
        j["scored"] = std::int64_t{1} << 62;
        return j.dump();
      },
      "", "truncated: the checkpoint needs 4611686018427387904 lines", "", "search/scored.txt");
  t.add(
      target, "nan/inf", "rng word 1e999",
      [base] {
        json j = base();
        j["rng"][1] = "INF";
        return with_infinity(j, "INF");
      },
      "rng[1]", "not a finite number");
}

}  // namespace

std::vector<Row> bad_input_rows(const fs::path& shared) {
  Table t;
  arch_rows(t, shared);
  space_rows(t, shared);
  experiment_rows(t, shared);
  run_rows(t, shared);
  mcu_rows(t, shared);
  csv_rows(t);
  idx_rows(t, shared);
  cifar_rows(t, shared);
  checkpoint_rows(t, shared, checkpoint_export_target(), false);
  checkpoint_rows(t, shared, checkpoint_resume_target(shared), true);
  search_checkpoint_rows(t, shared);
  return t.rows;
}

const std::vector<NotApplicable>& not_applicable() {
  static const std::vector<NotApplicable> list{
      {"mcu profile", "huge size",
       "no size in a profile is allocated or multiplied: SRAM and flash are budgets compared "
       "against, clock and coefficients are doubles"},
      {"idx (fashion-mnist)", "unknown key", "a fixed binary layout has no keys"},
      {"idx (fashion-mnist)", "nan/inf", "pixels and labels are bytes"},
      {"cifar-10 batch", "wrong type",
       "no header: every record is 1 label byte + 3072 pixel bytes"},
      {"cifar-10 batch", "unknown key", "a fixed binary layout has no keys"},
      {"cifar-10 batch", "wrong magic", "the format has no magic number"},
      {"cifar-10 batch", "huge size",
       "no header claims a size: the record count is the file size / 3073"},
      {"cifar-10 batch", "nan/inf", "pixels and labels are bytes"},
  };
  return list;
}

void write_shared_inputs(const fs::path& shared) {
  write_file(shared / "tiny1.json", tiny_arch(1).dump());
  write_file(shared / "tiny3.json", tiny_arch(3).dump());
  write_file(shared / "layers.csv", good_csv());
  write_fashion_dir(shared / "fm");
  write_cifar_dir(shared / "cifar");
  const CliOutcome trained = run_cli(
      std::string("train ") + kTrainOptions + " --data-dir " + shell_path(shared / "fm") +
      " --arch " + shell_path(shared / "tiny1.json") + " --out " + shell_path(shared / "ck"));
  if (trained.exit_code != 0) {
    throw std::runtime_error(std::string("training the shared checkpoint: ") + trained.err);
  }
  json e = experiment(shared);
  e.erase("training");
  write_file(shared / "e.json", e.dump());
  const CliOutcome searched =
      run_cli(std::string("search --threads 1 --config ") + shell_path(shared / "e.json") +
              " --out " + shell_path(shared / "search"));
  if (searched.exit_code != 0) {
    throw std::runtime_error(std::string("searching for the shared checkpoint: ") + searched.err);
  }
}

}  // namespace patchnas::testing
