// Micro-benchmark (not a test): RegionTree operation costs with 10^3 and
// 10^5 live regions (O(log n) means the per-op time grows by ~log ratio, not
// 100x), and the seed mmap/touch/munmap loop through the AddressSpace versus
// the same loop natively on the host.
//   build-mm/tests/mm/bench_region_tree
#include <sys/mman.h>

#include <chrono>
#include <cstdio>
#include <random>

#include "mm/address_space.h"
#include "mm/region_tree.h"

using namespace emu::mm;

namespace {

template <class F>
double ns_per_op(int ops, F&& f) {
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < ops; ++i) f(i);
  return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count() / ops;
}

volatile uint64_t sink;

void bench_tree(uint64_t n) {
  RegionTree t;
  const RegionAttrs ro = RegionAttrs::anonymous(RegionKind::Anonymous, Prot::Read);
  const RegionAttrs rw = RegionAttrs::anonymous(RegionKind::Anonymous, Prot::Read | Prot::Write);
  // n regions of 2 pages separated by 1-page gaps: no gap fits 2 pages, except
  // one 8-page gap near the bottom, so find_free(2) has to search the tree.
  constexpr uint64_t kBase = 0x100000;
  for (uint64_t i = 0; i < n; ++i) t.map({PageNum{kBase + 3 * i}, PageNum{kBase + 3 * i + 2}}, i % 2 ? ro : rw);
  t.unmap({PageNum{kBase + 30}, PageNum{kBase + 38}});
  const PageRange window{PageNum{kBase}, PageNum{kBase + 3 * n}};
  std::mt19937_64 rng(1);
  const int ops = 200000;
  std::vector<uint64_t> idx(ops);
  for (auto& x : idx) x = 20 + rng() % (n - 40);

  const double find = ns_per_op(ops, [&](int i) { sink = t.find(PageNum{kBase + 3 * idx[size_t(i)]}) != nullptr; });
  const double gap = ns_per_op(ops, [&](int) { sink = t.find_free(2, window)->value; });
  // map into a gap and unmap it again (two mutations per op)
  const double map_unmap = ns_per_op(ops, [&](int i) {
    const PageNum p{kBase + 3 * idx[size_t(i)] + 2};
    t.map({p, p + 1}, RegionAttrs::anonymous(RegionKind::Stack, Prot::Read));
    t.unmap({p, p + 1});
  });
  // split a region by protection and merge it back (two mutations per op)
  const double protect = ns_per_op(ops, [&](int i) {
    const uint64_t j = idx[size_t(i)];
    const PageNum p{kBase + 3 * j};
    t.protect({p, p + 1}, Prot::Exec);
    t.protect({p, p + 1}, j % 2 ? Prot::Read : Prot::Read | Prot::Write);
  });
  if (!t.check_invariants().empty()) std::printf("INVARIANTS BROKEN\n");
  std::printf("%7llu regions: find %6.1f ns  find_free %6.1f ns  map+unmap %6.1f ns  protect x2 %6.1f ns  (nodes %zu)\n",
              (unsigned long long)n, find, gap, map_unmap, protect, t.node_count());
}

void bench_seed_loop() {
  constexpr int kIterations = 1000000;
  AddressSpace as;
  Tlb tlb;
  as.attach(&tlb);
  const double emulated = ns_per_op(kIterations, [&](int) {
    const int64_t p = as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char c;
    if (const uint8_t* h = tlb.read_ptr<1>(uint64_t(p)))
      c = char(*h);
    else
      as.load_slow(tlb, uint64_t(p), &c, 1);
    sink = uint64_t(c);
    as.munmap(uint64_t(p), 4096);
  });
  const AddressSpaceStats s = as.stats();
  as.detach(&tlb);
  const double native = ns_per_op(kIterations / 10, [&](int) {
    void* p = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    sink = *static_cast<volatile char*>(p);
    ::munmap(p, 4096);
  });
  std::printf("seed loop (10^6): AddressSpace %.0f ns/iter, native host %.0f ns/iter (%.1fx); frames fresh %llu "
              "recycled %llu in_use %llu; region nodes %llu peak %llu\n",
              emulated, native, native / emulated, (unsigned long long)s.frames.fresh,
              (unsigned long long)s.frames.recycled, (unsigned long long)s.frames.in_use,
              (unsigned long long)s.region_nodes, (unsigned long long)s.region_nodes_peak);
}

}  // namespace

int main() {
  bench_tree(1000);
  bench_tree(100000);
  bench_seed_loop();
  return 0;
}
