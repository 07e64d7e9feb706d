// Syscall fuzzer (issue 7): calls the system calls emu implements with
// random arguments (wild pointers, buffers whose tail runs onto a PROT_NONE
// page, the same buffer for input and output, huge and negative lengths,
// negative, huge, closed and high descriptors, all-bits flags) and prints one
// line per call: its arguments as classes and its result as "ok" or the
// errno name. Run natively and under emu, the outputs must be equal.
//
//   syscall_fuzz SEED COUNT [all] [only=NAME,NAME...]
//
// Deterministic: a splitmix64 generator seeded from SEED draws everything.
// Printed are only results that do not depend on the run: errno names,
// counts of bytes moved through the program's own files and pipe, file
// offsets, and checksums of what calls wrote that is the same in every run
// (never addresses, descriptor numbers, pids, times or /proc contents).
//
// No exposure: before each call the scratch buffers (A, B, C, with a
// PROT_NONE page after each) are filled with a pattern; after it, every
// byte outside what the call may have written (its output arguments, limited
// to the byte count it returned) must be unchanged, and the read-only page
// too, or a "!changed" line says where.
//
// Safety, so that a native run never crashes, blocks or touches anything but
// its own files: memory calls that unmap or change mappings get addresses in
// an arena the program reserved (and the ranges above it nothing maps) or in
// gaps nothing ever maps; whatever a call maps elsewhere is unmapped at once.
// Paths are names inside a private directory in /tmp (relative, no ".."),
// and a few read-only system paths for calls that only look. Data is written
// only to the program's own scratch files and pipe; never to stdout/stderr.
// Signals are only ever sent with signal 0; timers are disarmed after each
// call that sets them; every wait has a timeout of at most a few ms or fails
// before waiting; fork, exec and exit are called only with arguments that
// fail; the pseudo-terminal is never written to.
//
// "all" also draws the argument classes where emu is known to differ from
// Linux (each KNOWN(...) below names the difference and where it comes
// from); by default the generator draws again, so that the comparison
// passes. "only=read,write" restricts the calls drawn (other draws change).
//
// Every 32 calls the files, descriptors and the arena are made afresh, so
// that what one call breaks (a closed descriptor, a removed file) does not
// hide the rest.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

typedef uint64_t u64;
typedef int64_t i64;

// ---------------------------------------------------------------- raw calls

static long sc6(long n, long a, long b, long c, long d, long e, long f) {
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  long ret;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}
#define sc(n, ...) sc6_(n, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sc6_(n, a, b, c, d, e, f, ...) sc6((long)(n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static int is_err(long r) { return (unsigned long)r >= (unsigned long)-4095; }

static const char* const kErrnoNames[] = {
    "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF", "ECHILD",
    "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV", "ENOTDIR",
    "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE", "EROFS",
    "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
    "ELOOP", "E41", "ENOMSG", "EIDRM", "ECHRNG", "EL2NSYNC", "EL3HLT", "EL3RST", "ELNRNG", "EUNATCH",
    "ENOCSI", "EL2HLT", "EBADE", "EBADR", "EXFULL", "ENOANO", "EBADRQC", "EBADSLT", "E58", "EBFONT",
    "ENOSTR", "ENODATA", "ETIME", "ENOSR", "ENONET", "ENOPKG", "EREMOTE", "ENOLINK", "EADV", "ESRMNT",
    "ECOMM", "EPROTO", "EMULTIHOP", "EDOTDOT", "EBADMSG", "EOVERFLOW", "ENOTUNIQ", "EBADFD", "EREMCHG",
    "ELIBACC", "ELIBBAD", "ELIBSCN", "ELIBMAX", "ELIBEXEC", "EILSEQ", "ERESTART", "ESTRPIPE", "EUSERS",
    "ENOTSOCK", "EDESTADDRREQ", "EMSGSIZE", "EPROTOTYPE", "ENOPROTOOPT", "EPROTONOSUPPORT",
    "ESOCKTNOSUPPORT", "EOPNOTSUPP", "EPFNOSUPPORT", "EAFNOSUPPORT", "EADDRINUSE", "EADDRNOTAVAIL",
    "ENETDOWN", "ENETUNREACH", "ENETRESET", "ECONNABORTED", "ECONNRESET", "ENOBUFS", "EISCONN",
    "ENOTCONN", "ESHUTDOWN", "ETOOMANYREFS", "ETIMEDOUT", "ECONNREFUSED", "EHOSTDOWN", "EHOSTUNREACH",
    "EALREADY", "EINPROGRESS", "ESTALE", "EUCLEAN", "ENOTNAM", "ENAVAIL", "EISNAM", "EREMOTEIO", "EDQUOT",
    "ENOMEDIUM", "EMEDIUMTYPE", "ECANCELED", "ENOKEY", "EKEYEXPIRED", "EKEYREVOKED", "EKEYREJECTED",
    "EOWNERDEAD", "ENOTRECOVERABLE", "ERFKILL", "EHWPOISON"};

static const char* err_name(long r) {
  static char buf[24];
  long e = -r;
  if (e > 0 && e < (long)(sizeof kErrnoNames / sizeof kErrnoNames[0])) return kErrnoNames[e];
  snprintf(buf, sizeof buf, "errno%ld", e);
  return buf;
}

// ---------------------------------------------------------------- random numbers

static u64 rng;
static u64 next_u64(void) {
  u64 z = (rng += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
static unsigned below(unsigned n) { return (unsigned)(next_u64() % n); }
static int chance(unsigned percent) { return below(100) < percent; }
#define COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))
#define PICK(arr) ((arr)[below(COUNT(arr))])
#define PICKV(type, ...) PICK(((type[]){__VA_ARGS__}))

// "all": also the argument classes where emu is known to differ from Linux.
static int all_mode;

// ---------------------------------------------------------------- memory layout

#define PAGE 4096UL
// Scratch buffers at a fixed address, so that pointers the kernel hands back
// (sigaltstack's ss_sp) are the same in every run: page 0 read-only (0xff
// bytes), 1 guard, 2-3 A, 4 guard, 5-6 B, 7 guard, 8-9 C, 10 guard.
#define ZONE 0x100000000UL
#define ZONE_PAGES 11
#define BUF_BYTES (2 * PAGE)
enum { BA, BB, BC, NBUF };
static unsigned char* bufs[NBUF];
static const char* const kBufNames[NBUF] = {"A", "B", "C"};
static unsigned char* ro;
static unsigned char ro_copy[PAGE];
static unsigned char pattern[NBUF][BUF_BYTES];
static unsigned char snap[NBUF][BUF_BYTES];
#define bufA bufs[BA]
#define bufB bufs[BB]
#define bufC bufs[BC]

// The arena: the only mapped memory that mmap, munmap, mprotect, madvise and
// mremap may change. Nothing else is ever mapped in [ARENA, ARENA + REACH);
// what the fuzzer maps must lie in [ARENA, ARENA + SPACE) or is unmapped again.
#define ARENA 0x200000000UL
#define ARENA_PAGES 64
#define ARENA_BYTES (ARENA_PAGES * PAGE)
#define ARENA_SPACE (2 * ARENA_BYTES)
#define ARENA_REACH (1UL << 41)
// Addresses nothing ever maps: below the executable (0x400000), and between
// its heap and the scratch zone.
#define GAP_LOW_END 0x400000UL
#define GAP_MID 0x10000000UL

#define W_LOW 0x1000UL
#define W_UNMAPPED 0xdead0000UL
#define W_KERNEL 0xffff800000000000UL
#define W_NONCANON 0x0000800000000000UL
#define W_MINUS1 (~0UL)

static u64 page_round(u64 len) { return (len + PAGE - 1) & ~(PAGE - 1); }

// [a, a + len) may be unmapped, mapped over or reprotected: the kernel refuses
// it as a whole (overflow, kernel half) or it lies where only the fuzzer maps.
static int range_safe(u64 a, u64 len) {
  u64 l = page_round(len);
  if (len != 0 && l == 0) return 1;
  u64 end = a + l;
  if (end < a) return 1;
  if (a >= 0x7ffffffff000UL) return 1;
  if (end <= GAP_LOW_END) return 1;
  if (a >= GAP_MID && end <= ZONE) return 1;
  if (a >= ARENA && end <= ARENA + ARENA_REACH) return 1;
  return 0;
}
static int in_space(u64 a, u64 len) {
  u64 end = a + page_round(len);
  return a >= ARENA && end >= a && end <= ARENA + ARENA_SPACE;
}

// ---------------------------------------------------------------- the call being built

enum { OUT_FIXED, OUT_RET, OUT_SEQ, OUT_RET4, OUT_TIME };
struct out {
  unsigned char* p;  // NULL: not in a scratch buffer (still counts for OUT_SEQ)
  u64 max;           // bytes the call may write there (clipped to the buffer)
  u64 req;           // bytes asked for (OUT_SEQ)
  int kind;          // what a successful call wrote: max, ret bytes, ret bytes across ranges in order, ret*4
                     // bytes; OUT_TIME: max, but left out of the checksum (the time left of a wait)
};
static struct out outs[24];
static int nouts;
static char desc[1024];
static size_t dlen;
static size_t cpos;          // bump allocator in C
static u64 last_in;          // the last input pointer, for "same" output pointers
enum { CL_SLOT, CL_TAIL, CL_RO, CL_ARENA, CL_WILD };
static int last_class;       // class ptr_place chose
static unsigned call_flags;  // F_* below
static int retry;            // the generator wants another draw
static u64 map_len;          // what mmap/mremap may have mapped
static long brk_cur;         // the break before a brk call

static void addf(const char* fmt, ...) {
  va_list ap;
  if (dlen > 0 && dlen < sizeof desc - 2) {
    desc[dlen++] = ',';
    desc[dlen++] = ' ';
  }
  va_start(ap, fmt);
  int n = vsnprintf(desc + dlen, sizeof desc - dlen, fmt, ap);
  va_end(ap);
  if (n > 0) dlen = dlen + (size_t)n < sizeof desc ? dlen + (size_t)n : sizeof desc - 1;
}

// A number as printed: small ones in decimal, others in hex.
static const char* num(u64 v) {
  static char ring[8][24];
  static int at;
  char* s = ring[at++ & 7];
  if ((i64)v >= -4096 && (i64)v <= 65536) snprintf(s, 24, "%ld", (long)(i64)v);
  else snprintf(s, 24, "0x%lx", (unsigned long)v);
  return s;
}

static int locate(u64 p, int* b, u64* off) {
  for (int i = 0; i < NBUF; ++i)
    if (p >= (u64)bufs[i] && p < (u64)bufs[i] + BUF_BYTES) {
      *b = i;
      *off = p - (u64)bufs[i];
      return 1;
    }
  return 0;
}

// Registers [p, p + len) as something the call may write.
static void out_range(u64 p, u64 len, int kind) {
  int b;
  u64 off;
  if (nouts >= (int)COUNT(outs)) return;
  struct out o = {NULL, 0, len, kind};
  if (locate(p, &b, &off)) {
    u64 avail = BUF_BYTES - off;
    o.p = (unsigned char*)p;
    o.max = len < avail ? len : avail;
  }
  outs[nouts++] = o;
}

static unsigned char* c_slot(u64 size) {
  u64 at = (cpos + 15) & ~15UL;
  if (at + size > BUF_BYTES - 512) at = 0;
  cpos = at + size;
  return bufC + at;
}

// How many bytes before the end of a buffer a "tail" pointer starts, so that
// an object of `size` bytes runs onto the guard page.
static u64 tail_k(u64 size) {
  if (size <= 1) return 1;
  u64 lim = size < 24 ? size : 24;
  return 1 + below((unsigned)(lim - 1));
}

static u64 wild(const char** label, int nonnull) {
  switch (below(nonnull ? 5 : 6)) {
    case 0: *label = "low"; return W_LOW;
    case 1: *label = "unmapped"; return W_UNMAPPED;
    case 2: *label = "kernel"; return W_KERNEL;
    case 3: *label = "noncanon"; return W_NONCANON;
    case 4: *label = "-1"; return W_MINUS1;
    default: *label = "NULL"; return 0;
  }
}

static u64 arena_ptr(char* label, size_t n) {
  unsigned pg = below(ARENA_PAGES);
  int odd = chance(20);
  snprintf(label, n, "arena+%u%s", pg, odd ? "+100" : "");
  return ARENA + PAGE * pg + (odd ? 100 : 0);
}

// An output pointer for `size` bytes of kind `kind`.
static long ptr_out(const char* name, u64 size, int kind) {
  unsigned r = below(100);
  u64 p;
  char lab[48];
  const char* w;
  if (r < 48) {
    int off = chance(25) ? 64 : 0;
    p = (u64)bufA + (u64)off;
    snprintf(lab, sizeof lab, off ? "A+64" : "A");
  } else if (r < 58) {
    p = (u64)bufB;
    snprintf(lab, sizeof lab, "B");
  } else if (r < 67) {
    u64 k = size > 64 ? PICKV(u64, 1, 10, 100) : tail_k(size);
    p = (u64)bufA + BUF_BYTES - k;
    snprintf(lab, sizeof lab, "A_end-%lu", (unsigned long)k);
  } else if (r < 70) {
    p = (u64)bufA + 1;
    snprintf(lab, sizeof lab, "A+1");
  } else if (r < 74 && last_in) {
    p = last_in;
    snprintf(lab, sizeof lab, "same");
  } else if (r < 78) {
    p = (u64)ro;
    snprintf(lab, sizeof lab, "ro");
  } else if (r < 82) {
    p = arena_ptr(lab, sizeof lab);
  } else {
    p = wild(&w, 0);
    snprintf(lab, sizeof lab, "%s", w);
  }
  addf("%s=%s", name, lab);
  out_range(p, size, kind);
  return (long)p;
}
static long ptr_out_or_null(const char* name, u64 size, int kind, unsigned null_percent) {
  if (chance(null_percent)) {
    addf("%s=NULL", name);
    return 0;
  }
  return ptr_out(name, size, kind);
}

// Places `data` (size bytes, prepared for `slot`) and returns a pointer of a
// random class to it: the slot, a copy whose tail runs onto C's guard page,
// the read-only page, the arena (unless `no_arena`), or a wild pointer
// (never NULL when `nonnull`). `what` describes the data.
static long ptr_place2(const char* name, unsigned char* slot, const void* data, u64 size, const char* what,
                       int no_arena, int nonnull) {
  unsigned r = below(100);
  u64 p;
  char lab[64];
  const char* w;
  if (r < 74) {
    memcpy(slot, data, size);
    p = (u64)slot;
    last_class = CL_SLOT;
    snprintf(lab, sizeof lab, "%s", what);
  } else if (r < 81) {
    u64 k = tail_k(size);
    p = (u64)bufC + BUF_BYTES - k;
    memcpy((void*)p, data, k);
    last_class = CL_TAIL;
    snprintf(lab, sizeof lab, "%s@C_end-%lu", what, (unsigned long)k);
  } else if (r < 85) {
    p = (u64)ro;
    last_class = CL_RO;
    snprintf(lab, sizeof lab, "ro");
  } else if (r < 88 && !no_arena) {
    p = arena_ptr(lab, sizeof lab);
    last_class = CL_ARENA;
  } else {
    p = wild(&w, nonnull);
    last_class = CL_WILD;
    snprintf(lab, sizeof lab, "%s", w);
  }
  addf("%s=%s", name, lab);
  last_in = p;
  return (long)p;
}
static long ptr_place(const char* name, unsigned char* slot, const void* data, u64 size, const char* what) {
  return ptr_place2(name, slot, data, size, what, 0, 0);
}
static long ptr_in(const char* name, const void* data, u64 size, const char* what) {
  return ptr_place(name, c_slot(size), data, size, what);
}
static long ptr_in_or_null(const char* name, const void* data, u64 size, const char* what, unsigned null_percent) {
  if (chance(null_percent)) {
    addf("%s=NULL", name);
    last_class = CL_WILD;
    return 0;
  }
  return ptr_in(name, data, size, what);
}

// A pointer the call keeps (set_tid_address, set_robust_list, sigaltstack's sp).
static long ptr_any(const char* name) {
  unsigned r = below(100);
  char lab[48];
  const char* w;
  u64 p;
  if (r < 40) {
    p = (u64)bufB;
    snprintf(lab, sizeof lab, "B");
  } else if (r < 50) {
    p = (u64)ro;
    snprintf(lab, sizeof lab, "ro");
  } else if (r < 60) {
    p = arena_ptr(lab, sizeof lab);
  } else {
    p = wild(&w, 0);
    snprintf(lab, sizeof lab, "%s", w);
  }
  addf("%s=%s", name, lab);
  return (long)p;
}

// A data buffer the call reads (write's): A holds the pattern.
static long ptr_data(const char* name) {
  unsigned r = below(100);
  u64 p;
  char lab[48];
  const char* w;
  if (r < 60) {
    p = (u64)bufA;
    snprintf(lab, sizeof lab, "A");
  } else if (r < 70) {
    u64 k = PICKV(u64, 1, 10, 100);
    p = (u64)bufA + BUF_BYTES - k;
    snprintf(lab, sizeof lab, "A_end-%lu", (unsigned long)k);
  } else if (r < 76) {
    p = (u64)ro;
    snprintf(lab, sizeof lab, "ro");
  } else if (r < 82) {
    p = arena_ptr(lab, sizeof lab);
  } else {
    p = wild(&w, 0);
    snprintf(lab, sizeof lab, "%s", w);
  }
  addf("%s=%s", name, lab);
  return (long)p;
}


// True when the kernel this runs on (uname's release, which emu passes
// through) is older than major.minor.
static int kernel_before(int major, int minor) {
  static int cached = -1;
  if (cached < 0) {
    struct utsname u;
    int ma = 0, mi = 0;
    cached = uname(&u) == 0 && sscanf(u.release, "%d.%d", &ma, &mi) == 2 ? ma * 1000 + mi : 0;
  }
  return cached < major * 1000 + minor;
}

// Known differences between emu and Linux are drawn only with "all": by
// default the generator draws again.
#define KNOWN(cond)                   \
  do {                                \
    if (!all_mode && (cond)) retry = 1; \
  } while (0)

static u64 len_arg(void) {
  return PICKV(u64, 0, 1, 7, 16, 64, 100, 4096, 8192, 8193, 0x7fffffff, 0x80000000UL, 1UL << 40, ~0UL,
               (u64)-4096);
}
static i64 off_arg(void) { return PICKV(i64, 0, 1, 100, 4096, 8192, 1L << 40, -1, -4096, LLONG_MAX, LLONG_MIN); }

// A timeout: a valid short one, invalid ones, or a bad pointer; never the
// arena (whose bytes could be a long time) and never NULL (callers decide).
static const struct ktimespec {
  long sec, nsec;
} kTimespecs[] = {{0, 0}, {0, 1000000}, {-1, 0}, {0, 1000000000}, {0, -1}, {0, 999}, {0, 0}};
static long ts_in(const char* name) {
  struct ktimespec t = PICK(kTimespecs);
  char what[40];
  snprintf(what, sizeof what, "{%ld,%ld}", t.sec, t.nsec);
  return ptr_place2(name, c_slot(sizeof t), &t, sizeof t, what, 1, 1);
}

// ---------------------------------------------------------------- descriptors

enum { P_FRW, P_FRO, P_GWO, P_DIR, P_OPATH, P_PR, P_PW, P_PTY, NPOOL };
static int pool[NPOOL];
static const char* const kPoolNames[NPOOL] = {"f_rw", "f_ro", "g_wo", "dir", "opath", "pipe_r", "pipe_w", "pty"};
#define M(x) (1u << (x))
#define FD_ALL ((1u << NPOOL) - 1)
#define FD_NOPTY (FD_ALL & ~M(P_PTY))  // descriptors data may be written to: never the terminal
#define CLOSED_FD 77

static long fd_pick(unsigned mask, char* lab, size_t n) {
  unsigned r = below(100);
  if (r < 70) {
    int i;
    do i = (int)below(NPOOL);
    while (!(mask & M(i)));
    if (r < 66) {
      snprintf(lab, n, "%s", kPoolNames[i]);
      return pool[i];
    }
    snprintf(lab, n, "%s+2^32", kPoolNames[i]);
    return pool[i] + (1L << 32);
  }
  switch (below(8)) {
    case 0: snprintf(lab, n, "-1"); return -1;
    case 1: snprintf(lab, n, "AT_FDCWD"); return -100;
    case 2: snprintf(lab, n, "closed"); return CLOSED_FD;
    case 3: snprintf(lab, n, "2^20"); return 1 << 20;
    case 4: snprintf(lab, n, "INT_MAX"); return INT_MAX;
    case 5:
    case 6: {
      int fd = 990 + (int)below(34);
      snprintf(lab, n, "%d", fd);
      return fd;
    }
    default: snprintf(lab, n, "INT_MIN"); return INT_MIN;
  }
}
static long fd_arg(const char* name, unsigned mask) {
  char lab[32];
  long fd = fd_pick(mask, lab, sizeof lab);
  addf("%s=%s", name, lab);
  return fd;
}
static long dirfd_arg(const char* name) {
  if (chance(45)) {
    addf("%s=AT_FDCWD", name);
    return -100;
  }
  return fd_arg(name, FD_ALL);
}

// ---------------------------------------------------------------- paths

static char tmpdir[64];
// Names inside the temporary directory. Symbolic links the fuzzer makes point
// to these too (all relative, no ".."), so no path leads out of it.
static const char* const kNames[] = {"f",    "g",  "d",    "d/e",         "lnk", "loop", "dang", "missing",
                                     "n1",   "n2", "d/n3", "d/missing/x", "f/x", ".",    ""};
static const char* const kSystemPaths[] = {"/", "/proc/self/exe", "/proc/self/maps", "/proc/self/fd", tmpdir};

static long place_string(const char* s) {
  size_t n = strlen(s) + 1;
  unsigned char* slot = c_slot(n);
  memcpy(slot, s, n);
  last_in = (u64)slot;
  return (long)slot;
}

// A path argument; `look_only`: the call only looks, so system paths may be given.
static long path_arg(const char* name, int look_only) {
  unsigned r = below(100);
  const char* w;
  if (r < 74) {
    const char* s = PICK(kNames);
    addf("%s=\"%s\"", name, s);
    return place_string(s);
  }
  if (r < 80 && look_only) {
    int i = (int)below(COUNT(kSystemPaths));
    addf("%s=%s", name, i == 4 ? "tmpdir" : kSystemPaths[i]);
    return place_string(kSystemPaths[i]);
  }
  if (r < 84) {
    char s[300];
    memset(s, 'n', sizeof s - 1);
    s[sizeof s - 1] = 0;
    addf("%s=name299", name);
    return place_string(s);
  }
  if (r < 86) {
    unsigned char* slot = c_slot(4200);
    memset(slot, 'p', 4200);
    addf("%s=no_nul_4200", name);
    return (long)slot;
  }
  if (r < 89) {
    unsigned char* p = bufC + BUF_BYTES - 2;
    p[0] = 'f';
    p[1] = 'f';
    addf("%s=C_end-2_no_nul", name);
    return (long)p;
  }
  if (r < 91) {
    addf("%s=ro", name);
    return (long)ro;
  }
  u64 p = wild(&w, 0);
  addf("%s=%s", name, w);
  return (long)p;
}

// ---------------------------------------------------------------- fixtures

static char pty_path[64];
static int pty_master = -1;
static int pool_fl[NPOOL];
static dev_t pool_dev[NPOOL];
static ino_t pool_ino[NPOOL];

static void remove_all(int dir_fd);
static void die(const char* what) {
  printf("FAIL: %s: %s\n", what, strerror(errno));
  if (tmpdir[0] && chdir("/") == 0) {
    remove_all(open(tmpdir, O_RDONLY | O_DIRECTORY));
    rmdir(tmpdir);
  }
  exit(1);
}

static void write_file(const char* name, size_t len, int seed) {
  int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) die(name);
  unsigned char buf[8192];
  for (size_t i = 0; i < len && i < sizeof buf; ++i) buf[i] = (unsigned char)(i * 7 + (size_t)seed);
  if (write(fd, buf, len) != (ssize_t)len) die("write a fixture file");
  close(fd);
}

// Removes everything in the directory `dir_fd` (which it closes).
static void remove_all(int dir_fd) {
  DIR* d = fdopendir(dir_fd);
  if (!d) {
    close(dir_fd);
    return;
  }
  struct dirent* e;
  while ((e = readdir(d)) != NULL) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (unlinkat(dir_fd, e->d_name, 0) == 0) continue;
    int sub = openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (sub >= 0) remove_all(sub);
    unlinkat(dir_fd, e->d_name, AT_REMOVEDIR);
  }
  closedir(d);
}

