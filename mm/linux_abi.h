// The Linux x86-64 ABI numbers the memory system calls use: PROT_*, MAP_*,
// errno. The guest speaks these values; they are defined here once, as the
// x86-64 Linux kernel defines them, so mm/ never depends on what a host header
// happens to say.
//
// Assumption (checked below): the host is x86-64 Linux too, so the host's
// <sys/mman.h>/<errno.h> values are identical. The static_asserts make a port
// to another host fail loudly instead of silently mistranslating.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>

namespace emu::mm::linux_abi {

inline constexpr int kProtRead = 0x1;
inline constexpr int kProtWrite = 0x2;
inline constexpr int kProtExec = 0x4;
inline constexpr int kProtSem = 0x8;
inline constexpr int kProtGrowsDown = 0x01000000;
inline constexpr int kProtGrowsUp = 0x02000000;

inline constexpr int kMapShared = 0x01;
inline constexpr int kMapPrivate = 0x02;
inline constexpr int kMapSharedValidate = 0x03;
inline constexpr int kMapType = 0x0f;
inline constexpr int kMapFixed = 0x10;
inline constexpr int kMapAnonymous = 0x20;
inline constexpr int kMap32Bit = 0x40;
// The highest errno: a return value in [-kMaxErrno, -1] is an error.
inline constexpr uint64_t kMaxErrno = 4095;
// Where x86-64 Linux places MAP_32BIT mappings (find_start_end): [1 GiB, 2 GiB).
inline constexpr uint64_t kMap32BitStart = 0x40000000, kMap32BitEnd = 0x80000000;
inline constexpr int kMapGrowsDown = 0x0100;
inline constexpr int kMapDenyWrite = 0x0800;
inline constexpr int kMapExecutable = 0x1000;
inline constexpr int kMapLocked = 0x2000;
inline constexpr int kMapNoReserve = 0x4000;
inline constexpr int kMapPopulate = 0x8000;
inline constexpr int kMapNonBlock = 0x10000;
inline constexpr int kMapStack = 0x20000;
inline constexpr int kMapHugeTlb = 0x40000;
inline constexpr int kMapSync = 0x80000;
inline constexpr int kMapFixedNoReplace = 0x100000;
inline constexpr int kMapUninitialized = 0x4000000;
// x86's MAP_ABOVE4G: the search starts at 4 GiB (emu's search ignores it).
inline constexpr int kMapAbove4G = 0x80;
// MAP_HUGETLB's page size: log2 of the size in the 6 bits at MAP_HUGE_SHIFT
// (0: the default huge page size).
inline constexpr int kMapHugeShift = 26;
inline constexpr int kMapHugeMask = 0x3f;
inline constexpr int kMapHuge2Mb = 21 << kMapHugeShift;
inline constexpr int kMapHuge1Gb = 30 << kMapHugeShift;
// Flags MAP_SHARED_VALIDATE accepts (Linux LEGACY_MAP_MASK, include/linux/
// mman.h, plus MAP_SYNC where the file system has FOP_MMAP_SYNC); anything
// else is EOPNOTSUPP there and silently ignored with MAP_SHARED.
inline constexpr int kLegacyMapMask = kMapShared | kMapPrivate | kMapFixed | kMapAnonymous | kMapDenyWrite |
                                      kMapExecutable | kMapUninitialized | kMapGrowsDown | kMapLocked |
                                      kMapNoReserve | kMapPopulate | kMapNonBlock | kMapStack | kMapHugeTlb |
                                      kMap32Bit | kMapAbove4G | kMapHuge2Mb | kMapHuge1Gb;

// madvise(2) advice.
inline constexpr int kMadvNormal = 0;
inline constexpr int kMadvRandom = 1;
inline constexpr int kMadvSequential = 2;
inline constexpr int kMadvWillNeed = 3;
inline constexpr int kMadvDontNeed = 4;
inline constexpr int kMadvFree = 8;
inline constexpr int kMadvRemove = 9;
inline constexpr int kMadvDontFork = 10;
inline constexpr int kMadvDoFork = 11;
inline constexpr int kMadvMergeable = 12;
inline constexpr int kMadvUnmergeable = 13;
inline constexpr int kMadvHugePage = 14;
inline constexpr int kMadvNoHugePage = 15;
inline constexpr int kMadvDontDump = 16;
inline constexpr int kMadvDoDump = 17;
inline constexpr int kMadvWipeOnFork = 18;
inline constexpr int kMadvKeepOnFork = 19;
inline constexpr int kMadvCold = 20;
inline constexpr int kMadvPageOut = 21;
inline constexpr int kMadvPopulateRead = 22;
inline constexpr int kMadvPopulateWrite = 23;
inline constexpr int kMadvDontNeedLocked = 24;
inline constexpr int kMadvCollapse = 25;
inline constexpr int kMadvGuardInstall = 102;
inline constexpr int kMadvGuardRemove = 103;

// mremap(2) flags.
inline constexpr int kMremapMayMove = 1;
inline constexpr int kMremapFixed = 2;
inline constexpr int kMremapDontUnmap = 4;

// msync(2) flags.
inline constexpr int kMsAsync = 1;
inline constexpr int kMsInvalidate = 2;
inline constexpr int kMsSync = 4;

inline constexpr int kEPerm = 1;
inline constexpr int kENoEnt = 2;
inline constexpr int kEBadF = 9;
inline constexpr int kENoMem = 12;
inline constexpr int kEAcces = 13;
inline constexpr int kEFault = 14;
inline constexpr int kEBusy = 16;
inline constexpr int kEExist = 17;
inline constexpr int kENoDev = 19;
inline constexpr int kEInval = 22;
inline constexpr int kEOverflow = 75;
inline constexpr int kEOpNotSupp = 95;

// Linux x86-64 TASK_SIZE_MAX: the last page below 2^47 is never mappable (it
// keeps the non-canonical boundary one page away; see arch/x86 processor.h).
// The RegionTree itself accepts [0, kUserTop); the syscalls apply this limit.
inline constexpr uint64_t kTaskSize = (uint64_t{1} << 47) - 4096;

static_assert(PROT_READ == kProtRead && PROT_WRITE == kProtWrite && PROT_EXEC == kProtExec);
static_assert(PROT_GROWSDOWN == kProtGrowsDown && PROT_GROWSUP == kProtGrowsUp);
static_assert(MAP_SHARED == kMapShared && MAP_PRIVATE == kMapPrivate && MAP_FIXED == kMapFixed);
static_assert(MAP_ANONYMOUS == kMapAnonymous && MAP_NORESERVE == kMapNoReserve && MAP_POPULATE == kMapPopulate);
static_assert(MAP_GROWSDOWN == kMapGrowsDown && MAP_HUGETLB == kMapHugeTlb && MAP_STACK == kMapStack);
#ifdef MAP_SHARED_VALIDATE
static_assert(MAP_SHARED_VALIDATE == kMapSharedValidate);
#endif
#ifdef MAP_FIXED_NOREPLACE
static_assert(MAP_FIXED_NOREPLACE == kMapFixedNoReplace);
#endif
static_assert(EBADF == kEBadF && ENOMEM == kENoMem && EACCES == kEAcces && EFAULT == kEFault);
static_assert(EEXIST == kEExist && ENODEV == kENoDev && EINVAL == kEInval && EOVERFLOW == kEOverflow);
static_assert(EOPNOTSUPP == kEOpNotSupp && EPERM == kEPerm);
static_assert(MREMAP_MAYMOVE == kMremapMayMove && MREMAP_FIXED == kMremapFixed);
static_assert(MS_ASYNC == kMsAsync && MS_INVALIDATE == kMsInvalidate && MS_SYNC == kMsSync && EBUSY == kEBusy);
static_assert(MADV_DONTNEED == kMadvDontNeed && MADV_FREE == kMadvFree && MADV_WILLNEED == kMadvWillNeed);

}  // namespace emu::mm::linux_abi
