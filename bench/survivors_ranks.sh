#!/usr/bin/env bash
# Wall time of the survivor-training stage of `patchnas run` on 1 process and on 2 MPI ranks
# (mpirun on this machine), one thread per process, medians of REPS repetitions (default 3).
# The job: configs/experiments/fmnist-f412.json with --quick and 4 survivors, i.e. successive
# halving of 4 archs trained for 1 epoch on 3,000 Fashion-MNIST images, then the best 2 for 2
# epochs (6 training runs in 2 rounds). The search is run once and shared; each repetition
# resumes a copy of it, and the stage's time is read from the run's log (from "stage survivors"
# to "stage final"), after which the repetition is stopped.
#   bench/survivors_ranks.sh            # after tools/build.sh (another tree: BUILD_DIR=...)
set -euo pipefail
cd "$(dirname "$0")/.."
patchnas="$(pwd)/${BUILD_DIR:-build}/patchnas"
reps="${REPS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args=(run --config configs/experiments/fmnist-f412.json --quick --threads 1 --set survivors=4)
mpirun=(mpirun --allow-run-as-root --oversubscribe -np 2)

# The seconds between the "stage survivors" and "stage final" lines of a run's log.
stage_seconds() {
  awk -F'[][]' '/stage survivors/ {a=$2} /stage final/ {b=$2} END {printf "%.1f\n", b - a}' "$1" |
    tr -d ' s'
}

# Runs the command in the background until its log says `stage`, then stops it.
run_until() {
  local stage="$1" log="$2"; shift 2
  setsid "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null && ! grep -qs "$stage" "$log"; do sleep 0.2; done
  kill -TERM -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  grep -q "$stage" "$log" || { echo "the run failed:"; tail -5 "$log"; exit 1; }
}

echo "search (once, shared by every repetition)..."
run_until "stage survivors" "$work/search.log" "$patchnas" "${args[@]}" --out "$work/base"
rm -rf "$work/base/survivors"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
for ranks in 1 2; do
  times=()
  for ((i = 1; i <= reps; i++)); do
    out="$work/r$ranks-$i"
    cp -r "$work/base" "$out"
    launcher=()
    ((ranks > 1)) && launcher=("${mpirun[@]}")
    run_until "stage final" "$out.log" "${launcher[@]}" "$patchnas" "${args[@]}" --out "$out" --resume
    times+=("$(stage_seconds "$out.log")")
    grep -h "dealt over" "$out.log" | sed 's/^/    /' || true
  done
  echo "ranks $ranks: survivor stage ${times[*]} s, median $(printf '%s\n' "${times[@]}" | median) s"
done