// The fixture: f (8192 bytes), g (100), d/, d/e, lnk -> f, loop -> loop, dang -> missing.
static void make_tree(void) {
  if (chdir(tmpdir) != 0) die("chdir to the temporary directory");
  umask(022);
  chmod(tmpdir, 0700);
  int dir = open(".", O_RDONLY | O_DIRECTORY);
  if (dir < 0) die("open the temporary directory");
  remove_all(dir);
  write_file("f", 8192, 1);
  write_file("g", 100, 2);
  if (mkdir("d", 0755) != 0) die("mkdir d");
  write_file("d/e", 10, 3);
  if (symlink("f", "lnk") || symlink("loop", "loop") || symlink("missing", "dang")) die("symlink");
}

static void put_at(int fd, int where) {
  if (fd < 0) die("open a pool descriptor");
  if (fd != where) {
    if (dup2(fd, where) != where) die("dup2 a pool descriptor");
    close(fd);
  }
}

static int open_in_tmp(const char* name, int flags) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", tmpdir, name);
  int fd = open(path, flags, 0644);
  if (fd < 0) {  // the fuzzer made it something else: start the tree again
    make_tree();
    fd = open(path, flags, 0644);
  }
  return fd;
}

static void record_pool(int i) {
  struct stat st;
  if (fstat(pool[i], &st) != 0) die("fstat a pool descriptor");
  pool_dev[i] = st.st_dev;
  pool_ino[i] = st.st_ino;
  pool_fl[i] = fcntl(pool[i], F_GETFL);
}

static void open_pool(int i) {
  switch (i) {
    case P_FRW: put_at(open_in_tmp("f", O_RDWR | O_CREAT), pool[i]); break;
    case P_FRO: put_at(open_in_tmp("f", O_RDONLY | O_CREAT), pool[i]); break;
    case P_GWO: put_at(open_in_tmp("g", O_WRONLY | O_CREAT | O_APPEND), pool[i]); break;
    case P_OPATH: put_at(open_in_tmp("f", O_PATH), pool[i]); break;
    case P_DIR: put_at(open(tmpdir, O_RDONLY | O_DIRECTORY), pool[i]); break;
    case P_PR:
    case P_PW: {
      int p[2];
      close(pool[P_PR]);
      close(pool[P_PW]);
      if (pipe2(p, O_NONBLOCK) != 0) die("pipe2");
      int r = fcntl(p[0], F_DUPFD, 200), w = fcntl(p[1], F_DUPFD, 200);
      close(p[0]);
      close(p[1]);
      put_at(r, pool[P_PR]);
      put_at(w, pool[P_PW]);
      record_pool(P_PR);
      record_pool(P_PW);
      return;
    }
    case P_PTY: put_at(open(pty_path, O_RDWR | O_NOCTTY | O_NONBLOCK), pool[i]); break;
  }
  record_pool(i);
}

// Puts back pool descriptors a call closed or replaced, and their flags.
static void repair_pool(void) {
  for (int i = 0; i < NPOOL; ++i) {
    struct stat st;
    int bad = fstat(pool[i], &st) != 0 || st.st_dev != pool_dev[i] || st.st_ino != pool_ino[i];
    if (bad) {
      open_pool(i);
      continue;
    }
    int fl = fcntl(pool[i], F_GETFL);
    if ((fl & (O_ACCMODE | O_PATH)) != (pool_fl[i] & (O_ACCMODE | O_PATH))) open_pool(i);  // dup2'ed over
    else if (fl != pool_fl[i]) fcntl(pool[i], F_SETFL, pool_fl[i]);
  }
}

static int is_pool(long fd) {
  for (int i = 0; i < NPOOL; ++i)
    if (fd == pool[i]) return 1;
  return 0;
}
static void close_new_fd(long fd) {
  if (fd >= 3 && fd <= INT_MAX && !is_pool(fd) && fd != pty_master) close((int)fd);
}
static void sweep_fds(void) {
  for (int fd = 3; fd < 100; ++fd)
    if (!is_pool(fd) && fd != pty_master && fcntl(fd, F_GETFD) >= 0) close(fd);
}

// Files copied from (sendfile, copy_file_range) stay small.
static void bound_file_sizes(void) {
  for (int i = P_FRW; i <= P_GWO; ++i) {
    struct stat st;
    if (fstat(pool[i], &st) != 0 || st.st_size <= (1 << 20)) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", pool[i]);
    int fd = open(path, O_WRONLY);
    if (fd >= 0) {
      if (ftruncate(fd, 1 << 16) != 0) die("ftruncate");
      close(fd);
    }
  }
}

static void reset_files(void) {
  make_tree();
  open_pool(P_DIR);
  open_pool(P_FRW);
  open_pool(P_FRO);
  open_pool(P_GWO);
  open_pool(P_OPATH);
  open_pool(P_PR);
  open_pool(P_PTY);
}

// The arena: anonymous, PROT_NONE, shared and private file pages, read-only,
// shared anonymous, and holes.
static void reset_arena(void) {
  if (munmap((void*)ARENA, ARENA_REACH) != 0) die("munmap the arena");
  static const struct {
    unsigned first, pages;
    int prot, flags, pool;
  } parts[] = {
      {0, 16, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
      {16, 4, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1},
      {20, 8, PROT_READ | PROT_WRITE, MAP_SHARED, P_FRW},
      {28, 4, PROT_READ | PROT_WRITE, MAP_PRIVATE, P_FRO},
      {40, 8, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1},
      {48, 8, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1},
  };
  for (size_t i = 0; i < COUNT(parts); ++i) {
    void* want = (void*)(ARENA + parts[i].first * PAGE);
    int fd = parts[i].pool < 0 ? -1 : pool[parts[i].pool];
    void* m = mmap(want, parts[i].pages * PAGE, parts[i].prot, parts[i].flags | MAP_FIXED_NOREPLACE, fd, 0);
    if (m != want) {
      printf("FAIL: map arena part %zu: %s\n", i, strerror(errno));
      exit(1);
    }
  }
}

// ---------------------------------------------------------------- signals and timers

static volatile int signals_seen;
static void on_signal(int sig) {
  (void)sig;
  ++signals_seen;
}
// Signals whose disposition the fuzzer may set: nothing ever sends them.
// (Not SIGCHLD: a child that should not exist would deliver it.)
static const int kSafeSignals[] = {SIGUSR1, SIGUSR2, SIGWINCH, SIGURG, SIGCONT, 40, 64};

static void disarm_timers(void) {
  struct itimerval zero = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &zero, NULL);
  setitimer(ITIMER_VIRTUAL, &zero, NULL);
  setitimer(ITIMER_PROF, &zero, NULL);
  alarm(0);
  // One may have fired while the fuzzed mask blocked it (then it is pending,
  // not ignored): when it fired is no business of the output.
  sigset_t timers;
  sigemptyset(&timers);
  sigaddset(&timers, SIGALRM);
  sigaddset(&timers, SIGVTALRM);
  sigaddset(&timers, SIGPROF);
  struct timespec zero_ts = {0, 0};
  while (sigtimedwait(&timers, NULL, &zero_ts) > 0) {
  }
}

