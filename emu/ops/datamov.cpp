// Data movement and flag-register instructions:
//   MOV (88-8B, C6/C7 /0, B0-BF incl. imm64, A0-A3 moffs), MOVZX/MOVSX
//   (0F B6/B7/BE/BF), MOVSXD (63), LEA (8D), XCHG (86/87, 90+r), XADD
//   (0F C0/C1), CMPXCHG (0F B0/B1), CMPXCHG8B/16B (0F C7 /1), PUSH (50+r,
//   FF /6, 6A, 68), POP (58+r, 8F /0), PUSHF/POPF (9C/9D), LAHF/SAHF
//   (9F/9E), CBW/CWDE/CDQE (98), CWD/CDQ/CQO (99), CMOVcc (0F 40-4F),
//   SETcc (0F 90-9F), ENTER/LEAVE (C8/C9, 64- and 16-bit), CMC/CLC/STC/CLD/STD,
//   XLAT (D7).
// MOVBE is not advertised (no CPUID bit), so 0F 38 F0/F1 are not bound here.
#include "emu/ops/integer.h"
#include "emu/threaded.h"

namespace emu::ops {
namespace {

// MOV and MOVZX/MOVSX go on to the next Insn themselves (emu/threaded.h),
// their memory forms in continuation style (load_then/store_then,
// emu/memory.h): the most frequent handlers keep no frame.
template <int S>
[[gnu::always_inline]] inline void put_reg(Cpu& c, const Insn& in, U<S> v) {
  put<S>(c, in.reg, v);
}

template <int S, int F, Operand O = Operand::Any>
void mov(Cpu& c, const Insn& in) {
  using T = U<S>;
  if constexpr (F == kRM) {
    return load_then<T, put_reg<S>>(c, in, operand_address<O>(c, in));
  } else if constexpr (F == kMR) {
    return store_then<T>(c, in, operand_address<O>(c, in), get<S>(c, in.reg));
  } else if constexpr (F == kMI) {
    return store_then<T>(c, in, operand_address<O>(c, in), T(in.imm));
  } else {
    if constexpr (F == kRR) put<S>(c, in.rm, get<S>(c, in.reg));
    else put<S>(c, in.rm, T(in.imm));
    return next_insn(c, in);
  }
}

// MOVZX/MOVSX/MOVSXD: destination `reg` of DS bytes, source r/m of SS bytes.
template <int DS, int SS, bool Signed>
[[gnu::always_inline]] inline void put_extended(Cpu& c, const Insn& in, U<SS> v) {
  if constexpr (Signed) put<DS>(c, in.reg, U<DS>(int64_t(I<SS>(v))));
  else put<DS>(c, in.reg, U<DS>(v));
}

template <int DS, int SS, bool Signed, bool Mem>
void extend(Cpu& c, const Insn& in) {
  if constexpr (Mem) {
    return load_then<U<SS>, put_extended<DS, SS, Signed>>(c, in, effective_address(c, in));
  } else {
    put_extended<DS, SS, Signed>(c, in, get<SS>(c, in.rm));
    return next_insn(c, in);
  }
}

// LEA: the binder clears the segment, so this is the offset alone; bound
// by operand form (emu/memory.h), so base+disp is one add.
template <int S, Operand O>
void lea(Cpu& c, const Insn& in) {
  put<S>(c, in.reg, U<S>(operand_address<O>(c, in)));
}

template <int S, bool Mem>
void xchg(Cpu& c, const Insn& in) {
  using T = U<S>;
  if constexpr (Mem) {
    const uint64_t addr = effective_address(c, in);
    const T m = load<T>(c, addr);
    store<T>(c, addr, get<S>(c, in.reg));
    put<S>(c, in.reg, m);
  } else {
    const T a = get<S>(c, in.rm);
    const T b = get<S>(c, in.reg);
    put<S>(c, in.rm, b);
    put<S>(c, in.reg, a);
  }
}

template <int S, bool Mem>
void xadd(Cpu& c, const Insn& in) {
  using T = U<S>;
  const T s = get<S>(c, in.reg);
  T d, r;
  if constexpr (Mem) {
    const uint64_t addr = effective_address(c, in);
    d = load<T>(c, addr);
    r = T(d + s);
    store<T>(c, addr, r);
    put<S>(c, in.reg, d);
  } else {
    d = get<S>(c, in.rm);
    r = T(d + s);
    put<S>(c, in.reg, d);
    put<S>(c, in.rm, r);
  }
  flags::set<kFlagsAdd, T>(c.flags, r, d, s);
}

// CMPXCHG r/m, reg. Flags as CMP accumulator, destination. On failure the
// memory form writes the old value back (as the locked hardware cycle does,
// so a read-only destination faults either way); a 32-bit register form
// zero-extends only the register it writes (the destination on success,
// RAX on failure), as this host does.
template <int S, bool Mem>
void cmpxchg(Cpu& c, const Insn& in) {
  using T = U<S>;
  const T acc = get<S>(c, RAX);
  const T src = get<S>(c, in.reg);
  T d;
  if constexpr (Mem) {
    const uint64_t addr = effective_address(c, in);
    d = load<T>(c, addr);
    store<T>(c, addr, acc == d ? src : d);
    if (acc != d) put<S>(c, RAX, d);
  } else {
    d = get<S>(c, in.rm);
    if (acc == d) put<S>(c, in.rm, src);
    else put<S>(c, RAX, d);
  }
  flags::set<kFlagsSub, T>(c.flags, T(acc - d), acc, d);
}

// CMPXCHG8B m64 (Wide = false) / CMPXCHG16B m128: only ZF changes.
template <bool Wide>
void cmpxchg_pair(Cpu& c, const Insn& in) {
  const uint64_t addr = effective_address(c, in);
  bool equal;
  if constexpr (Wide) {
    if (addr & 15) throw mm::GuestFault{SIGSEGV, mm::kSiKernel, 0};  // #GP
    const uint64_t lo = load<uint64_t>(c, addr);
    const uint64_t hi = load<uint64_t>(c, addr + 8);
    equal = lo == c.gpr[RAX] && hi == c.gpr[RDX];
    if (equal) {
      store<uint64_t>(c, addr, c.gpr[RBX]);
      store<uint64_t>(c, addr + 8, c.gpr[RCX]);
    } else {
      store<uint64_t>(c, addr, lo);
      store<uint64_t>(c, addr + 8, hi);
      c.gpr[RAX] = lo;
      c.gpr[RDX] = hi;
    }
  } else {
    const uint64_t m = load<uint64_t>(c, addr);
    const uint64_t expected = (c.gpr[RDX] << 32) | uint32_t(c.gpr[RAX]);
    equal = m == expected;
    if (equal) {
      store<uint64_t>(c, addr, (c.gpr[RCX] << 32) | uint32_t(c.gpr[RBX]));
    } else {
      store<uint64_t>(c, addr, m);
      c.gpr[RAX] = uint32_t(m);
      c.gpr[RDX] = m >> 32;
    }
  }
  flags::set_some(c.flags, kZF, equal ? kZF : 0);
}

template <int S>
inline void push_value(Cpu& c, U<S> v) {
  const uint64_t sp = c.gpr[RSP] - S;
  store<U<S>>(c, sp, v);
  c.gpr[RSP] = sp;
}

// PUSH: from register `rm` (kRR), memory (kRM) or immediate (kRI).
template <int S, int F>
void push(Cpu& c, const Insn& in) {
  using T = U<S>;
  T v;
  if constexpr (F == kRR) v = get<S>(c, in.rm);
  else if constexpr (F == kRM) v = load<T>(c, effective_address(c, in));
  else v = T(in.imm);
  push_value<S>(c, v);
}

// The 64-bit PUSH r/imm and POP r, the frequent ones, in continuation
// style (emu/memory.h): RSP moves once the access has succeeded.
[[gnu::always_inline]] inline void commit_push(Cpu& c, const Insn&) { c.gpr[RSP] -= 8; }

template <int F>
void push64_next(Cpu& c, const Insn& in) {
  const uint64_t v = F == kRR ? c.gpr[in.rm] : in.imm;
  return store_then<uint64_t, commit_push>(c, in, c.gpr[RSP] - 8, v);
}

[[gnu::always_inline]] inline void commit_pop(Cpu& c, const Insn& in, uint64_t v) {
  c.gpr[RSP] += 8;
  c.gpr[in.rm] = v;  // POP RSP: the loaded value wins
}

void pop64_next(Cpu& c, const Insn& in) { return load_then<uint64_t, commit_pop>(c, in, c.gpr[RSP]); }

// POP to register `rm`, or to memory: the address is computed with RSP
// already incremented (as the architecture specifies), but RSP is committed
// only once the store has succeeded.
template <int S, bool Mem>
void pop(Cpu& c, const Insn& in) {
  using T = U<S>;
  const uint64_t sp = c.gpr[RSP];
  const T v = load<T>(c, sp);
  if constexpr (Mem) {
    c.gpr[RSP] = sp + S;
    const uint64_t addr = effective_address(c, in);
    c.gpr[RSP] = sp;
    store<T>(c, addr, v);
    c.gpr[RSP] = sp + S;
  } else {
    c.gpr[RSP] = sp + S;
    put<S>(c, in.rm, v);  // POP RSP: the loaded value wins
  }
}

template <int S>
void pushf(Cpu& c, const Insn&) {
  push_value<S>(c, U<S>(read_rflags(c)));
}

// POPF at CPL 3: the bits of kUserWritableFlags (integer.h).
template <int S>
void popf(Cpu& c, const Insn&) {
  const uint64_t sp = c.gpr[RSP];
  const U<S> v = load<U<S>>(c, sp);
  c.gpr[RSP] = sp + S;
  write_rflags(c, v, S == 2 ? (kUserWritableFlags & 0xffff) : kUserWritableFlags);
}

void lahf(Cpu& c, const Insn&) {
  put<1>(c, 1 /* AH */, uint8_t(read_rflags(c) & 0xff));
}

void sahf(Cpu& c, const Insn&) {
  write_rflags(c, get<1>(c, 1 /* AH */), kSF | kZF | kAF | kPF | kCF);
}

// CBW / CWDE / CDQE
template <int S>
void widen_acc(Cpu& c, const Insn&) {
  constexpr int H = S / 2;
  put<S>(c, RAX, U<S>(int64_t(I<H>(get<H>(c, RAX)))));
}

// CWD / CDQ / CQO
template <int S>
void widen_acc_pair(Cpu& c, const Insn&) {
  put<S>(c, RDX, I<S>(get<S>(c, RAX)) < 0 ? U<S>(~U<S>(0)) : U<S>(0));
}

// CMOVcc: the source is always read (a memory source faults even when the
// condition is false) and a 32-bit destination is always zero-extended.
template <int S, bool Mem>
void cmov(Cpu& c, const Insn& in) {
  const U<S> v = Mem ? load<U<S>>(c, effective_address(c, in)) : get<S>(c, in.rm);
  if (eval_cond(c, in.op)) put<S>(c, in.reg, v);
  else if constexpr (S == 4) put<4>(c, in.reg, get<4>(c, in.reg));
}

template <bool Mem>
void setcc(Cpu& c, const Insn& in) {
  const uint8_t v = eval_cond(c, in.op) ? 1 : 0;
  if constexpr (Mem) store<uint8_t>(c, effective_address(c, in), v);
  else put<1>(c, in.rm, v);
}

// ENTER imm16, imm8 with S-byte pushes: 8, or 2 with 66. The stack and
// frame addresses are 64-bit either way; the 16-bit form pushes and copies
// words and writes only BP, the low word of RBP (measured on this host).
template <int S>
void enter(Cpu& c, const Insn& in) {
  using T = U<S>;
  const uint64_t size = in.imm & 0xffff;
  const unsigned level = in.op & 31;
  uint64_t sp = c.gpr[RSP] - S;
  store<T>(c, sp, T(c.gpr[RBP]));
  const uint64_t frame = sp;
  uint64_t bp = c.gpr[RBP];
  if (level > 0) {
    for (unsigned i = 1; i < level; ++i) {
      bp -= S;
      const T v = load<T>(c, bp);
      sp -= S;
      store<T>(c, sp, v);
    }
    sp -= S;
    store<T>(c, sp, T(frame));
  }
  // The new stack top must be writable (this host checks it after the
  // pushes, faulting at that address with RSP/RBP unchanged).
  const uint64_t top = sp - size;
  store<uint8_t>(c, top, load<uint8_t>(c, top));
  put<S>(c, RBP, T(frame));
  c.gpr[RSP] = top;
}

// LEAVE: RSP = RBP, then pop S bytes into RBP (S = 2: into BP, the rest of
// RBP kept).
template <int S>
void leave(Cpu& c, const Insn&) {
  const uint64_t bp = c.gpr[RBP];
  const U<S> v = load<U<S>>(c, bp);
  c.gpr[RSP] = bp + S;
  put<S>(c, RBP, v);
}

void cmc(Cpu& c, const Insn&) { flags::set_some(c.flags, kCF, flags::cf(c.flags) ? 0 : kCF); }
void clc(Cpu& c, const Insn&) { flags::set_some(c.flags, kCF, 0); }
void stc(Cpu& c, const Insn&) { flags::set_some(c.flags, kCF, kCF); }
void cld(Cpu& c, const Insn&) { c.flags.rflags &= ~kDF; }
void std_(Cpu& c, const Insn&) { c.flags.rflags |= kDF; }

void xlat(Cpu& c, const Insn& in) {
  uint64_t a = c.gpr[RBX] + uint8_t(c.gpr[RAX]);
  if (in.addr32) a = uint32_t(a);
  put<1>(c, 0, load<uint8_t>(c, a + c.seg_base[in.seg]));
}

// ---- tables ----------------------------------------------------------------

// [size][form][operand form]: the register forms have one handler.
template <size_t I>
constexpr Handler mov_entry() {
  constexpr int kF = int(I / 3 % kFormCount);
  constexpr bool kMem = kF != kRR && kF != kRI;
  return &mov<kSizeOf[I / (3 * kFormCount)], kF, kMem ? Operand(I % 3) : Operand::Any>;
}
template <size_t... I>
constexpr auto make_mov_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{mov_entry<I>()...};
}
constexpr auto kMov = make_mov_table(std::make_index_sequence<4 * kFormCount * 3>{});

// [dest size 2,4,8][source size 1,2,4][signed][mem]
template <size_t... I>
constexpr auto make_extend_table(std::index_sequence<I...>) {
  return std::array<Handler, sizeof...(I)>{
      &extend<kSizeOf[1 + I / 12], kSizeOf[(I / 4) % 3], bool((I / 2) % 2), bool(I % 2)>...};
}
constexpr auto kExtend = make_extend_table(std::make_index_sequence<3 * 3 * 2 * 2>{});

#define EMU_SIZED2(fn) \
  { {&fn<1, false>, &fn<1, true>}, {&fn<2, false>, &fn<2, true>}, {&fn<4, false>, &fn<4, true>}, {&fn<8, false>, &fn<8, true>} }
constexpr Handler kXchg[4][2] = EMU_SIZED2(xchg);
constexpr Handler kXadd[4][2] = EMU_SIZED2(xadd);
constexpr Handler kCmpxchg[4][2] = EMU_SIZED2(cmpxchg);
#undef EMU_SIZED2
constexpr Handler kCmov[3][2] = {{&threaded<&cmov<2, false>>, &threaded<&cmov<2, true>>},
                                 {&threaded<&cmov<4, false>>, &threaded<&cmov<4, true>>},
                                 {&threaded<&cmov<8, false>>, &threaded<&cmov<8, true>>}};
template <int S>
constexpr std::array<Handler, 3> kLeaForms = {&threaded<&lea<S, Operand::Any>>, &threaded<&lea<S, Operand::Plain>>,
                                              &threaded<&lea<S, Operand::Indexed>>};
constexpr std::array<Handler, 3> kLea[3] = {kLeaForms<2>, kLeaForms<4>, kLeaForms<8>};

// `operands`: the Insn with its operand fields set (operand_form).
Handler mov_handler(unsigned size, Form f, const Insn& operands) {
  return kMov[(size_index(size) * kFormCount + f) * 3 + unsigned(operand_form(operands))];
}

// Memory operand at an absolute address (moffs).
void bind_absolute(const Decoded& d, Insn& out) {
  out.base = kNoReg;
  out.index = kNoReg;
  out.scale = 0;
  out.disp = int64_t(d.imm_size ? d.imm : uint64_t(d.disp));
}

}  // namespace

