// FrameAllocator: allocation order, zero-on-reuse, release past the
// watermark, and the limit.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <set>
#include <vector>

#include "mm/frame_allocator.h"

using namespace emu::mm;

namespace {

bool is_zero(const uint8_t* p) {
  return std::all_of(p, p + kPageSize, [](uint8_t b) { return b == 0; });
}

FrameAllocator small_allocator(uint64_t frames, uint32_t watermark = 4) {
  return FrameAllocator(FrameAllocatorOptions{.limit_bytes = frames * kPageSize, .hot_watermark = watermark});
}

}  // namespace

TEST_CASE("fresh frames are distinct, zero, and counted", "[frames]") {
  FrameAllocator fa = small_allocator(16);
  std::set<uint32_t> seen;
  for (int i = 0; i < 10; ++i) {
    auto f = fa.allocate();
    REQUIRE(f);
    CHECK(seen.insert(f->value).second);
    CHECK(is_zero(fa.host(*f)));
  }
  CHECK(fa.stats().in_use == 10);
  CHECK(fa.stats().fresh == 10);
  CHECK(fa.stats().recycled == 0);
  CHECK(fa.stats().peak == 10);
  CHECK(fa.check_invariants() == "");
}

TEST_CASE("freed frames are reused first, last freed first (LIFO)", "[frames]") {
  FrameAllocator fa = small_allocator(16);
  auto a = *fa.allocate(), b = *fa.allocate(), c = *fa.allocate();
  fa.free(a);
  fa.free(c);
  CHECK(fa.allocate() == c);
  CHECK(fa.allocate() == a);
  CHECK(fa.stats().recycled == 2);
  CHECK(fa.stats().fresh == 3);
  fa.free(b);
  CHECK(fa.check_invariants() == "");
}

TEST_CASE("a dirty recycled frame is zeroed before it is handed out", "[frames]") {
  FrameAllocator fa = small_allocator(16);
  auto a = *fa.allocate();
  std::memset(fa.host(a), 0xab, kPageSize);
  fa.free(a);
  auto again = *fa.allocate();
  CHECK(again == a);
  CHECK(is_zero(fa.host(again)));
}

TEST_CASE("past the watermark, cold frames go back to the host and come back zero", "[frames]") {
  constexpr uint32_t kWatermark = 4;
  FrameAllocator fa = small_allocator(64, kWatermark);
  std::vector<FrameNum> held;
  for (int i = 0; i < 20; ++i) {
    held.push_back(*fa.allocate());
    std::memset(fa.host(held.back()), 0x5a, kPageSize);
  }
  for (FrameNum f : held) fa.free(f);
  // Releases happen in batches whenever the hot list reaches 2 x watermark.
  CHECK(fa.stats().released > 0);
  CHECK(fa.hot_count() < 2 * kWatermark);
  CHECK(fa.stats().released + fa.hot_count() == 20);
  CHECK(fa.stats().in_use == 0);
  CHECK(fa.check_invariants() == "");
  // Everything handed out again reads zero: hot frames by memset, released by the host.
  for (int i = 0; i < 20; ++i) {
    auto f = fa.allocate();
    REQUIRE(f);
    CHECK(is_zero(fa.host(*f)));
  }
  CHECK(fa.stats().fresh == 20);
  CHECK(fa.stats().recycled == 20);
  CHECK(fa.check_invariants() == "");
}

TEST_CASE("hot frames stay hot: the most recently freed are kept resident", "[frames]") {
  constexpr uint32_t kWatermark = 4;
  FrameAllocator fa = small_allocator(64, kWatermark);
  std::vector<FrameNum> held;
  for (uint32_t i = 0; i < 2 * kWatermark; ++i) held.push_back(*fa.allocate());
  for (FrameNum f : held) fa.free(f);
  // The last kWatermark freed frames are the hot ones, handed out LIFO.
  for (int i = 0; i < int(kWatermark); ++i) CHECK(fa.allocate() == held[held.size() - 1 - size_t(i)]);
}

TEST_CASE("running past the limit gives no frame, never a crash", "[frames]") {
  FrameAllocator fa = small_allocator(3);
  CHECK(fa.stats().limit == 3);
  auto a = fa.allocate(), b = fa.allocate(), c = fa.allocate();
  REQUIRE((a && b && c));
  CHECK_FALSE(fa.allocate().has_value());
  fa.free(*b);
  CHECK(fa.allocate() == b);
  CHECK_FALSE(fa.allocate().has_value());
  CHECK(fa.stats().peak == 3);
}

TEST_CASE("the default limit is host RAM", "[frames]") {
  FrameAllocator fa;
  CHECK(fa.stats().limit == std::min<uint64_t>(host_physical_memory() >> kPageShift, UINT32_MAX));
  CHECK(fa.allocate().has_value());
}