// ---------------------------------------------------------------- generators

enum {
  F_VAL = 1 << 0,      // print a successful result's value
  F_SUM = 1 << 1,      // print a checksum of what a successful call wrote
  F_NEWFD = 1 << 2,    // a successful result is a new descriptor: close it
  F_REPAIR = 1 << 3,   // the call may have closed or changed pool descriptors
  F_MAP = 1 << 4,      // the result is a mapping of map_len bytes: unmapped unless in the arena
  F_CWD = 1 << 5,      // the call may have moved the working directory
  F_TIMERS = 1 << 6,   // disarm timers after
  F_BRK = 1 << 7,      // put the break back
  F_CHILD = 1 << 8,    // a 0 result is a child process, which exits at once
  F_PIPEFDS = 1 << 9,  // pipe, pipe2: close what was made
};

typedef void (*Gen)(long* a);
static int cur_nr;  // the call being generated
static pid_t my_pid, my_tid;
static long my_fs, my_nice;

// ---- files: data and descriptors


static void g_read(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  u64 len = len_arg();
  a[1] = ptr_out("buf", len, OUT_RET);
  a[2] = (long)len;
  addf("count=%s", num(len));
}
static void g_write(long* a) {
  a[0] = fd_arg("fd", FD_NOPTY);
  a[1] = ptr_data("buf");
  a[2] = (long)len_arg();
  addf("count=%s", num((u64)a[2]));
}
static void g_pread64(long* a) {
  g_read(a);
  a[3] = off_arg();
  addf("off=%s", num((u64)a[3]));
}
static void g_pwrite64(long* a) {
  g_write(a);
  a[3] = off_arg();
  addf("off=%s", num((u64)a[3]));
}

struct kiovec {
  u64 base, len;
};


static void iov_args(long* a, int for_read) {
  int n = PICKV(int, 0, 1, 2, 3, 5);
  unsigned char* slot = c_slot(sizeof(struct kiovec) * 5);
  struct kiovec v[5];
  memset(v, 0xff, sizeof v);  // what a count above n reads
  char what[128];
  size_t w = (size_t)snprintf(what, sizeof what, "iov[");
  for (int i = 0; i < n; ++i) {
    unsigned r = below(100);
    const char* lab = "";
    u64 base;
    if (r < 55) {
      base = (u64)(for_read ? bufB : bufA) + 256 * (u64)i;
      lab = for_read ? "B" : "A";
    } else if (r < 65) {
      base = (u64)bufA + BUF_BYTES - 10;
      lab = "A_end-10";
    } else if (r < 70) {
      base = (u64)slot;
      lab = "self";
    } else if (r < 75) {
      base = (u64)ro;
      lab = "ro";
    } else if (r < 80) {
      base = ARENA + PAGE * below(ARENA_PAGES);
      lab = "arena";
    } else {
      base = wild(&lab, 0);
    }
    v[i].base = base;
    v[i].len = PICKV(u64, 0, 1, 16, 100, 4096, 8192, 1UL << 40, ~0UL, 0x7fffffff);
    if (for_read) out_range(base, v[i].len, OUT_SEQ);
    if (w < sizeof what) w += (size_t)snprintf(what + w, sizeof what - w, "%s%s:%s", i ? " " : "", lab, num(v[i].len));
  }
  if (w < sizeof what) snprintf(what + w, sizeof what - w, "]");
  a[1] = ptr_place("iov", slot, v, sizeof(struct kiovec) * (u64)(n ? n : 1), what);
  u64 cnt = chance(70) ? (u64)n : PICKV(u64, 0, 1, 4, 1024, 1025, (1UL << 32) | 1, ~0UL);
  a[2] = (long)cnt;
  addf("cnt=%s", num(cnt));
}
static void g_readv(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  iov_args(a, 1);
}
static void g_writev(long* a) {
  a[0] = fd_arg("fd", FD_NOPTY);
  iov_args(a, 0);
}
static void g_preadv(long* a) {
  g_readv(a);
  a[3] = off_arg();
  a[4] = chance(80) ? 0 : (long)next_u64();
  addf("off=%s", num((u64)a[3]));
}
static void g_pwritev(long* a) {
  g_writev(a);
  a[3] = off_arg();
  a[4] = chance(80) ? 0 : (long)next_u64();
  addf("off=%s", num((u64)a[3]));
}
static long rwf_flags(void) {
  long v = PICKV(long, 0, 0, 0, 1, 2, 4, 8, 0x10, 0x20, 0x40, 0x80, 0x100, -1);
  addf("flags=%s", num((u64)v));
  return v;
}
static void g_preadv2(long* a) {
  g_readv(a);
  a[3] = chance(30) ? -1 : off_arg();
  addf("off=%s", num((u64)a[3]));
  a[5] = rwf_flags();
}
static void g_pwritev2(long* a) {
  g_writev(a);
  a[3] = chance(30) ? -1 : off_arg();
  addf("off=%s", num((u64)a[3]));
  a[5] = rwf_flags();
}

static long open_flags(int look_only) {
  static const long bits[] = {01, 02, 0100, 0200, 0400, 01000, 02000, 04000, 010000, 020000,
                              040000, 0100000, 0200000, 0400000, 01000000, 02000000, 04000000, 010000000,
                              020000000};
  long f = 0;
  if (chance(8)) {
    f = -1;
  } else {
    int n = (int)below(4);
    for (int i = 0; i < n; ++i) f |= PICK(bits);
    if (chance(5)) f |= 3;
  }
  // Nothing outside the temporary directory is created, truncated or opened for writing.
  if (look_only) f &= ~(long)(03 | 0100 | 01000 | 020000000);
  addf("flags=0%lo", (unsigned long)(unsigned)f);
  return f;
}
static long mode_arg(void) {
  long v = PICKV(long, 0, 0644, 0755, 07777, 0xffffffff, 0100644, 0600);
  addf("mode=0%lo", (unsigned long)(unsigned)v);
  return v;
}

static void g_open(long* a) {
  int look = chance(15);
  a[0] = path_arg("path", look);
  a[1] = open_flags(look);
  a[2] = mode_arg();
}
static void g_openat(long* a) {
  a[0] = dirfd_arg("dirfd");
  int look = chance(15);
  a[1] = path_arg("path", look);
  a[2] = open_flags(look);
  a[3] = mode_arg();
}
static void g_creat(long* a) {
  a[0] = path_arg("path", 0);
  a[1] = mode_arg();
}
static void g_close(long* a) { a[0] = fd_arg("fd", FD_ALL); }
static void g_fstat(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = ptr_out("st", 144, OUT_FIXED);
}
static void g_lseek(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = off_arg();
  a[2] = PICKV(long, 0, 1, 2, 3, 4, 5, -1);
  addf("off=%s, whence=%ld", num((u64)a[1]), a[2]);
}

// ---- ioctl

enum { IO_NONE, IO_DIRECT, IO_INT_IN, IO_INT_OUT, IO_CHAR_IN, IO_TERMIOS_IN, IO_TERMIOS_OUT, IO_T2_IN, IO_T2_OUT,
       IO_WS_IN, IO_WS_OUT, IO_UNKNOWN };
static const struct ioctl_req {
  unsigned req;
  const char* name;
  int kind;
} kIoctls[] = {
    {0x5401, "TCGETS", IO_TERMIOS_OUT},   {0x5402, "TCSETS", IO_TERMIOS_IN},
    {0x5403, "TCSETSW", IO_TERMIOS_IN},   {0x5404, "TCSETSF", IO_TERMIOS_IN},
    {0x5409, "TCSBRK", IO_DIRECT},        {0x540a, "TCXONC", IO_DIRECT},
    {0x540b, "TCFLSH", IO_DIRECT},        {0x540c, "TIOCEXCL", IO_NONE},
    {0x540d, "TIOCNXCL", IO_NONE},        {0x540f, "TIOCGPGRP", IO_INT_OUT},
    {0x5410, "TIOCSPGRP", IO_INT_IN},     {0x5411, "TIOCOUTQ", IO_INT_OUT},
    {0x5412, "TIOCSTI", IO_CHAR_IN},      {0x5413, "TIOCGWINSZ", IO_WS_OUT},
    {0x5414, "TIOCSWINSZ", IO_WS_IN},     {0x541b, "FIONREAD", IO_INT_OUT},
    {0x5420, "TIOCPKT", IO_INT_IN},       {0x5421, "FIONBIO", IO_INT_IN},
    {0x5423, "TIOCSETD", IO_INT_IN},      {0x5424, "TIOCGETD", IO_INT_OUT},
    {0x5425, "TCSBRKP", IO_DIRECT},       {0x5427, "TIOCSBRK", IO_NONE},
    {0x5428, "TIOCCBRK", IO_NONE},        {0x5429, "TIOCGSID", IO_INT_OUT},
    {0x5441, "TIOCGPTPEER", IO_DIRECT},   {0x5450, "FIONCLEX", IO_NONE},
    {0x5451, "FIOCLEX", IO_NONE},         {0x5452, "FIOASYNC", IO_INT_IN},
    {0x802c542a, "TCGETS2", IO_T2_OUT},   {0x402c542b, "TCSETS2", IO_T2_IN},
    {0x402c542c, "TCSETSW2", IO_T2_IN},   {0x402c542d, "TCSETSF2", IO_T2_IN},
    {0x80045430, "TIOCGPTN", IO_INT_OUT}, {0x40045431, "TIOCSPTLCK", IO_INT_IN},
    {0, "0", IO_UNKNOWN},                 {0xdeadbeef, "0xdeadbeef", IO_UNKNOWN},
    {0x5499, "0x5499", IO_UNKNOWN},       {0x7fff5401, "0x7fff5401", IO_UNKNOWN},
    // Generic requests Linux answers for regular files and directories.
    {0x5460, "FIOQSIZE", IO_INT_OUT},     {2, "FIGETBSZ", IO_INT_OUT},
    {0x80086601, "FS_IOC_GETFLAGS", IO_INT_OUT},
};

static void g_ioctl(long* a) {
  const struct ioctl_req* r = &PICK(kIoctls);
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = r->req;
  addf("req=%s", r->name);
  unsigned char data[64];
  for (size_t i = 0; i < sizeof data; ++i) data[i] = (unsigned char)next_u64();
  switch (r->kind) {
    case IO_NONE: a[2] = chance(80) ? 0 : (long)next_u64(); break;
    case IO_DIRECT: a[2] = PICKV(long, 0, 1, 2, 3, 4, 10, -1); addf("arg=%ld", a[2]); break;
    case IO_INT_IN: {
      int v = PICKV(int, 0, 1, -1, 100);  // TIOCSETD: no line discipline but N_TTY is ever set
      char what[16];
      snprintf(what, sizeof what, "int(%d)", v);
      a[2] = ptr_in("arg", &v, 4, what);
      break;
    }
    case IO_INT_OUT:
    case IO_UNKNOWN: a[2] = ptr_out("arg", 4, OUT_FIXED); break;
    case IO_CHAR_IN: {
      char c = PICKV(char, 'x', '\n', 0, 3);
      a[2] = ptr_in("arg", &c, 1, "char");
      break;
    }
    case IO_TERMIOS_IN: a[2] = ptr_in("arg", data, 36, "termios"); break;
    case IO_TERMIOS_OUT: a[2] = ptr_out("arg", 36, OUT_FIXED); break;
    case IO_T2_IN: a[2] = ptr_in("arg", data, 44, "termios2"); break;
    case IO_T2_OUT: a[2] = ptr_out("arg", 44, OUT_FIXED); break;
    case IO_WS_IN: a[2] = ptr_in("arg", data, 8, "winsize"); break;
    case IO_WS_OUT: a[2] = ptr_out("arg", 8, OUT_FIXED); break;
  }
  if (r->req == 0x5441) call_flags |= F_NEWFD;  // TIOCGPTPEER
  else call_flags |= F_VAL;
  // Process ids are no checksum material.
  if (r->req == 0x540f || r->req == 0x5429) call_flags &= ~(unsigned)F_SUM;
}

// ---- fcntl

struct kflock {
  short type, whence;
  int pad;
  long start, len;
  int pid, pad2;
};

static void g_fcntl(long* a) {
  static const struct {
    int cmd;
    const char* name;
  } cmds[] = {{0, "F_DUPFD"},           {1, "F_GETFD"},         {2, "F_SETFD"},
              {3, "F_GETFL"},           {4, "F_SETFL"},         {5, "F_GETLK"},
              {6, "F_SETLK"},           {7, "F_SETLKW"},        {8, "F_SETOWN"},
              {9, "F_GETOWN"},          {10, "F_SETSIG"},       {11, "F_GETSIG"},
              {15, "F_SETOWN_EX"},      {16, "F_GETOWN_EX"},    {36, "F_OFD_GETLK"},
              {37, "F_OFD_SETLK"},      {38, "F_OFD_SETLKW"},   {1024, "F_SETLEASE"},
              {1025, "F_GETLEASE"},     {1026, "F_NOTIFY"},     {1030, "F_DUPFD_CLOEXEC"},
              {1031, "F_SETPIPE_SZ"},   {1032, "F_GETPIPE_SZ"}, {1033, "F_ADD_SEALS"},
              {1034, "F_GET_SEALS"},    {99, "99"},             {-1, "-1"},
              {1040, "1040"},           {1027, "F_DUPFD_QUERY"}, {1028, "F_CREATED_QUERY"},
              {1035, "F_GET_RW_HINT"},  {1037, "F_GET_FILE_RW_HINT"}};
  int k = (int)below(COUNT(cmds));
  a[0] = fd_arg("fd", FD_ALL);
  int cmd = cmds[k].cmd;
  a[1] = cmd;
  addf("cmd=%s", cmds[k].name);
  switch (cmd) {
    case 0:
    case 1030:
      a[2] = PICKV(long, 0, 3, 990, 1000, 1023, 1 << 20, INT_MAX, -1);
      addf("arg=%s", num((u64)a[2]));
      call_flags |= F_NEWFD;
      break;
    case 2: a[2] = PICKV(long, 0, 1, -1); addf("arg=%ld", a[2]); break;
    case 4: {
      static const long fl[] = {0, 02000, 020000, 040000, 01000000, 04000, 02, -1};
      a[2] = PICK(fl) | (chance(50) ? PICK(fl) : 0);
      addf("arg=0%lo", (unsigned long)(unsigned)a[2]);
      break;
    }
    case 5: case 6: case 7: case 36: case 37: case 38: {
      struct kflock l;
      memset(&l, 0, sizeof l);
      l.type = (short)PICKV(int, 0, 1, 2, 5);
      l.whence = (short)PICKV(int, 0, 1, 2, 3);
      l.start = PICKV(long, 0, 10, -1, LONG_MAX);
      l.len = PICKV(long, 0, 10, -5, LONG_MAX);
      l.pid = chance(80) ? 0 : 1;
      // A blocking request never waits: it unlocks or is invalid.
      if ((cmd == 7 || cmd == 38) && l.type != 2) l.type = 5;
      char what[64];
      snprintf(what, sizeof what, "flock{%d,%d,%s,%s,%d}", l.type, l.whence, num((u64)l.start), num((u64)l.len), l.pid);
      a[2] = ptr_in("lk", &l, sizeof l, what);
      if (cmd == 5 || cmd == 36) out_range((u64)a[2], sizeof l, OUT_FIXED);
      break;
    }
    case 8: a[2] = chance(50) ? 0 : INT_MAX; addf("arg=%s", num((u64)a[2])); break;
    case 10: a[2] = PICKV(long, 0, SIGIO, 65, -1); addf("arg=%ld", a[2]); break;
    case 15: {
      int v[2] = {PICKV(int, 0, 1, 2, 5), chance(60) ? 0 : INT_MAX};
      char what[32];
      snprintf(what, sizeof what, "owner{%d,%s}", v[0], num((u64)v[1]));
      a[2] = ptr_in("owner", v, 8, what);
      break;
    }
    case 16: a[2] = ptr_out("owner", 8, OUT_FIXED); break;
    case 1024: a[2] = chance(70) ? 2 : 99; addf("arg=%ld", a[2]); break;
    case 1026: a[2] = 0; addf("arg=0"); break;
    case 1031: a[2] = PICKV(long, 0, 4096, 65536, 1 << 20, INT_MAX, -1); addf("arg=%s", num((u64)a[2])); break;
    case 1033: a[2] = PICKV(long, 0, 1, 0xff); addf("arg=%ld", a[2]); break;
    case 1035: case 1037: a[2] = ptr_out("hint", 8, OUT_FIXED); call_flags |= F_SUM; break;
    default: a[2] = chance(50) ? 0 : (long)next_u64(); break;
  }
  if (cmd == 1 || cmd == 3 || cmd == 11 || cmd == 1025 || cmd == 1032 || cmd == 1034 || cmd == 1027 || cmd == 1028)
    call_flags |= F_VAL;
}

