// The host file behind a file-backed region: a dup'd host descriptor (so the
// guest may close its fd after mmap, as on Linux) plus the identity that
// /proc/self/maps prints (device, inode, path).
//
// Shared and refcounted: every region cut from one mmap holds the same
// FileBacking; the descriptor closes when the last region referring to it goes.
// Regions merge only if they hold the SAME FileBacking (Linux: same struct file).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>

namespace emu::mm {

class FileBacking {
 public:
  // Dups `host_fd` and records its identity. Returns the backing or -errno
  // (EBADF for a bad descriptor).
  static std::variant<std::shared_ptr<const FileBacking>, int> dup_from(int host_fd);
  // Takes ownership of `host_fd` (closed with the backing); -errno as dup_from.
  static std::variant<std::shared_ptr<const FileBacking>, int> adopt(int host_fd);

  ~FileBacking();
  FileBacking(const FileBacking&) = delete;
  FileBacking& operator=(const FileBacking&) = delete;

  int fd() const { return fd_; }
  uint64_t dev() const { return dev_; }
  uint32_t dev_major() const { return dev_major_; }
  uint32_t dev_minor() const { return dev_minor_; }
  uint64_t inode() const { return inode_; }
  const std::string& path() const { return path_; }
  // Open for writing (O_RDWR): MAP_SHARED pages may be mapped writable (Linux FMODE_WRITE).
  bool writable() const { return writable_; }

  // Reads up to one page at `offset` into `page` (already zero-filled).
  // Returns the byte count (0 = offset at or past EOF) or -1 on an I/O error.
  int64_t read_page(uint64_t offset, uint8_t* page) const;

 private:
  FileBacking() = default;

  int fd_ = -1;
  uint64_t dev_ = 0;
  uint32_t dev_major_ = 0;
  uint32_t dev_minor_ = 0;
  uint64_t inode_ = 0;
  std::string path_;
  bool writable_ = false;
};

// One FileBacking per host file (device + inode) while any region refers to
// it, so mapping a file many times costs one host descriptor, not one per
// mmap (which would run into RLIMIT_NOFILE). Deviation from Linux: two
// separate open()s of one file share the backing, so their adjacent mappings
// with contiguous offsets merge into one region (Linux keeps them apart).
// Descriptors open for writing and read-only ones get separate backings, so a
// MAP_SHARED mapping can write through exactly when its own fd could.
class FileBackingCache {
 public:
  // The backing of the file behind `host_fd`, or -errno (EBADF).
  std::variant<std::shared_ptr<const FileBacking>, int> get(int host_fd);

 private:
  struct Key {
    uint64_t dev, inode;
    bool writable;
    auto operator<=>(const Key&) const = default;
  };
  std::map<Key, std::weak_ptr<const FileBacking>> files_;
  size_t sweep_at_ = 64;  // drop expired entries when the map grows to this
};

}  // namespace emu::mm
