// Loading real static executables: where the image, break and stack land, and
// the initial stack's contents read back through the gateway.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <map>
#include <utility>

#include "loader/initial_stack.h"
#include "loader/loader.h"
#include "loader_test_util.h"
#include "mm/address_space.h"
#include "mm/region_tree.h"

using namespace emu;
using namespace loader_test;

namespace {

constexpr const char* kBusybox = "/bin/busybox";

loader::LoadedProgram load_ok(mm::AddressSpace& as, const loader::LoadOptions& options) {
  auto result = loader::load_program(as, options);
  if (auto* err = std::get_if<loader::LoadError>(&result)) FAIL("load failed: " << err->reason);
  REQUIRE(as.check_invariants() == "");
  return std::get<loader::LoadedProgram>(result);
}

loader::LoadOptions options_for(const std::string& path, std::vector<std::string> argv,
                                std::vector<std::string> envp = {"HOME=/root", "PATH=/bin"}) {
  loader::LoadOptions o;
  o.path = path;
  o.execfn = path;
  o.argv = std::move(argv);
  o.envp = std::move(envp);
  o.hwcap = 0x178bfbff;
  return o;
}

const mm::Region& region_at(mm::AddressSpace& as, uint64_t addr) {
  const mm::Region* r = as.regions().find(mm::GuestAddr{addr}.page());
  REQUIRE(r != nullptr);
  return *r;
}

struct Stack {
  uint64_t argc = 0;
  std::vector<std::string> argv, envp;
  std::vector<std::pair<uint64_t, uint64_t>> auxv;  // in order, AT_NULL included
  uint64_t aux(uint64_t type) const {
    for (auto [t, v] : auxv)
      if (t == type) return v;
    FAIL("auxv has no entry " << type);
    return 0;
  }
};

Stack read_stack(mm::AddressSpace& as, uint64_t sp) {
  Stack s;
  s.argc = read_u64(as, sp);
  uint64_t p = sp + 8;
  for (uint64_t i = 0; i < s.argc; ++i, p += 8) s.argv.push_back(read_str(as, read_u64(as, p)));
  REQUIRE(read_u64(as, p) == 0);
  p += 8;
  for (uint64_t a; (a = read_u64(as, p)) != 0; p += 8) s.envp.push_back(read_str(as, a));
  p += 8;
  for (;; p += 16) {
    s.auxv.emplace_back(read_u64(as, p), read_u64(as, p + 8));
    if (s.auxv.back().first == loader::auxv::kNull) break;
    REQUIRE(s.auxv.size() < 64);
  }
  return s;
}

}  // namespace

TEST_CASE("busybox_loads_at_its_link_addresses", "[loader]") {
  mm::AddressSpace as;
  const auto program = load_ok(as, options_for(kBusybox, {"busybox", "echo", "hi"}));
  // readelf -lW /bin/busybox: entry 0x40ebf0, PT_LOADs at 0x400000 (R),
  // 0x401000 (RX), 0x585000 (R), 0x5db708 (RW, memsz 0x10450).
  CHECK(program.entry == 0x40ebf0);
  CHECK(program.load_bias == 0);
  CHECK(program.phdr_addr == 0x400040);
  CHECK(program.brk_start == 0x5ec000);
  CHECK(as.layout().brk_start.value == 0x5ec000);

  using mm::Prot;
  CHECK(region_at(as, 0x400000).attrs.prot == Prot::Read);
  CHECK(region_at(as, 0x401000).attrs.prot == (Prot::Read | Prot::Exec));
  CHECK(region_at(as, 0x585000).attrs.prot == Prot::Read);
  CHECK(region_at(as, 0x5db000).attrs.prot == (Prot::Read | Prot::Write));
  CHECK(region_at(as, 0x5eb000).attrs.prot == (Prot::Read | Prot::Write));  // bss past the file
  for (uint64_t a : {0x400000ull, 0x401000ull, 0x585000ull, 0x5db000ull, 0x5eb000ull})
    CHECK(region_at(as, a).attrs.kind == mm::RegionKind::Image);
  CHECK(as.regions().find(mm::GuestAddr{0x5ec000}.page()) == nullptr);  // the break starts unmapped
  CHECK(as.regions().find(mm::GuestAddr{0x3ff000}.page()) == nullptr);
}

