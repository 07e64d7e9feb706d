// Stack growth: faults below a grows-down region extend it (Linux
// expand_downwards), bounded by RLIMIT_STACK, vm.mmap_min_addr, the stack
// guard gap and the commit limit; the syscall gateway grows it as Linux's
// copy_to_user does; MAP_GROWSDOWN regions grow the same way.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "mm/address_space.h"
#include "mm/guest_fault.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;
using emu::mm::test::pages_of;

namespace {

constexpr uint64_t P = 4096;
constexpr uint64_t kTop = 0x7ffffffff000;
// The exec stack of a small static program: 33 pages (native setarch -R).
constexpr uint64_t kInitialBottom = 0x7ffffffde000;
constexpr uint64_t kMiB = 1 << 20;

struct Fixture {
  AddressSpace as;
  Tlb tlb;

  explicit Fixture(uint64_t mem_limit = 64 << 20) : as(AddressSpaceConfig{.mem_limit = mem_limit}) {
    Layout layout;
    layout.mmap_base = GuestAddr{0x7ffff7fff000};
    layout.stack_top = GuestAddr{kTop};
    layout.stack_rlimit = 8 * kMiB;
    as.set_layout(layout);
    REQUIRE(as.map_fixed(pages_of(kInitialBottom, kTop), Prot::Read | Prot::Write, RegionKind::Stack) == 0);
    as.attach(&tlb);
  }
  ~Fixture() { as.detach(&tlb); }

  // A guest store: nullopt, or the fault it raised.
  std::optional<GuestFault> store(uint64_t addr, uint64_t v = 1) {
    try {
      as.store_slow(tlb, addr, &v, sizeof v);
    } catch (const GuestFault& f) {
      return f;
    }
    return std::nullopt;
  }
  PageRange stack_range() const {
    const Region* r = as.regions().find(GuestAddr{kTop - P}.page());
    REQUIRE(r != nullptr);
    return r->range;
  }
  std::string stack_line() const {
    const std::string maps = as.proc_maps();
    const size_t at = maps.find("[stack]");
    REQUIRE(at != std::string::npos);
    const size_t start = maps.rfind('\n', at);
    return maps.substr(start == std::string::npos ? 0 : start + 1, at + 7 - (start == std::string::npos ? 0 : start + 1));
  }
};

struct SmallMemory : Fixture {
  SmallMemory() : Fixture(64 * P) {}
};

}  // namespace

TEST_CASE_METHOD(Fixture, "the_loader_style_stack_region_grows_down", "[stack]") {
  const Region* r = as.regions().find(GuestAddr{kTop - P}.page());
  REQUIRE(r != nullptr);
  CHECK(r->attrs.grows_down);
  CHECK(r->attrs.kind == RegionKind::Stack);
}

TEST_CASE_METHOD(Fixture, "touching_1_mib_below_the_stack_grows_it_to_that_page", "[stack]") {
  CHECK(stack_line().rfind("7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0 ", 0) == 0);
  CHECK(!store(kTop - kMiB + 8).has_value());
  CHECK(as.check_invariants() == "");
  CHECK(stack_range() == pages_of(kTop - kMiB, kTop));
  CHECK(stack_line().rfind("7fffffeff000-7ffffffff000 rw-p 00000000 00:00 0 ", 0) == 0);
  CHECK(as.stats().region_nodes == 1);
  CHECK(as.stats().frames.in_use == 1);  // only the page touched
  uint64_t v = 0;
  as.load_slow(tlb, kTop - kMiB + 8, &v, sizeof v);
  CHECK(v == 1);
}

TEST_CASE_METHOD(Fixture, "the_stack_grows_up_to_the_rlimit_and_no_further", "[stack]") {
  // expand_downwards: a new size equal to RLIMIT_STACK is fine, one page more is not.
  const std::optional<GuestFault> beyond = store(kTop - 8 * kMiB - P);
  REQUIRE(beyond.has_value());
  CHECK(beyond->signo == SIGSEGV);
  CHECK(beyond->code == kSegvMapErr);
  CHECK(beyond->addr == kTop - 8 * kMiB - P);
  CHECK(stack_range() == pages_of(kInitialBottom, kTop));
  CHECK(!store(kTop - 8 * kMiB).has_value());
  CHECK(as.check_invariants() == "");
  CHECK(stack_range() == pages_of(kTop - 8 * kMiB, kTop));
}

