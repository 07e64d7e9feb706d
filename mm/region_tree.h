// RegionTree: the ONE record of the guest's virtual layout (DESIGN.md "mm/").
//
// A region is a maximal run of pages with equal attributes (kind tag,
// protection, max protection, private/shared, file backing and a contiguous
// file offset, the flags madvise sets). Ranges are half-open page ranges inside [0, kUserTopPage).
// After every operation no two adjacent regions could merge, so the node
// count is the number of distinct regions, like Linux's VMA count.
//
// Implementation: a treap (randomised balanced BST, expected depth O(log n))
// keyed by start page, each node augmented with its subtree's first start,
// last end and largest internal gap. Every operation, including the top-down
// free-gap search, is O(log n) (+ k for the k regions an operation touches).
// Nodes are recycled through a free list, so a steady mmap/munmap loop
// allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mm/file_backing.h"
#include "mm/region.h"
#include "mm/types.h"

namespace emu::mm {

enum class Sharing : uint8_t { Private, Shared };

// Linux VM_* flags that are neither protection nor sharing
// (RegionAttrs::vm_flags): those madvise sets and clears, and VM_LOCKED.
// They are attributes like any other, as in Linux: advice on part of a
// region splits it (/proc/self/maps shows the parts, mremap must stay inside
// one), and parts whose flags become equal again merge.
namespace vm {
inline constexpr uint16_t kRandRead = 1;      // VM_RAND_READ: MADV_RANDOM
inline constexpr uint16_t kSeqRead = 2;       // VM_SEQ_READ: MADV_SEQUENTIAL
inline constexpr uint16_t kDontCopy = 4;      // VM_DONTCOPY: MADV_DONTFORK, a fork child lacks the region
inline constexpr uint16_t kWipeOnFork = 8;    // VM_WIPEONFORK: a fork child's pages read zero
inline constexpr uint16_t kDontDump = 16;     // VM_DONTDUMP: MADV_DONTDUMP
inline constexpr uint16_t kMergeable = 32;    // VM_MERGEABLE: MADV_MERGEABLE (KSM)
inline constexpr uint16_t kHugePage = 64;     // VM_HUGEPAGE: MADV_HUGEPAGE
inline constexpr uint16_t kNoHugePage = 128;  // VM_NOHUGEPAGE: MADV_NOHUGEPAGE
// VM_LOCKED: mapped MAP_LOCKED (emu has no mlock(2)). Populated at mmap;
// madvise refuses to drop its pages; a fork child's copy is not locked.
inline constexpr uint16_t kLocked = 256;
}  // namespace vm

inline constexpr Prot kProtAll = Prot::Read | Prot::Write | Prot::Exec;

struct RegionAttrs {
  RegionKind kind = RegionKind::Anonymous;
  Prot prot = Prot::None;
  Prot max_prot = kProtAll;  // mprotect may not exceed this (Linux VM_MAY*)
  Sharing sharing = Sharing::Private;
  std::shared_ptr<const FileBacking> file;  // null: anonymous (zero-fill) memory
  uint64_t file_offset = 0;                 // byte offset of the region's first page; 0 if anonymous
  // Linux VM_GROWSDOWN: the main stack and MAP_GROWSDOWN mappings. A fault on
  // an unmapped page below such a region extends it down (up to RLIMIT_STACK,
  // keeping the stack guard gap to the mapping below; mm/stack_growth.cpp).
  bool grows_down = false;
  uint16_t vm_flags = 0;  // vm:: flags

  static RegionAttrs anonymous(RegionKind kind, Prot prot) {
    RegionAttrs a;
    a.kind = kind;
    a.prot = prot;
    return a;
  }
  static RegionAttrs file_backed(RegionKind kind, Prot prot, std::shared_ptr<const FileBacking> file,
                                 uint64_t offset) {
    RegionAttrs a;
    a.kind = kind;
    a.prot = prot;
    a.file = std::move(file);
    a.file_offset = offset;
    return a;
  }
  // The attributes of the part of a region that starts `pages` into it.
  RegionAttrs advanced(uint64_t pages) const {
    RegionAttrs a = *this;
    if (a.file) a.file_offset += pages << kPageShift;
    return a;
  }
  // Equal except for the file offset.
  bool same_kind_of_memory(const RegionAttrs& o) const {
    return kind == o.kind && prot == o.prot && max_prot == o.max_prot && sharing == o.sharing && file == o.file &&
           grows_down == o.grows_down && vm_flags == o.vm_flags;
  }
};

struct Region {
  PageRange range;
  RegionAttrs attrs;

  // File offset of `page` (which must lie in the region).
  uint64_t file_offset_of(PageNum page) const { return attrs.file_offset + ((page - range.start) << kPageShift); }
};

// True if `b` starts where `a` ends and the two would be one region.
bool can_merge(const Region& a, const Region& b);

// "rwx" style text of a Prot, e.g. "r-x".
std::string prot_string(Prot p);

class RegionTree {
 public:
  RegionTree();
  ~RegionTree();
  RegionTree(const RegionTree&) = delete;
  RegionTree& operator=(const RegionTree&) = delete;