static void g_dup(long* a) { a[0] = fd_arg("fd", FD_ALL); }
// Known: emu's own descriptors live at 990..1023, and dup2/dup3 onto them is EBADF.
static long newfd_arg(void) {
  char lab[32];
  long fd = fd_pick(FD_ALL, lab, sizeof lab);
  if (!all_mode && fd >= 990 && fd <= 1023) retry = 1;
  addf("new=%s", lab);
  return fd;
}
static void g_dup2(long* a) {
  a[0] = fd_arg("old", FD_ALL);
  a[1] = newfd_arg();
}
static void g_dup3(long* a) {
  g_dup2(a);
  a[2] = PICKV(long, 0, 02000000, 1, -1);
  addf("flags=0%lo", (unsigned long)(unsigned)a[2]);
}
static void g_pipe(long* a) { a[0] = ptr_out("fds", 8, OUT_FIXED); }
static void g_pipe2(long* a) {
  a[0] = ptr_out("fds", 8, OUT_FIXED);
  a[1] = PICKV(long, 0, 02000000, 04000, 040000, 0200, 1, -1);
  addf("flags=0%lo", (unsigned long)(unsigned)a[1]);
}
static long off_ptr(const char* name) {
  if (chance(40)) {
    addf("%s=NULL", name);
    return 0;
  }
  i64 v = PICKV(i64, 0, 10, 8000, -1, 1L << 40, LLONG_MAX);
  char what[32];
  snprintf(what, sizeof what, "off(%s)", num((u64)v));
  long p = ptr_in(name, &v, 8, what);
  out_range((u64)p, 8, OUT_FIXED);
  return p;
}
static u64 count_arg(void) { return PICKV(u64, 0, 1, 100, 4096, 65536, 1 << 20, ~0UL, 0x80000000UL); }
static void g_sendfile(long* a) {
  bound_file_sizes();
  a[0] = fd_arg("out", FD_NOPTY);
  a[1] = fd_arg("in", FD_ALL);
  a[2] = off_ptr("off");
  a[3] = (long)count_arg();
  addf("count=%s", num((u64)a[3]));
}
static void g_copy_file_range(long* a) {
  bound_file_sizes();
  a[0] = fd_arg("in", FD_ALL);
  a[1] = off_ptr("off_in");
  a[2] = fd_arg("out", FD_NOPTY);
  if (a[1] && chance(20)) {
    a[3] = a[1];
    addf("off_out=same");
  } else {
    a[3] = off_ptr("off_out");
  }
  a[4] = (long)count_arg();
  a[5] = PICKV(long, 0, 0, 0, 1, -1);
  addf("len=%s, flags=%ld", num((u64)a[4]), a[5]);
}
static void g_ftruncate(long* a) {
  a[0] = fd_arg("fd", FD_NOPTY);
  a[1] = PICKV(long, 0, 1, 4096, 1 << 20, 1L << 40, -1, LONG_MAX);
  addf("len=%s", num((u64)a[1]));
}
static void g_getdents64(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  u64 n = PICKV(u64, 0, 1, 24, 100, 4096, 8192, 65536, 0x80000000UL, 0xffffffffUL, (1UL << 32) | 100);
  a[1] = ptr_out("buf", n, OUT_RET);
  a[2] = (long)n;
  addf("count=%s", num(n));
}
static void g_fadvise64(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = off_arg();
  a[2] = (long)PICKV(u64, 0, 1, 4096, ~0UL);
  a[3] = PICKV(long, 0, 1, 2, 3, 4, 5, 6, -1);
  addf("off=%s, len=%s, advice=%ld", num((u64)a[1]), num((u64)a[2]), a[3]);
}
static void g_fallocate(long* a) {
  a[0] = fd_arg("fd", FD_NOPTY);
  a[1] = PICKV(long, 0, 1, 3, 2, 8, 0x10, 0x11, 0x20, 0x40, 0xff, -1);
  a[2] = PICKV(long, 0, 4096, 1L << 40, -1, LONG_MAX);
  // What may allocate allocates at most 1 MiB: the disk is shared.
  a[3] = PICKV(long, 0, 1, 4096, 65536, 1 << 20, -1);
  if (a[1] == 3 && chance(30)) a[3] = 1L << 40;
  addf("mode=0x%lx, off=%s, len=%s", (unsigned long)(unsigned)a[1], num((u64)a[2]), num((u64)a[3]));
}
static void g_flock(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = PICKV(long, 5, 6, 8, 4, 0, 32, 12, 0x7fffffff, 7);  // never a blocking LOCK_SH/LOCK_EX
  addf("op=%ld", a[1]);
}
static void g_fd_all(long* a) { a[0] = fd_arg("fd", FD_ALL); }

// ---- poll and select

struct kpollfd {
  int fd;
  short events, revents;
};

static long fd_value(char* lab, size_t n) {
  unsigned r = below(100);
  if (r < 70) {
    int i = (int)below(NPOOL);
    snprintf(lab, n, "%s", kPoolNames[i]);
    return pool[i];
  }
  switch (below(4)) {
    case 0: snprintf(lab, n, "-1"); return -1;
    case 1: snprintf(lab, n, "closed"); return CLOSED_FD;
    case 2: snprintf(lab, n, "INT_MIN"); return INT_MIN;
    default: {
      int fd = 990 + (int)below(34);
      snprintf(lab, n, "%d", fd);
      return fd;
    }
  }
}

// A pollfd array. `forever` (no timeout): the first entry is a closed
// descriptor, whose POLLNVAL ends the wait at once; the array is never the
// read-only page or the arena, where it could name nothing to wait for.
static long pollfds(long* nfds_out, int forever) {
  int n = PICKV(int, 1, 2, 3, 8);
  if (!forever && chance(15)) n = 0;
  struct kpollfd v[8];
  memset(v, 0xff, sizeof v);  // what a count above n reads: fd -1
  char what[200];
  size_t w = (size_t)snprintf(what, sizeof what, "[");
  for (int i = 0; i < n; ++i) {
    char lab[24];
    v[i].fd = (int)fd_value(lab, sizeof lab);
    v[i].events = (short)PICKV(int, 1, 4, 5, 0, 0xffff, 0x2000);
    v[i].revents = (short)0x5a5a;
    if (i == 0 && forever) {
      v[i].fd = CLOSED_FD;
      snprintf(lab, sizeof lab, "closed");
    }
    if (w < sizeof what) w += (size_t)snprintf(what + w, sizeof what - w, "%s%s:%x", i ? " " : "", lab, (unsigned short)v[i].events);
  }
  if (w < sizeof what) snprintf(what + w, sizeof what - w, "]");
  long p = ptr_place2("fds", c_slot(sizeof v), v, sizeof(struct kpollfd) * (u64)(n ? n : 1), what, forever, 0);
  if (forever && last_class == CL_RO) {  // all -1 there: nothing to wait for
    retry = 1;
    return 0;
  }
  u64 cnt = (u64)n;
  if (chance(15)) cnt = PICKV(u64, (u64)n + 1, 1025, 1 << 20, 0xffffffffUL, (1UL << 32) | 1);
  u64 entries = (uint32_t)cnt;  // nfds is an unsigned int
  out_range((u64)p, 8 * (entries < 2048 ? entries : 2048), OUT_FIXED);
  *nfds_out = (long)cnt;
  addf("nfds=%s", num(cnt));
  return p;
}

static void g_poll(long* a) {
  long t = PICKV(long, 0, 0, 1, 2, -1, INT_MIN);
  a[0] = pollfds(&a[1], t < 0);
  a[2] = t;
  addf("timeout=%ld", t);
}

static long sigmask_in(const char* name) {
  u64 m = chance(50) ? 0 : next_u64();
  char what[32];
  snprintf(what, sizeof what, "mask(%lx)", (unsigned long)m);
  return ptr_in(name, &m, 8, what);
}

static void g_ppoll(long* a) {
  int forever = chance(20);
  a[0] = pollfds(&a[1], forever);
  if (forever) {
    a[2] = 0;
    addf("ts=NULL");
  } else {
    a[2] = ts_in("ts");
    out_range((u64)a[2], 16, OUT_TIME);  // the time left is written back
  }
  if (chance(40)) {
    a[3] = 0;
    addf("mask=NULL");
  } else {
    a[3] = sigmask_in("mask");
  }
  a[4] = PICKV(long, 8, 8, 8, 4, 16, 0);
  addf("sigsetsize=%ld", a[4]);
}

static long fdset_in(const char* name, long n) {
  if (chance(30)) {
    addf("%s=NULL", name);
    return 0;
  }
  u64 set[16];
  memset(set, 0, sizeof set);
  char what[160];
  size_t w = (size_t)snprintf(what, sizeof what, "{");
  int k = (int)below(4);
  for (int i = 0; i < k; ++i) {
    char lab[24];
    long fd = fd_value(lab, sizeof lab);
    if (fd < 0 || fd >= 1024) continue;
    set[fd / 64] |= 1UL << (fd % 64);
    if (w < sizeof what) w += (size_t)snprintf(what + w, sizeof what - w, "%s%s", i ? " " : "", lab);
  }
  if (w < sizeof what) snprintf(what + w, sizeof what - w, "}");
  long p = ptr_in(name, set, sizeof set, what);
  u64 words = n <= 0 ? 0 : ((u64)(n < 1024 ? n : 1024) + 63) / 64;
  out_range((u64)p, words * 8, OUT_FIXED);
  return p;
}

static long select_n(void) {
  long n = PICKV(long, 0, 1, 20, 64, 65, 78, 200, 1024, 1025, INT_MAX, -1);
  // Known: emu reads fd sets for n up to 2^20 descriptors, Linux only up to
  // the size of the descriptor table (1024 here).
  if (!all_mode && n > 1024) n = 1024;
  addf("n=%s", num((u64)n));
  return n;
}

static void g_select(long* a) {
  a[0] = select_n();
  a[1] = fdset_in("in", a[0]);
  a[2] = fdset_in("out", a[0]);
  if (a[1] && chance(20)) {
    a[3] = a[1];
    addf("ex=same");
  } else {
    a[3] = fdset_in("ex", a[0]);
  }
  if (a[0] < 0 && chance(30)) {
    a[4] = 0;
    addf("tv=NULL");
  } else {
    // A timeval: select normalizes usec >= 10^6 into seconds, so none of those.
    static const struct ktimespec tvs[] = {{0, 0}, {0, 1000}, {-1, 0}, {0, -1}, {0, 999}, {0, 0}};
    struct ktimespec t = PICK(tvs);
    char what[40];
    snprintf(what, sizeof what, "tv{%ld,%ld}", t.sec, t.nsec);
    a[4] = ptr_place2("tv", c_slot(16), &t, 16, what, 1, 1);
    out_range((u64)a[4], 16, OUT_TIME);  // the time left is written back
  }
}

static void g_pselect6(long* a) {
  a[0] = select_n();
  a[1] = fdset_in("in", a[0]);
  a[2] = fdset_in("out", a[0]);
  a[3] = fdset_in("ex", a[0]);
  if (a[0] < 0 && chance(30)) {
    a[4] = 0;
    addf("ts=NULL");
  } else {
    a[4] = ts_in("ts");
    out_range((u64)a[4], 16, OUT_TIME);  // the time left is written back
  }
  if (chance(35)) {
    a[5] = 0;
    addf("sig=NULL");
  } else {
    u64 pack[2];
    pack[0] = chance(30) ? 0 : (u64)sigmask_in("mask");
    if (!pack[0]) addf("mask=NULL");
    pack[1] = PICKV(u64, 8, 8, 8, 4, 16, 0);
    char what[32];
    snprintf(what, sizeof what, "pack{.., %lu}", (unsigned long)pack[1]);
    a[5] = ptr_in("sig", pack, 16, what);
  }
}

// ---- file system: paths

