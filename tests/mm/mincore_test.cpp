// mincore(2): residency bytes and Linux's errno order (mm/mincore.c).
// Expected values are Linux's: a touched page is resident, an untouched
// anonymous page is not, an untouched page of a file in the page cache is.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cstring>
#include <string>

#include "mm/address_space.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;

namespace {

constexpr uint64_t kArea = 0x200000000;  // the mapping under test
constexpr uint64_t kVec = 0x300000000;   // where the guest's result vector lives
constexpr int kAnon = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;

struct Fixture {
  AddressSpace as;
  Fixture() { REQUIRE(as.mmap(kVec, 4096, PROT_READ | PROT_WRITE, kAnon, -1, 0) == int64_t(kVec)); }

  std::string vector_bytes(size_t n) {
    std::string v(n, '?');
    REQUIRE(as.copy_in(v.data(), GuestAddr{kVec}, n));
    for (char& c : v) c = char('0' + c);
    return v;
  }
  void touch(uint64_t addr) {
    const uint8_t one = 1;
    REQUIRE(as.copy_out(GuestAddr{addr}, &one, 1));
  }
};

}  // namespace

TEST_CASE("mincore reports touched anonymous pages resident and untouched ones not", "[mincore]") {
  Fixture f;
  REQUIRE(f.as.mmap(kArea, 4 * 4096, PROT_READ | PROT_WRITE, kAnon, -1, 0) == int64_t(kArea));
  f.touch(kArea + 1 * 4096);
  f.touch(kArea + 3 * 4096 + 100);
  REQUIRE(f.as.mincore(kArea, 4 * 4096, kVec) == 0);
  CHECK(f.vector_bytes(4) == "0101");
  // A length that is not a page multiple covers the partial page.
  REQUIRE(f.as.mincore(kArea + 4096, 1, kVec) == 0);
  CHECK(f.vector_bytes(1) == "1");
  // MADV_DONTNEED makes the page non-resident again.
  REQUIRE(f.as.madvise(kArea + 4096, 4096, MADV_DONTNEED) == 0);
  REQUIRE(f.as.mincore(kArea, 4 * 4096, kVec) == 0);
  CHECK(f.vector_bytes(4) == "0001");
  CHECK(f.as.check_invariants() == "");
}

TEST_CASE("mincore of a cached file mapping reports its pages resident before any touch", "[mincore][file]") {
  Fixture f;
  TempFile file(std::string(2 * 4096, 'x'));  // just written: in the host page cache
  REQUIRE(f.as.mmap(kArea, 2 * 4096, PROT_READ, MAP_PRIVATE | MAP_FIXED, file.fd(), 0) == int64_t(kArea));
  REQUIRE(f.as.mincore(kArea, 2 * 4096, kVec) == 0);
  CHECK(f.vector_bytes(2) == "11");
  CHECK(f.as.stats().frames.in_use == 1);  // the vector page only: nothing was populated
}

TEST_CASE("mincore follows Linux's errno order", "[mincore][errno]") {
  Fixture f;
  REQUIRE(f.as.mmap(kArea, 2 * 4096, PROT_READ, kAnon, -1, 0) == int64_t(kArea));
  CHECK(f.as.mincore(kArea + 1, 4096, kVec) == -EINVAL);            // unaligned start
  CHECK(f.as.mincore(kArea, uint64_t{1} << 62, kVec) == -ENOMEM);   // range past user space
  CHECK(f.as.mincore(kArea, 4096, uint64_t{1} << 62) == -EFAULT);   // vector past user space
  CHECK(f.as.mincore(kArea, 0, kVec) == 0);                         // nothing to do
  CHECK(f.as.mincore(kArea, 3 * 4096, kVec) == -ENOMEM);            // runs into a hole
  CHECK(f.as.mincore(kArea + 8 * 4096, 4096, kVec) == -ENOMEM);     // wholly unmapped
  CHECK(f.as.mincore(kArea, 4096, 0x400000000) == -EFAULT);         // unmapped vector
  CHECK(f.as.check_invariants() == "");
}
