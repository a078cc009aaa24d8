// The core's on-chip random source for stochastic rounding: a 32-bit Galois LFSR with the
// maximal-length polynomial x^32 + x^22 + x^2 + x + 1 (taps 0x80200003; period 2^32 − 1).
// A rounding that needs n bits steps it n times and takes the n bits it shifted out, so
// successive draws do not share bits. Seeded from the noise stream (never zero).
export const LFSR_TAPS = 0x80200003;

export class Lfsr {
  private state: number;
  constructor(seed: number) { this.state = seed >>> 0 || 1; }
  /** n fresh bits (n ≤ 32) as an unsigned integer. */
  bits(n: number): number {
    let s = this.state;
    let out = 0;
    for (let k = 0; k < n; k++) {
      const b = s & 1;
      s = (s >>> 1) ^ (b ? LFSR_TAPS : 0);
      out = out * 2 + b;
    }
    this.state = s >>> 0;
    return out;
  }
  /** A uniform integer in [0, 2^n) for any n ≤ 52. */
  uniform(n: number): number {
    if (n <= 32) return this.bits(n);
    return this.bits(n - 32) * 2 ** 32 + this.bits(32);
  }
}

/**
 * ReckOn's stochastic-rounding source for its neurons (Frenkel & Indiveri, ISSCC 2022; the
 * release's lfsr_neur_stochround, as research notes describe its rule): a 15-bit state d0…d14 whose
 * output is the prefix XOR out_k = d0 ⊕ … ⊕ dk, and whose next state is d0' = d1 ⊕ … ⊕ d14,
 * dk' = out_k (k ≥ 1). Two of them, one for the even and one for the odd neuron of each two-neuron
 * SRAM word, advance once per word of a STEP; seeded as the release's testbench seeds them.
 */
export class ReckonLfsr {
  /** The output of the current state (kept: the neuron loop reads it every word). */
  private o: number;
  constructor(private state: number) { this.o = prefixXor15(state); }
  /** The 15-bit output of the current state. */
  out(): number { return this.o; }
  advance(): void {
    let p = this.state & 0x7ffe; // d1 … d14
    p ^= p >> 8; p ^= p >> 4; p ^= p >> 2; p ^= p >> 1;
    this.state = (this.o & 0x7ffe) | (p & 1);
    this.o = prefixXor15(this.state);
  }
}

/** out_k = d0 ⊕ … ⊕ dk for the 15 bits of x. */
function prefixXor15(x: number): number {
  x ^= x << 1; x ^= x << 2; x ^= x << 4; x ^= x << 8;
  return x & 0x7fff;
}

/** The seeds ReckOn's released testbench writes for the even and odd neurons' LFSRs (0x3F3FF3F3, bits [14:0] and [29:15]). */
export const RECKON_SEEDS = [0x73f3, 0x7e7f] as const;

/**
 * ReckOn's unfolded LFSRs (its RTL's src/lfsr/*.v, as issue 9's note describes them): each yields
 * K successive bits of one serial sequence s per enabled cycle, s[n] = s[n − a] ⊕ s[n − W]; its
 * state is a window of W consecutive stream bits, state bit b holding stream position `place(b)`
 * relative to the current block (a seed loads bit b there). Block c's bit k is s[K·c + k].
 */
export class UnfoldedLfsr {
  private readonly lo: number;
  /** Stream positions lo … K + a − 1 of the current block (the window, then the block's new bits). */
  private readonly buf: Uint8Array;
  private filled = false;
  constructor(readonly W: number, readonly K: number, readonly a: number, place: (b: number) => number, seed: number) {
    this.lo = -(W - a);
    this.buf = new Uint8Array(W + K);
    for (let b = 0; b < W; b++) this.buf[place(b) - this.lo] = Math.floor(seed / 2 ** b) % 2;
  }
  private fill(): void {
    if (this.filled) return;
    const { buf, lo, a, W, K } = this;
    for (let n = a; n < K + a; n++) buf[n - lo] = (buf[n - a - lo] as number) ^ (buf[n - W - lo] as number);
    this.filled = true;
  }
  /** Bits [from, from + width) of the current block as an unsigned number (width ≤ 32), bit 0 the earliest. */
  bits(from: number, width: number): number {
    this.fill();
    let x = 0;
    for (let b = width - 1; b >= 0; b--) x = x * 2 + (this.buf[from + b - this.lo] as number);
    return x;
  }
  /** The whole block, when K ≤ 32. */
  out(): number { return this.bits(0, this.K); }
  /** The next enabled cycle: the window moves on by K positions. */
  advance(): void {
    this.fill();
    this.buf.copyWithin(0, this.K, this.K + this.W);
    this.filled = false;
  }
}

/** ReckOn's unfolded LFSR modules: W, K, the short tap a, and where each state bit sits in the stream. */
export const RECKON_LFSR = {
  winp_wrec: { W: 25, K: 512, a: 3, place: (b: number) => (b < 3 ? b : b - 25) },
  wout: { W: 22, K: 448, a: 1, place: (b: number) => (b === 0 ? 0 : b - 22) },
  neur_stochround: { W: 15, K: 15, a: 1, place: (b: number) => (b === 0 ? 0 : b - 15) },
  oneur_stochround: { W: 15, K: 7, a: 1, place: (b: number) => (b === 0 ? 0 : b % 2 === 1 ? ((b - 1) >> 1) - 14 : (b >> 1) - 8) },
} as const;
export const reckonLfsr = (kind: keyof typeof RECKON_LFSR, seed: number): UnfoldedLfsr => {
  const m = RECKON_LFSR[kind];
  return new UnfoldedLfsr(m.W, m.K, m.a, m.place, seed);
};
/** The seed the released testbench gives the output neurons' leak-rounding LFSR. */
export const RECKON_VO_SEED = 0x74f4;

/** The seeds the released testbench gives the traces' rounding LFSRs (even and odd neuron of a word): SEED_STRND_TINP, TREC (bits [14:0], [29:15]) and TOUT. */
export const RECKON_TRACE_SEEDS = { tin: [0x75f5, 0x7ebf], trec: [0x76f6, 0x7edf], tout: [0x77f7, 0x7eff] } as const;
/** The seeds of ReckOn's weight-update LFSRs in its testbench: SEED_INP, SEED_REC, SEED_OUT. */
export const RECKON_WEIGHT_SEEDS = { input: 0x00f0f0, recurrent: 0x00f1f1, output: 0x00f2f2 } as const;
