#include "space/arch_json.hpp"

#include <cmath>
#include <limits>

#include "space/json_fields.hpp"

namespace patchnas {
namespace {

int read_int(FieldReader& reader, std::string_view key) {
  const auto v = reader.integer(key);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max()) {
    reader.fail(key, "out of range");
  }
  return static_cast<int>(v);
}

}  // namespace

Arch arch_from_json(const nlohmann::json& json, const std::string& file) {
  FieldReader root(json, file);
  root.expect_format(kArchFormat);
  Arch arch;
  if (root.has("name")) arch.name = root.string("name");

  auto input = root.object("input");
  arch.resolution = read_int(input, "resolution");
  arch.input_channels = read_int(input, "channels");
  input.finish();

  auto stem = root.object("stem");
  arch.stem.out = read_int(stem, "out");
  arch.stem.kernel = read_int(stem, "kernel");
  arch.stem.stride = read_int(stem, "stride");
  stem.finish();

  const auto& blocks = root.array("blocks");
  for (std::size_t i = 0; i < blocks.size(); ++i) {
    FieldReader block(blocks[i], file, element_path("blocks", i));
    BlockSpec b;
    b.kernel = read_int(block, "kernel");
    b.expand = block.number("expand");
    b.out = read_int(block, "out");
    b.stride = read_int(block, "stride");
    block.finish();
    arch.blocks.push_back(b);
  }

  if (root.has("head")) {
    auto head = root.object("head");
    arch.head_out = read_int(head, "out");
    head.finish();
  }
  arch.classes = read_int(root, "classes");
  if (root.has("patch")) {
    auto patch = root.object("patch");
    PatchSpec p;
    p.n = read_int(patch, "n");
    p.split = read_int(patch, "split");
    patch.finish();
    arch.patch = p;
  }
  root.finish();
  validate_arch(arch, file);
  return arch;
}

Arch read_arch_file(const std::string& path) { return arch_from_json(read_json_file(path), path); }

namespace {

nlohmann::ordered_json expand_value(double expand) {
  if (expand == std::floor(expand) && expand < 1e9) return static_cast<int>(expand);
  return expand;
}

}  // namespace

nlohmann::ordered_json arch_to_json(const Arch& arch) {
  nlohmann::ordered_json j;
  j["format"] = kArchFormat;
  j["name"] = arch.name;
  j["input"] = {{"resolution", arch.resolution}, {"channels", arch.input_channels}};
  j["stem"] = {{"out", arch.stem.out}, {"kernel", arch.stem.kernel}, {"stride", arch.stem.stride}};
  auto blocks = nlohmann::ordered_json::array();
  for (const auto& b : arch.blocks) {
    blocks.push_back({{"kernel", b.kernel},
                      {"expand", expand_value(b.expand)},
                      {"out", b.out},
                      {"stride", b.stride}});
  }
  j["blocks"] = std::move(blocks);
  if (arch.head_out) j["head"] = {{"out", *arch.head_out}};
  j["classes"] = arch.classes;
  if (arch.patch) j["patch"] = {{"n", arch.patch->n}, {"split", arch.patch->split}};
  return j;
}

std::string arch_to_json_text(const Arch& arch) {
  // Top-level keys one per line, each block on its own line: diff-friendly and readable.
  const auto j = arch_to_json(arch);
  std::string text = "{\n";
  bool first = true;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!first) text += ",\n";
    first = false;
    text += "  \"" + it.key() + "\": ";
    if (it.key() == "blocks") {
      text += "[\n";
      for (std::size_t i = 0; i < it->size(); ++i) {
        text += "    " + (*it)[i].dump() + (i + 1 < it->size() ? ",\n" : "\n");
      }
      text += "  ]";
    } else {
      text += it->dump();
    }
  }
  return text + "\n}\n";
}

}  // namespace patchnas
