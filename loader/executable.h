// Opening a file to execute it, with execve(2)'s checks and errors, before
// anything looks at its contents (ELF or #! script).
#pragma once

#include <string>
#include <variant>

#include "loader/loader.h"

namespace emu::loader {

// A LoadError for a failed host call: strerror's text, exit status 127 for
// ENOENT (126 otherwise, like a shell), and `err` as execve's errno.
LoadError host_load_error(int err);

// Opens `path` read-only (close-on-exec) as execve's do_open_execat checks
// it: a directory or any other non-regular file is EACCES (the CLI says "Is
// a directory" for the former), a file without execute permission is EACCES.
// emu must also read what it executes, so an execute-only file is EACCES
// too, where Linux would run it.
std::variant<int, LoadError> open_executable(const std::string& path);

// `path` with every link resolved, as /proc/self/exe names a program
// (`path` itself when it can't be resolved).
std::string resolved_exe_path(const std::string& path);

}  // namespace emu::loader
