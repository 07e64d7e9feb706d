// #! scripts, as Linux's binfmt_script reads them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "loader/loader.h"

namespace emu::loader {

// Linux reads this many bytes of a file to pick its format (BINPRM_BUF_SIZE).
inline constexpr size_t kExecHeadBytes = 256;

struct Shebang {
  std::string interpreter;               // up to the first space, tab or NUL
  std::optional<std::string> argument;   // the rest of the line, trimmed: ONE argument
};

// Parses the first bytes of a file (at most kExecHeadBytes are looked at)
// with binfmt_script's rules: std::monostate when it does not start with
// "#!"; a LoadError (ENOEXEC) when there is no interpreter name, or the line
// does not end within the first 256 bytes and the name may be truncated.
std::variant<std::monostate, Shebang, LoadError> parse_shebang(std::string_view head);

}  // namespace emu::loader