  // mmap(MAP_FIXED) semantics: [range) becomes one region with `attrs`;
  // whatever overlapped it is cut away (partial overlaps are split). Merges
  // with equal neighbours. An empty range is a no-op. The range must lie in
  // [0, kUserTopPage).
  //
  //   before:  [aaaa][bbbbbb]   [cc]
  //   map:        [nnnnnnnnnnnnnnn]
  //   after:   [a][nnnnnnnnnnnnnnn][c]
  void map(PageRange range, const RegionAttrs& attrs);

  // munmap semantics: every page in [range) becomes unmapped; regions that
  // straddle an edge are split. Unmapped pages in the range are fine.
  void unmap(PageRange range);

  // mprotect semantics on the mapped pages of [range) (holes stay holes; the
  // caller checks coverage and max_prot): splits at the edges, sets `prot`,
  // then re-merges neighbours that became equal.
  void protect(PageRange range, Prot prot);

  // madvise's flag changes (madvise_update_vma) on the mapped pages of
  // [range): splits at the edges, sets the `set` bits and clears the `clear`
  // bits of each region's vm_flags, then re-merges neighbours that became equal.
  void set_vm_flags(PageRange range, uint16_t set, uint16_t clear);

  // The region containing `page`, or null. Pointers stay valid until the next
  // mutation.
  const Region* find(PageNum page) const;
  // Linux find_vma: the first region ending after `page` (the region
  // containing it, or the next one above), or null.
  const Region* find_next(PageNum page) const;
  // True if no page of [range) is mapped.
  bool is_free(PageRange range) const;

  // Top-down free-gap search: the start of the highest run of `pages` free
  // pages inside `window`, or nullopt. With a hint, returns the hint itself
  // when [hint, hint+pages) is free and inside `window`.
  std::optional<PageNum> find_free(uint64_t pages, PageRange window, std::optional<PageNum> hint = {}) const;
  // Bottom-up: the start of the lowest run of `pages` free pages inside
  // `window` (Linux's search without VM_UNMAPPED_AREA_TOPDOWN, as for
  // MAP_32BIT), or nullopt. Walks the regions in the window.
  std::optional<PageNum> find_free_bottom_up(uint64_t pages, PageRange window) const;

  // Ordered walk over all regions, or over those overlapping `range`.
  template <class F>
  void for_each(F&& f) const {
    walk(root_, PageRange{PageNum{0}, PageNum{kUserTopPage}}, f);
  }
  template <class F>
  void for_each_in(PageRange range, F&& f) const {
    if (!range.empty()) walk(root_, range, f);
  }

  size_t node_count() const { return nodes_; }
  // The largest node_count() after any operation.
  size_t node_peak() const { return peak_; }

  // Empty string when sorted, non-overlapping, non-empty, page-range bounded,
  // maximally merged, augmented fields and heap order correct; else what failed.
  std::string check_invariants() const;
  // One line per region, for test failure messages.
  std::string dump() const;

 private:
  void replace(PageRange range, const RegionAttrs* attrs);  // map (attrs) or unmap (nullptr)
  // protect and set_vm_flags: `change` applied to the attributes of every
  // region part inside [range), then equal neighbours merged.
  template <class F>
  void modify(PageRange range, F change);
  struct Node {
    Region r;
    Node* left = nullptr;
    Node* right = nullptr;
    uint32_t prio = 0;
    PageNum min_start;     // first start in this subtree
    PageNum max_end;       // last end in this subtree
    uint64_t max_gap = 0;  // largest gap between consecutive regions inside this subtree
  };

  template <class F>
  static void walk(const Node* t, PageRange range, F& f) {
    if (!t || t->max_end <= range.start || t->min_start >= range.end) return;
    walk(t->left, range, f);
    if (t->r.range.overlaps(range)) f(t->r);
    walk(t->right, range, f);
  }

  Node* new_node(const Region& r);
  void release(Node* n);
  static void update(Node* t);
  static Node* merge(Node* a, Node* b);
  static void split(Node* t, PageNum key, Node*& l, Node*& r);
  // Splits the tree at `key` cutting any region that straddles it.
  void split_cut(Node* t, PageNum key, Node*& l, Node*& r);
  static std::optional<Region> trim_right_spine(Node* t, PageNum key);
  static void set_rightmost_end(Node* t, PageNum end);
  static Node* pop_leftmost(Node* t, Node*& popped);
  static Node* leftmost(Node* t);
  static Node* rightmost(Node* t);
  static void collect(Node* t, std::vector<Node*>& out);
  // Puts a | list | c back together, merging equal neighbours at the seams.
  Node* join(Node* a, std::vector<Node*>& list, Node* c);
  static std::optional<PageNum> search_gap(const Node* t, PageNum prev_end, uint64_t pages, PageRange window);
  std::string check_node(const Node* t, uint64_t& count) const;
  void destroy(Node* t);

  Node* root_ = nullptr;
  size_t nodes_ = 0;
  size_t peak_ = 0;
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  std::vector<Node*> free_nodes_;
  std::vector<Node*> scratch_;
};

}  // namespace emu::mm
