// Segment registers, descriptor tables, far transfers, INT1/INT n and the
// privileged instructions, as a 64-bit Linux process sees them: each case
// prints what happened (values, or the signal with si_code and where RIP
// and si_addr point relative to the instruction). Run natively and under
// emu; the outputs must be equal.
//
// Left out because they depend on the machine rather than on the CPU's
// rules: SGDT/SIDT bases (kernel addresses, per boot and per CPU), LSL on
// CPUNODE (the CPU number), and anything on 0x23 (whether a 32-bit code
// segment exists depends on the kernel's IA-32 emulation). SLDT/STR/SMSW/
// SGDT/SIDT results are printed only with the argument --umip: emu gives
// what Linux's emulation of them gives on a CPU with UMIP, and a CPU
// without UMIP answers itself (the tests pass --umip on UMIP hosts).
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

// arch_prctl codes (<asm/prctl.h>, which musl's toolchain lacks).
enum { ARCH_SET_GS = 0x1001, ARCH_SET_FS = 0x1002, ARCH_GET_FS = 0x1003, ARCH_GET_GS = 0x1004 };

// ---- a fault resumes after the probed instruction ---------------------------------

static volatile uintptr_t insn_at, resume_at;
static volatile int got_sig, got_code;
static volatile uintptr_t got_addr, got_rip;

static void on_fault(int sig, siginfo_t* si, void* ctx) {
  ucontext_t* uc = ctx;
  got_sig = sig;
  got_code = si->si_code;
  got_addr = (uintptr_t)si->si_addr;
  got_rip = uc->uc_mcontext.gregs[REG_RIP];
  uc->uc_mcontext.gregs[REG_RIP] = resume_at;
}

// The asm text of a probe: records the instruction's address (label 9) and
// where to resume (label 8), then runs `insn`.
#define PROBE(insn)                               \
  "lea 8f(%%rip), %%r11\n\t"                      \
  "mov %%r11, resume_at(%%rip)\n\t"               \
  "lea 9f(%%rip), %%r11\n\t"                      \
  "mov %%r11, insn_at(%%rip)\n"                   \
  "9:\n\t" insn "\n8:\n\t"

static void begin(void) { got_sig = 0; }

static void report(const char* what) {
  if (!got_sig) {
    printf("%-34s ok\n", what);
    return;
  }
  char addr[32] = "0";
  if (got_addr) snprintf(addr, sizeof addr, "insn%+ld", (long)(got_addr - insn_at));
  printf("%-34s signal %d code %#x addr %s rip %+ld\n", what, got_sig, got_code, addr, (long)(got_rip - insn_at));
}

static long raw_arch_prctl(long code, uintptr_t arg) {
  long r;
  asm volatile("syscall" : "=a"(r) : "a"(158L), "D"(code), "S"(arg) : "rcx", "r11", "memory");
  return r;
}

// ---- segment registers ----------------------------------------------------------------

static void read_selectors(void) {
  uint64_t cs, ss, ds, es, fs, gs, word = ~0ull;
  asm volatile("mov %%cs, %k0\n\tmov %%ss, %k1\n\tmov %%ds, %k2\n\tmov %%es, %k3\n\tmov %%fs, %k4\n\tmov %%gs, %k5"
               : "=r"(cs), "=r"(ss), "=r"(ds), "=r"(es), "=r"(fs), "=r"(gs));
  asm volatile("mov %%cs, %w0" : "+r"(word));
  printf("selectors: cs %#lx ss %#lx ds %#lx es %#lx fs %#lx gs %#lx; mov ax, cs on -1: %#lx\n", cs, ss, ds, es, fs,
         gs, word);
}

static const uint16_t kSelectors[] = {0, 1, 3, 0x28, 0x2b, 0x30, 0x33, 0x7b, 0x08, 0x10, 0x18, 0x40, 0x50, 0x63, 0x2f, 0x83, 0xffff};