static void g_stat(long* a) {
  a[0] = path_arg("path", 1);
  a[1] = ptr_out("st", 144, OUT_FIXED);
}
static void g_access(long* a) {
  a[0] = path_arg("path", 1);
  a[1] = PICKV(long, 0, 1, 2, 4, 7, 8, -1);
  addf("mode=%ld", a[1]);
}
static void g_truncate(long* a) {
  a[0] = path_arg("path", 0);
  a[1] = PICKV(long, 0, 1, 4096, 1 << 20, 1L << 40, -1, LONG_MAX);
  addf("len=%s", num((u64)a[1]));
}
static void g_getcwd(long* a) {
  u64 n = PICKV(u64, 0, 1, 10, 24, 25, 26, 4096, 1 << 20, ~0UL);
  a[0] = ptr_out("buf", n, OUT_RET);
  a[1] = (long)n;
  addf("size=%s", num(n));
}
// chdir: only to where relative names still stay inside the temporary
// directory (the working directory is put back after each call).
static void g_chdir(long* a) {
  static const char* const dirs[] = {".", "d", "f", "missing", "", "lnk", "loop", "name299"};
  unsigned r = below(100);
  const char* w;
  if (r < 70) {
    const char* s = PICK(dirs);
    if (!strcmp(s, "name299")) {
      char n[300];
      memset(n, 'n', sizeof n - 1);
      n[sizeof n - 1] = 0;
      a[0] = place_string(n);
    } else {
      a[0] = place_string(s);
    }
    addf("path=\"%s\"", s);
  } else if (r < 80) {
    a[0] = place_string(tmpdir);
    addf("path=tmpdir");
  } else if (r < 85) {
    unsigned char* p = bufC + BUF_BYTES - 1;
    *p = 'd';
    a[0] = (long)p;
    addf("path=C_end-1_no_nul");
  } else {
    a[0] = (long)wild(&w, 0);
    addf("path=%s", w);
  }
}
static void g_fchdir(long* a) { a[0] = fd_arg("fd", FD_ALL); }
static void g_two_paths(long* a) {
  a[0] = path_arg("old", 0);
  if (chance(10)) {
    a[1] = a[0];
    addf("new=same");
  } else {
    a[1] = path_arg("new", 0);
  }
}
static void g_path_mode(long* a) {
  a[0] = path_arg("path", 0);
  a[1] = mode_arg();
}
static void g_path(long* a) { a[0] = path_arg("path", 0); }
// Symbolic link targets: names in the temporary directory only.
static long target_arg(void) {
  unsigned r = below(100);
  const char* w;
  if (r < 80) {
    const char* s = PICK(kNames);
    addf("target=\"%s\"", s);
    return place_string(s);
  }
  if (r < 88) {
    char s[300];
    memset(s, 'n', sizeof s - 1);
    s[sizeof s - 1] = 0;
    addf("target=name299");
    return place_string(s);
  }
  u64 p = wild(&w, 0);
  addf("target=%s", w);
  return (long)p;
}
static void g_symlink(long* a) {
  a[0] = target_arg();
  a[1] = path_arg("path", 0);
}
static long bufsiz_arg(void) { return PICKV(long, 0, -1, 1, 3, 100, 4096, 0x7fffffff, 1L << 32); }
static void g_readlink(long* a) {
  a[0] = path_arg("path", 1);
  long n = bufsiz_arg();
  a[1] = ptr_out("buf", (u64)(int)n > 0 ? (u64)(int)n : 0, OUT_RET);
  a[2] = n;
  addf("size=%s", num((u64)n));
}
static long id_arg(const char* name) {
  long v = PICKV(long, -1, 0, 1000, 65534, INT_MAX);
  addf("%s=%ld", name, v);
  return v;
}
static void g_fchmod(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = mode_arg();
}
static void g_chown(long* a) {
  a[0] = path_arg("path", 0);
  a[1] = id_arg("uid");
  a[2] = id_arg("gid");
}
static void g_fchown(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = id_arg("uid");
  a[2] = id_arg("gid");
}
static void g_umask(long* a) {
  a[0] = PICKV(long, 0, 022, 0777, -1, 077);
  addf("mask=0%lo", (unsigned long)(unsigned)a[0]);
}
static void g_statfs(long* a) {
  a[0] = path_arg("path", 1);
  a[1] = ptr_out("buf", 120, OUT_FIXED);
}
static void g_fstatfs(long* a) {
  a[0] = fd_arg("fd", FD_ALL);
  a[1] = ptr_out("buf", 120, OUT_FIXED);
}
static long at_flags(void) {
  long v = PICKV(long, 0, 0, 0x100, 0x200, 0x400, 0x800, 0x1000, 0xffff, -1);
  addf("flags=0x%lx", (unsigned long)(unsigned)v);
  return v;
}
static void g_mkdirat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 0);
  a[2] = mode_arg();
}
static void g_fchownat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 0);
  a[2] = id_arg("uid");
  a[3] = id_arg("gid");
  a[4] = at_flags();
}
static void g_newfstatat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 1);
  a[2] = ptr_out("st", 144, OUT_FIXED);
  a[3] = at_flags();
}
static void g_unlinkat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 0);
  a[2] = at_flags();
}
static void g_renameat(long* a) {
  a[0] = dirfd_arg("olddirfd");
  a[1] = path_arg("old", 0);
  a[2] = dirfd_arg("newdirfd");
  a[3] = path_arg("new", 0);
}
static void g_renameat2(long* a) {
  g_renameat(a);
  a[4] = PICKV(long, 0, 0, 1, 2, 4, 3, 8, -1);
  addf("flags=%ld", a[4]);
}
static void g_readlinkat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 1);
  long n = bufsiz_arg();
  a[2] = ptr_out("buf", (u64)(int)n > 0 ? (u64)(int)n : 0, OUT_RET);
  a[3] = n;
  addf("size=%s", num((u64)n));
}
static void g_faccessat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 1);
  a[2] = PICKV(long, 0, 1, 2, 4, 7, 8, -1);
  addf("mode=%ld", a[2]);
}
static void g_faccessat2(long* a) {
  g_faccessat(a);
  a[3] = at_flags();
}
static void g_utimensat(long* a) {
  a[0] = dirfd_arg("dirfd");
  if (chance(20)) {
    a[1] = 0;
    addf("path=NULL");
  } else {
    a[1] = path_arg("path", 0);
  }
  if (chance(30)) {
    a[2] = 0;
    addf("times=NULL");
  } else {
    static const struct ktimespec t[] = {{0, (1 << 30) - 1}, {0, (1 << 30) - 2}, {0, 0}, {-1, 0}, {0, 1000000000}, {1L << 40, 0}};
    struct ktimespec two[2] = {PICK(t), PICK(t)};
    char what[64];
    snprintf(what, sizeof what, "{%ld,%ld}{%ld,%ld}", two[0].sec, two[0].nsec, two[1].sec, two[1].nsec);
    a[2] = ptr_in("times", two, sizeof two, what);
  }
  a[3] = at_flags();
}
static void g_statx(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = chance(10) ? 0 : path_arg("path", 1);
  if (!a[1]) addf("path=NULL");
  a[2] = PICKV(long, 0, 0x100, 0x1000, 0x2000, 0x4000, 0x6000, 0x800, -1);
  a[3] = PICKV(long, 0, 0x7ff, 0xfff, 0x80000000L, -1, 0x1fff);
  addf("flags=0x%lx, mask=0x%lx", (unsigned long)(unsigned)a[2], (unsigned long)(unsigned)a[3]);
  a[4] = ptr_out("buf", 256, OUT_FIXED);
}
static void g_linkat(long* a) {
  a[0] = dirfd_arg("olddirfd");
  a[1] = path_arg("old", 0);
  a[2] = dirfd_arg("newdirfd");
  a[3] = path_arg("new", 0);
  a[4] = at_flags();
}
static void g_symlinkat(long* a) {
  a[0] = target_arg();
  a[1] = dirfd_arg("dirfd");
  a[2] = path_arg("path", 0);
}
static void g_fchmodat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 0);
  a[2] = mode_arg();
}
static void g_fchmodat2(long* a) {
  g_fchmodat(a);
  a[3] = at_flags();
}
// No FIFOs (opening one would block) and no devices but 0:0.
static long node_mode(long* dev) {
  long m = PICKV(long, 0100644, 0, 020600, 060600, 0140644, 040755, 0170000, -1);
  *dev = ((m & 0170000) == 020000 || (m & 0170000) == 060000) ? 0 : PICKV(long, 0, 0x103, -1);
  addf("mode=0%lo, dev=%s", (unsigned long)(unsigned)m, num((u64)*dev));
  return m;
}
static void g_mknod(long* a) {
  a[0] = path_arg("path", 0);
  a[1] = node_mode(&a[2]);
}
static void g_mknodat(long* a) {
  a[0] = dirfd_arg("dirfd");
  a[1] = path_arg("path", 0);
  a[2] = node_mode(&a[3]);
}

// ---- memory

static u64 mem_addr(const char* name) {
  unsigned r = below(100);
  u64 p;
  char lab[40];
  const char* w;
  if (r < 55) {
    unsigned pg = below(ARENA_PAGES);
    p = ARENA + PAGE * pg;
    snprintf(lab, sizeof lab, "arena+%u", pg);
  } else if (r < 62) {
    unsigned pg = below(ARENA_PAGES);
    p = ARENA + ARENA_BYTES + PAGE * pg;
    snprintf(lab, sizeof lab, "arena+%u", ARENA_PAGES + pg);
  } else if (r < 66) {
    p = ARENA + 100;
    snprintf(lab, sizeof lab, "arena+100B");
  } else {
    p = wild(&w, 0);
    snprintf(lab, sizeof lab, "%s", w);
  }
  addf("%s=%s", name, lab);
  return p;
}
static u64 mem_len(const char* name) {
  u64 v = PICKV(u64, 0, 1, PAGE, 2 * PAGE, 5 * PAGE, 16 * PAGE, ARENA_BYTES, 0x7fffffff, 1UL << 40, ~0UL, -PAGE,
                1UL << 63);
  addf("%s=%s", name, num(v));
  return v;
}
static long prot_arg(void) {
  long v = PICKV(long, 0, 1, 3, 3, 5, 7, 0x01000001, 0x02000001, 8, -1);
  addf("prot=0x%lx", (unsigned long)(unsigned)v);
  return v;
}

static void g_mmap(long* a) {
  u64 addr = mem_addr("addr"), len = mem_len("len");
  long prot = prot_arg();
  static const long base[] = {0x02, 0x02, 0x01, 0x03, 0, 0x0f};
  static const long extra[] = {0x10, 0x20, 0x20, 0x4000, 0x8000, 0x100000, 0x100, 0x40, 0x40000, 0x2000, 0x20000,
                               0x80000, 0x4000000, 0x800, 0x1000};
  long flags = PICK(base);
  int n = (int)below(4);
  for (int i = 0; i < n; ++i) flags |= PICK(extra);
  if (chance(3)) flags = -1;
  addf("flags=0x%lx", (unsigned long)(unsigned)flags);
  a[4] = (flags & 0x20) && chance(70) ? -1 : fd_arg("fd", FD_ALL);
  if (a[4] == -1 && (flags & 0x20)) addf("fd=-1");
  a[5] = PICKV(long, 0, 0, PAGE, 1, 1L << 40, -PAGE);
  addf("off=%s", num((u64)a[5]));
  // mmap answers as Linux 6.18 for every class drawn here (mm/mmap_syscalls.cpp
  // follows ksys_mmap_pgoff/do_mmap's order): MAP_HUGETLB, offsets whose last
  // page overflows, MAP_SYNC, MAP_SHARED_VALIDATE's mask, PROT_EXEC from
  // noexec file systems (pipes), and below vm.mmap_min_addr as root.
  // MAP_HUGETLB maps whole huge pages, at an address aligned to one (without
  // a huge page pool only MAP_NORESERVE ones succeed; emu backs them with
  // normal pages, which nothing here touches): what it maps, and what is
  // unmapped afterwards, is the length rounded up to the huge page size
  // (MAP_HUGE_1GB: 1 GiB, else 2 MiB).
  u64 huge = (flags & 0x40000) && (flags & 0x20) ? (((flags >> 26) & 0x3f) == 30 ? 1UL << 30 : 2UL << 20) : PAGE;
  u64 mapped = (len + huge - 1) & ~(huge - 1);
  if (len != 0 && mapped == 0) mapped = len;  // wraps: refused (EINVAL)
  // MAP_FIXED or MAP_FIXED_NOREPLACE map exactly there; MAP_POPULATE and
  // MAP_LOCKED fault everything in.
  if ((flags & (0x10 | 0x100000)) && !range_safe(addr, mapped)) retry = 1;
  if ((flags & (0x8000 | 0x2000)) && page_round(len) > (1 << 20)) retry = 1;
  a[0] = (long)addr;
  a[1] = (long)len;
  a[2] = prot;
  a[3] = flags;
  map_len = page_round(mapped);
}
static void g_mprotect(long* a) {
  a[0] = (long)mem_addr("addr");
  a[1] = (long)mem_len("len");
  a[2] = prot_arg();
  if (!range_safe((u64)a[0], (u64)a[1])) retry = 1;
}
static void g_munmap(long* a) {
  a[0] = (long)mem_addr("addr");
  a[1] = (long)mem_len("len");
  if (!range_safe((u64)a[0], (u64)a[1])) retry = 1;
}
static void g_brk(long* a) {
  brk_cur = sc(12, 0);
  static const char* const labels[] = {"0", "cur", "cur+1", "cur+4096", "cur+65536", "low", "kernel", "-1",
                                       "noncanon"};
  int k = (int)below(COUNT(labels));
  long v[] = {0, brk_cur, brk_cur + 1, brk_cur + 4096, brk_cur + 65536, (long)W_LOW, (long)W_KERNEL, -1,
              (long)W_NONCANON};
  a[0] = v[k];
  addf("brk=%s", labels[k]);
}
static void g_mremap(long* a) {
  u64 old = mem_addr("old"), old_len = mem_len("old_len"), new_len = mem_len("new_len");
  long flags = PICKV(long, 0, 1, 1, 3, 5, 2, 4, 8, 7, -1);
  addf("flags=%ld", flags);
  u64 new_addr = (flags & 2) || chance(20) ? mem_addr("new") : 0;
  if (!new_addr && !((flags & 2))) addf("new=0");
  if (!range_safe(old, old_len)) retry = 1;          // shrinking unmaps the tail
  if (!range_safe(old, new_len)) retry = 1;          // growing in place
  if ((flags & 2) && !range_safe(new_addr, new_len)) retry = 1;
  // mm/mremap.cpp follows Linux 6.18's order of checks (and 6.17's moves of
  // several regions at once). Linux before 6.17 looked for the old mapping
  // (EFAULT) before refusing a silly new length or address, or overlapping
  // ranges (EINVAL); compared MREMAP_DONTUNMAP's lengths before rounding
  // them; answered EFAULT for a same-size MREMAP_FIXED move across several
  // mappings; and unmapped a MREMAP_FIXED target before checking the old
  // range. On such a host those classes are not drawn.
  if (kernel_before(6, 17)) {
    const u64 task_size = 0x7ffffffff000UL;
    u64 nl = page_round(new_len), ol = page_round(old_len);
    KNOWN(nl > task_size || (new_len != 0 && nl == 0));
    KNOWN((flags & 4) && old_len != new_len && ol == nl);
    KNOWN(ol > task_size || old + ol < old || (old_len != 0 && ol == 0));
    KNOWN((flags & 2) && ol == nl && ol > PAGE);
    KNOWN((flags & 2) && ol >= (1UL << 40));
    KNOWN((flags & 6) && ((new_addr & (PAGE - 1)) || new_addr > task_size - (nl > task_size ? 0 : nl) ||
                          (old + ol > new_addr && new_addr + nl > old)));
  }
  a[0] = (long)old;
  a[1] = (long)old_len;
  a[2] = (long)new_len;
  a[3] = flags;
  a[4] = (long)new_addr;
  map_len = page_round(new_len);
}
static void g_msync(long* a) {
  a[0] = (long)mem_addr("addr");
  a[1] = (long)mem_len("len");
  a[2] = PICKV(long, 0, 1, 2, 4, 5, 6, 7, 8, -1);
  addf("flags=%ld", a[2]);
}
static void g_mincore(long* a) {
  a[0] = (long)mem_addr("addr");
  u64 len = mem_len("len");
  a[1] = (long)len;
  u64 pages = page_round(len) / PAGE;
  a[2] = ptr_out("vec", pages > 256 || page_round(len) == 0 ? 256 : pages, OUT_FIXED);
}
static void g_madvise(long* a) {
  a[0] = (long)mem_addr("addr");
  a[1] = (long)mem_len("len");
  // Never MADV_HWPOISON (100) or MADV_SOFT_OFFLINE (101): the caller is root.
  a[2] = PICKV(long, 0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
               102, 103, 1000, -1);
  addf("advice=%ld", a[2]);
  if (!range_safe((u64)a[0], (u64)a[1])) retry = 1;
}

// ---- signals

struct ksigaction {
  u64 handler, flags, restorer, mask;
};
static void restorer_fn(void) {}

