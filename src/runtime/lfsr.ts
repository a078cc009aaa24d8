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
  constructor(private state: number) {}
  /** The 15-bit output of the current state. */
  out(): number {
    let acc = 0; let o = 0;
    for (let k = 0; k < 15; k++) { acc ^= (this.state >> k) & 1; o |= acc << k; }
    return o;
  }
  advance(): void {
    const o = this.out();
    let d0 = 0;
    for (let k = 1; k < 15; k++) d0 ^= (this.state >> k) & 1;
    this.state = (o & 0x7ffe) | d0;
  }
}

/** The seeds ReckOn's released testbench writes for the even and odd neurons' LFSRs (0x3F3FF3F3, bits [14:0] and [29:15]). */
export const RECKON_SEEDS = [0x73f3, 0x7e7f] as const;
