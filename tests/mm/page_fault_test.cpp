// The interpreter's view: load_slow/store_slow behind the Tlb, demand
// paging, GuestFaults, TLB coherence, code pages and the CodeObserver.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/mman.h>

#include <cstring>

#include "mm/address_space.h"
#include "mm/guest_fault.h"
#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::RecordingObserver;
using emu::mm::test::fault_of;
using emu::mm::test::load;
using emu::mm::test::pages_of;
using emu::mm::test::store;

namespace {

constexpr int kAnonFixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
constexpr uint64_t kA = 0x200000000;

struct Fixture {
  AddressSpace as{AddressSpaceConfig{.mem_limit = 16 << 20}};
  Tlb tlb;
  RecordingObserver observer;
  Fixture() {
    as.attach(&tlb);
    as.set_code_observer(&observer);
  }
  ~Fixture() { as.detach(&tlb); }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "a load from a fresh anonymous page reads zero and fills the TLB", "[fault]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA));
  CHECK(tlb.read_ptr<8>(kA) == nullptr);
  CHECK(load<uint64_t>(as, tlb, kA + 8) == 0);
  CHECK(tlb.read_ptr<8>(kA) != nullptr);
  CHECK(tlb.write_ptr<8>(kA) == nullptr);  // read-only: no write entry
  CHECK(as.stats().frames.in_use == 1);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "stores and loads round-trip, including across a page boundary", "[fault]") {
  REQUIRE(as.mmap(kA, 2 * 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  store<uint64_t>(as, tlb, kA + 16, 0x1122334455667788);
  CHECK(load<uint64_t>(as, tlb, kA + 16) == 0x1122334455667788);
  store<uint64_t>(as, tlb, kA + 4092, 0xa1a2a3a4b1b2b3b4);
  CHECK(load<uint64_t>(as, tlb, kA + 4092) == 0xa1a2a3a4b1b2b3b4);
  CHECK(load<uint32_t>(as, tlb, kA + 4096) == 0xa1a2a3a4);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "faults carry Linux's signal, si_code and address", "[fault]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA));
  REQUIRE(as.mmap(kA + 4096, 4096, PROT_NONE, kAnonFixed, -1, 0) == int64_t(kA + 4096));
  GuestFault f = fault_of([&] { load<uint32_t>(as, tlb, kA + 3 * 4096); });
  CHECK(f.signo == SIGSEGV);
  CHECK(f.code == kSegvMapErr);
  CHECK(f.addr == kA + 3 * 4096);
  f = fault_of([&] { store<uint32_t>(as, tlb, kA + 4, 1); });
  CHECK(f.code == kSegvAccErr);
  CHECK(f.addr == kA + 4);
  f = fault_of([&] { load<uint8_t>(as, tlb, kA + 4096 + 5); });
  CHECK(f.code == kSegvAccErr);
  // A load crossing into the PROT_NONE page faults at that page's first byte.
  f = fault_of([&] { load<uint64_t>(as, tlb, kA + 4092); });
  CHECK(f.code == kSegvAccErr);
  CHECK(f.addr == kA + 4096);
  // Non-canonical addresses are #GP: SI_KERNEL at address 0.
  f = fault_of([&] { load<uint8_t>(as, tlb, 0x0000900000000000); });
  CHECK(f.code == kSiKernel);
  CHECK(f.addr == 0);
  f = fault_of([&] { load<uint8_t>(as, tlb, 0xffffffffff600000); });
  CHECK(f.code == kSegvMapErr);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "a store crossing into a read-only page changes neither page", "[fault]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  REQUIRE(as.mmap(kA + 4096, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA + 4096));
  GuestFault f = fault_of([&] { store<uint64_t>(as, tlb, kA + 4092, ~uint64_t{0}); });
  CHECK(f.addr == kA + 4096);
  CHECK(load<uint32_t>(as, tlb, kA + 4092) == 0);
}

TEST_CASE_METHOD(Fixture, "an access through a stale TLB entry faults after munmap", "[fault][tlb]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  store<uint32_t>(as, tlb, kA, 5);
  REQUIRE(tlb.write_ptr<4>(kA) != nullptr);
  REQUIRE(as.munmap(kA, 4096) == 0);
  CHECK(tlb.read_ptr<4>(kA) == nullptr);
  CHECK(tlb.write_ptr<4>(kA) == nullptr);
  CHECK(fault_of([&] { load<uint32_t>(as, tlb, kA); }).code == kSegvMapErr);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "an access through a stale TLB entry faults after mprotect", "[fault][tlb]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  store<uint32_t>(as, tlb, kA, 5);
  REQUIRE(as.mprotect(kA, 4096, PROT_READ) == 0);
  CHECK(fault_of([&] { store<uint32_t>(as, tlb, kA, 6); }).code == kSegvAccErr);
  CHECK(load<uint32_t>(as, tlb, kA) == 5);  // the data survives mprotect
  REQUIRE(as.mprotect(kA, 4096, PROT_NONE) == 0);
  CHECK(fault_of([&] { load<uint32_t>(as, tlb, kA); }).code == kSegvAccErr);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "every attached TLB is flushed, and a detached one is left alone", "[fault][tlb]") {
  Tlb other;
  as.attach(&other);
  REQUIRE(as.mmap(kA, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA));
  load<uint8_t>(as, other, kA);
  REQUIRE(other.read_ptr<1>(kA) != nullptr);
  REQUIRE(as.munmap(kA, 4096) == 0);
  CHECK(other.read_ptr<1>(kA) == nullptr);
  as.detach(&other);
}

TEST_CASE_METHOD(Fixture, "fetch_code copies instruction bytes and stops at non-executable memory", "[fault][code]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ | PROT_EXEC, kAnonFixed, -1, 0) == int64_t(kA));
  REQUIRE(as.mmap(kA + 4096, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA + 4096));
  const uint8_t code[4] = {0x90, 0x90, 0xc3, 0xcc};
  REQUIRE(as.poke(GuestAddr{kA + 4092}, code, 4));
  uint8_t buf[16] = {};
  CHECK(as.fetch_code(GuestAddr{kA + 4092}, buf, 16) == 4);
  CHECK(std::memcmp(buf, code, 4) == 0);
  CHECK(as.fetch_code(GuestAddr{kA + 4096}, buf, 16) == 0);
  CHECK(as.fetch_code(GuestAddr{kA + 3 * 4096}, buf, 16) == 0);
  GuestFault f = fault_of([&] { as.raise_fetch_fault(GuestAddr{kA + 4096}); });
  CHECK(f.code == kSegvAccErr);
  CHECK(f.addr == kA + 4096);
  f = fault_of([&] { as.raise_fetch_fault(GuestAddr{kA + 4092}); });  // instruction running into the next page
  CHECK(f.addr == kA + 4096);
  f = fault_of([&] { as.raise_fetch_fault(GuestAddr{kA + 5 * 4096}); });
  CHECK(f.code == kSegvMapErr);
}

TEST_CASE_METHOD(Fixture, "a store to a code page notifies the observer, then writes", "[fault][code]") {
  REQUIRE(as.mmap(kA, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, kAnonFixed, -1, 0) == int64_t(kA));
  store<uint32_t>(as, tlb, kA + 4096 + 8, 1);  // fills a write entry for the second page
  REQUIRE(tlb.write_ptr<4>(kA + 4096) != nullptr);
  uint8_t buf[8];
  REQUIRE(as.fetch_code(GuestAddr{kA + 4096}, buf, 8) == 8);
  // The page holds code now: its write entry is gone, the next store takes the slow path.
  CHECK(tlb.write_ptr<4>(kA + 4096) == nullptr);
  CHECK(observer.notices.empty());
  store<uint32_t>(as, tlb, kA + 4096 + 8, 2);
  REQUIRE(observer.notices.size() == 1);
  CHECK(observer.notices[0] == pages_of(kA + 4096, kA + 2 * 4096));
  CHECK(load<uint32_t>(as, tlb, kA + 4096 + 8) == 2);
  // Until it is decoded again, further stores are plain stores.
  store<uint32_t>(as, tlb, kA + 4096 + 8, 3);
  CHECK(observer.notices.size() == 1);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "munmap and mprotect of code pages notify the observer", "[fault][code]") {
  REQUIRE(as.mmap(kA, 8 * 4096, PROT_READ | PROT_EXEC, kAnonFixed, -1, 0) == int64_t(kA));
  uint8_t buf[4];
  REQUIRE(as.fetch_code(GuestAddr{kA + 2 * 4096}, buf, 4) == 4);
  REQUIRE(as.fetch_code(GuestAddr{kA + 5 * 4096}, buf, 4) == 4);
  SECTION("munmap") {
    REQUIRE(as.munmap(kA, 8 * 4096) == 0);
    REQUIRE(observer.notices.size() == 1);
    CHECK(observer.notices[0] == pages_of(kA + 2 * 4096, kA + 6 * 4096));
  }
  SECTION("mprotect that changes the protection") {
    REQUIRE(as.mprotect(kA + 4 * 4096, 4 * 4096, PROT_READ) == 0);
    REQUIRE(observer.notices.size() == 1);
    CHECK(observer.notices[0] == pages_of(kA + 5 * 4096, kA + 6 * 4096));
  }
  SECTION("mprotect to the same protection changes nothing") {
    REQUIRE(as.mprotect(kA, 8 * 4096, PROT_READ | PROT_EXEC) == 0);
    CHECK(observer.notices.empty());
  }
  SECTION("munmap of a range without code") {
    REQUIRE(as.munmap(kA + 6 * 4096, 2 * 4096) == 0);
    CHECK(observer.notices.empty());
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE("running out of frames is a kOomKill fault, not a crash", "[fault][oom]") {
  AddressSpace as(AddressSpaceConfig{.mem_limit = 4 * 4096});
  Tlb tlb;
  as.attach(&tlb);
  // MAP_NORESERVE: past the commit check, so the pages themselves run out.
  REQUIRE(as.mmap(kA, 16 * 4096, PROT_READ | PROT_WRITE, kAnonFixed | MAP_NORESERVE, -1, 0) == int64_t(kA));
  for (int i = 0; i < 4; ++i) store<uint8_t>(as, tlb, kA + uint64_t(i) * 4096, 1);
  GuestFault f = fault_of([&] { store<uint8_t>(as, tlb, kA + 4 * 4096, 1); });
  CHECK(f.code == kOomKill);
  CHECK(f.addr == kA + 4 * 4096);
  uint8_t b = 1;
  CHECK_FALSE(as.copy_out(GuestAddr{kA + 5 * 4096}, &b, 1));  // the gateway says EFAULT
  REQUIRE(as.munmap(kA, 4096) == 0);
  store<uint8_t>(as, tlb, kA + 4 * 4096, 1);  // a frame came back
  CHECK(as.check_invariants() == "");
  as.detach(&tlb);
}

TEST_CASE_METHOD(Fixture, "madvise(MADV_DONTNEED) drops pages: anonymous memory reads zero again", "[madvise]") {
  REQUIRE(as.mmap(kA, 2 * 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  store<uint32_t>(as, tlb, kA, 7);
  store<uint32_t>(as, tlb, kA + 4096, 7);
  CHECK(as.madvise(kA, 4096, MADV_DONTNEED) == 0);
  CHECK(as.stats().frames.in_use == 1);
  CHECK(load<uint32_t>(as, tlb, kA) == 0);
  CHECK(load<uint32_t>(as, tlb, kA + 4096) == 7);
  CHECK(as.madvise(kA, 3 * 4096, MADV_DONTNEED) == -ENOMEM);  // hole at the end
  CHECK(as.madvise(kA + 1, 4096, MADV_DONTNEED) == -EINVAL);
  CHECK(as.madvise(kA, 4096, 999) == -EINVAL);
  CHECK(as.madvise(kA, 0, MADV_DONTNEED) == 0);
  CHECK(as.madvise(kA, 4096, MADV_WILLNEED) == 0);
  CHECK(as.check_invariants() == "");
}