TEST_CASE("busybox_segments_hold_the_file_bytes_and_a_zeroed_bss", "[loader]") {
  mm::AddressSpace as;
  load_ok(as, options_for(kBusybox, {"busybox"}));
  const auto file = read_file(kBusybox);
  std::vector<uint8_t> got(64);
  REQUIRE(as.copy_in(got.data(), mm::GuestAddr{0x40ebf0}, got.size()));
  CHECK(std::equal(got.begin(), got.end(), file.begin() + (0x40ebf0 - 0x401000 + 0x1000)));
  REQUIRE(as.copy_in(got.data(), mm::GuestAddr{0x5db708}, got.size()));
  CHECK(std::equal(got.begin(), got.end(), file.begin() + 0x1da708));
  // RW segment: file bytes end at 0x5db708 + 0x9008 = 0x5e4710; the rest of
  // that page comes from the file mapping but must read as zero (bss).
  std::vector<uint8_t> tail(0x5e5000 - 0x5e4710);
  REQUIRE(as.copy_in(tail.data(), mm::GuestAddr{0x5e4710}, tail.size()));
  CHECK(std::all_of(tail.begin(), tail.end(), [](uint8_t b) { return b == 0; }));
  std::vector<uint8_t> bss(0x5ebb58 - 0x5e5000);
  REQUIRE(as.copy_in(bss.data(), mm::GuestAddr{0x5e5000}, bss.size()));
  CHECK(std::all_of(bss.begin(), bss.end(), [](uint8_t b) { return b == 0; }));
}

TEST_CASE("layout_matches_linux_without_aslr", "[loader]") {
  mm::AddressSpace as;
  load_ok(as, options_for(kBusybox, {"busybox"}));
  const mm::Layout& l = as.layout();
  CHECK(l.stack_top.value == 0x7ffffffff000);
  CHECK(l.mmap_base.value == 0x7ffff7fff000);  // stack_top - 128 MiB (8 MiB stack limit + guard, clamped)
  CHECK(l.mmap_min.value == 0x10000);
  CHECK(l.stack_rlimit == (8u << 20));
  const mm::Region& stack = region_at(as, 0x7fffffffe000);
  CHECK(stack.attrs.kind == mm::RegionKind::Stack);
  CHECK(stack.attrs.prot == (mm::Prot::Read | mm::Prot::Write));
  CHECK(stack.attrs.grows_down);
  CHECK(stack.range.end.addr().value == 0x7ffffffff000);
  // Linux setup_arg_pages: one page of strings + 128 KiB; `setarch -R cat
  // /proc/self/maps` shows 7ffffffde000-7ffffffff000 [stack] here.
  CHECK(stack.range.start.addr().value == 0x7ffffffde000);
}

TEST_CASE("the_exec_stack_covers_the_argument_pages_plus_128_kib", "[loader]") {
  // Native, `env -i X=1 setarch -R ./maps ARG...` with ARG of n bytes: the
  // strings take 8 + "./maps" + argv + envp bytes at the top.
  struct Case {
    std::vector<std::string> args;
    uint64_t start;
  };
  const std::string a4069(4069, 'a'), a4070(4070, 'a'), a100k(100000, 'a');
  const Case cases[] = {
      {{"./maps", a4069}, 0x7ffffffde000},  // 4096 bytes of strings: one page
      {{"./maps", a4070}, 0x7ffffffdd000},  // 4097: two
      {{"./maps", a100k, a100k, a100k, a100k}, 0x7ffffff7d000},
  };
  for (const Case& c : cases) {
    mm::AddressSpace as;
    auto options = options_for(kBusybox, c.args, {"X=1"});
    options.execfn = "./maps";
    load_ok(as, options);
    CHECK(region_at(as, 0x7fffffffe000).range.start.addr().value == c.start);
    CHECK(as.check_invariants() == "");
  }
}

TEST_CASE("argument_tables_larger_than_the_initial_stack_grow_it", "[loader]") {
  // 40000 argv pointers (320 KB) do not fit in 20 pages of strings + 128 KiB:
  // the stack grows under them, as Linux's create_elf_tables makes it.
  mm::AddressSpace as;
  const auto program = load_ok(as, options_for(kBusybox, std::vector<std::string>(40000, "a"), {}));
  const mm::Region& stack = region_at(as, 0x7fffffffe000);
  CHECK(stack.range.start.addr().value <= (program.stack_pointer & ~uint64_t{4095}));
  CHECK(stack.range.start.addr().value > 0x7ffffffff000 - (1u << 20));
  const Stack s = read_stack(as, program.stack_pointer);
  CHECK(s.argc == 40000);
  CHECK(as.check_invariants() == "");
}