static void load_selectors(void) {
  for (unsigned i = 0; i < sizeof kSelectors / sizeof kSelectors[0]; i++) {
    const uint16_t sel = kSelectors[i];
    char what[64];
    uint64_t back = 0xbad;
    begin();
    asm volatile(PROBE("mov %w1, %%gs") "mov %%gs, %k0" : "+r"(back) : "r"(sel) : "r11", "memory");
    snprintf(what, sizeof what, "mov gs, %#x (read back %#lx)", sel, back);
    report(what);
    begin();
    asm volatile(PROBE("mov %w0, %%ds") : : "r"(sel) : "r11", "memory");
    snprintf(what, sizeof what, "mov ds, %#x", sel);
    report(what);
    begin();
    asm volatile(PROBE("mov %w0, %%ss") : : "r"(sel) : "r11", "memory");
    snprintf(what, sizeof what, "mov ss, %#x", sel);
    report(what);
  }
  asm volatile("mov %0, %%ds\n\tmov %0, %%gs" : : "r"(0));
  asm volatile("mov %0, %%ss" : : "r"(0x2b));
}

// A non-null selector gives FS/GS the base 0 (the null one does too on this
// CPU, but Linux may restore the old base at a context switch: not printed).
static void segment_bases(void) {
  static uint64_t marker = 0x1122334455667788;
  uint64_t base = 1, value = 0;
  raw_arch_prctl(ARCH_SET_GS, (uintptr_t)&marker);
  asm volatile("mov %%gs:0, %0" : "=r"(value));
  printf("gs base after arch_prctl: reads %#lx\n", value);
  asm volatile("mov %0, %%gs" : : "r"(0x2b));
  raw_arch_prctl(ARCH_GET_GS, (uintptr_t)&base);
  printf("gs <- 0x2b: base %#lx\n", base);
  asm volatile("mov %0, %%gs" : : "r"(0));
  // FS holds the C library's thread pointer: one asm statement changes and
  // restores it, calling nothing in between.
  uint64_t saved, fs_base = 1;
  uint16_t fs_sel;
  raw_arch_prctl(ARCH_GET_FS, (uintptr_t)&saved);
  asm volatile(
      "mov %3, %%fs\n\t"
      "mov %%fs, %1\n\t"
      "mov $158, %%eax\n\t"
      "mov $0x1003, %%edi\n\t"  // ARCH_GET_FS
      "lea %0, %%rsi\n\t"
      "syscall\n\t"
      "xor %%eax, %%eax\n\t"
      "mov %%eax, %%fs\n\t"
      "mov $158, %%eax\n\t"
      "mov $0x1002, %%edi\n\t"  // ARCH_SET_FS
      "mov %2, %%rsi\n\t"
      "syscall"
      : "=m"(fs_base), "=&r"(fs_sel)
      : "r"(saved), "r"(0x2b)
      : "rax", "rdi", "rsi", "rcx", "r11", "memory");
  printf("fs <- 0x2b: fs %#x base %#lx; restored\n", fs_sel, fs_base);
}

static void push_pop_lgs(void) {
  uint64_t pushed = ~0ull, offset = ~0ull;
  uint16_t gs = 0xbad;
  struct __attribute__((packed)) {
    uint32_t offset;
    uint16_t sel;
  } ptr = {0x12345678, 0x2b};
  asm volatile("mov %3, %%gs\n\tpush %%gs\n\tpop %0\n\tlgs %4, %k1\n\tmov %%gs, %2\n\tpush $0\n\tpop %%gs"
               : "+r"(pushed), "+r"(offset), "=r"(gs)
               : "r"(0x33), "m"(ptr)
               : "memory");
  printf("push gs (0x33): %#lx; lgs 0x2b:0x12345678: offset %#lx gs %#x\n", pushed, offset, gs);
  ptr.sel = 0x10;
  begin();
  asm volatile(PROBE("lgs %0, %%eax") : : "m"(ptr) : "rax", "r11", "memory");
  report("lgs with 0x10");
}

// ---- descriptor-table instructions ------------------------------------------------------

static int umip;  // --umip: print the descriptor-table instructions' results

