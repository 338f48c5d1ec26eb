#!/usr/bin/env bash
# Trainer speed against PyTorch on one machine in one run: the same training step (forward,
# softmax cross-entropy, backward, SGD with momentum) of the same arch at batch 128, on 1 and
# 2 threads, medians of 5 repetitions each. patchnas: build/bench_train (real Fashion-MNIST
# batches, batch preparation included); PyTorch: bench/pytorch/train_step.py (Debian's
# python3-torch, installed here if missing; random batches made before timing).
#   bench/trainer_vs_pytorch.sh            # after tools/build.sh (another tree: BUILD_DIR=...)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  apt-get install -y python3-torch >/dev/null
fi
"${BUILD_DIR:-build}"/bench_train --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
  --benchmark_filter=ReferenceNet | grep -E 'median|Benchmark'
/usr/bin/python3 bench/pytorch/train_step.py --arch configs/archs/fmnist-ref.json
