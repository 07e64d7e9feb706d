#include "emu/rss_log.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "mm/address_space.h"
#include "mm/host_fd.h"

namespace emu {

struct RssLog::State {
  std::string path;
  int out_fd = -1;
  int statm_fd = -1;
  uint32_t interval_ms = 10;
  const mm::AddressSpace* mem = nullptr;
  long page_kib = 4;
  timespec start{};

  pthread_t thread{};
  bool thread_started = false;
  pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t wake{};  // on CLOCK_MONOTONIC
  bool stop = false;      // guarded by mutex
  // First write failure. The sampler sets it; finish() reads it after the
  // join, and the final sample is written only after that, so no race.
  int write_errno = 0;
  bool finished = false;

  ~State() {
    if (out_fd >= 0) mm::close_own_fd(out_fd);
    if (statm_fd >= 0) mm::close_own_fd(statm_fd);
    pthread_cond_destroy(&wake);
  }
};

namespace {

constexpr size_t kSamplerStack = 64 * 1024;

uint64_t micros_between(const timespec& a, const timespec& b) {
  return uint64_t((b.tv_sec - a.tv_sec) * 1'000'000 + (b.tv_nsec - a.tv_nsec) / 1000);
}

// Decimal digits of `v` written backwards from `end`; returns the first.
// At least `min_digits` of them (zero-padded).
char* put_decimal(char* end, uint64_t v, int min_digits = 1) {
  for (int n = 0; v || n < min_digits; ++n) {
    *--end = char('0' + v % 10);
    v /= 10;
  }
  return end;
}

// /proc/self/statm's second field (resident pages), or 0 if unreadable. pread
// at offset 0 makes the kernel regenerate the text (seq_file), so one open
// descriptor serves every sample.
uint64_t resident_pages(int statm_fd) {
  char buf[128];
  const ssize_t n = ::pread(statm_fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return 0;
  buf[n] = '\0';
  const char* p = std::strchr(buf, ' ');
  uint64_t pages = 0;
  for (p = p ? p + 1 : buf + n; *p >= '0' && *p <= '9'; ++p) pages = pages * 10 + uint64_t(*p - '0');
  return pages;
}

// Appends one CSV row "S.UUUUUU,RSS,GUEST\n". Allocation-free and without
// printf (whose floating-point code would be paged in just for this, adding
// to the RSS being measured); one write(), so a row is never split by a
// concurrent death of the process.
void sample(RssLog::State& s) {
  if (s.write_errno) return;
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const uint64_t micros = micros_between(s.start, now);
  const uint64_t rss_kib = resident_pages(s.statm_fd) * uint64_t(s.page_kib);
  const uint64_t guest_kib = s.mem->frames_in_use_relaxed() * 4;
  char line[80];
  char* end = line + sizeof line;
  char* p = end;
  *--p = '\n';
  p = put_decimal(p, guest_kib);
  *--p = ',';
  p = put_decimal(p, rss_kib);
  *--p = ',';
  p = put_decimal(p, micros % 1'000'000, 6);
  *--p = '.';
  p = put_decimal(p, micros / 1'000'000);
  const ssize_t len = end - p;
  if (::write(s.out_fd, p, size_t(len)) != len) s.write_errno = errno ? errno : EIO;
}

void add_ms(timespec& t, uint32_t ms) {
  t.tv_sec += ms / 1000;
  t.tv_nsec += long(ms % 1000) * 1'000'000;
  if (t.tv_nsec >= 1'000'000'000) {
    t.tv_nsec -= 1'000'000'000;
    ++t.tv_sec;
  }
}

bool before(const timespec& a, const timespec& b) {
  return a.tv_sec != b.tv_sec ? a.tv_sec < b.tv_sec : a.tv_nsec < b.tv_nsec;
}

// Samples at start + k x interval, k >= 1 (start() took the one at 0) with
// no drift; if a wake-up came late, the missed ticks are skipped rather than
// written in a burst.
void* sampler_main(void* arg) {
  auto& s = *static_cast<RssLog::State*>(arg);
  timespec next = s.start;
  pthread_mutex_lock(&s.mutex);
  for (bool first = true; !s.stop; first = false) {
    if (!first) sample(s);  // under the mutex: retarget() may swap s.mem
    pthread_mutex_unlock(&s.mutex);
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    add_ms(next, s.interval_ms);
    if (before(next, now)) {
      next = now;
      add_ms(next, s.interval_ms);
    }
    pthread_mutex_lock(&s.mutex);
    while (!s.stop && pthread_cond_timedwait(&s.wake, &s.mutex, &next) != ETIMEDOUT) {
    }
  }
  pthread_mutex_unlock(&s.mutex);
  return nullptr;
}

}  // namespace

std::unique_ptr<RssLog> RssLog::start(const std::string& path, uint32_t interval_ms, const mm::AddressSpace& mem,
                                      std::string& error) {
  auto s = std::make_unique<State>();
  s->path = path;
  s->interval_ms = interval_ms ? interval_ms : 1;
  s->mem = &mem;
  s->page_kib = sysconf(_SC_PAGESIZE) / 1024;
  pthread_condattr_t attr;
  pthread_condattr_init(&attr);
  pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
  pthread_cond_init(&s->wake, &attr);
  pthread_condattr_destroy(&attr);

  const int out = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (out < 0) {
    error = "cannot create " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  s->out_fd = mm::move_fd_high(out);
  const int statm = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (statm < 0) {
    error = std::string("cannot open /proc/self/statm: ") + std::strerror(errno);
    return nullptr;
  }
  s->statm_fd = mm::move_fd_high(statm);
  static constexpr char kHeader[] = "time_s,rss_kib,guest_kib\n";
  if (::write(s->out_fd, kHeader, sizeof kHeader - 1) != ssize_t(sizeof kHeader - 1)) {
    error = "cannot write " + path + ": " + std::strerror(errno);
    return nullptr;
  }
  clock_gettime(CLOCK_MONOTONIC, &s->start);
  sample(*s);  // at time 0, before the guest exists

  // The sampler blocks every signal, so signals sent to the process reach
  // the guest's thread, as they would with no sampler.
  pthread_attr_t thread_attr;
  pthread_attr_init(&thread_attr);
  pthread_attr_setstacksize(&thread_attr, kSamplerStack);
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  const int rc = pthread_create(&s->thread, &thread_attr, sampler_main, s.get());
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  pthread_attr_destroy(&thread_attr);
  if (rc != 0) {
    error = std::string("cannot start the sampler thread: ") + std::strerror(rc);
    return nullptr;
  }
  s->thread_started = true;
  return std::unique_ptr<RssLog>(new RssLog(std::move(s)));
}

RssLog::RssLog(std::unique_ptr<State> state) : state_(std::move(state)) {}

RssLog::~RssLog() { finish(); }

void RssLog::finish() {
  if (!state_) return;  // abandoned
  State& s = *state_;
  if (s.finished) return;
  s.finished = true;
  if (s.thread_started) {
    pthread_mutex_lock(&s.mutex);
    s.stop = true;
    pthread_cond_signal(&s.wake);
    pthread_mutex_unlock(&s.mutex);
    pthread_join(s.thread, nullptr);
  }
  sample(s);
  if (s.write_errno) std::fprintf(stderr, "emu: --rss-log: cannot write %s: %s\n", s.path.c_str(), std::strerror(s.write_errno));
  mm::close_own_fd(s.out_fd);
  mm::close_own_fd(s.statm_fd);
  s.out_fd = s.statm_fd = -1;
}

void RssLog::retarget(const mm::AddressSpace& mem) {
  if (!state_) return;  // abandoned
  State& s = *state_;
  pthread_mutex_lock(&s.mutex);
  s.mem = &mem;
  pthread_mutex_unlock(&s.mutex);
}

void RssLog::abandon() {
  if (!state_) return;
  // The sampler thread does not exist in this copy of the process, and the
  // copies of its mutex and condition variable may be in a state only that
  // thread could resolve (held, or with a waiter): never lock, signal or
  // destroy them. The State is leaked on purpose, its descriptors closed.
  State* s = state_.release();
  mm::close_own_fd(s->out_fd);
  mm::close_own_fd(s->statm_fd);
}

}  // namespace emu
