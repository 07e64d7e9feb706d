// The syscall gateway: copy_in/copy_out/read_cstring/host_iovecs/poke never
// throw and say false (-> EFAULT) for every kind of bad pointer.
#include <catch2/catch.hpp>

#include <sys/mman.h>

#include <cstring>
#include <string>
#include <vector>

#include "mm/address_space.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::RecordingObserver;

namespace {

constexpr int kAnonFixed = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
constexpr uint64_t kA = 0x200000000;

struct Fixture {
  AddressSpace as{AddressSpaceConfig{.mem_limit = 16 << 20}};
  RecordingObserver observer;
  Fixture() { as.set_code_observer(&observer); }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "copy_out then copy_in round-trips across pages", "[gateway]") {
  REQUIRE(as.mmap(kA, 3 * 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  std::vector<uint8_t> data(6000);
  for (size_t i = 0; i < data.size(); ++i) data[i] = uint8_t(i * 7);
  REQUIRE(as.copy_out(GuestAddr{kA + 1000}, data.data(), data.size()));
  std::vector<uint8_t> back(data.size());
  REQUIRE(as.copy_in(back.data(), GuestAddr{kA + 1000}, back.size()));
  CHECK(back == data);
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "gateway accesses to bad pointers are EFAULT", "[gateway][efault]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ, kAnonFixed, -1, 0) == int64_t(kA));
  REQUIRE(as.mmap(kA + 4096, 4096, PROT_NONE, kAnonFixed, -1, 0) == int64_t(kA + 4096));
  uint8_t buf[16] = {};
  SECTION("unmapped") { CHECK_FALSE(as.copy_in(buf, GuestAddr{kA + 8 * 4096}, 1)); }
  SECTION("NULL") { CHECK_FALSE(as.copy_in(buf, GuestAddr{0}, 1)); }
  SECTION("PROT_NONE") { CHECK_FALSE(as.copy_in(buf, GuestAddr{kA + 4096}, 1)); }
  SECTION("write to read-only") { CHECK_FALSE(as.copy_out(GuestAddr{kA}, buf, 1)); }
  SECTION("a read running into a PROT_NONE page") { CHECK_FALSE(as.copy_in(buf, GuestAddr{kA + 4090}, 16)); }
  SECTION("past the top of user space and wrapping around") {
    CHECK_FALSE(as.copy_in(buf, GuestAddr{kUserTop - 8}, 16));
    CHECK_FALSE(as.copy_in(buf, GuestAddr{~uint64_t{0} - 4}, 16));
    CHECK_FALSE(as.copy_out(GuestAddr{~uint64_t{0}}, buf, 2));
  }
  SECTION("zero bytes never fault") {
    CHECK(as.copy_in(buf, GuestAddr{0}, 0));
    CHECK(as.copy_out(GuestAddr{kA}, buf, 0));
  }
  CHECK(as.check_invariants() == "");
}

TEST_CASE_METHOD(Fixture, "read_cstring stops at the NUL, the limit, or a bad page", "[gateway][cstring]") {
  REQUIRE(as.mmap(kA, 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  const char hello[] = "hello";
  REQUIRE(as.copy_out(GuestAddr{kA}, hello, sizeof hello));
  CHECK(as.read_cstring(GuestAddr{kA}, 100) == std::string("hello"));
  CHECK(as.read_cstring(GuestAddr{kA}, 5) == std::string("hello"));
  CHECK(as.read_cstring(GuestAddr{kA}, 4) == std::nullopt);
  CHECK(as.read_cstring(GuestAddr{kA + 8 * 4096}, 4) == std::nullopt);
  SECTION("a string ending exactly at the end of the last mapped page is fine") {
    REQUIRE(as.copy_out(GuestAddr{kA + 4093}, "ab", 3));
    CHECK(as.read_cstring(GuestAddr{kA + 4093}, 100) == std::string("ab"));
  }
  SECTION("a string crossing into an unmapped page is EFAULT") {
    REQUIRE(as.copy_out(GuestAddr{kA + 4093}, "abc", 3));  // no NUL in this page
    CHECK(as.read_cstring(GuestAddr{kA + 4093}, 100) == std::nullopt);
  }
  SECTION("a string crossing into the next mapped page is read whole") {
    REQUIRE(as.mmap(kA + 4096, 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA + 4096));
    REQUIRE(as.copy_out(GuestAddr{kA + 4093}, "abcdef", 7));
    CHECK(as.read_cstring(GuestAddr{kA + 4093}, 100) == std::string("abcdef"));
    CHECK(as.read_cstring(GuestAddr{kA + 4093}, 3) == std::nullopt);
  }
}

TEST_CASE_METHOD(Fixture, "host_iovecs covers the buffer and merges host-contiguous pages", "[gateway][iovec]") {
  REQUIRE(as.mmap(kA, 3 * 4096, PROT_READ | PROT_WRITE, kAnonFixed, -1, 0) == int64_t(kA));
  std::vector<iovec> iov;
  // Touched in order, the pages get consecutive fresh frames: one iovec.
  REQUIRE(as.host_iovecs(GuestAddr{kA + 100}, 3 * 4096 - 200, Access::Write, iov));
  uint64_t total = 0;
  for (const iovec& v : iov) total += v.iov_len;
  CHECK(total == 3 * 4096 - 200);
  CHECK(iov.size() == 1);
  std::memset(iov[0].iov_base, 'z', iov[0].iov_len);
  char c = 0;
  REQUIRE(as.copy_in(&c, GuestAddr{kA + 5000}, 1));
  CHECK(c == 'z');
  SECTION("a bad range fails and leaves the vector as it was") {
    const size_t before = iov.size();
    CHECK_FALSE(as.host_iovecs(GuestAddr{kA + 2 * 4096}, 2 * 4096, Access::Read, iov));
    CHECK(iov.size() == before);
  }
  SECTION("write iovecs need a writable buffer") {
    REQUIRE(as.mprotect(kA, 4096, PROT_READ) == 0);
    CHECK_FALSE(as.host_iovecs(GuestAddr{kA}, 10, Access::Write, iov));
    CHECK(as.host_iovecs(GuestAddr{kA}, 10, Access::Read, iov));
  }
}

TEST_CASE_METHOD(Fixture, "gateway writes to code pages notify the observer first", "[gateway][code]") {
  REQUIRE(as.mmap(kA, 2 * 4096, PROT_READ | PROT_WRITE | PROT_EXEC, kAnonFixed, -1, 0) == int64_t(kA));
  uint8_t buf[4];
  REQUIRE(as.fetch_code(GuestAddr{kA}, buf, 4) == 4);
  SECTION("copy_out") {
    REQUIRE(as.copy_out(GuestAddr{kA + 10}, buf, 4));
    CHECK(observer.notices.size() == 1);
  }
  SECTION("write iovecs") {
    std::vector<iovec> iov;
    REQUIRE(as.host_iovecs(GuestAddr{kA}, 8192, Access::Write, iov));
    CHECK(observer.notices.size() == 1);
  }
  SECTION("read iovecs do not") {
    std::vector<iovec> iov;
    REQUIRE(as.host_iovecs(GuestAddr{kA}, 8192, Access::Read, iov));
    CHECK(observer.notices.empty());
  }
}

TEST_CASE_METHOD(Fixture, "poke writes regardless of protection, but only into mapped memory", "[gateway][loader]") {
  REQUIRE(as.map_fixed(test::pages_of(kA, kA + 4096), Prot::Read, RegionKind::Image) == 0);
  REQUIRE(as.map_fixed(test::pages_of(kA + 4096, kA + 8192), Prot::None, RegionKind::Reserved) == 0);
  const char msg[] = "image";
  CHECK(as.poke(GuestAddr{kA + 4000}, msg, sizeof msg));
  char back[sizeof msg];
  REQUIRE(as.copy_in(back, GuestAddr{kA + 4000}, sizeof back));
  CHECK(std::string(back) == "image");
  CHECK_FALSE(as.poke(GuestAddr{kA + 4096}, msg, 1));  // reserved: never populated
  CHECK_FALSE(as.poke(GuestAddr{kA + 8192}, msg, 1));  // unmapped
  CHECK(as.map_fixed(test::pages_of(kA, kA), Prot::Read, RegionKind::Image) == -EINVAL);
  CHECK(as.check_invariants() == "");
}
