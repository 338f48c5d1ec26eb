#include "space/lower.hpp"

namespace patchnas {

std::string_view layer_kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv: return "conv";
    case LayerKind::Depthwise: return "depthwise";
    case LayerKind::Pointwise: return "pointwise";
    case LayerKind::GlobalAvgPool: return "pool";
    case LayerKind::FullyConnected: return "fc";
  }
  return "?";
}

std::string_view layer_role_name(LayerRole role) {
  switch (role) {
    case LayerRole::Stem: return "stem";
    case LayerRole::Expand: return "expand";
    case LayerRole::Depthwise: return "depthwise";
    case LayerRole::Project: return "project";
    case LayerRole::Head: return "head";
    case LayerRole::Pool: return "pool";
    case LayerRole::Classifier: return "classifier";
  }
  return "?";
}

namespace {

// Appends one layer reading the current tensor and returns its output tensor id.
int append(Network& net, Layer layer) {
  layer.input = static_cast<int>(net.layers.size());
  net.layers.push_back(layer);
  return static_cast<int>(net.layers.size());
}

Layer spatial(LayerKind kind, LayerRole role, int block, Shape in, int out_c, int kernel,
              int stride, bool relu6) {
  Layer l;
  l.kind = kind;
  l.role = role;
  l.block = block;
  l.in = in;
  l.kernel = kernel;
  l.stride = stride;
  l.pad = kernel / 2;
  l.out = {conv_output_size(in.h, kernel, stride), conv_output_size(in.w, kernel, stride), out_c};
  l.relu6 = relu6;
  return l;
}

}  // namespace

void lower_into(const Arch& arch, Network& net) {
  net.layers.clear();
  net.patch_layers = 0;
  net.patch_n = 1;

  Shape x{arch.resolution, arch.resolution, arch.input_channels};
  append(net, spatial(LayerKind::Conv, LayerRole::Stem, -1, x, arch.stem.out, arch.stem.kernel,
                      arch.stem.stride, true));
  x = net.layers.back().out;

  for (int b = 0; b < static_cast<int>(arch.blocks.size()); ++b) {
    const BlockSpec& spec = arch.blocks[b];
    const int block_input = static_cast<int>(net.layers.size());
    const bool residual = spec.stride == 1 && x.c == spec.out;
    if (spec.expand != 1.0) {
      append(net, spatial(LayerKind::Pointwise, LayerRole::Expand, b, x,
                          expanded_channels(x.c, spec.expand), 1, 1, true));
      x = net.layers.back().out;
    }
    append(net, spatial(LayerKind::Depthwise, LayerRole::Depthwise, b, x, x.c, spec.kernel,
                        spec.stride, true));
    x = net.layers.back().out;
    Layer project = spatial(LayerKind::Pointwise, LayerRole::Project, b, x, spec.out, 1, 1, false);
    project.residual = residual ? block_input : -1;
    append(net, project);
    x = net.layers.back().out;
    if (arch.patch && b + 1 == arch.patch->split && arch.patch->n > 1) {
      net.patch_layers = static_cast<int>(net.layers.size());
      net.patch_n = arch.patch->n;
    }
  }

  if (arch.head_out) {
    append(net, spatial(LayerKind::Pointwise, LayerRole::Head, -1, x, *arch.head_out, 1, 1, true));
    x = net.layers.back().out;
  }
  Layer pool;
  pool.kind = LayerKind::GlobalAvgPool;
  pool.role = LayerRole::Pool;
  pool.in = x;
  pool.out = {1, 1, x.c};
  pool.kernel = x.h;
  append(net, pool);
  Layer fc;
  fc.kind = LayerKind::FullyConnected;
  fc.role = LayerRole::Classifier;
  fc.in = {1, 1, x.c};
  fc.out = {1, 1, arch.classes};
  append(net, fc);
}

Network lower(const Arch& arch) {
  Network net;
  lower_into(arch, net);
  return net;
}

}  // namespace patchnas
