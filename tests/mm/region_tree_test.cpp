// RegionTree: interval-map semantics, edges of the user address space, the
// top-down gap search, and a randomized comparison against a page array.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <optional>
#include <random>
#include <vector>

#include "mm/region_tree.h"
#include "tests/mm/mm_test_util.h"

using namespace emu::mm;
using emu::mm::test::TempFile;

namespace {

PageRange pr(uint64_t start, uint64_t end) { return {PageNum{start}, PageNum{end}}; }

RegionAttrs anon(Prot prot = Prot::Read) { return RegionAttrs::anonymous(RegionKind::Anonymous, prot); }

std::vector<Region> regions_of(const RegionTree& t) {
  std::vector<Region> out;
  t.for_each([&](const Region& r) { out.push_back(r); });
  return out;
}

#define REQUIRE_VALID(tree) \
  do {                                                      \
    INFO((tree).dump());                                    \
    REQUIRE((tree).check_invariants() == "");               \
  } while (0)

std::shared_ptr<const FileBacking> backing_of(const TempFile& f) {
  auto b = FileBacking::dup_from(f.fd());
  REQUIRE(std::holds_alternative<std::shared_ptr<const FileBacking>>(b));
  return std::get<0>(b);
}

}  // namespace

TEST_CASE("map into an empty tree creates one region", "[region_tree]") {
  RegionTree t;
  t.map(pr(10, 20), anon());
  REQUIRE_VALID(t);
  auto rs = regions_of(t);
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].range == pr(10, 20));
  CHECK(t.find(PageNum{9}) == nullptr);
  CHECK(t.find(PageNum{10}) != nullptr);
  CHECK(t.find(PageNum{19}) != nullptr);
  CHECK(t.find(PageNum{20}) == nullptr);  // half-open
}

TEST_CASE("zero-length map, unmap and protect change nothing", "[region_tree][edge]") {
  RegionTree t;
  t.map(pr(10, 20), anon());
  t.map(pr(15, 15), anon(Prot::Write));
  t.unmap(pr(12, 12));
  t.protect(pr(13, 13), Prot::None);
  REQUIRE_VALID(t);
  CHECK(t.node_count() == 1);
  CHECK(t.find(PageNum{15})->attrs.prot == Prot::Read);
}

TEST_CASE("adjacent equal mappings merge; different ones don't", "[region_tree]") {
  RegionTree t;
  t.map(pr(10, 20), anon());
  t.map(pr(20, 30), anon());
  CHECK(t.node_count() == 1);
  t.map(pr(30, 40), anon(Prot::Read | Prot::Write));
  CHECK(t.node_count() == 2);
  t.map(pr(40, 50), RegionAttrs::anonymous(RegionKind::Heap, Prot::Read | Prot::Write));
  CHECK(t.node_count() == 3);
  // Filling the hole between two equal regions merges all three.
  t.map(pr(60, 70), anon());
  t.map(pr(50, 60), anon());
  CHECK(t.node_count() == 4);
  REQUIRE_VALID(t);
}

TEST_CASE("map over the middle of a region splits it in three", "[region_tree]") {
  RegionTree t;
  t.map(pr(10, 40), anon());
  t.map(pr(20, 30), anon(Prot::None));
  REQUIRE_VALID(t);
  auto rs = regions_of(t);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].range == pr(10, 20));
  CHECK(rs[1].range == pr(20, 30));
  CHECK(rs[1].attrs.prot == Prot::None);
  CHECK(rs[2].range == pr(30, 40));
}

TEST_CASE("map over several regions replaces them all", "[region_tree]") {
  RegionTree t;
  for (uint64_t i = 0; i < 10; ++i) t.map(pr(i * 10, i * 10 + 5), anon());
  CHECK(t.node_count() == 10);
  t.map(pr(3, 93), anon(Prot::Write));
  REQUIRE_VALID(t);
  auto rs = regions_of(t);
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].range == pr(0, 3));
  CHECK(rs[1].range == pr(3, 93));
  CHECK(rs[2].range == pr(93, 95));
  CHECK(t.node_peak() == 10);
}

