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
