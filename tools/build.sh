#!/usr/bin/env bash
# Configures and builds patchnas with CMake and Ninja; reruns are incremental.
#   tools/build.sh        Release (or $PATCHNAS_BUILD_TYPE) into ./build
#   tools/build.sh asan   the sanitizer tree into ./build-asan (CMakePresets.json, preset asan:
#                         clang-14, AddressSanitizer + UndefinedBehaviorSanitizer on every target
#                         and the C runtime's arena canaries); test it with
#                         ctest --test-dir build-asan --output-on-failure -j2
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  "")
    build_type=${PATCHNAS_BUILD_TYPE:-Release}
    cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" >/dev/null
    cmake --build build --parallel "$(nproc)"
    ;;
  asan)
    cmake --preset asan >/dev/null
    cmake --build --preset asan --parallel "$(nproc)"
    ;;
  *)
    echo "usage: tools/build.sh [asan]" >&2
    exit 2
    ;;
esac
