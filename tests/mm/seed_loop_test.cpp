// The seed's program (gem5 SE never recycled freed pages):
//   for (;;) { p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0);
//              (void)*(volatile char*)p; munmap(p, 4096); }
// must run at constant memory: frames recycled, the region tree back to the
// same size after every iteration.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <chrono>
#include <iostream>

#include "mm/address_space.h"

using namespace emu::mm;

TEST_CASE("the seed mmap/touch/munmap loop runs at constant memory and recycles frames", "[seed]") {
  AddressSpace as(AddressSpaceConfig{.mem_limit = 64 << 20});
  Tlb tlb;
  as.attach(&tlb);
  // Some unrelated mappings so the tree is not trivially empty.
  for (uint64_t i = 0; i < 50; ++i)
    REQUIRE(as.mmap(0x100000000 + i * 0x10000, 4096, PROT_READ | (i % 2 ? PROT_WRITE : 0),
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) > 0);
  const AddressSpaceStats before = as.stats();
  constexpr int kIterations = 100000;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < kIterations; ++i) {
    const int64_t p = as.mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p < 0) FAIL("mmap failed");
    char c;
    if (const uint8_t* h = tlb.read_ptr<1>(uint64_t(p)))
      c = char(*h);
    else
      as.load_slow(tlb, uint64_t(p), &c, 1);
    (void)c;
    if (as.munmap(uint64_t(p), 4096) != 0) FAIL("munmap failed");
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const AddressSpaceStats after = as.stats();
  std::cout << "seed loop: " << kIterations << " iterations in " << seconds << " s ("
            << (kIterations / seconds / 1e6) << " M iterations/s)\n";
  CHECK(after.frames.in_use == before.frames.in_use);
  CHECK(after.region_nodes == before.region_nodes);
  CHECK(after.region_nodes_peak <= before.region_nodes + 1);
  CHECK(after.frames.recycled - before.frames.recycled >= kIterations - 1);
  CHECK(after.frames.fresh - before.frames.fresh <= 1);
  CHECK(after.frames.peak <= before.frames.in_use + 1);
  CHECK(as.check_invariants() == "");
  as.detach(&tlb);
}
