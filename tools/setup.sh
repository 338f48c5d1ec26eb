#!/usr/bin/env bash
# Installs what patchnas needs to build and test on Debian 12, idempotently:
# nothing is downloaded when every package is already installed.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config
  libeigen3-dev        # dense math in the trainer and the calibration least squares
  libtbb-dev           # oneTBB: parallel search scoring and training
  nlohmann-json3-dev   # JSON configs, archs and outputs
  libspdlog-dev        # its bundled {fmt} formats the calibrate report
  libcli11-dev         # the patchnas command line
  libgtest-dev libgmock-dev  # the test suites
  libbenchmark-dev     # benchmark executables
  zlib1g-dev           # gzipped data sets
  dataset-fashion-mnist  # real training data for the trainer
  gcc-arm-none-eabi libnewlib-arm-none-eabi  # building the exported Cortex-M firmware
  qemu-system-arm      # running that firmware (mps2-an386 Cortex-M4, mps2-an500 Cortex-M7)
  chromium             # the report test renders the HTML report in headless Chromium
  clang-14 libclang-rt-14-dev  # libFuzzer + sanitizers of tools/fuzz.sh
  libopenmpi-dev openmpi-bin  # MPI: run and search spread over the ranks of mpirun/srun
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
