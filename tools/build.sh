#!/usr/bin/env bash
# Configures and builds patchnas (Release, Ninja) into ./build; reruns are incremental.
set -euo pipefail
cd "$(dirname "$0")/.."
build_type=${PATCHNAS_BUILD_TYPE:-Release}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
cmake --build build --parallel "$(nproc)"