static void g_rt_sigaction(long* a) {
  int with_act = chance(55);
  long sig;
  if (with_act) sig = chance(80) ? PICK(kSafeSignals) : PICKV(long, 0, 65, -1, SIGKILL, SIGSTOP, (1L << 32) | SIGUSR1);
  else sig = chance(85) ? (long)below(66) : PICKV(long, -1, 1000, (1L << 32) | 2);
  a[0] = sig;
  addf("sig=%s", num((u64)sig));
  if (with_act) {
    struct ksigaction act;
    act.handler = PICKV(u64, 0, 1, (u64)(uintptr_t)on_signal, W_UNMAPPED);
    static const u64 bits[] = {1, 2, 4, 0x100, 0x400, 0x800, 0x04000000, 0x08000000, 0x10000000, 0x40000000,
                               0x80000000UL, 0x100000000UL};
    act.flags = 0;
    int n = (int)below(4);
    for (int i = 0; i < n; ++i) act.flags |= PICK(bits);
    act.restorer = PICKV(u64, 0, (u64)(uintptr_t)restorer_fn, W_UNMAPPED);
    act.mask = chance(50) ? 0 : next_u64();
    char what[64];
    snprintf(what, sizeof what, "act{%s,0x%lx}", act.handler < 2 ? (act.handler ? "IGN" : "DFL") : act.handler == W_UNMAPPED ? "wild" : "fn",
             (unsigned long)act.flags);
    a[1] = ptr_in("act", &act, sizeof act, what);
  } else {
    a[1] = 0;
    addf("act=NULL");
  }
  a[2] = ptr_out_or_null("oact", 32, OUT_FIXED, 25);
  a[3] = PICKV(long, 8, 8, 8, 8, 4, 16, 0);
  addf("sigsetsize=%ld", a[3]);
}
static void g_rt_sigprocmask(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 2, 3, -1);
  addf("how=%ld", a[0]);
  if (chance(25)) {
    a[1] = 0;
    addf("set=NULL");
  } else {
    a[1] = sigmask_in("set");
  }
  a[2] = ptr_out_or_null("oset", 8, OUT_FIXED, 25);
  a[3] = PICKV(long, 8, 8, 8, 8, 4, 16, 0);
  addf("sigsetsize=%ld", a[3]);
}
static void g_kill(long* a) {
  int k = (int)below(4);
  static const char* const labels[] = {"self", "0", "INT_MAX", "INT_MIN"};
  long pids[] = {my_pid, 0, INT_MAX, INT_MIN};
  a[0] = pids[k];
  a[1] = PICKV(long, 0, 0, 0, -1, 65, 1000);  // never a signal, only the check
  addf("pid=%s, sig=%ld", labels[k], a[1]);
}
static void g_rt_sigpending(long* a) {
  long n = PICKV(long, 8, 8, 8, 4, 1, 0, 9, 16, -1);
  a[0] = ptr_out("set", n > 0 && n <= 8 ? (u64)n : 8, OUT_FIXED);
  a[1] = n;
  addf("sigsetsize=%ld", n);
}
static void g_rt_sigtimedwait(long* a) {
  long size = PICKV(long, 8, 8, 8, 8, 4, 16);
  a[0] = sigmask_in("set");
  int readable = last_class == CL_SLOT || last_class == CL_RO || last_class == CL_ARENA;
  a[1] = ptr_out_or_null("info", 128, OUT_FIXED, 30);
  if (size == 8 && readable) {
    a[2] = ts_in("ts");
  } else if (chance(50)) {
    a[2] = 0;
    addf("ts=NULL");
  } else {
    a[2] = ts_in("ts");
  }
  a[3] = size;
  addf("sigsetsize=%ld", size);
}
// rt_sigsuspend only with arguments it refuses: it would wait for a signal.
static void g_rt_sigsuspend(long* a) {
  a[0] = sigmask_in("set");
  int readable = last_class == CL_SLOT || last_class == CL_RO || last_class == CL_ARENA;
  a[1] = readable ? PICKV(long, 0, 4, 16, -1) : PICKV(long, 8, 8, 4);
  addf("sigsetsize=%ld", a[1]);
}
static void g_sigaltstack(long* a) {
  if (chance(30)) {
    a[0] = 0;
    addf("ss=NULL");
  } else {
    struct {
      u64 sp;
      int flags, pad;
      u64 size;
    } ss;
    ss.sp = PICKV(u64, (u64)bufB, 0, W_UNMAPPED);
    ss.flags = PICKV(int, 0, 0, 1, 2, (int)0x80000000u, (int)0x80000002u, 3, -1);
    ss.pad = 0;
    ss.size = PICKV(u64, 0, 2047, 2048, 8192, 1 << 20, ~0UL);
    char what[48];
    snprintf(what, sizeof what, "ss{%s,0x%x,%s}", ss.sp == (u64)bufB ? "B" : ss.sp ? "wild" : "0", (unsigned)ss.flags, num(ss.size));
    a[0] = ptr_in("ss", &ss, sizeof ss, what);
  }
  a[1] = ptr_out_or_null("oss", 24, OUT_FIXED, 30);
}
static void g_getitimer(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 3, -1);
  addf("which=%ld", a[0]);
  a[1] = ptr_out("value", 32, OUT_FIXED);
}
static void g_setitimer(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 3, -1);
  addf("which=%ld", a[0]);
  static const long tv[][2] = {{0, 0}, {0, 1000}, {0, 1}, {0, -1}, {0, 1000000}, {-1, 0}, {1L << 40, 0}};
  // The interval: no valid one shorter than 20 ms. A 1 us period under
  // rss_run's ptrace (every signal, even an ignored one, stops the tracee)
  // was a livelock until the timers were disarmed after the call.
  static const long iv[][2] = {{0, 0}, {0, 20000}, {0, -1}, {0, 1000000}, {-1, 0}, {1L << 40, 0}};
  long v[4];
  int i = (int)below(COUNT(iv)), j = (int)below(COUNT(tv));
  v[0] = iv[i][0], v[1] = iv[i][1], v[2] = tv[j][0], v[3] = tv[j][1];
  char what[64];
  snprintf(what, sizeof what, "{{%ld,%ld},{%ld,%ld}}", v[0], v[1], v[2], v[3]);
  a[1] = ptr_in_or_null("new", v, sizeof v, what, 20);
  a[2] = ptr_out_or_null("old", 32, OUT_FIXED, 30);
}
static void g_alarm(long* a) {
  a[0] = PICKV(long, 0, 1, 1000, 0xffffffffL, 1L << 32);
  addf("seconds=%s", num((u64)a[0]));
}
static void g_tkill(long* a) {
  int k = (int)below(4);
  static const char* const labels[] = {"self", "0", "-1", "INT_MAX"};
  long tids[] = {my_tid, 0, -1, INT_MAX};
  a[0] = tids[k];
  a[1] = PICKV(long, 0, 0, -1, 65);
  addf("tid=%s, sig=%ld", labels[k], a[1]);
}
static void g_tgkill(long* a) {
  static const char* const labels[] = {"self", "0", "-1", "INT_MAX"};
  int k = (int)below(4), j = (int)below(4);
  long pids[] = {my_pid, 0, -1, INT_MAX}, tids[] = {my_tid, 0, -1, INT_MAX};
  a[0] = pids[k];
  a[1] = tids[j];
  a[2] = PICKV(long, 0, 0, -1, 65);
  addf("tgid=%s, tid=%s, sig=%ld", labels[k], labels[j], a[2]);
}

// ---- processes

static void g_noargs(long* a) {
  for (int i = 0; i < 6; ++i) a[i] = chance(80) ? 0 : (long)next_u64();
}
// clone only with flag combinations Linux refuses before creating anything.
static void g_clone(long* a) {
  static const struct {
    long flags;
    const char* name;
  } f[] = {{0x10000, "THREAD"},
           {0x800, "SIGHAND"},
           {0x10800, "THREAD|SIGHAND"},
           {0x20200, "FS|NEWNS"},
           {0x10000200, "NEWUSER|FS"},
           {0x401000, "PIDFD|DETACHED"},
           {0x101000, "PIDFD|PARENT_SETTID"}};
  int k = (int)below(COUNT(f));
  a[0] = f[k].flags | (chance(50) ? SIGCHLD : 0);
  addf("flags=%s%s", f[k].name, (a[0] & 0xff) ? "|SIGCHLD" : "");
  a[1] = chance(50) ? 0 : (long)W_UNMAPPED;
  a[2] = ptr_any("ptid");
  a[3] = ptr_any("ctid");
  a[4] = 0;
}
// execve only with names that can't be executed.
static long exec_path(void) {
  static const char* const paths[] = {"", "/nonexistent-syscall-fuzz/x", "/", "/proc/self/fd", "/dev/null", "d",
                                      "nonexistent-syscall-fuzz"};
  unsigned r = below(100);
  const char* w;
  if (r < 70) {
    const char* s = PICK(paths);
    addf("path=\"%s\"", s);
    return place_string(s);
  }
  if (r < 80) {
    unsigned char* slot = c_slot(4200);
    memset(slot, 'p', 4200);
    addf("path=no_nul_4200");
    return (long)slot;
  }
  u64 p = wild(&w, 0);
  addf("path=%s", w);
  return (long)p;
}
static long argv_arg(const char* name) {
  unsigned r = below(100);
  if (r < 30) {
    addf("%s=NULL", name);
    return 0;
  }
  unsigned char* s = (unsigned char*)place_string("x");
  u64 v[3] = {(u64)s, r < 70 ? 0 : W_UNMAPPED, 0};
  return ptr_in(name, v, sizeof v, r < 70 ? "{\"x\"}" : "{\"x\",wild}");
}
static void g_execve(long* a) {
  a[0] = exec_path();
  a[1] = argv_arg("argv");
  a[2] = argv_arg("envp");
}
static void g_execveat(long* a) {
  static const int fds[] = {P_DIR, P_PR, P_PTY};
  if (chance(40)) {
    a[0] = -100;
    addf("dirfd=AT_FDCWD");
  } else if (chance(70)) {
    int i = PICK(fds);
    a[0] = pool[i];
    addf("dirfd=%s", kPoolNames[i]);
  } else {
    a[0] = PICKV(long, -1, CLOSED_FD, 1000);
    addf("dirfd=%ld", a[0]);
  }
  a[1] = exec_path();
  a[2] = argv_arg("argv");
  a[3] = argv_arg("envp");
  a[4] = PICKV(long, 0, 0x1000, 0x100, 0xffff);
  addf("flags=0x%lx", a[4]);
}
static long pid_arg(const char* name) {
  static const char* const labels[] = {"-1", "0", "self", "INT_MAX", "INT_MIN", "1"};
  int k = (int)below(COUNT(labels));
  long v[] = {-1, 0, my_pid, INT_MAX, INT_MIN, 1};
  addf("%s=%s", name, labels[k]);
  return v[k];
}
static void g_wait4(long* a) {
  a[0] = pid_arg("pid");
  a[1] = ptr_out_or_null("status", 4, OUT_FIXED, 30);
  a[2] = PICKV(long, 0, 1, 2, 8, 0x40000000, 0x80000000L, 0x7fffffff, 0x01000000);
  addf("options=0x%lx", (unsigned long)(unsigned)a[2]);
  a[3] = ptr_out_or_null("rusage", 144, OUT_FIXED, 40);
}
static void g_waitid(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 3, 4, -1);
  addf("idtype=%ld", a[0]);
  if (a[0] == 3 && chance(50)) a[1] = fd_arg("id", FD_ALL);
  else a[1] = pid_arg("id");
  a[2] = ptr_out_or_null("info", 128, OUT_FIXED, 30);
  a[3] = PICKV(long, 4, 5, 0, 2, 0x01000004, -1, 1);
  addf("options=0x%lx", (unsigned long)(unsigned)a[3]);
  a[4] = ptr_out_or_null("rusage", 144, OUT_FIXED, 40);
}
static void g_getrusage(long* a) {
  a[0] = PICKV(long, 0, -1, 1, 2, -2);
  addf("who=%ld", a[0]);
  a[1] = ptr_out("usage", 144, OUT_FIXED);
}
static void g_times(long* a) { a[0] = ptr_out_or_null("buf", 32, OUT_FIXED, 20); }
static void g_setpgid(long* a) {
  static const struct {
    int pid, pgid;  // 1: self
    const char* name;
  } c[] = {{0, 0, "0, 0"}, {0, 1, "0, self"}, {1, 0, "self, 0"}, {2, 0, "INT_MAX, 0"}, {3, 0, "-1, 0"},
           {0, 3, "0, -1"}, {0, 2, "0, INT_MAX"}};
  int k = (int)below(COUNT(c));
  long v[] = {0, my_pid, INT_MAX, -1};
  a[0] = v[c[k].pid];
  a[1] = v[c[k].pgid];
  addf("%s", c[k].name);
}
static void g_getpriority(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 3, -1);
  addf("which=%ld", a[0]);
  a[1] = pid_arg("who");
}
// setpriority: this process (to its own nice value), or nothing at all.
static void g_setpriority(long* a) {
  unsigned r = below(3);
  if (r == 0) {
    a[0] = 0;
    a[1] = chance(50) ? 0 : my_pid;
    a[2] = my_nice;
    addf("which=0, who=%s, prio=nice", a[1] ? "self" : "0");
  } else if (r == 1) {
    a[0] = PICKV(long, 3, -1);
    a[1] = 0;
    a[2] = PICKV(long, 0, 19, -20, 100);
    addf("which=%ld, who=0, prio=%ld", a[0], a[2]);
  } else {
    a[0] = PICKV(long, 0, 1, 2);
    a[1] = INT_MAX;
    a[2] = PICKV(long, 0, 19, -20, 100);
    addf("which=%ld, who=INT_MAX, prio=%ld", a[0], a[2]);
  }
}
static long resource_arg(int* valid) {
  long r = chance(85) ? (long)below(16) : PICKV(long, 16, -1, 1000, (1L << 32) | 3);
  *valid = (u64)(unsigned)r < 16;
  addf("resource=%s", num((u64)r));
  return r;
}
// A new limit: the current one (no change), cur > max, infinity (the
// read-only page), or a bad pointer.
static long rlimit_in(const char* name, long resource, int valid) {
  u64 v[2] = {0, 0};
  const char* what = "current";
  struct rlimit cur;
  if (valid && getrlimit((int)(unsigned)resource, &cur) == 0) {
    v[0] = cur.rlim_cur;
    v[1] = cur.rlim_max;
  }
  if (chance(20)) {
    v[0] = 10;
    v[1] = 5;
    what = "{10,5}";
  }
  return ptr_place2(name, c_slot(sizeof v), v, sizeof v, what, 1, 0);  // the arena's bytes could be any limit
}
static void g_getrlimit(long* a) {
  int valid;
  a[0] = resource_arg(&valid);
  a[1] = ptr_out_or_null("rlim", 16, OUT_FIXED, 10);
}
static void g_setrlimit(long* a) {
  int valid;
  a[0] = resource_arg(&valid);
  a[1] = chance(10) ? 0 : rlimit_in("rlim", a[0], valid);
  if (!a[1]) addf("rlim=NULL");
}
static void g_prlimit64(long* a) {
  static const char* const labels[] = {"0", "self", "INT_MAX", "-1"};
  int k = (int)below(4);
  long pids[] = {0, my_pid, INT_MAX, -1};
  a[0] = pids[k];
  addf("pid=%s", labels[k]);
  int valid;
  a[1] = resource_arg(&valid);
  a[2] = chance(50) ? 0 : rlimit_in("new", a[1], valid);
  if (!a[2]) addf("new=NULL");
  a[3] = ptr_out_or_null("old", 16, OUT_FIXED, 30);
}
static void g_getgroups(long* a) {
  a[0] = PICKV(long, 0, 1, 2, 64, 65536, -1, INT_MAX);
  addf("size=%s", num((u64)a[0]));
  a[1] = ptr_out("list", a[0] > 0 ? (u64)a[0] * 4 : 0, OUT_RET4);
}
static void g_pid_only(long* a) { a[0] = pid_arg("pid"); }

static void g_prctl(long* a) {
  static const struct {
    long opt;
    const char* name;
  } opts[] = {{15, "PR_SET_NAME"},         {16, "PR_GET_NAME"},          {1, "PR_SET_PDEATHSIG"},
              {2, "PR_GET_PDEATHSIG"},     {3, "PR_GET_DUMPABLE"},       {4, "PR_SET_DUMPABLE"},
              {38, "PR_SET_NO_NEW_PRIVS"}, {39, "PR_GET_NO_NEW_PRIVS"},  {0, "0"},
              {1000, "1000"},              {0x7fffffff, "0x7fffffff"},   {-1, "-1"},
              {7, "PR_GET_KEEPCAPS"},      {30, "PR_GET_TIMERSLACK"},    {37, "PR_GET_CHILD_SUBREAPER"},
              {21, "PR_GET_SECCOMP"},      {42, "PR_GET_THP_DISABLE"},   {25, "PR_GET_TSC"},
              {23, "PR_CAPBSET_READ"}};
  int k = (int)below(COUNT(opts));
  a[0] = opts[k].opt;
  addf("%s", opts[k].name);
  for (int i = 1; i < 5; ++i) a[i] = 0;
  switch (a[0]) {
    case 15: {
      const char* s = PICKV(const char*, "fuzz-name", "a-name-longer-than-sixteen", "", "x");
      char what[40];
      snprintf(what, sizeof what, "\"%s\"", s);
      a[1] = ptr_in("name", s, strlen(s) + 1, what);
      break;
    }
    case 16: a[1] = ptr_out("name", 16, OUT_FIXED); call_flags |= F_SUM; break;
    case 1: a[1] = PICKV(long, 0, 65, -1); addf("sig=%ld", a[1]); break;
    case 2: case 25: a[1] = ptr_out("out", 4, OUT_FIXED); call_flags |= F_SUM; break;
    case 37: a[1] = ptr_out("out", 4, OUT_FIXED); call_flags |= F_SUM; break;
    case 4: a[1] = PICKV(long, 0, 1, 1, 2, 3); addf("value=%ld", a[1]); break;
    case 38: case 39:
      a[1] = a[0] == 38 ? PICKV(long, 1, 1, 0, 2) : 0;
      a[2] = chance(80) ? 0 : 1;
      addf("args=%ld,%ld", a[1], a[2]);
      break;
    case 23: a[1] = PICKV(long, 0, 40, 100); addf("cap=%ld", a[1]); break;
    default:
      for (int i = 1; i < 5; ++i) a[i] = chance(70) ? 0 : (long)next_u64();
      break;
  }
  if (a[0] == 3 || a[0] == 39 || a[0] == 7 || a[0] == 30 || a[0] == 21 || a[0] == 42 || a[0] == 23) call_flags |= F_VAL;
}

