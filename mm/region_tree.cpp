#include "mm/region_tree.h"

#include <algorithm>

#include <fmt/format.h>

namespace emu::mm {

bool can_merge(const Region& a, const Region& b) {
  if (a.range.end != b.range.start || !a.attrs.same_kind_of_memory(b.attrs)) return false;
  return !a.attrs.file || b.attrs.file_offset == a.attrs.file_offset + (a.range.size() << kPageShift);
}

std::string prot_string(Prot p) {
  std::string s = "---";
  if (has(p, Prot::Read)) s[0] = 'r';
  if (has(p, Prot::Write)) s[1] = 'w';
  if (has(p, Prot::Exec)) s[2] = 'x';
  return s;
}

RegionTree::RegionTree() = default;

RegionTree::~RegionTree() {
  destroy(root_);
  for (Node* n : free_nodes_) delete n;
}

void RegionTree::destroy(Node* t) {
  if (!t) return;
  destroy(t->left);
  destroy(t->right);
  delete t;
}

// ---- node bookkeeping ---------------------------------------------------------

RegionTree::Node* RegionTree::new_node(const Region& r) {
  Node* n;
  if (!free_nodes_.empty()) {
    n = free_nodes_.back();
    free_nodes_.pop_back();
  } else {
    n = new Node;
  }
  n->r = r;
  n->left = n->right = nullptr;
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  n->prio = uint32_t(rng_ >> 32);
  update(n);
  ++nodes_;
  return n;
}

void RegionTree::release(Node* n) {
  n->r.attrs.file.reset();  // drop the file reference now, not when reused
  free_nodes_.push_back(n);
  --nodes_;
}

void RegionTree::update(Node* t) {
  t->min_start = t->left ? t->left->min_start : t->r.range.start;
  t->max_end = t->right ? t->right->max_end : t->r.range.end;
  uint64_t gap = 0;
  if (t->left) gap = std::max(t->left->max_gap, t->r.range.start - t->left->max_end);
  if (t->right) gap = std::max({gap, t->right->max_gap, t->right->min_start - t->r.range.end});
  t->max_gap = gap;
}

// ---- treap primitives ---------------------------------------------------------

RegionTree::Node* RegionTree::merge(Node* a, Node* b) {
  if (!a) return b;
  if (!b) return a;
  if (a->prio >= b->prio) {
    a->right = merge(a->right, b);
    update(a);
    return a;
  }
  b->left = merge(a, b->left);
  update(b);
  return b;
}

// l: nodes starting below `key`; r: nodes starting at or above it.
void RegionTree::split(Node* t, PageNum key, Node*& l, Node*& r) {
  if (!t) {
    l = r = nullptr;
    return;
  }
  if (t->r.range.start < key) {
    split(t->right, key, t->right, r);
    l = t;
  } else {
    split(t->left, key, l, t->left);
    r = t;
  }
  update(t);
}

// Cuts the rightmost region of `t` at `key` if it extends past it; returns the
// cut-off tail.
std::optional<Region> RegionTree::trim_right_spine(Node* t, PageNum key) {
  std::optional<Region> tail;
  if (t->right) {
    tail = trim_right_spine(t->right, key);
  } else if (t->r.range.end > key) {
    tail = Region{PageRange{key, t->r.range.end}, t->r.attrs.advanced(key - t->r.range.start)};
    t->r.range.end = key;
  }
  update(t);
  return tail;
}

void RegionTree::split_cut(Node* t, PageNum key, Node*& l, Node*& r) {
  split(t, key, l, r);
  if (!l) return;
  if (std::optional<Region> tail = trim_right_spine(l, key)) r = merge(new_node(*tail), r);
}

void RegionTree::set_rightmost_end(Node* t, PageNum end) {
  if (t->right)
    set_rightmost_end(t->right, end);
  else
    t->r.range.end = end;
  update(t);
}

RegionTree::Node* RegionTree::pop_leftmost(Node* t, Node*& popped) {
  if (!t->left) {
    popped = t;
    Node* rest = t->right;
    t->right = nullptr;
    return rest;
  }
  t->left = pop_leftmost(t->left, popped);
  update(t);
  return t;
}

RegionTree::Node* RegionTree::leftmost(Node* t) {
  while (t && t->left) t = t->left;
  return t;
}

RegionTree::Node* RegionTree::rightmost(Node* t) {
  while (t && t->right) t = t->right;
  return t;
}

void RegionTree::collect(Node* t, std::vector<Node*>& out) {
  if (!t) return;
  collect(t->left, out);
  out.push_back(t);
  collect(t->right, out);
}

RegionTree::Node* RegionTree::join(Node* a, std::vector<Node*>& list, Node* c) {
  size_t first = 0;
  if (a && !list.empty()) {
    if (Node* am = rightmost(a); can_merge(am->r, list[0]->r)) {
      set_rightmost_end(a, list[0]->r.range.end);
      release(list[0]);
      first = 1;
    }
  }
  Node* b = nullptr;
  for (size_t i = first; i < list.size(); ++i) {
    list[i]->left = list[i]->right = nullptr;
    update(list[i]);
    b = merge(b, list[i]);
  }
  Node* left = merge(a, b);
  if (left && c && can_merge(rightmost(left)->r, leftmost(c)->r)) {
    Node* popped = nullptr;
    c = pop_leftmost(c, popped);
    set_rightmost_end(left, popped->r.range.end);
    release(popped);
  }
  return merge(left, c);
}

// ---- interval-map operations ------------------------------------------------------

void RegionTree::map(PageRange range, const RegionAttrs& attrs) { replace(range, &attrs); }

void RegionTree::unmap(PageRange range) { replace(range, nullptr); }

// Cuts [range) out of the tree and, when `attrs` is given, puts one region
// with those attributes in its place (join re-merges equal neighbours).
void RegionTree::replace(PageRange range, const RegionAttrs* attrs) {
  if (range.empty()) return;
  Node *a, *bc, *b, *c;
  split_cut(root_, range.start, a, bc);
  split_cut(bc, range.end, b, c);
  scratch_.clear();
  collect(b, scratch_);
  for (Node* n : scratch_) release(n);
  scratch_.clear();
  if (attrs) scratch_.push_back(new_node(Region{range, *attrs}));
  root_ = join(a, scratch_, c);
  peak_ = std::max(peak_, nodes_);
}

void RegionTree::protect(PageRange range, Prot prot) {
  modify(range, [prot](RegionAttrs& a) { a.prot = prot; });
}

void RegionTree::set_vm_flags(PageRange range, uint16_t set, uint16_t clear) {
  modify(range, [set, clear](RegionAttrs& a) { a.vm_flags = uint16_t((a.vm_flags | set) & ~clear); });
}

template <class F>
void RegionTree::modify(PageRange range, F change) {
  if (range.empty()) return;
  Node *a, *bc, *b, *c;
  split_cut(root_, range.start, a, bc);
  split_cut(bc, range.end, b, c);
  scratch_.clear();
  collect(b, scratch_);
  // Change the attributes, then coalesce runs that became equal.
  size_t kept = 0;
  for (size_t i = 0; i < scratch_.size(); ++i) {
    Node* n = scratch_[i];
    change(n->r.attrs);
    if (kept > 0 && can_merge(scratch_[kept - 1]->r, n->r)) {
      scratch_[kept - 1]->r.range.end = n->r.range.end;
      release(n);
    } else {
      scratch_[kept++] = n;
    }
  }
  scratch_.resize(kept);
  root_ = join(a, scratch_, c);
  peak_ = std::max(peak_, nodes_);
}

// ---- queries ------------------------------------------------------------------------

const Region* RegionTree::find(PageNum page) const {
  for (const Node* t = root_; t;) {
    if (page < t->r.range.start)
      t = t->left;
    else if (page >= t->r.range.end)
      t = t->right;
    else
      return &t->r;
  }
  return nullptr;
}

const Region* RegionTree::find_next(PageNum page) const {
  const Region* best = nullptr;
  for (const Node* t = root_; t;) {
    if (t->r.range.end > page) {
      best = &t->r;
      t = t->left;
    } else {
      t = t->right;
    }
  }
  return best;
}

bool RegionTree::is_free(PageRange range) const {
  if (range.empty()) return true;
  const Region* next = find_next(range.start);
  return !next || next->range.start >= range.end;
}

// Searches the gaps [prev_end, first start of t) and those inside t, highest
// first. Only subtrees that can hold a fitting gap inside the window are
// entered, and a subtree lying wholly inside the window that can hold one
// always yields it, so the search follows O(1) root-to-leaf paths.
std::optional<PageNum> RegionTree::search_gap(const Node* t, PageNum prev_end, uint64_t pages, PageRange window) {
  if (!t) return std::nullopt;
  const PageNum lo = std::max(prev_end, window.start);
  const PageNum hi = std::min(t->max_end, window.end);
  if (hi <= lo || hi - lo < pages) return std::nullopt;
  if (std::max(t->max_gap, t->min_start - prev_end) < pages) return std::nullopt;
  if (auto found = search_gap(t->right, t->r.range.end, pages, window)) return found;
  const PageNum gap_lo = std::max(t->left ? t->left->max_end : prev_end, window.start);
  const PageNum gap_hi = std::min(t->r.range.start, window.end);
  if (gap_hi > gap_lo && gap_hi - gap_lo >= pages) return gap_hi - pages;
  return search_gap(t->left, prev_end, pages, window);
}

std::optional<PageNum> RegionTree::find_free(uint64_t pages, PageRange window, std::optional<PageNum> hint) const {
  window.end = std::min(window.end, PageNum{kUserTopPage});
  if (pages == 0 || window.end <= window.start || window.size() < pages) return std::nullopt;
  if (hint && *hint >= window.start && *hint <= window.end - pages && is_free(PageRange{*hint, *hint + pages}))
    return hint;
  // The gap above the last region comes first (top-down).
  const PageNum top_lo = std::max(root_ ? root_->max_end : PageNum{0}, window.start);
  if (window.end > top_lo && window.end - top_lo >= pages) return window.end - pages;
  return search_gap(root_, PageNum{0}, pages, window);
}

std::optional<PageNum> RegionTree::find_free_bottom_up(uint64_t pages, PageRange window) const {
  window.end = std::min(window.end, PageNum{kUserTopPage});
  if (pages == 0 || window.end <= window.start || window.size() < pages) return std::nullopt;
  PageNum lo = window.start;
  while (window.end - lo >= pages) {
    const Region* next = find_next(lo);
    const PageNum gap_end = next ? std::min(next->range.start, window.end) : window.end;
    if (gap_end > lo && gap_end - lo >= pages) return lo;
    if (!next) return std::nullopt;
    lo = std::max(lo, next->range.end);
  }
  return std::nullopt;
}

// ---- checking and dumping ---------------------------------------------------------------

std::string RegionTree::check_node(const Node* t, uint64_t& count) const {
  if (!t) return {};
  ++count;
  const Region& r = t->r;
  if (r.range.empty()) return fmt::format("empty region at {:#x}", r.range.start.value);
  if (r.range.end.value > kUserTopPage) return fmt::format("region {:#x} ends past kUserTop", r.range.start.value);
  if (!r.attrs.file && r.attrs.file_offset != 0) return fmt::format("anonymous region {:#x} has a file offset", r.range.start.value);
  for (const Node* ch : {t->left, t->right})
    if (ch && ch->prio > t->prio) return fmt::format("heap order broken at {:#x}", r.range.start.value);
  if (t->left && t->left->max_end > r.range.start) return fmt::format("overlap/order below {:#x}", r.range.start.value);
  if (t->right && t->right->min_start < r.range.end) return fmt::format("overlap/order above {:#x}", r.range.start.value);
  if (std::string e = check_node(t->left, count); !e.empty()) return e;
  if (std::string e = check_node(t->right, count); !e.empty()) return e;
  Node copy = *t;
  update(&copy);
  if (copy.min_start != t->min_start || copy.max_end != t->max_end || copy.max_gap != t->max_gap)
    return fmt::format("stale augmented data at {:#x}", r.range.start.value);
  return {};
}

std::string RegionTree::check_invariants() const {
  uint64_t count = 0;
  if (std::string e = check_node(root_, count); !e.empty()) return e;
  if (count != nodes_) return fmt::format("node count {} but {} nodes in the tree", nodes_, count);
  const Region* prev = nullptr;
  std::string err;
  for_each([&](const Region& r) {
    if (err.empty() && prev && can_merge(*prev, r))
      err = fmt::format("regions at {:#x} and {:#x} should have merged", prev->range.start.value, r.range.start.value);
    prev = &r;
  });
  return err;
}

std::string RegionTree::dump() const {
  std::string out = fmt::format("RegionTree: {} nodes (peak {})\n", nodes_, peak_);
  for_each([&](const Region& r) {
    out += fmt::format("  [{:#x}, {:#x}) {} {} {}{}{}\n", r.range.start.addr().value, r.range.end.addr().value,
                       prot_string(r.attrs.prot), r.attrs.sharing == Sharing::Shared ? 's' : 'p',
                       region_kind_name(r.attrs.kind), r.attrs.file ? fmt::format(" file@{:#x}", r.attrs.file_offset) : "",
                       r.attrs.max_prot != kProtAll ? " max=" + prot_string(r.attrs.max_prot) : "");
  });
  return out;
}

}  // namespace emu::mm