TEST_CASE("unmap splits the middle of a region and trims edges", "[region_tree]") {
  RegionTree t;
  t.map(pr(10, 40), anon());
  t.unmap(pr(20, 25));
  REQUIRE_VALID(t);
  CHECK(t.node_count() == 2);
  t.unmap(pr(5, 12));
  t.unmap(pr(38, 100));
  REQUIRE_VALID(t);
  auto rs = regions_of(t);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].range == pr(12, 20));
  CHECK(rs[1].range == pr(25, 38));
  t.unmap(pr(0, 1000));
  CHECK(t.node_count() == 0);
  REQUIRE_VALID(t);
}

TEST_CASE("protect splits at the edges and re-merges equal neighbours", "[region_tree]") {
  RegionTree t;
  t.map(pr(10, 40), anon());
  t.protect(pr(20, 30), Prot::Read | Prot::Write);
  REQUIRE_VALID(t);
  CHECK(t.node_count() == 3);
  t.protect(pr(15, 35), Prot::Read);
  REQUIRE_VALID(t);
  CHECK(t.node_count() == 1);
  // Holes stay holes.
  t.map(pr(50, 60), anon());
  t.protect(pr(0, 100), Prot::None);
  REQUIRE_VALID(t);
  auto rs = regions_of(t);
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].range == pr(10, 40));
  CHECK(rs[1].range == pr(50, 60));
}

TEST_CASE("file regions merge only with contiguous offsets of the same file", "[region_tree][file]") {
  TempFile f1("a"), f2("b");
  auto b1 = backing_of(f1), b2 = backing_of(f2);
  RegionTree t;
  t.map(pr(10, 12), RegionAttrs::file_backed(RegionKind::File, Prot::Read, b1, 0));
  t.map(pr(12, 14), RegionAttrs::file_backed(RegionKind::File, Prot::Read, b1, 2 * kPageSize));
  CHECK(t.node_count() == 1);
  t.map(pr(14, 16), RegionAttrs::file_backed(RegionKind::File, Prot::Read, b1, 0));
  CHECK(t.node_count() == 2);
  t.map(pr(16, 18), RegionAttrs::file_backed(RegionKind::File, Prot::Read, b2, 2 * kPageSize));
  CHECK(t.node_count() == 3);
  // Splitting keeps the offset of each part.
  t.unmap(pr(11, 12));
  REQUIRE_VALID(t);
  const Region* r = t.find(PageNum{13});
  REQUIRE(r);
  CHECK(r->range == pr(12, 14));
  CHECK(r->attrs.file_offset == 2 * kPageSize);
  CHECK(r->file_offset_of(PageNum{13}) == 3 * kPageSize);
  // Re-mapping the hole with the right offset merges back.
  t.map(pr(11, 12), RegionAttrs::file_backed(RegionKind::File, Prot::Read, b1, kPageSize));
  CHECK(t.node_count() == 3);
  REQUIRE_VALID(t);
}

TEST_CASE("regions at page 0 and at the top of user space", "[region_tree][edge]") {
  RegionTree t;
  t.map(pr(0, 1), anon());
  t.map(pr(kUserTopPage - 1, kUserTopPage), anon());
  REQUIRE_VALID(t);
  CHECK(t.find(PageNum{0}) != nullptr);
  CHECK(t.find(PageNum{kUserTopPage - 1}) != nullptr);
  CHECK(t.find(PageNum{kUserTopPage}) == nullptr);
  CHECK(t.find_next(PageNum{1})->range == pr(kUserTopPage - 1, kUserTopPage));
  CHECK(t.find_next(PageNum{kUserTopPage}) == nullptr);
  // The whole user space in one region, then a hole punched at each end.
  t.map(pr(0, kUserTopPage), anon(Prot::Write));
  CHECK(t.node_count() == 1);
  t.unmap(pr(0, 1));
  t.unmap(pr(kUserTopPage - 1, kUserTopPage));
  REQUIRE_VALID(t);
  CHECK(regions_of(t)[0].range == pr(1, kUserTopPage - 1));
  CHECK(t.is_free(pr(0, 1)));
  CHECK_FALSE(t.is_free(pr(0, 2)));
}

