// --rss-log=FILE: a time series of emu's resident memory while the guest runs.
//
// A sampler thread wakes every interval (--rss-interval, default 10 ms) and
// appends one CSV line `time_s,rss_kib,guest_kib`:
//   time_s     seconds since the log was started (just before the loader runs)
//   rss_kib    emu's resident set: /proc/self/statm `resident` x page size,
//              the same figure as VmRSS in /proc/PID/status
//   guest_kib  guest frames in use x 4 KiB (AddressSpace::frames_in_use_relaxed)
// after a header line. finish() adds one last sample taken on the guest's
// thread as the guest ends, so the file always has at least two rows.
//
// Why a thread rather than a clock check in the run loop: the run loop only
// returns to the driver at system calls, and a guest can fault in gigabytes
// between two of them (demand paging); a thread samples on time whatever the
// guest does, and leaves the interpreter's hot path untouched. The thread
// allocates nothing (no malloc arena, a 64 KiB stack) so it adds only a few
// pages to the RSS it measures.
//
// The guest shares emu's descriptor table (guest fd = host fd), so the log's
// two descriptors (FILE and /proc/self/statm) are moved high, just below
// min(RLIMIT_NOFILE, 1024), where they do not shift the numbers the guest's
// own open() calls get. A guest that closes them (close_range) or dup2()s
// over them ends the log; finish() reports a write error on stderr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace emu {
namespace mm {
class AddressSpace;
}

class RssLog {
 public:
  // Creates (truncates) `path`, writes the header and starts sampling `mem`.
  // nullptr, with `error` set to a one-line reason, when the file or
  // /proc/self/statm can't be opened or the thread can't be started.
  static std::unique_ptr<RssLog> start(const std::string& path, uint32_t interval_ms, const mm::AddressSpace& mem,
                                       std::string& error);
  ~RssLog();  // finish()
  RssLog(const RssLog&) = delete;
  RssLog& operator=(const RssLog&) = delete;

  // Stops the sampler, writes the final sample and closes the file; prints
  // `emu: --rss-log: ...` on stderr if a write failed. Idempotent. Must be
  // called on the thread that runs the guest.
  void finish();

  // Samples `mem` from now on (the guest exec'd a new program; the old
  // address space may be destroyed once this returns).
  void retarget(const mm::AddressSpace& mem);

  // In a process the guest forked: the log and its sampler belong to the
  // parent. Closes this copy's descriptors; writes nothing. Every other
  // call is a no-op afterwards.
  void abandon();

  struct State;  // shared with the sampler thread (rss_log.cpp)

 private:
  explicit RssLog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace emu