static void g_arch_prctl(long* a) {
  static const struct {
    long code;
    const char* name;
  } codes[] = {{0x1002, "SET_FS"},  {0x1003, "GET_FS"},     {0x1001, "SET_GS"}, {0x1004, "GET_GS"},
               {0, "0"},            {0x1005, "0x1005"},     {0x7fffffff, "0x7fffffff"},
               {0x1011, "GET_CPUID"}, {0x1021, "GET_XCOMP_SUPP"}, {0x1022, "GET_XCOMP_PERM"}};
  int k = (int)below(COUNT(codes));
  a[0] = codes[k].code;
  addf("%s", codes[k].name);
  switch (a[0]) {
    case 0x1002: {  // the current base, or one Linux refuses
      int j = (int)below(3);
      a[1] = j == 0 ? my_fs : j == 1 ? (long)W_NONCANON : (long)W_KERNEL;
      addf("addr=%s", j == 0 ? "current" : j == 1 ? "noncanon" : "kernel");
      break;
    }
    case 0x1001: {
      static const char* const labels[] = {"0", "B", "noncanon", "kernel", "0x7ffffffff000"};
      int j = (int)below(5);
      long v[] = {0, (long)bufB, (long)W_NONCANON, (long)W_KERNEL, 0x7ffffffff000L};
      a[1] = v[j];
      addf("addr=%s", labels[j]);
      break;
    }
    case 0x1003: case 0x1021: case 0x1022: a[1] = ptr_out("addr", 8, OUT_FIXED); break;
    case 0x1004: a[1] = ptr_out("addr", 8, OUT_FIXED); call_flags |= F_SUM; break;
    default: a[1] = chance(50) ? 0 : (long)next_u64(); break;
  }
  if (a[0] == 0x1011) call_flags |= F_VAL;
}

static void g_futex(long* a) {
  static const struct {
    int op;
    const char* name;
  } ops[] = {{0, "WAIT"},         {1, "WAKE"},           {3, "REQUEUE"},  {4, "CMP_REQUEUE"},
             {5, "WAKE_OP"},      {9, "WAIT_BITSET"},    {10, "WAKE_BITSET"}, {2, "FD"},
             {14, "14"},          {100, "100"},          {6, "LOCK_PI"},  {7, "UNLOCK_PI"},
             {8, "TRYLOCK_PI"},   {11, "WAIT_REQUEUE_PI"}, {12, "CMP_REQUEUE_PI"}, {13, "LOCK_PI2"}};
  int k = (int)below(COUNT(ops));
  int op = ops[k].op;
  int priv = chance(70), rt = chance(12);
  a[1] = op | (priv ? 128 : 0) | (rt ? 256 : 0);
  addf("op=%s%s%s", ops[k].name, priv ? "|PRIVATE" : "", rt ? "|CLOCK_REALTIME" : "");
  // The word: in A (its value known), unaligned, the read-only page, the arena, or wild.
  unsigned r = below(100);
  u64 ua;
  uint32_t word = 0;
  int known = 1, faults = 0;
  char lab[40];
  const char* w;
  if (r < 55) {
    unsigned i = below(8);
    ua = (u64)bufA + 4 * i;
    snprintf(lab, sizeof lab, "A+%u", 4 * i);
  } else if (r < 62) {
    ua = (u64)bufA + 1;
    snprintf(lab, sizeof lab, "A+1");
  } else if (r < 68) {
    ua = (u64)ro;
    snprintf(lab, sizeof lab, "ro");
  } else if (r < 72) {
    ua = arena_ptr(lab, sizeof lab) & ~3UL;
    known = 0;
  } else {
    ua = wild(&w, 0);
    snprintf(lab, sizeof lab, "%s", w);
    known = 0;
    faults = 1;
  }
  if (known) memcpy(&word, (void*)ua, 4);
  a[0] = (long)ua;
  addf("uaddr=%s", lab);
  int waits = op == 0 || op == 9 || op == 11 || op == 6 || op == 13;
  uint32_t val = known && chance(60) ? word : PICKV(uint32_t, 0, 1, 0x85858585u, 0xffffffffu);
  if (waits) {
    // Without a timeout it must not wait: a word that differs, or a fault.
    int null_ok = faults || (known && val != word);
    if (chance(25) && null_ok) {
      a[3] = 0;
      addf("val=%s, timeout=NULL", val == word && known ? "word" : num(val));
    } else {
      addf("val=%s", val == word && known ? "word" : num(val));
      a[3] = ts_in("timeout");
    }
  } else {
    a[3] = PICKV(long, 0, 1, 2, INT_MAX);
    addf("val=%s, val2=%ld", val == word && known ? "word" : num(val), a[3]);
  }
  a[2] = (long)val;
  if (op == 3 || op == 4 || op == 5 || op == 11 || op == 12) {
    unsigned s = below(100);
    if (s < 50) {
      a[4] = (long)bufA + 32;
      addf("uaddr2=A+32");
      if (op == 5) out_range((u64)a[4], 4, OUT_FIXED);
    } else if (s < 65) {
      a[4] = a[0];
      addf("uaddr2=same");
      if (op == 5) out_range((u64)a[4], 4, OUT_FIXED);
    } else if (s < 75) {
      a[4] = (long)ro;
      addf("uaddr2=ro");
    } else {
      a[4] = (long)wild(&w, 0);
      addf("uaddr2=%s", w);
    }
  }
  if (op == 9 || op == 10) a[5] = PICKV(long, 0, 1, 0xffffffffL);
  else if (op == 4 || op == 12) a[5] = chance(50) ? (long)word : 7;
  else if (op == 5) a[5] = PICKV(long, 0, 0x10000001, 0x7fffffff, 0x50000000);
  else a[5] = chance(70) ? 0 : (long)next_u64();
  addf("val3=%s", num((u64)a[5]));
}

static void g_sched_getaffinity(long* a) {
  a[0] = pid_arg("pid");
  u64 len = PICKV(u64, 0, 4, 8, 16, 128, 4096, (1UL << 32) | 8, 1UL << 40, ~0UL);
  a[1] = (long)len;
  addf("len=%s", num(len));
  a[2] = ptr_out("mask", len, OUT_RET);
}
static void g_set_tid_address(long* a) { a[0] = ptr_any("tidptr"); }
static void g_set_robust_list(long* a) {
  a[0] = ptr_any("head");
  a[1] = PICKV(long, 24, 24, 0, 23, 25, -1);
  addf("len=%ld", a[1]);
}
static void g_rseq(long* a) {
  a[0] = ptr_any("rseq");
  a[1] = PICKV(long, 0, 31, 33, 1 << 20);  // never 32: nothing is ever registered
  a[2] = PICKV(long, 0, 1, 2);
  a[3] = PICKV(long, 0, 0x53053053);
  addf("len=%ld, flags=%ld, sig=0x%lx", a[1], a[2], a[3]);
}
static void g_clone3(long* a) {
  u64 args[11];
  memset(args, 0, sizeof args);
  args[0] = 0x10000;  // CLONE_THREAD without CLONE_SIGHAND: refused
  a[0] = ptr_in("args", args, sizeof args, "{THREAD}");
  a[1] = PICKV(long, 0, 63, 64, 88, 4097, -1);
  addf("size=%ld", a[1]);
}

// ---- information and time

static void g_uname(long* a) { a[0] = ptr_out("buf", 390, OUT_FIXED); }
static void g_sysinfo(long* a) { a[0] = ptr_out("info", 112, OUT_FIXED); }
static void g_getrandom(long* a) {
  u64 len = len_arg();
  a[0] = ptr_out("buf", len, OUT_RET);
  a[1] = (long)len;
  a[2] = PICKV(long, 0, 0, 1, 2, 4, 6, 8, -1);
  addf("len=%s, flags=%ld", num(len), a[2]);
}
static void g_nanosleep(long* a) {
  a[0] = chance(10) ? 0 : ts_in("req");
  if (!a[0]) addf("req=NULL");
  a[1] = ptr_out_or_null("rem", 16, OUT_FIXED, 30);
}
static void g_gettimeofday(long* a) {
  a[0] = ptr_out_or_null("tv", 16, OUT_FIXED, 20);
  a[1] = ptr_out_or_null("tz", 8, OUT_FIXED, 50);
}
static void g_time(long* a) { a[0] = ptr_out_or_null("t", 8, OUT_FIXED, 30); }
static long clock_arg(void) {
  long c = chance(80) ? (long)below(12) : PICKV(long, -1, 12, 100, INT_MAX, -8, -6, (1L << 32) | 1);
  addf("clock=%s", num((u64)c));
  return c;
}
static void g_clock_gettime(long* a) {
  a[0] = clock_arg();
  a[1] = ptr_out("tp", 16, OUT_FIXED);
}
static void g_clock_getres(long* a) {
  a[0] = clock_arg();
  a[1] = ptr_out_or_null("res", 16, OUT_FIXED, 20);
}
static void g_clock_nanosleep(long* a) {
  // No CPU-time clock but this process's, and that only with an absolute
  // time (already past): a relative one would never come.
  long c = chance(85) ? PICKV(long, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11) : PICKV(long, -1, 100, INT_MAX);
  a[0] = c;
  a[1] = PICKV(long, 0, 0, 1, 1, 2, -1);
  if (c == 2 && !(a[1] & 1)) a[1] = 1;
  addf("clock=%ld, flags=%ld", c, a[1]);
  a[2] = chance(10) ? 0 : ts_in("req");
  if (!a[2]) addf("req=NULL");
  a[3] = ptr_out_or_null("rem", 16, OUT_FIXED, 30);
}
static void g_random6(long* a) {
  for (int i = 0; i < 6; ++i) a[i] = (long)next_u64();
}

// ---------------------------------------------------------------- the table

struct spec {
  int nr;
  const char* name;
  Gen gen;
  unsigned flags;
  int divergent;  // the whole call is known to differ (only with "all")
};

static const struct spec kSpecs[] = {
    // files: data and descriptors
    {0, "read", g_read, F_VAL | F_SUM, 0},
    {1, "write", g_write, F_VAL, 0},
    {2, "open", g_open, F_NEWFD, 0},
    {3, "close", g_close, F_REPAIR, 0},
    {5, "fstat", g_fstat, 0, 0},
    {8, "lseek", g_lseek, F_VAL, 0},
    {16, "ioctl", g_ioctl, F_SUM | F_REPAIR, 0},
    {17, "pread64", g_pread64, F_VAL | F_SUM, 0},
    {18, "pwrite64", g_pwrite64, F_VAL, 0},
    {19, "readv", g_readv, F_VAL | F_SUM, 0},
    {20, "writev", g_writev, F_VAL, 0},
    {22, "pipe", g_pipe, F_PIPEFDS, 0},
    {32, "dup", g_dup, F_NEWFD, 0},
    {33, "dup2", g_dup2, F_NEWFD | F_REPAIR, 0},
    {40, "sendfile", g_sendfile, F_VAL | F_SUM, 0},
    {72, "fcntl", g_fcntl, F_REPAIR, 0},
    {74, "fsync", g_fd_all, 0, 0},
    {75, "fdatasync", g_fd_all, 0, 0},
    {77, "ftruncate", g_ftruncate, 0, 0},
    {217, "getdents64", g_getdents64, F_VAL, 0},
    {221, "fadvise64", g_fadvise64, 0, 0},
    {257, "openat", g_openat, F_NEWFD, 0},
    {292, "dup3", g_dup3, F_NEWFD | F_REPAIR, 0},
    {293, "pipe2", g_pipe2, F_PIPEFDS, 0},
    {85, "creat", g_creat, F_NEWFD, 0},
    {295, "preadv", g_preadv, F_VAL | F_SUM, 0},
    {296, "pwritev", g_pwritev, F_VAL, 0},
    {327, "preadv2", g_preadv2, F_VAL | F_SUM, 0},
    {328, "pwritev2", g_pwritev2, F_VAL, 0},
    {326, "copy_file_range", g_copy_file_range, F_VAL | F_SUM, 0},
    {285, "fallocate", g_fallocate, 0, 0},
    {73, "flock", g_flock, 0, 0},
    {162, "sync", g_noargs, 0, 0},
    {306, "syncfs", g_fd_all, 0, 0},
    {7, "poll", g_poll, F_VAL | F_SUM, 0},
    {271, "ppoll", g_ppoll, F_VAL | F_SUM, 0},
    {23, "select", g_select, F_VAL | F_SUM, 0},
    {270, "pselect6", g_pselect6, F_VAL | F_SUM, 0},
    // file system: paths
    {4, "stat", g_stat, 0, 0},
    {6, "lstat", g_stat, 0, 0},
    {21, "access", g_access, 0, 0},
    {76, "truncate", g_truncate, 0, 0},
    {79, "getcwd", g_getcwd, F_VAL, 0},
    {80, "chdir", g_chdir, F_CWD, 0},
    {81, "fchdir", g_fchdir, F_CWD, 0},
    {82, "rename", g_two_paths, 0, 0},
    {83, "mkdir", g_path_mode, 0, 0},
    {84, "rmdir", g_path, 0, 0},
    {86, "link", g_two_paths, 0, 0},
    {87, "unlink", g_path, 0, 0},
    {88, "symlink", g_symlink, 0, 0},
    {89, "readlink", g_readlink, F_VAL | F_SUM, 0},
    {90, "chmod", g_path_mode, 0, 0},
    {91, "fchmod", g_fchmod, 0, 0},
    {92, "chown", g_chown, 0, 0},
    {93, "fchown", g_fchown, 0, 0},
    {94, "lchown", g_chown, 0, 0},
    {95, "umask", g_umask, F_VAL, 0},
    {137, "statfs", g_statfs, 0, 0},
    {138, "fstatfs", g_fstatfs, 0, 0},
    {258, "mkdirat", g_mkdirat, 0, 0},
    {260, "fchownat", g_fchownat, 0, 0},
    {262, "newfstatat", g_newfstatat, 0, 0},
    {263, "unlinkat", g_unlinkat, 0, 0},
    {264, "renameat", g_renameat, 0, 0},
    {267, "readlinkat", g_readlinkat, F_VAL | F_SUM, 0},
    {269, "faccessat", g_faccessat, 0, 0},
    {280, "utimensat", g_utimensat, 0, 0},
    {316, "renameat2", g_renameat2, 0, 0},
    {439, "faccessat2", g_faccessat2, 0, 0},
    {332, "statx", g_statx, 0, 0},
    {265, "linkat", g_linkat, 0, 0},
    {266, "symlinkat", g_symlinkat, 0, 0},
    {268, "fchmodat", g_fchmodat, 0, 0},
    {452, "fchmodat2", g_fchmodat2, 0, 0},
    {133, "mknod", g_mknod, 0, 0},
    {259, "mknodat", g_mknodat, 0, 0},
    // memory
    {9, "mmap", g_mmap, F_MAP, 0},
    {10, "mprotect", g_mprotect, 0, 0},
    {11, "munmap", g_munmap, 0, 0},
    {12, "brk", g_brk, F_BRK, 0},
    {25, "mremap", g_mremap, F_MAP, 0},
    {26, "msync", g_msync, 0, 0},
    {27, "mincore", g_mincore, F_SUM, 0},
    {28, "madvise", g_madvise, 0, 0},
    // signals
    {13, "rt_sigaction", g_rt_sigaction, F_SUM, 0},
    {14, "rt_sigprocmask", g_rt_sigprocmask, F_SUM, 0},
    {62, "kill", g_kill, 0, 0},
    {127, "rt_sigpending", g_rt_sigpending, F_SUM, 0},
    {128, "rt_sigtimedwait", g_rt_sigtimedwait, 0, 0},
    {130, "rt_sigsuspend", g_rt_sigsuspend, 0, 0},
    {131, "sigaltstack", g_sigaltstack, F_SUM, 0},
    {36, "getitimer", g_getitimer, 0, 0},
    {37, "alarm", g_alarm, F_TIMERS, 0},
    {38, "setitimer", g_setitimer, F_TIMERS, 0},
    {200, "tkill", g_tkill, 0, 0},
    {234, "tgkill", g_tgkill, 0, 0},
    // processes
    {24, "sched_yield", g_noargs, 0, 0},
    {39, "getpid", g_noargs, 0, 0},
    {56, "clone", g_clone, F_CHILD, 0},
    {59, "execve", g_execve, 0, 0},
    {322, "execveat", g_execveat, 0, 0},
    {61, "wait4", g_wait4, 0, 0},
    {247, "waitid", g_waitid, 0, 0},
    {98, "getrusage", g_getrusage, 0, 0},
    {100, "times", g_times, 0, 0},
    {109, "setpgid", g_setpgid, 0, 0},
    {112, "setsid", g_noargs, 0, 0},
    {140, "getpriority", g_getpriority, 0, 0},
    {141, "setpriority", g_setpriority, 0, 0},
    {97, "getrlimit", g_getrlimit, F_SUM, 0},
    {102, "getuid", g_noargs, 0, 0},
    {104, "getgid", g_noargs, 0, 0},
    {107, "geteuid", g_noargs, 0, 0},
    {108, "getegid", g_noargs, 0, 0},
    {110, "getppid", g_noargs, 0, 0},
    {111, "getpgrp", g_noargs, 0, 0},
    {115, "getgroups", g_getgroups, F_VAL | F_SUM, 0},
    {121, "getpgid", g_pid_only, 0, 0},
    {124, "getsid", g_pid_only, 0, 0},
    {157, "prctl", g_prctl, 0, 0},
    {158, "arch_prctl", g_arch_prctl, 0, 0},
    {160, "setrlimit", g_setrlimit, 0, 0},
    {186, "gettid", g_noargs, 0, 0},
    {202, "futex", g_futex, 0, 0},
    {204, "sched_getaffinity", g_sched_getaffinity, F_VAL | F_SUM, 0},
    {218, "set_tid_address", g_set_tid_address, 0, 0},
    {273, "set_robust_list", g_set_robust_list, 0, 0},
    {302, "prlimit64", g_prlimit64, F_SUM, 0},
    {334, "rseq", g_rseq, 0, 1},       // emu: ENOSYS (glibc and musl fall back)
    {435, "clone3", g_clone3, F_CHILD, 0},
    // information and time
    {63, "uname", g_uname, F_SUM, 0},
    {99, "sysinfo", g_sysinfo, 0, 0},
    {318, "getrandom", g_getrandom, F_VAL, 0},
    {35, "nanosleep", g_nanosleep, 0, 0},
    {96, "gettimeofday", g_gettimeofday, 0, 0},
    {201, "time", g_time, 0, 0},
    {228, "clock_gettime", g_clock_gettime, 0, 0},
    {229, "clock_getres", g_clock_getres, F_SUM, 0},
    {230, "clock_nanosleep", g_clock_nanosleep, 0, 0},
    // numbers nobody implements
    {174, "create_module", g_random6, 0, 0},
    {1000, "nr1000", g_random6, 0, 0},
};

