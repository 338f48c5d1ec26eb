#include "trainer/checkpoint_model.hpp"

#include "space/arch_json.hpp"
#include "space/input_error.hpp"
#include "space/lower.hpp"
#include "trainer/checkpoint_file.hpp"
#include "trainer/init.hpp"

namespace patchnas::trainer {

void visit_parameter_arrays(
    ModelParams& params, const std::function<void(const std::string&, std::vector<float>&)>& visit) {
  for (std::size_t i = 0; i < params.layers.size(); ++i) {
    LayerParams& p = params.layers[i];
    const std::string at = "layers." + std::to_string(i) + ".";
    visit(at + "weight", p.weight);
    visit(at + "bias", p.bias);
    visit(at + "bn.gamma", p.bn.gamma);
    visit(at + "bn.beta", p.bn.beta);
    visit(at + "bn.running_mean", p.bn.running_mean);
    visit(at + "bn.running_var", p.bn.running_var);
  }
}

std::vector<float> flatten_ranges(const TensorRanges& ranges) {
  std::vector<float> flat;
  for (const TensorRange& r : ranges) {
    flat.push_back(r.min);
    flat.push_back(r.max);
  }
  return flat;
}

TensorRanges unflatten_ranges(const std::vector<float>& flat) {
  TensorRanges ranges(flat.size() / 2);
  for (std::size_t t = 0; t < ranges.size(); ++t) ranges[t] = {flat[2 * t], flat[2 * t + 1]};
  return ranges;
}

TrainedModel read_trained_model(const std::string& path) {
  const CheckpointFile f = read_checkpoint_file(path);
  if (!f.meta.contains("format") || f.meta["format"] != kTrainingCheckpointFormat ||
      !f.meta.contains("arch")) {
    throw InputError(path, "meta.format", "not a training checkpoint");
  }
  TrainedModel m;
  m.arch = arch_from_json(f.meta["arch"], path + " (meta.arch)");
  const Network net = lower(m.arch);
  m.params = init_params(net, 0);  // shapes; every value is replaced below
  visit_parameter_arrays(m.params, [&](const std::string& name, std::vector<float>& v) {
    v = f.array(name, path, static_cast<long long>(v.size()));
  });
  if (!f.arrays.contains("int8.ranges")) {
    throw InputError(path, "int8.ranges",
                     "missing: the checkpoint is not from a finished `patchnas train` run");
  }
  m.int8_ranges = unflatten_ranges(
      f.array("int8.ranges", path, static_cast<long long>(2 * (net.layers.size() + 1))));
  return m;
}

}  // namespace patchnas::trainer
