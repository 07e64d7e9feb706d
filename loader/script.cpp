#include "loader/script.h"

#include <cstring>

namespace emu::loader {

namespace {

bool space_or_tab(char c) { return c == ' ' || c == '\t'; }
bool terminator(char c) { return c == ' ' || c == '\t' || c == '\0'; }

// The first character in [from, to) that is not a space or tab; `to` if none.
const char* skip_space_tab(const char* from, const char* to) {
  while (from < to && space_or_tab(*from)) ++from;
  return from;
}
// The first space, tab or NUL in [from, to); `to` if none.
const char* find_terminator(const char* from, const char* to) {
  while (from < to && !terminator(*from)) ++from;
  return from;
}

LoadError bad_script(const char* why) { return LoadError{why, 126, ENOEXEC}; }

}  // namespace

std::variant<std::monostate, Shebang, LoadError> parse_shebang(std::string_view head) {
  // The kernel works on a zero-filled 256-byte buffer whose last byte it
  // never looks at; its newline search (strnchr) also stops at a NUL.
  char buf[kExecHeadBytes] = {};
  std::memcpy(buf, head.data(), std::min(head.size(), sizeof buf));
  if (buf[0] != '#' || buf[1] != '!') return std::monostate{};
  const char* const buf_end = buf + sizeof buf - 1;

  const char* line_end = nullptr;
  for (const char* c = buf; c < buf + sizeof buf && *c != '\0'; ++c) {
    if (*c == '\n') {
      line_end = c;
      break;
    }
  }
  if (!line_end) {
    const char* name = skip_space_tab(buf + 2, buf_end);
    if (name == buf_end) return bad_script("#! line has no interpreter");
    // No space, tab or NUL after the name before the buffer ends: the name
    // may have been cut short, so the kernel refuses it.
    if (find_terminator(name, buf_end) == buf_end) return bad_script("#! interpreter name is too long");
    line_end = buf_end;
  }
  while (line_end > buf + 2 && space_or_tab(line_end[-1])) --line_end;
  const char* name = skip_space_tab(buf + 2, line_end);
  if (name == line_end) return bad_script("#! line has no interpreter");

  Shebang result;
  const char* name_end = find_terminator(name, line_end);
  result.interpreter.assign(name, name_end);
  if (name_end < line_end && *name_end != '\0') {
    const char* arg = skip_space_tab(name_end, line_end);
    // The argument is a C string to the kernel: it ends at a NUL too.
    const char* arg_end = static_cast<const char*>(std::memchr(arg, '\0', size_t(line_end - arg)));
    result.argument.emplace(arg, arg_end ? arg_end : line_end);
  }
  return result;
}

}  // namespace emu::loader
