// parallel.hpp: the one way the trainer's kernels split work over threads (oneTBB) while staying
// bit-identical whatever the number of threads.
//
// The rule: work over [0, count) is cut into fixed chunks of `grain` items (chunk i covers
// [i*grain, min(count, (i+1)*grain))); the cut depends on the shape only, never on the thread
// count. A chunk is never split, and its arithmetic does not depend on which thread runs it.
// Reductions (weight gradients, BatchNorm sums) go into one zeroed partial buffer per chunk, and
// the partials are summed in chunk order, element by element. So 1, 2 or 8 threads run the same
// floating-point operations in the same order.
//
//   // every chunk of 64 rows in parallel
//   parallel_chunks(rows, 64, [&](ChunkRange r) { for (auto i = r.begin; i < r.end; ++i) ...; });
//   // a per-channel sum over pixels, reduced in chunk order into `sums` (overwritten)
//   reduce_chunks_ordered<double>(pixels, 256, std::span<double>(sums),
//                                 [&](ChunkRange r, double* part) {
//     for (auto p = r.begin; p < r.end; ++p) for (int c = 0; c < C; ++c) part[c] += x[p * C + c];
//   });
//
// Bodies must not call reduce_chunks_ordered themselves (its partial buffer is per calling thread).
// The thread count is whatever arena the caller runs in (tbb::task_arena, tbb::global_control).
// madd(a, b, c) is the multiply-add every kernel uses, so vector and scalar paths round alike.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <span>
#include <vector>

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/partitioner.h>

namespace patchnas::trainer {

// a * b + c, fused (one rounding) when the target has FMA, else two roundings; the same in every
// code path of a build, which keeps vectorized loops and their scalar tails consistent.
inline float madd(float a, float b, float c) {
#ifdef FP_FAST_FMAF
  return std::fma(a, b, c);
#else
  return a * b + c;
#endif
}

// One fixed chunk of a parallel loop: items [begin, end), its position `index` in chunk order.
struct ChunkRange {
  std::size_t begin = 0;
  std::size_t end = 0;
  std::size_t index = 0;
};

inline std::size_t chunk_count(std::size_t count, std::size_t grain) {
  return grain == 0 ? 0 : (count + grain - 1) / grain;
}

// Runs body(ChunkRange) once for every chunk of `grain` items of [0, count), in parallel.
template <class Body>
void parallel_chunks(std::size_t count, std::size_t grain, Body&& body) {
  grain = std::max<std::size_t>(grain, 1);
  const std::size_t chunks = chunk_count(count, grain);
  if (chunks == 0) return;
  const auto run = [&](std::size_t i) {
    body(ChunkRange{i * grain, std::min(count, (i + 1) * grain), i});
  };
  if (chunks == 1) {
    run(0);
    return;
  }
  tbb::parallel_for(
      tbb::blocked_range<std::size_t>(0, chunks, 1),
      [&](const tbb::blocked_range<std::size_t>& r) {
        for (std::size_t i = r.begin(); i != r.end(); ++i) run(i);
      },
      tbb::simple_partitioner());
}

// Sums `chunks` partial buffers of out.size() elements laid end to end in `partials` into `out`
// (overwritten), each element in chunk order: out[j] = ((p0[j] + p1[j]) + p2[j]) + ...
template <class T>
void sum_partials_ordered(const T* partials, std::size_t chunks, std::span<T> out) {
  const std::size_t width = out.size();
  parallel_chunks(width, 4096, [&](ChunkRange s) {
    T* dst = out.data();
    for (std::size_t j = s.begin; j < s.end; ++j) dst[j] = chunks > 0 ? partials[j] : T{0};
    for (std::size_t c = 1; c < chunks; ++c) {
      const T* part = partials + c * width;
      for (std::size_t j = s.begin; j < s.end; ++j) dst[j] += part[j];
    }
  });
}

// Runs body(ChunkRange, T* partial) for every chunk of [0, count), each with its own zeroed
// partial of out.size() elements, then sums the partials in chunk order into `out` (overwritten).
template <class T, class Body>
void reduce_chunks_ordered(std::size_t count, std::size_t grain, std::span<T> out, Body&& body) {
  grain = std::max<std::size_t>(grain, 1);
  const std::size_t chunks = chunk_count(count, grain);
  const std::size_t width = out.size();
  thread_local std::vector<T> partials;  // reused across calls: no allocation in steady state
  partials.assign(chunks * width, T{0});
  T* base = partials.data();  // a thread_local named inside the lambda would be the worker's own
  parallel_chunks(count, grain, [&](ChunkRange r) { body(r, base + r.index * width); });
  sum_partials_ordered<T>(base, chunks, out);
}

}  // namespace patchnas::trainer
