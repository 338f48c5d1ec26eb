#include "trainer/checkpoint_model.hpp"

#include <algorithm>
#include <cmath>

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

void read_parameter_arrays(ModelParams& params, const CheckpointFile& checkpoint,
                           const std::string& file) {
  visit_parameter_arrays(params, [&](const std::string& name, std::vector<float>& v) {
    v = checkpoint.array(name, file, static_cast<long long>(v.size()));
    if (name.ends_with(".bn.running_var")) {
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] < 0.0f) {
          throw InputError(file, name + "[" + std::to_string(i) + "]",
                           "a variance must be >= 0, got " + std::to_string(v[i]));
        }
      }
    }
  });
}

TensorRanges read_ranges(const CheckpointFile& checkpoint, const std::string& name,
                         std::size_t tensors, const std::string& file) {
  const TensorRanges ranges =
      unflatten_ranges(checkpoint.array(name, file, static_cast<long long>(2 * tensors)));
  for (std::size_t t = 0; t < ranges.size(); ++t) {
    const TensorRange& r = ranges[t];
    if (!std::isfinite(r.min) || !std::isfinite(r.max) || r.min > r.max) {
      throw InputError(file, name + "[" + std::to_string(t) + "]",
                       "a tensor range must be finite with min <= max, got [" +
                           std::to_string(r.min) + ", " + std::to_string(r.max) + "]");
    }
  }
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
  read_parameter_arrays(m.params, f, path);
  const std::vector<FoldedLayer> folded = fold_batchnorm(net, m.params);
  for (std::size_t i = 0; i < folded.size(); ++i) {
    for (const std::vector<float>* values : {&folded[i].weight, &folded[i].bias}) {
      if (!std::all_of(values->begin(), values->end(), [](float x) { return std::isfinite(x); })) {
        throw InputError(path, "layers." + std::to_string(i),
                         "the weights overflow when batch norm is folded into them");
      }
    }
  }
  if (!f.arrays.contains("int8.ranges")) {
    throw InputError(path, "int8.ranges",
                     "missing: the checkpoint is not from a finished `patchnas train` run");
  }
  m.int8_ranges = read_ranges(f, "int8.ranges", net.layers.size() + 1, path);
  return m;
}

}  // namespace patchnas::trainer