TEST_CASE("find_free searches top-down inside the window", "[region_tree][gap]") {
  RegionTree t;
  SECTION("an empty tree gives the top of the window") {
    CHECK(t.find_free(4, pr(100, 200)) == PageNum{196});
    CHECK(t.find_free(100, pr(100, 200)) == PageNum{100});
    CHECK(t.find_free(101, pr(100, 200)) == std::nullopt);
    CHECK(t.find_free(0, pr(100, 200)) == std::nullopt);
    CHECK(t.find_free(1, pr(0, kUserTopPage)) == PageNum{kUserTopPage - 1});
    CHECK(t.find_free(kUserTopPage, pr(0, kUserTopPage)) == PageNum{0});
    CHECK(t.find_free(1, pr(5, 5)) == std::nullopt);
    CHECK(t.find_free(1, pr(0, kUserTopPage + 100)) == PageNum{kUserTopPage - 1});  // clamped to user space
  }
  SECTION("gaps between regions, highest fitting first") {
    t.map(pr(100, 110), anon());  // gap [110,120) = 10
    t.map(pr(120, 130), anon());  // gap [130,133) = 3
    t.map(pr(133, 200), anon());
    CHECK(t.find_free(3, pr(0, 200)) == PageNum{130});
    CHECK(t.find_free(4, pr(0, 200)) == PageNum{116});
    CHECK(t.find_free(10, pr(0, 200)) == PageNum{110});
    CHECK(t.find_free(11, pr(0, 200)) == PageNum{89});
    CHECK(t.find_free(11, pr(95, 200)) == std::nullopt);
    // The window clips gaps.
    CHECK(t.find_free(3, pr(0, 132)) == PageNum{117});
    CHECK(t.find_free(2, pr(0, 132)) == PageNum{130});
    CHECK(t.find_free(5, pr(112, 200)) == PageNum{115});
    CHECK(t.find_free(9, pr(112, 200)) == std::nullopt);
    CHECK(t.find_free(1, pr(200, 201)) == PageNum{200});
  }
  SECTION("a free hint is honoured, a taken one falls back to top-down") {
    t.map(pr(100, 110), anon());
    CHECK(t.find_free(5, pr(0, 200), PageNum{20}) == PageNum{20});
    CHECK(t.find_free(5, pr(0, 200), PageNum{98}) == PageNum{195});
    CHECK(t.find_free(5, pr(0, 200), PageNum{110}) == PageNum{110});
    CHECK(t.find_free(5, pr(0, 200), PageNum{198}) == PageNum{195});  // would leave the window
  }
}

TEST_CASE("find_free_bottom_up takes the lowest gap that fits inside the window", "[region_tree][gap]") {
  RegionTree t;
  CHECK(t.find_free_bottom_up(4, pr(100, 200)) == PageNum{100});
  CHECK(t.find_free_bottom_up(101, pr(100, 200)) == std::nullopt);
  CHECK(t.find_free_bottom_up(0, pr(100, 200)) == std::nullopt);
  t.map(pr(90, 105), anon());   // covers the window's start
  t.map(pr(110, 120), anon());  // gap [105,110) = 5
  t.map(pr(123, 130), anon());  // gap [120,123) = 3
  REQUIRE_VALID(t);
  CHECK(t.find_free_bottom_up(3, pr(100, 200)) == PageNum{105});
  CHECK(t.find_free_bottom_up(5, pr(100, 200)) == PageNum{105});
  CHECK(t.find_free_bottom_up(6, pr(100, 200)) == PageNum{130});
  CHECK(t.find_free_bottom_up(70, pr(100, 200)) == PageNum{130});
  CHECK(t.find_free_bottom_up(71, pr(100, 200)) == std::nullopt);
  CHECK(t.find_free_bottom_up(3, pr(121, 200)) == PageNum{130});  // [121,123) is too small
  CHECK(t.find_free_bottom_up(2, pr(121, 200)) == PageNum{121});
  CHECK(t.find_free_bottom_up(5, pr(100, 112)) == PageNum{105});
  CHECK(t.find_free_bottom_up(6, pr(100, 112)) == std::nullopt);
}

