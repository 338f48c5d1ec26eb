#include "estimators/memory_planner.hpp"

#include <algorithm>

namespace patchnas {
namespace {

bool overlaps_in_time(const ArenaBuffer& a, const ArenaBuffer& b) {
  return a.first_step <= b.last_step && b.first_step <= a.last_step;
}

bool overlaps_in_space(std::int64_t a_offset, std::int64_t a_bytes, std::int64_t b_offset,
                       std::int64_t b_bytes) {
  return a_offset < b_offset + b_bytes && b_offset < a_offset + a_bytes;
}

}  // namespace

void plan_arena(const MemorySchedule& s, MemoryPlan& plan) {
  const int count = static_cast<int>(s.buffers.size());
  plan.offsets.assign(count, 0);
  plan.arena_bytes = 0;

  // Order of placement: first use, then the longest-lived, then the largest. Buffers come
  // almost in this order already, so an insertion sort is linear in practice. The work
  // vectors are per thread and reused: search threads plan millions of arenas.
  const auto before = [&](int a, int b) {
    const ArenaBuffer& x = s.buffers[a];
    const ArenaBuffer& y = s.buffers[b];
    if (x.first_step != y.first_step) return x.first_step < y.first_step;
    if (x.last_step != y.last_step) return x.last_step > y.last_step;
    if (x.bytes != y.bytes) return x.bytes > y.bytes;
    return a < b;
  };
  thread_local std::vector<int> order;
  thread_local std::vector<int> active;  // placed buffers still live at the current first step
  thread_local std::vector<char> placed_high;
  order.resize(count);
  for (int i = 0; i < count; ++i) {
    int j = i;
    while (j > 0 && before(i, order[j - 1])) {
      order[j] = order[j - 1];
      --j;
    }
    order[j] = i;
  }
  active.clear();
  placed_high.assign(count, 0);

  const std::int64_t bound = s.peak_total_bytes;
  for (const int index : order) {
    const ArenaBuffer& buffer = s.buffers[index];
    if (buffer.bytes == 0) continue;
    std::erase_if(active, [&](int a) { return s.buffers[a].last_step < buffer.first_step; });

    const auto fits = [&](std::int64_t offset) {
      if (offset < 0 || offset + buffer.bytes > bound) return false;
      for (const int a : active) {
        if (overlaps_in_space(offset, buffer.bytes, plan.offsets[a], s.buffers[a].bytes)) {
          return false;
        }
      }
      return true;
    };
    std::int64_t top_of_live = 0;
    int newest = -1;  // the live buffer made last (a chain's producer), scratch aside
    for (const int a : active) {
      top_of_live = std::max(top_of_live, plan.offsets[a] + s.buffers[a].bytes);
      if (s.buffers[a].kind != BufferKind::Scratch &&
          (newest < 0 || s.buffers[a].first_step >= s.buffers[newest].first_step)) {
        newest = a;
      }
    }
    // Lowest offset under the bound: flush with the floor or a live buffer's end.
    const auto lowest = [&] {
      std::int64_t best = fits(0) ? 0 : -1;
      for (const int a : active) {
        const std::int64_t end = plan.offsets[a] + s.buffers[a].bytes;
        if ((best < 0 || end < best) && fits(end)) best = end;
      }
      return best;
    };
    // Highest offset under the bound: flush with the bound or a live buffer's start.
    const auto highest = [&] {
      std::int64_t best = fits(bound - buffer.bytes) ? bound - buffer.bytes : -1;
      for (const int a : active) {
        const std::int64_t below = plan.offsets[a] - buffer.bytes;
        if (below > best && fits(below)) best = below;
      }
      return best;
    };
    // A chain alternates ends: go to the side opposite the newest live buffer, so the next
    // buffer finds the space this one's producer leaves when it dies.
    bool high = buffer.kind != BufferKind::Scratch && newest >= 0 && !placed_high[newest];
    std::int64_t chosen = high ? highest() : lowest();
    if (chosen < 0) {
      high = !high;
      chosen = high ? highest() : lowest();
    }
    if (chosen < 0) {  // nothing fits under the bound: grow
      high = false;
      chosen = top_of_live;
    }
    placed_high[index] = high;
    plan.offsets[index] = chosen;
    plan.arena_bytes = std::max(plan.arena_bytes, chosen + buffer.bytes);
    active.push_back(index);
  }
}

bool plan_is_valid(const MemorySchedule& s, const MemoryPlan& plan) {
  const int count = static_cast<int>(s.buffers.size());
  if (static_cast<int>(plan.offsets.size()) != count) return false;
  for (int a = 0; a < count; ++a) {
    const ArenaBuffer& x = s.buffers[a];
    if (plan.offsets[a] < 0 || plan.offsets[a] + x.bytes > plan.arena_bytes) return false;
    for (int b = a + 1; b < count; ++b) {
      const ArenaBuffer& y = s.buffers[b];
      if (x.bytes > 0 && y.bytes > 0 && overlaps_in_time(x, y) &&
          overlaps_in_space(plan.offsets[a], x.bytes, plan.offsets[b], y.bytes)) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace patchnas
