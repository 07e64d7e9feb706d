#include "mm/file_backing.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "mm/host_fd.h"
#include "mm/types.h"

namespace emu::mm {

std::variant<std::shared_ptr<const FileBacking>, int> FileBacking::dup_from(int host_fd) {
  if (host_fd < 0) return -EBADF;
  const int fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return -errno;
  return adopt(move_fd_high(fd));
}

std::variant<std::shared_ptr<const FileBacking>, int> FileBacking::adopt(int fd) {
  if (fd < 0) return -EBADF;
  std::shared_ptr<FileBacking> b(new FileBacking);
  b->fd_ = fd;
  const int mode = fcntl(fd, F_GETFL);
  b->writable_ = mode >= 0 && (mode & O_ACCMODE) == O_RDWR;
  struct stat st {};
  if (fstat(fd, &st) == 0) {
    b->dev_ = st.st_dev;
    b->dev_major_ = major(st.st_dev);
    b->dev_minor_ = minor(st.st_dev);
    b->inode_ = st.st_ino;
  }
  char link[64];
  char target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n > 0) b->path_.assign(target, size_t(n));
  return std::shared_ptr<const FileBacking>(std::move(b));
}

FileBacking::~FileBacking() {
  if (fd_ >= 0) close_own_fd(fd_);
}

int64_t FileBacking::read_page(uint64_t offset, uint8_t* page) const {
  uint64_t done = 0;
  while (done < kPageSize) {
    const ssize_t n = pread(fd_, page + done, kPageSize - done, off_t(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    if (n == 0) break;
    done += uint64_t(n);
  }
  return int64_t(done);
}

std::variant<std::shared_ptr<const FileBacking>, int> FileBackingCache::get(int host_fd) {
  struct stat st {};
  if (host_fd < 0 || fstat(host_fd, &st) != 0) return -EBADF;
  const int mode = fcntl(host_fd, F_GETFL);
  const bool writable = mode >= 0 && (mode & O_ACCMODE) == O_RDWR;
  std::weak_ptr<const FileBacking>& slot = files_[Key{uint64_t(st.st_dev), uint64_t(st.st_ino), writable}];
  if (std::shared_ptr<const FileBacking> live = slot.lock()) return live;
  auto made = FileBacking::dup_from(host_fd);
  if (auto* b = std::get_if<std::shared_ptr<const FileBacking>>(&made)) slot = *b;
  if (files_.size() >= sweep_at_) {
    std::erase_if(files_, [](const auto& kv) { return kv.second.expired(); });
    sweep_at_ = 2 * files_.size() + 64;
  }
  return made;
}

}  // namespace emu::mm