TEST_CASE("find_free stays logarithmic: many small gaps, one large one at the bottom", "[region_tree][gap]") {
  RegionTree t;
  for (uint64_t i = 0; i < 20000; ++i) t.map(pr(1000 + 2 * i, 1000 + 2 * i + 1), anon());
  CHECK(t.node_count() == 20000);
  CHECK(t.find_free(2, pr(10, 1000 + 40000)) == PageNum{998});
  CHECK(t.find_free(1, pr(10, 1000 + 40000)) == PageNum{1000 + 2 * 19999 + 1});
  REQUIRE_VALID(t);
}

// ---- randomized comparison against a page array ---------------------------------------

namespace {

// The model: each page of two windows (the bottom and the top of user space)
// either unmapped or mapped with attributes and its own file offset.
struct ModelPage {
  bool mapped = false;
  RegionKind kind{};
  Prot prot{};
  Sharing sharing{};
  int file = -1;
  uint64_t offset = 0;
  bool grows_down = false;
};

constexpr uint64_t kWindow = 600;

struct Model {
  std::array<std::vector<ModelPage>, 2> win{std::vector<ModelPage>(kWindow), std::vector<ModelPage>(kWindow)};
  static uint64_t base(int w) { return w == 0 ? 0 : kUserTopPage - kWindow; }
  ModelPage& at(int w, uint64_t i) { return win[w][i]; }
};

struct Checker {
  std::vector<std::shared_ptr<const FileBacking>> files;

  int file_index(const RegionAttrs& a) const {
    for (size_t i = 0; i < files.size(); ++i)
      if (a.file == files[i]) return int(i);
    return -1;
  }

