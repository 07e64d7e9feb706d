// load_program(): validate (ElfFile) -> place the image (map_image) -> set the
// layout -> map and fill the stack (build_initial_stack). Nothing is mapped
// until the whole file has been validated.
#include "loader/loader.h"

#include <algorithm>
#include <cstring>
#include <unistd.h>

#include <fmt/format.h>

#include "loader/elf_file.h"
#include "loader/executable.h"
#include "loader/initial_stack.h"
#include "loader/layout.h"
#include "loader/load_image.h"
#include "loader/script.h"
#include "mm/address_space.h"

namespace emu::loader {

std::variant<LoadedProgram, LoadError> load_program(mm::AddressSpace& as, const LoadOptions& options) {
  auto opened = ElfFile::open(options.path);
  if (auto* err = std::get_if<LoadError>(&opened)) return std::move(*err);
  const ElfFile& file = std::get<ElfFile>(opened);

  mm::Layout layout = default_layout(options.stack_limit);
  layout.stack_rlimit = options.stack_limit;
  const uint64_t stack_max = max_stack_size(layout, options.stack_limit);

  auto mapped = map_image(as, file, layout.mmap_base.value);
  if (auto* err = std::get_if<LoadError>(&mapped)) return std::move(*err);
  const MappedImage& image = std::get<MappedImage>(mapped);

  // Linux starts a static program's break right after its bss.
  layout.brk_start = mm::GuestAddr{image.image_end};
  as.set_layout(layout);

  StackContents contents;
  contents.argv = options.argv;
  contents.envp = options.envp;
  contents.execfn = options.execfn.empty() ? options.path : options.execfn;
  contents.hwcap = options.hwcap;
  contents.phdr_addr = image.phdr_addr;
  contents.phnum = file.header().e_phnum;
  contents.entry = image.entry;

  // A grows-down Stack region sized as Linux's exec sizes it; the tables
  // below the strings may grow it further, as Linux's create_elf_tables can.
  const uint64_t stack_size = initial_stack_size(argument_bytes(contents), options.stack_limit);
  const mm::PageRange stack_pages{mm::GuestAddr{layout.stack_top.value - std::min(stack_size, stack_max)}.page(),
                                  layout.stack_top.page()};
  if (int64_t r = as.map_fixed(stack_pages, mm::Prot::Read | mm::Prot::Write, mm::RegionKind::Stack); r < 0)
    return LoadError{fmt::format("cannot map the stack: {}", std::strerror(int(-r))), 126, int(-r)};
  auto sp = build_initial_stack(as, layout.stack_top.value, stack_max, contents);
  if (auto* err = std::get_if<LoadError>(&sp)) return std::move(*err);

  LoadedProgram program;
  program.path = options.path;
  program.entry = image.entry;
  program.stack_pointer = std::get<uint64_t>(sp);
  program.load_bias = image.load_bias;
  program.phdr_addr = image.phdr_addr;
  program.brk_start = image.image_end;
  return program;
}

namespace {

// The first kExecHeadBytes of `path`, opened as execve opens it.
std::variant<std::string, LoadError> read_exec_head(const std::string& path) {
  auto opened = open_executable(path);
  if (auto* err = std::get_if<LoadError>(&opened)) return std::move(*err);
  const int fd = std::get<int>(opened);
  std::string head(kExecHeadBytes, '\0');
  ssize_t n;
  do n = ::pread(fd, head.data(), head.size(), 0);
  while (n < 0 && errno == EINTR);
  const int err = errno;
  ::close(fd);
  if (n < 0) return host_load_error(err);
  head.resize(size_t(n));
  return head;
}

}  // namespace

std::variant<LoadedProgram, LoadError> load_exec(mm::AddressSpace& as, const LoadOptions& options) {
  // Linux's exec_binprm allows an interpreter chain of this depth.
  constexpr int kMaxInterpreterDepth = 5;
  LoadOptions current = options;
  for (int depth = 0;; ++depth) {
    if (depth > kMaxInterpreterDepth) return LoadError{"too many levels of #! interpreters", 126, ELOOP};
    auto head = read_exec_head(current.path);
    if (auto* err = std::get_if<LoadError>(&head)) return std::move(*err);
    auto parsed = parse_shebang(std::get<std::string>(head));
    if (auto* err = std::get_if<LoadError>(&parsed)) return std::move(*err);
    if (std::holds_alternative<std::monostate>(parsed)) return load_program(as, current);
    // binfmt_script: argv[0] is replaced by interpreter [argument] path.
    Shebang& script = std::get<Shebang>(parsed);
    // A file holding just "#!" (or "#!" and blanks): the kernel opens the
    // empty name and fails with EACCES (measured on Linux 6.18).
    if (script.interpreter.empty()) return host_load_error(EACCES);
    std::vector<std::string> argv{script.interpreter};
    if (script.argument) argv.push_back(*script.argument);
    argv.push_back(current.path);
    if (current.argv.size() > 1) argv.insert(argv.end(), current.argv.begin() + 1, current.argv.end());
    current.argv = std::move(argv);
    current.path = std::move(script.interpreter);
  }
}

}  // namespace emu::loader
