// The command line's number parsing (emu/options.h): sizes in binary units
// for --mem-limit, counts in decimal units for --max-insns.
#include <catch2/catch.hpp>

#include <cstdint>

#include "emu/options.h"

namespace emu {
namespace {

TEST_CASE("sizes take binary units with optional iB/B tails", "[options]") {
  uint64_t v = 0;
  CHECK((parse_size("4096", v) && v == 4096));
  CHECK((parse_size("64K", v) && v == 64u << 10));
  CHECK((parse_size("512M", v) && v == 512u << 20));
  CHECK((parse_size("2g", v) && v == 2ull << 30));
  CHECK((parse_size("3GiB", v) && v == 3ull << 30));
  CHECK((parse_size("1TB", v) && v == 1ull << 40));
  CHECK((parse_size("16777215T", v) && v == 16777215ull << 40));
}

TEST_CASE("counts take decimal units and no byte tails", "[options]") {
  uint64_t v = 0;
  CHECK((parse_count("1000", v) && v == 1000));
  CHECK((parse_count("2k", v) && v == 2000));
  CHECK((parse_count("3M", v) && v == 3'000'000));
  CHECK((parse_count("5G", v) && v == 5'000'000'000));
  CHECK((parse_count("7T", v) && v == 7'000'000'000'000));
  CHECK_FALSE(parse_count("5GiB", v));
  CHECK_FALSE(parse_count("5GB", v));
}

TEST_CASE("malformed or overflowing numbers are refused", "[options]") {
  uint64_t v = 0;
  for (const char* bad : {"", "M", "-1", "12X", "0x10", "1.5G", "5 G", "18446744073709551616"}) {
    INFO(bad);
    CHECK_FALSE(parse_size(bad, v));
    CHECK_FALSE(parse_count(bad, v));
  }
  CHECK_FALSE(parse_size("16777216T", v));  // 2^64 bytes
  CHECK_FALSE(parse_count("18446744073709552T", v));
  CHECK((parse_count("18446744073709551615", v) && v == UINT64_MAX));
}

}  // namespace
}  // namespace emu
