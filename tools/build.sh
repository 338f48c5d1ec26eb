#!/usr/bin/env bash
# Configures and builds patchnas with CMake and Ninja; reruns are incremental.
#   tools/build.sh             Release (or $PATCHNAS_BUILD_TYPE) into ./build: the tool, its
#                              libraries, the benchmarks and the test suites
#   tools/build.sh --no-tests  the same without the test suites (the README's test command
#                              runs them in the sanitizer tree; this keeps the gcc build of
#                              everything that ships compiled)
#   tools/build.sh asan        the sanitizer tree into ./build-asan (CMakePresets.json, preset
#                              asan: clang-14, AddressSanitizer + UndefinedBehaviorSanitizer on
#                              every target but the benchmarks, and the C runtime's arena
#                              canaries); test it with ctest --test-dir build-asan
#                              --output-on-failure -j2
set -euo pipefail
cd "$(dirname "$0")/.."

release() {
  local build_type=${PATCHNAS_BUILD_TYPE:-Release}
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE="$build_type" -DPATCHNAS_BUILD_TESTS="$1" >/dev/null
  cmake --build build --parallel "$(nproc)"
}

case "${1:-}" in
  "") release ON ;;
  --no-tests) release OFF ;;
  asan)
    cmake --preset asan >/dev/null
    cmake --build --preset asan --parallel "$(nproc)"
    ;;
  *)
    echo "usage: tools/build.sh [--no-tests | asan]" >&2
    exit 2
    ;;
esac