bool bind_datamov(const Decoded& d, Insn& out) {
  const uint8_t op = d.opcode;
  const bool mem = d.is_memory();
  if (d.map == 1) {
    if (op >= 0x40 && op <= 0x4F) {  // CMOVcc
      if (d.lock) return false;
      out.reg = d.reg;
      out.rm = d.rm;
      out.op = op & 15;
      out.fn = kCmov[size_index(opsize(d)) - 1][mem];
      return true;
    }
    if (op >= 0x90 && op <= 0x9F) {  // SETcc
      if (d.lock) return false;
      out.rm = byte_reg_offset(d.rm, d.rex != 0);
      out.op = op & 15;
      out.fn = mem ? &threaded<&setcc<true>> : &threaded<&setcc<false>>;
      return true;
    }
    switch (op) {
      case 0xB6: case 0xB7: case 0xBE: case 0xBF: {  // MOVZX / MOVSX
        if (d.lock) return false;
        const unsigned ss = (op & 1) ? 2 : 1;
        out.reg = d.reg;
        out.rm = reg_operand(ss, d.rm, d);
        out.fn = kExtend[(((size_index(opsize(d)) - 1) * 3 + size_index(ss)) * 2 + (op >= 0xBE)) * 2 + mem];
        return true;
      }
      case 0xC0: case 0xC1: case 0xB0: case 0xB1: {  // XADD / CMPXCHG
        if (d.lock && !mem) return false;
        const unsigned size = (op & 1) ? opsize(d) : 1;
        bind_modrm_regs(d, out, size);
        out.fn = (op >= 0xC0 ? kXadd : kCmpxchg)[size_index(size)][mem];
        return true;
      }
      case 0xC7: {  // CMPXCHG8B / CMPXCHG16B
        // 66, F2 and F3 are ignored (measured, also with LOCK: no HLE here).
        if (((d.modrm >> 3) & 7) != 1 || !mem) return false;
        out.fn = (d.rex & 8) ? &cmpxchg_pair<true> : &cmpxchg_pair<false>;
        return true;
      }
      default:
        return false;
    }
  }
  if (d.map != 0) return false;

  // Of this file's one-byte opcodes only XCHG with memory is lockable.
  if (d.lock && !(mem && (op == 0x86 || op == 0x87))) return false;

  if (op >= 0x50 && op <= 0x57) {
    out.rm = opcode_reg(d);
    out.fn = stack_size(d) == 2 ? &push<2, kRR> : &push64_next<kRR>;
    return true;
  }
  if (op >= 0x58 && op <= 0x5F) {
    out.rm = opcode_reg(d);
    out.fn = stack_size(d) == 2 ? &pop<2, false> : &pop64_next;
    return true;
  }
  if ((op >= 0x91 && op <= 0x97) || (op == 0x90 && (d.rex & 1))) {  // XCHG rAX, r
    // F2/F3 change nothing here (measured): only 90 without REX.B is NOP/PAUSE,
    // which bind_control owns.
    out.rm = opcode_reg(d);
    out.reg = RAX;
    out.fn = kXchg[size_index(opsize(d))][0];
    return true;
  }
  if (op >= 0xB0 && op <= 0xBF) {  // MOV r, imm
    const unsigned size = op < 0xB8 ? 1 : opsize(d);
    out.rm = reg_operand(size, opcode_reg(d), d);
    out.imm = simm(d);
    out.fn = mov_handler(size, kRI, out);
    return true;
  }

  switch (op) {
    case 0x88: case 0x89:
      bind_modrm_regs(d, out, op == 0x88 ? 1 : opsize(d));
      out.fn = mov_handler(op == 0x88 ? 1 : opsize(d), mem ? kMR : kRR, out);
      return true;
    case 0x8A: case 0x8B: {
      const unsigned size = op == 0x8A ? 1 : opsize(d);
      if (mem) {
        out.reg = reg_operand(size, d.reg, d);
        out.fn = mov_handler(size, kRM, out);
      } else {  // the RR handler's destination is `rm`: swap
        out.rm = reg_operand(size, d.reg, d);
        out.reg = reg_operand(size, d.rm, d);
        out.fn = mov_handler(size, kRR, out);
      }
      return true;
    }
    case 0xC6: case 0xC7: {
      if (((d.modrm >> 3) & 7) != 0) return false;
      const unsigned size = op == 0xC6 ? 1 : opsize(d);
      out.rm = reg_operand(size, d.rm, d);
      out.imm = simm(d);
      out.fn = mov_handler(size, mem ? kMI : kRI, out);
      return true;
    }
    case 0xA0: case 0xA1: case 0xA2: case 0xA3: {  // MOV acc, moffs / moffs, acc
      const unsigned size = (op & 1) ? opsize(d) : 1;
      bind_absolute(d, out);
      out.reg = 0;
      out.fn = mov_handler(size, op < 0xA2 ? kRM : kMR, out);
      return true;
    }
    case 0x63: {  // MOVSXD (with a 16/32-bit operand size: a plain move)
      // The source is 32 bits whatever the operand size: with 66 this host
      // reads a dword (and faults as such) and keeps its low word; the SDM
      // says r/m16.
      const unsigned ss = 4;
      out.reg = d.reg;
      out.rm = d.rm;
      out.fn = kExtend[(((size_index(opsize(d)) - 1) * 3 + size_index(ss)) * 2 + 1) * 2 + mem];
      return true;
    }
    case 0x8D:
      if (!mem) return false;
      out.reg = d.reg;
      out.seg = kSegNone;
      out.fn = kLea[size_index(opsize(d)) - 1][unsigned(operand_form(out))];
      return true;
    case 0x86: case 0x87: {
      const unsigned size = op == 0x86 ? 1 : opsize(d);
      bind_modrm_regs(d, out, size);
      out.fn = kXchg[size_index(size)][mem];
      return true;
    }
    case 0x6A: case 0x68:
      out.imm = simm(d);
      out.fn = stack_size(d) == 2 ? &push<2, kRI> : &push64_next<kRI>;
      return true;
    case 0xFF:
      if (((d.modrm >> 3) & 7) != 6) return false;
      out.rm = d.rm;
      if (stack_size(d) == 2) out.fn = mem ? &push<2, kRM> : &push<2, kRR>;
      else out.fn = mem ? &threaded<&push<8, kRM>> : &push64_next<kRR>;
      return true;
    case 0x8F:
      if (((d.modrm >> 3) & 7) != 0) return false;
      out.rm = d.rm;
      if (stack_size(d) == 2) out.fn = mem ? &pop<2, true> : &pop<2, false>;
      else out.fn = mem ? &pop<8, true> : &pop64_next;
      return true;
    case 0x9C: out.fn = stack_size(d) == 2 ? &pushf<2> : &pushf<8>; return true;
    case 0x9D: out.fn = stack_size(d) == 2 ? &popf<2> : &popf<8>; return true;
    case 0x9E: out.fn = &sahf; return true;
    case 0x9F: out.fn = &lahf; return true;
    case 0x98:
      out.fn = opsize(d) == 2 ? &widen_acc<2> : opsize(d) == 4 ? &widen_acc<4> : &widen_acc<8>;
      return true;
    case 0x99:
      out.fn = opsize(d) == 2 ? &widen_acc_pair<2> : opsize(d) == 4 ? &widen_acc_pair<4> : &widen_acc_pair<8>;
      return true;
    case 0xC8:
      out.imm = d.imm & 0xffff;
      out.op = uint8_t(d.imm2);
      out.fn = stack_size(d) == 2 ? &enter<2> : &enter<8>;
      return true;
    case 0xC9:
      out.fn = stack_size(d) == 2 ? &leave<2> : &leave<8>;
      return true;
    case 0xF5: out.fn = &cmc; return true;
    case 0xF8: out.fn = &clc; return true;
    case 0xF9: out.fn = &stc; return true;
    case 0xFC: out.fn = &cld; return true;
    case 0xFD: out.fn = &std_; return true;
    case 0xD7: out.fn = &xlat; return true;
    default:
      return false;
  }
}

}  // namespace emu::ops
