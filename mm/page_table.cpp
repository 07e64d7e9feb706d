#include "mm/page_table.h"

#include <new>

namespace emu::mm {

PageTable::PageTable() {
  spare_.reserve(kSpareTables);
  root_ = new_table();  // after spare_ exists
}

PageTable::~PageTable() {
  destroy(root_, kTopShift);
  for (Table* t : spare_) delete t;
}

void PageTable::destroy(Table* t, unsigned shift) {
  if (shift > 0)
    for (Table* c : t->child)
      if (c) destroy(c, shift - kBits);
  delete t;
}

PageTable::Table* PageTable::new_table() {
  ++tables_;
  if (!spare_.empty()) {
    Table* t = spare_.back();
    spare_.pop_back();
    return t;  // empty tables are all zero
  }
  return new Table;  // all zero
}

void PageTable::free_table(Table* t) {
  --tables_;
  if (spare_.size() < kSpareTables)
    spare_.push_back(t);
  else
    delete t;
}

PageTable::Table* PageTable::leaf(PageNum page) {
  Table* t = root_;
  for (unsigned shift = kTopShift; shift > 0; shift -= kBits) {
    Table*& slot = t->child[(page.value >> shift) & kIndexMask];
    if (!slot) {
      slot = new_table();
      ++t->used;
    }
    t = slot;
  }
  return t;
}

PageEntry& PageTable::insert(PageNum page, PageEntry entry) {
  Table* t = leaf(page);
  PageEntry& e = t->entry[page.value & kIndexMask];
  if (!e.present()) {
    ++t->used;
    ++present_;
  }
  e = entry;
  e.flags |= PageEntry::kPresent;
  return e;
}

void PageTable::set_guards(PageRange range) {
  clamp(range);
  for (PageNum p = range.start; p < range.end; p = p + 1) {
    Table* t = leaf(p);
    PageEntry& e = t->entry[p.value & kIndexMask];
    if (e.guard()) continue;
    ++t->used;
    ++guards_;
    e = PageEntry{};
    e.flags = PageEntry::kGuard;
  }
}

}  // namespace emu::mm
