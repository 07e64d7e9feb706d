// parse_shebang: binfmt_script's reading of a #! line.
#include <catch2/catch.hpp>

#include <string>

#include "loader/script.h"

using namespace emu::loader;

namespace {

Shebang parsed(const std::string& head) {
  auto r = parse_shebang(head);
  REQUIRE(std::holds_alternative<Shebang>(r));
  return std::get<Shebang>(r);
}

int error_of(const std::string& head) {
  auto r = parse_shebang(head);
  REQUIRE(std::holds_alternative<LoadError>(r));
  return std::get<LoadError>(r).error;
}

}  // namespace

TEST_CASE("a file not starting with #! is not a script") {
  CHECK(std::holds_alternative<std::monostate>(parse_shebang("\x7f" "ELF")));
  CHECK(std::holds_alternative<std::monostate>(parse_shebang("# !/bin/sh\n")));
  CHECK(std::holds_alternative<std::monostate>(parse_shebang("")));
  CHECK(std::holds_alternative<std::monostate>(parse_shebang("#")));
}

TEST_CASE("the interpreter ends at a space and the rest of the line is one argument, trimmed") {
  Shebang s = parsed("#! /bin/prog  -a  -b c \t\nbody\n");
  CHECK(s.interpreter == "/bin/prog");
  REQUIRE(s.argument);
  CHECK(*s.argument == "-a  -b c");
}

TEST_CASE("no argument when only spaces and tabs follow the interpreter") {
  Shebang s = parsed("#!/bin/sh \t \n");
  CHECK(s.interpreter == "/bin/sh");
  CHECK_FALSE(s.argument);
  CHECK_FALSE(parsed("#!/bin/sh").argument);  // no newline at all, short file
}

TEST_CASE("a tab separates the interpreter from its argument") {
  Shebang s = parsed("#!\t/bin/awk\t-f\n");
  CHECK(s.interpreter == "/bin/awk");
  CHECK(*s.argument == "-f");
}

TEST_CASE("a #! line with no interpreter is ENOEXEC") {
  CHECK(error_of("#!\n") == ENOEXEC);
  CHECK(error_of("#!   \t\n") == ENOEXEC);
}

TEST_CASE("a file of just #! names the empty interpreter, as the kernel reads it") {
  // The NUL padding ends the name at once (load_exec then fails with EACCES).
  CHECK(parsed("#!").interpreter.empty());
  CHECK(parsed("#!   ").interpreter.empty());
}

TEST_CASE("a NUL ends the line like the kernel's string search") {
  Shebang s = parsed(std::string("#!/bin/x arg\0more\n", 18));
  CHECK(s.interpreter == "/bin/x");
  CHECK(*s.argument == "arg");
}

TEST_CASE("an interpreter name running past 256 bytes is refused as possibly cut short") {
  CHECK(error_of("#!/" + std::string(300, 'a')) == ENOEXEC);
  // A long line is fine when the name itself ends within the buffer: the
  // argument is what gets cut at byte 255.
  Shebang s = parsed("#!/bin/x " + std::string(300, 'b'));
  CHECK(s.interpreter == "/bin/x");
  CHECK(s.argument->size() == 255 - 9);
}
