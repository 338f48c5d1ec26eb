#include "space/space_json.hpp"

#include <limits>

#include "space/json_fields.hpp"

namespace patchnas {
namespace {

int narrow(std::int64_t value, const std::string& file, const std::string& path) {
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw InputError(file, path, "out of range: " + std::to_string(value));
  }
  return static_cast<int>(value);
}

int read_int(FieldReader& reader, std::string_view key) {
  return narrow(reader.integer(key), reader.file(), reader.field_path(key));
}

std::vector<int> read_int_choices(FieldReader& reader, std::string_view key) {
  const auto values = reader.integer_array(key);
  std::vector<int> out;
  out.reserve(values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    out.push_back(narrow(values[i], reader.file(), element_path(reader.field_path(key), i)));
  }
  return out;
}

StageChoices read_stage(const nlohmann::json& json, const std::string& file,
                        const std::string& path) {
  FieldReader reader(json, file, path);
  StageChoices stage;
  stage.out = read_int(reader, "out");
  stage.stride = read_int(reader, "stride");
  stage.depths = read_int_choices(reader, "depths");
  reader.finish();
  return stage;
}

}  // namespace

SearchSpace space_from_json(const nlohmann::json& json, const std::string& file) {
  FieldReader root(json, file);
  root.expect_format(kSpaceFormat);
  SearchSpace space;
  space.name = root.string("name");
  if (root.has("description")) space.description = root.string("description");

  auto input = root.object("input");
  space.input_channels = read_int(input, "channels");
  space.resolutions = read_int_choices(input, "resolutions");
  input.finish();

  space.widths = root.number_array("widths");
  space.channel_divisor = read_int(root, "channel_divisor");

  auto stem = root.object("stem");
  space.stem.out = read_int(stem, "out");
  space.stem.kernel = read_int(stem, "kernel");
  space.stem.stride = read_int(stem, "stride");
  stem.finish();

  if (root.has("first_block")) {
    auto block = root.object("first_block");
    space.first_block = FixedBlock{read_int(block, "out"), read_int(block, "kernel")};
    block.finish();
  }

  const auto& stages = root.array("stages");
  for (std::size_t i = 0; i < stages.size(); ++i) {
    space.stages.push_back(read_stage(stages[i], file, element_path("stages", i)));
  }
  space.kernels = read_int_choices(root, "kernels");
  space.expands = root.number_array("expands");

  if (root.has("head")) {
    auto head = root.object("head");
    space.head_out = read_int(head, "out");
    head.finish();
  }
  space.classes = read_int(root, "classes");

  if (root.has("patch")) {
    auto patch = root.object("patch");
    space.patch.n = read_int_choices(patch, "n");
    space.patch.split = read_int_choices(patch, "split");
    patch.finish();
  }
  root.finish();
  validate_space(space, file);
  return space;
}

SearchSpace read_space_file(const std::string& path) {
  return space_from_json(read_json_file(path), path);
}

}  // namespace patchnas
