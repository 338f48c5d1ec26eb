// The model parts of a training checkpoint (see README, "Checkpoint format"): the names of the
// parameter arrays, the flat form of per-tensor ranges, and reading a finished run's model
// (arch, float parameters with BN statistics, the ranges of its int8 model) for export.
//   TrainedModel m = read_trained_model("runs/ref/checkpoint.bin");
//   QuantizedModel q = quantize_model(lower(m.arch), fold_batchnorm(net, m.params), m.int8_ranges);
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "space/arch.hpp"
#include "trainer/folded_float_inference.hpp"
#include "trainer/model_params.hpp"

namespace patchnas::trainer {

inline constexpr const char* kTrainingCheckpointFormat = "patchnas.checkpoint/1";

// Calls visit(name, array) for every parameter array: "layers.<i>.weight", ".bias",
// ".bn.gamma", ".bn.beta", ".bn.running_mean", ".bn.running_var".
void visit_parameter_arrays(ModelParams& params,
                            const std::function<void(const std::string&, std::vector<float>&)>& visit);

// Ranges as [min0, max0, min1, max1, ...], and back.
std::vector<float> flatten_ranges(const TensorRanges& ranges);
TensorRanges unflatten_ranges(const std::vector<float>& flat);

struct CheckpointFile;

// Fills every array of `params` (already shaped, e.g. by init_params) from the checkpoint
// `file`: InputError naming the file and the array when one is missing, has another size,
// or is a batch-norm variance below 0.
void read_parameter_arrays(ModelParams& params, const CheckpointFile& checkpoint,
                           const std::string& file);

// The ranges of `tensors` tensors stored as array `name` of checkpoint `file`, each a finite
// pair with min <= max (what quantization requires); InputError naming the file and the
// array (or the bad element) otherwise.
TensorRanges read_ranges(const CheckpointFile& checkpoint, const std::string& name,
                         std::size_t tensors, const std::string& file);

struct TrainedModel {
  Arch arch;
  ModelParams params;
  TensorRanges int8_ranges;
};

// Reads a checkpoint written at the end of `patchnas train` (it must hold int8.ranges);
// InputError naming the file and the missing or malformed part otherwise, including
// parameters whose batch-norm folding is not finite (they cannot be quantized).
TrainedModel read_trained_model(const std::string& path);

}  // namespace patchnas::trainer