// ---------------------------------------------------------------- running a call

static unsigned exposures;

static u64 written(const struct out* o, long ret, u64* seq_left) {
  switch (o->kind) {
    case OUT_FIXED:
    case OUT_TIME: return o->max;
    case OUT_RET: return (u64)ret < o->max ? (u64)ret : o->max;
    case OUT_RET4: return (u64)ret * 4 < o->max ? (u64)ret * 4 : o->max;
    default: {
      u64 n = *seq_left < o->max ? *seq_left : o->max;
      *seq_left -= *seq_left < o->req ? *seq_left : o->req;
      return n;
    }
  }
}

// The checksum of what a successful call wrote (have_sum: anything at all).
static uint32_t out_sum(long ret, int* have_sum) {
  uint32_t h = 2166136261u;
  u64 seq_left = (u64)ret;
  *have_sum = 0;
  for (int i = 0; i < nouts; ++i) {
    u64 n = written(&outs[i], ret, &seq_left);
    if (!outs[i].p || outs[i].kind == OUT_TIME) continue;
    for (u64 j = 0; j < n; ++j) h = (h ^ outs[i].p[j]) * 16777619u;
    *have_sum |= n > 0;
  }
  return h;
}

// memcmp(a, b, n) != 0, 8 bytes at a time (musl's memcmp goes byte by
// byte, which under an interpreter costs more than the system call).
static int differs(const unsigned char* a, const unsigned char* b, u64 n) {
  u64 i = 0;
  for (; i + 8 <= n; i += 8) {
    u64 x, y;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
    if (x != y) return 1;
  }
  for (; i < n; ++i)
    if (a[i] != b[i]) return 1;
  return 0;
}

// Reports bytes that changed outside what the call may have written: all
// of its output ranges after a failure, what its result covers after a success.
static void check_outputs(long ret, int ok) {
  struct iv {
    u64 s, e;
  } iv[NBUF][COUNT(outs)];
  int niv[NBUF] = {0, 0, 0};
  u64 seq_left = ok ? (u64)ret : 0;
  for (int i = 0; i < nouts; ++i) {
    u64 n = ok ? written(&outs[i], ret, &seq_left) : outs[i].max;
    if (!outs[i].p) continue;
    int b = 0;
    u64 off = 0;
    locate((u64)outs[i].p, &b, &off);
    iv[b][niv[b]++] = (struct iv){off, off + n};
  }
  for (int b = 0; b < NBUF; ++b) {
    for (int i = 1; i < niv[b]; ++i)
      for (int j = i; j > 0 && iv[b][j - 1].s > iv[b][j].s; --j) {
        struct iv t = iv[b][j];
        iv[b][j] = iv[b][j - 1];
        iv[b][j - 1] = t;
      }
    u64 pos = 0;
    for (int i = 0; i <= niv[b]; ++i) {
      u64 s = i < niv[b] ? iv[b][i].s : BUF_BYTES;
      if (s > pos && differs(bufs[b] + pos, snap[b] + pos, s - pos)) {
        u64 first = pos, last = s;
        while (bufs[b][first] == snap[b][first]) ++first;
        while (bufs[b][last - 1] == snap[b][last - 1]) --last;
        printf("  !changed %s+%lu..%lu\n", kBufNames[b], (unsigned long)first, (unsigned long)last);
        ++exposures;
      }
      if (i < niv[b] && iv[b][i].e > pos) pos = iv[b][i].e;
    }
  }
  if (differs(ro, ro_copy, PAGE)) {
    printf("  !changed the read-only page\n");
    ++exposures;
  }
}

static void run_call(unsigned index, const struct spec* s) {
  long a[6];
  int tries = 0;
  do {
    for (int b = 0; b < NBUF; ++b) memcpy(bufs[b], pattern[b], BUF_BYTES);
    memset(a, 0, sizeof a);
    nouts = 0;
    dlen = 0;
    desc[0] = 0;
    cpos = 0;
    last_in = 0;
    last_class = CL_WILD;
    call_flags = s->flags;
    retry = 0;
    map_len = 0;
    cur_nr = s->nr;
    s->gen(a);
  } while (retry && ++tries < 1000);
  if (retry) {
    printf("FAIL: no arguments for %s\n", s->name);
    exit(1);
  }
  for (int b = 0; b < NBUF; ++b) memcpy(snap[b], bufs[b], BUF_BYTES);
  fflush(stdout);

  long ret = sc6(s->nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  if ((call_flags & F_CHILD) && ret == 0) sc(60, 0);  // a child the call should not have made: gone

  printf("%u nr=%d %s(%s) -> ", index, s->nr, s->name, desc);
  int ok = !is_err(ret);
  if (!ok) {
    printf("%s\n", err_name(ret));
  } else {
    printf("ok");
    if (call_flags & F_VAL) printf(" %ld", ret);
    if (call_flags & F_MAP)
      printf("%s", (u64)ret == (u64)a[0] ? " at_addr" : (s->nr == 25 && (u64)ret == (u64)a[4]) ? " at_new" : "");
    if (call_flags & F_BRK) printf("%s", ret == brk_cur ? " unchanged" : ret == a[0] ? " moved" : " other");
    int have_sum;
    uint32_t sum = out_sum(ret, &have_sum);
    if ((call_flags & F_SUM) && have_sum) printf(" sum=%08x", sum);
    printf("\n");
  }
  check_outputs(ret, ok);

  // Afterwards: put back what the call may have changed beyond its own business.
  if (ok && (call_flags & F_NEWFD)) close_new_fd(ret);
  if (ok && (call_flags & F_PIPEFDS)) {
    int b;
    u64 off;
    if (locate((u64)a[0], &b, &off) && off + 8 <= BUF_BYTES) {
      int fds[2];
      memcpy(fds, (void*)a[0], 8);
      close_new_fd(fds[0]);
      close_new_fd(fds[1]);
    } else {
      sweep_fds();
    }
  }
  if (ok && (call_flags & F_CHILD) && ret > 0) sc(61, ret, 0, 0x40000000, 0);
  if (ok && (call_flags & F_MAP) && !in_space((u64)ret, map_len)) sc(11, ret, map_len);
  // A failed MAP_FIXED mmap or MREMAP_FIXED mremap may or may not have
  // unmapped the target first (Linux 6.18 checks more before it unmaps than
  // 6.1, which emu follows): unmap it either way, and mremap's shrunk tail.
  if (!ok && s->nr == 9 && (a[3] & 0x10) && !(a[3] & 0x100000) && range_safe((u64)a[0], (u64)a[1]))
    sc(11, a[0], a[1]);
  if (!ok && s->nr == 25) {
    u64 ol = page_round((u64)a[1]), nl = page_round((u64)a[2]);
    if ((a[3] & 2) && range_safe((u64)a[4], (u64)a[2])) sc(11, a[4], a[2]);
    if (ol > nl && nl > 0 && range_safe((u64)a[0], (u64)a[1])) sc(11, (u64)a[0] + nl, ol - nl);
  }
  if (call_flags & F_REPAIR) repair_pool();
  if ((call_flags & F_CWD) && chdir(tmpdir) != 0) die("chdir back");
  if (call_flags & F_TIMERS) disarm_timers();
  if ((call_flags & F_BRK) && sc(12, 0) != brk_cur) sc(12, brk_cur);
}

// ---------------------------------------------------------------- main

static int name_listed(const char* list, const char* name) {
  size_t n = strlen(name);
  for (const char* p = list; *p;) {
    const char* e = strchr(p, ',');
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && !strncmp(p, name, n)) return 1;
    if (!e) break;
    p = e + 1;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SEED COUNT [all] [only=NAME,...]\n", argv[0]);
    return 2;
  }
  rng = strtoull(argv[1], NULL, 0);
  unsigned count = (unsigned)strtoul(argv[2], NULL, 0);
  const char* only = NULL;
  for (int i = 3; i < argc; ++i) {
    if (!strcmp(argv[i], "all")) all_mode = 1;
    else if (!strncmp(argv[i], "only=", 5)) only = argv[i] + 5;
  }
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);

  // Scratch buffers.
  unsigned char* zone = mmap((void*)ZONE, ZONE_PAGES * PAGE, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
  if (zone != (unsigned char*)ZONE) die("map the scratch zone");
  ro = zone;
  memset(ro, 0xff, PAGE);
  memset(ro_copy, 0xff, PAGE);
  bufA = zone + 2 * PAGE;
  bufB = zone + 5 * PAGE;
  bufC = zone + 8 * PAGE;
  if (mprotect(zone, PAGE, PROT_READ) || mprotect(zone + PAGE, PAGE, PROT_NONE) ||
      mprotect(zone + 4 * PAGE, PAGE, PROT_NONE) || mprotect(zone + 7 * PAGE, PAGE, PROT_NONE) ||
      mprotect(zone + 10 * PAGE, PAGE, PROT_NONE))
    die("mprotect the scratch zone");
  // Every byte >= 0x80: any 8 bytes of pattern read as a pointer are in the
  // kernel half, as a length negative.
  for (int b = 0; b < NBUF; ++b)
    for (size_t i = 0; i < BUF_BYTES; ++i) pattern[b][i] = (unsigned char)(0x80 | ((i * 7 + (size_t)b * 31) & 0x7f));
  if (mmap((void*)ARENA, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != (void*)ARENA)
    die("reserve the arena");

  // Signals that calls could raise against the program are ignored.
  struct sigaction ign;
  memset(&ign, 0, sizeof ign);
  ign.sa_handler = SIG_IGN;
  static const int ignored[] = {SIGPIPE, SIGALRM, SIGVTALRM, SIGPROF, SIGIO, SIGHUP, SIGTTOU, SIGTTIN, SIGXFSZ, SIGXCPU};
  for (size_t i = 0; i < COUNT(ignored); ++i) sigaction(ignored[i], &ign, NULL);

  my_pid = (pid_t)sc(39, 0);
  my_tid = (pid_t)sc(186, 0);
  if (sc(158, 0x1003, &my_fs) != 0) die("arch_prctl ARCH_GET_FS");
  my_nice = 20 - sc(140, 0, 0);

  // The temporary directory and the pseudo-terminal.
  snprintf(tmpdir, sizeof tmpdir, "/tmp/syscall_fuzz.XXXXXX");
  if (!mkdtemp(tmpdir)) die("mkdtemp");
  pty_master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
  if (pty_master < 0 || grantpt(pty_master) != 0 || unlockpt(pty_master) != 0) die("posix_openpt");
  snprintf(pty_path, sizeof pty_path, "%s", ptsname(pty_master));
  // Pool descriptors at fixed numbers; the descriptor table grown to 1024
  // entries, as emu's own descriptors (at 992 and up) make it grow.
  for (int i = 0; i < NPOOL; ++i) pool[i] = 10 + i;
  if (dup2(pty_master, 1023) == 1023) close(1023);  // (not with a lower RLIMIT_NOFILE)

  const struct spec* chosen[COUNT(kSpecs)];
  unsigned nchosen = 0;
  for (size_t i = 0; i < COUNT(kSpecs); ++i)
    if ((!kSpecs[i].divergent || all_mode) && (!only || name_listed(only, kSpecs[i].name))) chosen[nchosen++] = &kSpecs[i];
  if (nchosen == 0) die("no system call chosen");

  for (unsigned i = 0; i < count; ++i) {
    if (i % 32 == 0) {
      reset_files();
      reset_arena();
    }
    const struct spec* s = chosen[below(nchosen)];
    if (s->nr == 162 && chance(80)) s = chosen[below(nchosen)];  // sync: rarely
    run_call(i, s);
  }

  if (chdir("/") != 0) die("chdir /");
  int dir = open(tmpdir, O_RDONLY | O_DIRECTORY);
  if (dir >= 0) remove_all(dir);
  if (rmdir(tmpdir) != 0) die("remove the temporary directory");
  printf("syscall_fuzz: %u calls, %u changed memory outside their results\n", count, exposures);
  return 0;
}
