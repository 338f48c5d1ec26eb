#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang-14 (ASan + UBSan, PATCHNAS_FUZZ=ON) into
# ./build-fuzz, building only the libraries they need, and runs them.
#
#   tools/fuzz.sh                   build, then run every target for a short time on its
#                                   committed corpus through ctest (what CI runs;
#                                   PATCHNAS_FUZZ_CI_SECONDS each, 12 by default)
#   tools/fuzz.sh build             build only
#   tools/fuzz.sh TARGET SECONDS    build, then fuzz one target for SECONDS: it starts from
#                                   fuzz/corpus/TARGET and writes what it finds new to
#                                   build-fuzz/corpus/TARGET (kept between runs, so runs add up)
#
# TARGET is one of: arch space experiment mcu idx cifar10 checkpoint. The flags of each target
# (input size, RSS/allocation/time limits reported as findings, dictionary) are in
# fuzz/CMakeLists.txt. A finding stops the run and is saved under build-fuzz/fuzz/artifacts/TARGET/;
# replay one with build-fuzz/fuzz/fuzz_TARGET FILE. To fold new inputs into the committed
# corpus: build-fuzz/fuzz/fuzz_TARGET -merge=1 fuzz/corpus/TARGET build-fuzz/corpus/TARGET
# (keep it small). The binary seeds are written by build-fuzz/fuzz/write_seeds fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."

build() {
  if [[ ! -f build-fuzz/build.ninja ]]; then
    cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DPATCHNAS_FUZZ=ON \
      -DPATCHNAS_BUILD_TESTS=OFF -DPATCHNAS_BUILD_BENCHMARKS=OFF \
      -DPATCHNAS_FUZZ_CI_SECONDS="${PATCHNAS_FUZZ_CI_SECONDS:-12}" >/dev/null
  fi
  cmake --build build-fuzz --target patchnas_fuzz --parallel "$(nproc)"
}

case $# in
  0)
    build
    ctest --test-dir build-fuzz --output-on-failure -j "$(nproc)"
    ;;
  1)
    [[ $1 == build ]] || { echo "usage: tools/fuzz.sh [build | TARGET SECONDS]" >&2; exit 2; }
    build
    ;;
  2)
    launcher=build-fuzz/fuzz/run_fuzz_$1
    build
    [[ -x $launcher ]] || { echo "tools/fuzz.sh: no fuzz target '$1'" >&2; exit 2; }
    "$launcher" "$2" "build-fuzz/corpus/$1"
    ;;
  *)
    echo "usage: tools/fuzz.sh [build | TARGET SECONDS]" >&2
    exit 2
    ;;
esac