static void descriptors(void) {
  const uint16_t sels[] = {0, 0x2b, 0x28, 0x33, 0x30, 0x7b, 0x10, 0x40, 0x63, 0x2f, 0x1234};
  for (unsigned i = 0; i < sizeof sels / sizeof sels[0]; i++) {
    uint64_t lar = 0x5555, lsl = 0x5555;
    uint8_t zl, zs, zr, zw;
    asm volatile("lar %w6, %0\n\tsetz %2\n\tlsl %w6, %1\n\tsetz %3\n\tverr %w6\n\tsetz %4\n\tverw %w6\n\tsetz %5"
                 : "+r"(lar), "+r"(lsl), "=m"(zl), "=m"(zs), "=m"(zr), "=m"(zw)
                 : "r"(sels[i])
                 : "cc");
    if (sels[i] == 0x7b) lsl = zs ? 0 : lsl;  // the CPU number: only ZF is the CPU's rule
    printf("selector %#06x: lar zf %d %#lx, lsl zf %d %#lx, verr %d, verw %d\n", sels[i], zl, lar, zs, lsl, zr, zw);
  }
  if (!umip) return;
  uint64_t ldtr = ~0ull, tr = ~0ull, msw = ~0ull;
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } gdtr, idtr;
  asm volatile("sldt %0\n\tstr %1\n\tsmsw %2\n\tsgdt %3\n\tsidt %4"
               : "+r"(ldtr), "+r"(tr), "+r"(msw), "=m"(gdtr), "=m"(idtr));
  printf("sldt %#lx str %#lx smsw %#lx; gdt limit %#x, idt limit %#x\n", ldtr, tr, msw, gdtr.limit, idtr.limit);
}

// ---- far transfers ---------------------------------------------------------------------

static void far_transfers(void) {
  uint64_t cs = 0;
  // lretq to 0x33, then lret with 4-byte slots (the code is below 4 GiB).
  asm volatile(
      "push $0x33\n\tlea 1f(%%rip), %%rax\n\tpush %%rax\n\tlretq\n1:\n\t"
      "sub $8, %%rsp\n\tlea 2f(%%rip), %%rax\n\tmov %%eax, (%%rsp)\n\tmovl $0x33, 4(%%rsp)\n\tlretl\n2:\n\t"
      "mov %%cs, %k0"
      : "=r"(cs)
      :
      : "rax", "memory");
  printf("lretq and lret to 0x33: cs %#lx\n", cs);
  // Far jmp and call through m16:32 (to 0x30: CS reads 0x33), the callee returning with lret.
  struct __attribute__((packed)) {
    uint32_t offset;
    uint16_t sel;
  } ptr;
  uint64_t rsp_delta = 0;
  asm volatile(
      "lea 1f(%%rip), %%rax\n\tmov %%eax, %1\n\tmovw $0x30, 4+%1\n\tljmp *%1\n\tud2\n1:\n\t"
      "lea 3f(%%rip), %%rax\n\tmov %%eax, %1\n\tmovw $0x33, 4+%1\n\tmov %%rsp, %%rdx\n\tlcall *%1\n\tjmp 4f\n"
      "3:\n\tmov %%rdx, %0\n\tsub %%rsp, %0\n\tlretl\n4:"
      : "=&r"(rsp_delta), "=m"(ptr)
      :
      : "rax", "rdx", "memory");
  printf("ljmp to 0x30, lcall to 0x33: pushed %lu bytes\n", rsp_delta);
  // iretq to the next instruction with the flags of pushfq.
  uint64_t flags_after = 0;
  asm volatile(
      "mov %%rsp, %%rax\n\tpush $0x2b\n\tpush %%rax\n\tpushfq\n\torq $0x40001, (%%rsp)\n\tpush $0x33\n\t"
      "lea 1f(%%rip), %%rax\n\tpush %%rax\n\tiretq\n1:\n\tpushfq\n\tpop %0\n\tpushfq\n\tandq $~0x40000, (%%rsp)\n\tpopfq"
      : "=r"(flags_after)
      :
      : "rax", "memory", "cc");
  printf("iretq: CF and AC from the frame: %#lx\n", flags_after & 0x40001);
  // Refused: a return to 0x2b or 0x30, a call to 0x2b, a non-canonical return.
  const uint64_t bad_cs[] = {0x2b, 0x30, 0x10, 0};
  for (unsigned i = 0; i < 4; i++) {
    char what[48];
    begin();
    asm volatile("push %0\n\tpush $0\n\t" PROBE("lretq") "add $16, %%rsp" : : "r"(bad_cs[i]) : "r11", "memory");
    snprintf(what, sizeof what, "lretq to %#lx", bad_cs[i]);
    report(what);
  }
  begin();
  asm volatile("push $0x33\n\tmovabs $0x8000000000000000, %%rax\n\tpush %%rax\n\t" PROBE("lretq") "add $16, %%rsp"
               : : : "rax", "r11", "memory");
  report("lretq to a non-canonical rip");
  ptr.sel = 0x2b;
  begin();
  asm volatile(PROBE("lcall *%0") : : "m"(ptr) : "r11", "memory");
  report("lcall to 0x2b");
}

// ---- INT1, INT n, privileged instructions --------------------------------------------