TEST_CASE("initial_stack_follows_the_sysv_abi_and_linux_order", "[loader]") {
  mm::AddressSpace as;
  auto options = options_for(kBusybox, {"busybox", "echo", "hello world"}, {"A=1", "B=two"});
  options.execfn = "/bin/./busybox";
  const auto program = load_ok(as, options);
  const uint64_t sp = program.stack_pointer;
  CHECK(sp % 16 == 0);
  CHECK(sp < 0x7ffffffff000);
  CHECK(sp > 0x7ffffffff000 - 4096);

  const Stack s = read_stack(as, sp);
  CHECK(s.argc == 3);
  CHECK(s.argv == std::vector<std::string>{"busybox", "echo", "hello world"});
  CHECK(s.envp == std::vector<std::string>{"A=1", "B=two"});

  namespace at = loader::auxv;
  std::vector<uint64_t> order;
  for (auto [t, v] : s.auxv) order.push_back(t);
  const std::vector<uint64_t> linux_order = {
      at::kMinsigstksz, at::kHwcap, at::kPagesz, at::kClktck, at::kPhdr,    at::kPhent,  at::kPhnum,
      at::kBase,        at::kFlags, at::kEntry,  at::kUid,    at::kEuid,    at::kGid,    at::kEgid,
      at::kSecure,      at::kRandom, at::kHwcap2, at::kExecfn, at::kPlatform, at::kNull};
  CHECK(order == linux_order);
  CHECK(s.aux(at::kHwcap) == 0x178bfbff);
  CHECK(s.aux(at::kPagesz) == 4096);
  CHECK(s.aux(at::kClktck) == 100);
  CHECK(s.aux(at::kPhdr) == 0x400040);
  CHECK(s.aux(at::kPhent) == 56);
  CHECK(s.aux(at::kPhnum) == 10);
  CHECK(s.aux(at::kBase) == 0);
  CHECK(s.aux(at::kEntry) == 0x40ebf0);
  CHECK(s.aux(at::kUid) == ::getuid());
  CHECK(s.aux(at::kEgid) == ::getegid());
  CHECK(s.aux(at::kSecure) == 0);
  CHECK(read_str(as, s.aux(at::kPlatform)) == "x86_64");
  CHECK(read_str(as, s.aux(at::kExecfn)) == "/bin/./busybox");

  // Linux's string area: execfn right below the 8-byte end marker at the top,
  // then envp and argv strings downwards (argv[0] lowest).
  const uint64_t execfn = s.aux(at::kExecfn);
  CHECK(execfn == 0x7ffffffff000 - 8 - (sizeof("/bin/./busybox")));
  CHECK(read_u64(as, 0x7ffffffff000 - 8) == 0);
  const uint64_t argv0 = read_u64(as, sp + 8);
  const uint64_t env0 = read_u64(as, sp + 8 * 5);
  CHECK(argv0 < env0);
  CHECK(env0 < execfn);
  CHECK(read_u64(as, sp + 16) == argv0 + sizeof("busybox"));  // argv strings are contiguous
  // AT_RANDOM: 16 bytes below AT_PLATFORM, inside the stack.
  CHECK(s.aux(at::kRandom) + 16 == s.aux(at::kPlatform));
  uint8_t random[16];
  CHECK(as.copy_in(random, mm::GuestAddr{s.aux(at::kRandom)}, 16));
}

TEST_CASE("argc_zero_and_empty_environment_still_align_the_stack", "[loader]") {
  for (int argc = 0; argc < 4; ++argc) {
    mm::AddressSpace as;
    std::vector<std::string> argv(size_t(argc), "x");
    const auto program = load_ok(as, options_for(kBusybox, argv, {}));
    CHECK(program.stack_pointer % 16 == 0);
    const Stack s = read_stack(as, program.stack_pointer);
    CHECK(s.argc == uint64_t(argc));
    CHECK(s.envp.empty());
  }
}

TEST_CASE("arguments_larger_than_a_quarter_of_the_stack_are_E2BIG", "[loader]") {
  mm::AddressSpace as;
  auto options = options_for(kBusybox, {"busybox", std::string(3u << 20, 'a')});
  auto result = loader::load_program(as, options);
  REQUIRE(std::holds_alternative<loader::LoadError>(result));
  CHECK(std::get<loader::LoadError>(result).reason == "Argument list too long");
}

TEST_CASE("static_pie_is_placed_at_the_et_dyn_base", "[loader]") {
  const char* pie = std::getenv("EMU_TEST_STATIC_PIE");
  REQUIRE(pie != nullptr);
  const auto file = read_file(pie);
  REQUIRE(field<uint16_t>(file, kType) == 3);  // ET_DYN
  mm::AddressSpace as;
  const auto program = load_ok(as, options_for(pie, {"pie"}));
  constexpr uint64_t kBase = 0x555555554000;
  CHECK(program.load_bias == kBase);  // its lowest PT_LOAD is at vaddr 0
  CHECK(program.entry == kBase + field<uint64_t>(file, kEntry));
  CHECK(program.phdr_addr == kBase + 64);
  const size_t last = phdr(file, load_index(file, 3));
  const uint64_t end = field<uint64_t>(file, last + kPVaddr) + field<uint64_t>(file, last + kPMemsz);
  CHECK(program.brk_start == kBase + ((end + 4095) & ~uint64_t{4095}));
  CHECK(region_at(as, program.entry).attrs.prot == (mm::Prot::Read | mm::Prot::Exec));
  uint8_t magic[4];
  REQUIRE(as.copy_in(magic, mm::GuestAddr{kBase}, 4));
  CHECK(std::memcmp(magic, "\x7f" "ELF", 4) == 0);
  const Stack s = read_stack(as, program.stack_pointer);
  CHECK(s.aux(loader::auxv::kPhdr) == kBase + 64);
  CHECK(s.aux(loader::auxv::kEntry) == program.entry);
}