TEST_CASE_METHOD(Fixture, "a_lowered_rlimit_stops_growth_from_then_on", "[stack]") {
  REQUIRE(!store(kTop - 2 * kMiB).has_value());
  Layout layout = as.layout();
  layout.stack_rlimit = kMiB;  // setrlimit(RLIMIT_STACK) below the current size
  as.set_layout(layout);
  CHECK(store(kTop - 3 * kMiB).has_value());
  CHECK(!store(kTop - 2 * kMiB + 8).has_value());  // already mapped pages stay
  layout.stack_rlimit = ~uint64_t{0};  // RLIM_INFINITY
  as.set_layout(layout);
  CHECK(!store(kTop - 16 * kMiB).has_value());
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "the_stack_keeps_the_guard_gap_to_an_accessible_mapping_below", "[stack]") {
  const uint64_t below_end = kTop - 4 * kMiB;
  REQUIRE(as.mmap(below_end - P, P, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) ==
          int64_t(below_end - P));
  const uint64_t gap = 256 * P;
  CHECK(store(below_end + gap - P).has_value());  // 255 pages above it: refused
  CHECK(stack_range() == pages_of(kInitialBottom, kTop));
  CHECK(!store(below_end + gap).has_value());  // exactly the gap: fine
  CHECK(stack_range() == pages_of(below_end + gap, kTop));
  CHECK(as.check_invariants() == "");
  // A PROT_NONE mapping (a guard page) does not count: growth goes right up to it.
  REQUIRE(as.mprotect(below_end - P, P, PROT_NONE) == 0);
  CHECK(!store(below_end).has_value());
  CHECK(stack_range() == pages_of(below_end, kTop));
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "a_grows_down_mapping_below_does_not_block_the_gap", "[stack]") {
  const uint64_t below_end = kTop - 4 * kMiB;
  REQUIRE(as.mmap(below_end - P, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN,
                  -1, 0) == int64_t(below_end - P));
  CHECK(!store(below_end + P).has_value());
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "map_growsdown_regions_grow_the_same_way", "[stack]") {
  constexpr uint64_t kA = 0x200000000;
  REQUIRE(as.mmap(kA, 4 * P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1, 0) ==
          int64_t(kA));
  CHECK(as.regions().find(GuestAddr{kA}.page())->attrs.grows_down);
  CHECK(!store(kA - 10 * P).has_value());
  CHECK(as.check_invariants() == "");
  const Region* r = as.regions().find(GuestAddr{kA}.page());
  REQUIRE(r != nullptr);
  CHECK(r->range == pages_of(kA - 10 * P, kA + 4 * P));
  CHECK(r->attrs.kind == RegionKind::Anonymous);  // no [stack] name
  CHECK(as.proc_maps().find("1ffff6000-200004000 rw-p 00000000 00:00 0 \n") != std::string::npos);
  // A plain mapping does not grow.
  REQUIRE(as.mmap(kA + 100 * P, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) > 0);
  CHECK(store(kA + 99 * P).has_value());
}

TEST_CASE_METHOD(Fixture, "map_growsdown_is_einval_for_files_and_shared_memory", "[stack]") {
  TempFile file(std::string(P, 'x'));
  CHECK(as.mmap(0, P, PROT_READ, MAP_PRIVATE | MAP_GROWSDOWN, file.fd(), 0) == -EINVAL);
  CHECK(as.mmap(0, P, PROT_READ, MAP_SHARED | MAP_GROWSDOWN, file.fd(), 0) == -EINVAL);
  CHECK(as.mmap(0, P, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0) == -EINVAL);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "no_growth_below_mmap_min_addr", "[stack]") {
  Layout layout = as.layout();
  layout.stack_rlimit = ~uint64_t{0};
  as.set_layout(layout);
  REQUIRE(as.mmap(0x20000, P, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, -1,
                  0) == 0x20000);
  CHECK(store(0xf000).has_value());
  CHECK(!store(0x10000).has_value());
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "the_syscall_gateway_grows_the_stack_like_copy_to_user", "[stack]") {
  // Native: read(2) into an address 1 MiB below the stack succeeds and grows
  // [stack]; so does write(2) from 3 MiB below; 9 MiB below is EFAULT.
  const char hello[] = "hello";
  CHECK(as.copy_out(GuestAddr{kTop - kMiB}, hello, sizeof hello));
  CHECK(stack_range() == pages_of(kTop - kMiB, kTop));
  char in[4];
  CHECK(as.copy_in(in, GuestAddr{kTop - 3 * kMiB}, sizeof in));
  CHECK(stack_range() == pages_of(kTop - 3 * kMiB, kTop));
  CHECK(!as.copy_in(in, GuestAddr{kTop - 9 * kMiB}, sizeof in));
  CHECK(stack_range() == pages_of(kTop - 3 * kMiB, kTop));
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(SmallMemory, "stack_growth_respects_the_commit_limit", "[stack]") {
  // acct_stack_growth charges the pages the region grows by: 64 frames here.
  CHECK(store(kInitialBottom - 100 * P).has_value());
  CHECK(stack_range() == pages_of(kInitialBottom, kTop));
  CHECK(!store(kInitialBottom - 10 * P).has_value());
  CHECK(stack_range() == pages_of(kInitialBottom - 10 * P, kTop));
  CHECK(as.check_invariants() == "");
}