static void traps(void) {
  begin();
  asm volatile(PROBE("int1") ::: "r11", "memory");
  report("int1");
  begin();
  asm volatile(PROBE("int3") ::: "r11", "memory");
  report("int3");
  begin();
  asm volatile(PROBE("int $3") ::: "r11", "memory");
  report("int $3");
  begin();
  asm volatile(PROBE("int $4") ::: "r11", "memory");
  report("int $4");
  begin();
  asm volatile(PROBE("int $5") ::: "r11", "memory");
  report("int $5");
  begin();
  asm volatile(PROBE(".byte 0x8e, 0xc8") ::: "r11", "memory");  // mov cs, ax
  report("mov cs, ax");
}

static void privileged(void) {
  static uint8_t table[16];
#define PRIV(text, asmtext)                                                \
  begin();                                                                 \
  asm volatile(PROBE(asmtext) : : "r"(table) : "rax", "rcx", "rdx", "r11", "memory"); \
  report(text);
  PRIV("hlt", "hlt")
  PRIV("cli", "cli")
  PRIV("in al, 0x60", "in $0x60, %%al")
  PRIV("out dx, al", "out %%al, %%dx")
  PRIV("rdmsr", "rdmsr")
  PRIV("wrmsr", "wrmsr")
  PRIV("rdpmc", "rdpmc")
  PRIV("lgdt", "lgdt (%0)")
  PRIV("lldt", "lldt %%ax")
  PRIV("lmsw", "lmsw %%ax")
  PRIV("invlpg", "invlpg (%0)")
  PRIV("mov rax, cr0", "mov %%cr0, %%rax")
  PRIV("wbinvd", "wbinvd")
#undef PRIV
}

// ---- 16-bit ENTER/LEAVE, ignored prefixes -------------------------------------------

// On a stack of its own, 64 KiB-aligned, so that BP's low word never carries
// into the rest of RBP.
static uint8_t frame_area[0x20000] __attribute__((aligned(0x10000), used));

static void stack_frames_and_prefixes(void) {
  long sp_enter, bp_enter, sp_leave, bp_leave;
  asm volatile(
      "push %%rbp\n\tmov %%rsp, %%r8\n\tlea frame_area+0x18000(%%rip), %%r9\n\tmov %%r9, %%rsp\n\t"
      "lea -64(%%r9), %%rbp\n\tmovw $0x1111, -2(%%rbp)\n\t"
      "enterw $16, $2\n\tmov %%rsp, %0\n\tsub %%r9, %0\n\tmov %%rbp, %1\n\tsub %%r9, %1\n\t"
      "leavew\n\tmov %%rsp, %2\n\tsub %%r9, %2\n\tmov %%rbp, %3\n\tsub %%r9, %3\n\t"
      "mov %%r8, %%rsp\n\tpop %%rbp"
      : "=&r"(sp_enter), "=&r"(bp_enter), "=&r"(sp_leave), "=&r"(bp_leave)
      :
      : "r8", "r9", "memory");
  printf("enterw 16, 2: rsp %+ld, rbp %+ld; leavew: rsp %+ld, rbp %+ld (from the frame's top)\n", sp_enter, bp_enter,
         sp_leave, bp_leave);
  uint64_t a = 1, c = 2;
  asm volatile(".byte 0xf3\n\txchg %%ecx, %%eax" : "+a"(a), "+c"(c));
  printf("f3 xchg ecx, eax: eax %lu ecx %lu\n", a, c);
  static uint64_t m = 0x1111111122222222;
  uint32_t lo = 0x22222222, hi = 0x11111111;
  uint8_t zf;
  asm volatile(".byte 0xf3\n\tcmpxchg8b %0\n\tsetz %1" : "+m"(m), "=r"(zf), "+a"(lo), "+d"(hi) : "b"(0x44444444), "c"(0x33333333) : "cc");
  printf("f3 cmpxchg8b: zf %d memory %#lx\n", zf, m);
}

int main(int argc, char** argv) {
  umip = argc > 1 && strcmp(argv[1], "--umip") == 0;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);
  sigaction(SIGILL, &sa, NULL);
  sigaction(SIGTRAP, &sa, NULL);
  read_selectors();
  load_selectors();
  segment_bases();
  push_pop_lgs();
  descriptors();
  far_transfers();
  traps();
  privileged();
  stack_frames_and_prefixes();
  read_selectors();
  return 0;
}