  // The regions the model implies, in the window.
  std::vector<Region> expected(Model& m, int w) const {
    std::vector<Region> out;
    for (uint64_t i = 0; i < kWindow; ++i) {
      const ModelPage& p = m.at(w, i);
      if (!p.mapped) continue;
      RegionAttrs a;
      a.kind = p.kind;
      a.prot = p.prot;
      a.sharing = p.sharing;
      a.grows_down = p.grows_down;
      if (p.file >= 0) {
        a.file = files[size_t(p.file)];
        a.file_offset = p.offset;
      }
      Region r{PageRange{PageNum{Model::base(w) + i}, PageNum{Model::base(w) + i + 1}}, a};
      if (!out.empty() && can_merge(out.back(), r))
        out.back().range.end = r.range.end;
      else
        out.push_back(r);
    }
    return out;
  }
};

// Empty when the tree holds exactly the regions the model implies; else the
// first difference. Plain comparisons (no Catch2 assertion per field) so that
// 10^6 operations stay fast.
std::string compare(const RegionTree& t, Model& m, const Checker& c) {
  std::vector<Region> want = c.expected(m, 0);
  std::vector<Region> top = c.expected(m, 1);
  want.insert(want.end(), top.begin(), top.end());
  const std::vector<Region> got = regions_of(t);
  if (got.size() != want.size()) return fmt::format("{} regions, model has {}", got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const RegionAttrs& g = got[i].attrs;
    const RegionAttrs& w = want[i].attrs;
    if (!(got[i].range == want[i].range) || g.kind != w.kind || g.prot != w.prot || g.sharing != w.sharing ||
        g.file != w.file || g.file_offset != w.file_offset || g.grows_down != w.grows_down)
      return fmt::format("region {} [{:#x},{:#x}) differs from the model's [{:#x},{:#x})", i,
                         got[i].range.start.value, got[i].range.end.value, want[i].range.start.value,
                         want[i].range.end.value);
  }
  return {};
}

std::optional<uint64_t> model_gap(Model& m, int w, uint64_t pages, uint64_t lo, uint64_t hi) {
  uint64_t run = 0;
  for (uint64_t i = hi; i-- > lo;) {
    run = m.at(w, i).mapped ? 0 : run + 1;
    if (run == pages) return Model::base(w) + i;
  }
  return std::nullopt;
}

void run_random_ops(uint32_t seed, int ops) {
  TempFile f1("x"), f2("y");
  Checker c;
  c.files = {backing_of(f1), backing_of(f2)};
  RegionTree t;
  Model m;
  std::mt19937_64 rng(seed);
  auto uniform = [&](uint64_t lo, uint64_t hi) { return std::uniform_int_distribution<uint64_t>(lo, hi)(rng); };
  for (int op = 0; op < ops; ++op) {
    const int w = int(uniform(0, 1));
    const uint64_t a = uniform(0, kWindow), len = uniform(0, uniform(0, 1) ? 8 : 120);
    const uint64_t b = std::min(kWindow, a + len);
    const PageRange range{PageNum{Model::base(w) + a}, PageNum{Model::base(w) + b}};
    const int kind = int(uniform(0, 9));
    if (kind < 5) {  // map
      ModelPage p;
      p.mapped = true;
      p.kind = uniform(0, 3) == 0 ? RegionKind::Heap : RegionKind::Anonymous;
      p.prot = Prot(uniform(0, 2));
      p.sharing = uniform(0, 4) == 0 ? Sharing::Shared : Sharing::Private;
      p.file = int(uniform(0, 2)) - 1;
      p.grows_down = p.file < 0 && uniform(0, 5) == 0;
      RegionAttrs attrs = RegionAttrs::anonymous(p.kind, p.prot);
      attrs.sharing = p.sharing;
      attrs.grows_down = p.grows_down;
      if (p.file >= 0) {
        p.kind = RegionKind::File;
        attrs.kind = RegionKind::File;
        // Offsets that often line up with neighbours, to exercise merging.
        p.offset = uniform(0, 2) == 0 ? uniform(0, 8) * kPageSize : (a)*kPageSize;
        attrs.file = c.files[size_t(p.file)];
        attrs.file_offset = p.offset;
      }
      t.map(range, attrs);
      for (uint64_t i = a; i < b; ++i) {
        ModelPage q = p;
        q.offset = p.file >= 0 ? p.offset + (i - a) * kPageSize : 0;
        m.at(w, i) = q;
      }
    } else if (kind < 8) {  // unmap
      t.unmap(range);
      for (uint64_t i = a; i < b; ++i) m.at(w, i) = ModelPage{};
    } else {  // protect
      const Prot prot = Prot(uniform(0, 2));
      t.protect(range, prot);
      for (uint64_t i = a; i < b; ++i)
        if (m.at(w, i).mapped) m.at(w, i).prot = prot;
    }
    // Failures name the seed and operation; the dump is built only then.
    if (std::string e = t.check_invariants(); !e.empty())
      FAIL("seed " << seed << " op " << op << ": invariant: " << e << "\n" << t.dump());
    if (std::string e = compare(t, m, c); !e.empty())
      FAIL("seed " << seed << " op " << op << ": " << e << "\n" << t.dump());
    // Point queries and the gap search agree with the model.
    const uint64_t probe = uniform(0, kWindow - 1);
    const Region* found = t.find(PageNum{Model::base(w) + probe});
    if ((found != nullptr) != m.at(w, probe).mapped) FAIL("seed " << seed << " op " << op << ": find disagrees");
    const uint64_t pages = uniform(1, 40);
    const uint64_t lo = uniform(0, kWindow / 2), hi = uniform(kWindow / 2, kWindow);
    const std::optional<PageNum> gap = t.find_free(pages, PageRange{PageNum{Model::base(w) + lo}, PageNum{Model::base(w) + hi}});
    const std::optional<uint64_t> want = model_gap(m, w, pages, lo, hi);
    if (gap.has_value() != want.has_value() || (gap && gap->value != *want))
      FAIL("seed " << seed << " op " << op << ": find_free disagrees");
  }
  SUCCEED("seed " << seed << ": " << ops << " operations matched the model");
}

}  // namespace

TEST_CASE("10^6 random map/unmap/protect operations match a page-array model", "[region_tree][random]") {
  // Invariants, the full region list, a point query and a gap search are
  // checked against the model after every one of the 10^6 operations.
  // EMU_REGION_TREE_OPS: operations per seed (the sanitizer job runs fewer).
  const char* env = std::getenv("EMU_REGION_TREE_OPS");
  const int ops = env ? std::atoi(env) : 250000;
  for (uint32_t seed : {1u, 2u, 42u, 1234u}) run_random_ops(seed, ops);
}
