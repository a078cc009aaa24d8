// The one PRNG of phasecore: MT19937, with NumPy's legacy RandomState algorithms on top
// (rand, randn by the polar method with its cached second value, uniform, choice), so that the
// published e-prop recipes — which draw everything from numpy.random.RandomState(seed) — can be
// reproduced draw for draw (research/algorithms.md §3.1).
//
// Independent streams: a run with seed s draws initialisation, data, noise and learning from
// four generators seeded with init_by_array([s, k]) for k = 0, 1, 2, 3 (STREAMS). A recipe that
// needs NumPy's RandomState(s) itself uses MT19937.legacy(s) (init_genrand(s)).

const N = 624;
const M = 397;

export class MT19937 {
  private readonly mt = new Uint32Array(N);
  private index = N + 1;
  /** The polar method makes values in pairs; NumPy caches the second (and so do we). */
  private gaussCache: number | null = null;

  private constructor() {}

  /** numpy.random.RandomState(seed) for an integer seed: init_genrand(seed). */
  static legacy(seed: number): MT19937 {
    const g = new MT19937();
    g.initGenrand(seed >>> 0);
    return g;
  }

  /** init_by_array(key): NumPy's seeding for array seeds; our stream seeding. */
  static fromArray(key: readonly number[]): MT19937 {
    const g = new MT19937();
    g.initGenrand(19650218);
    const mt = g.mt;
    let i = 1;
    let j = 0;
    const len = Math.max(1, key.length);
    for (let k = Math.max(N, len); k > 0; k--) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = ((mt[i] as number) ^ Math.imul(prev, 1664525)) + ((key[j] ?? 0) >>> 0) + j;
      i++; j++;
      if (i >= N) { mt[0] = mt[N - 1] as number; i = 1; }
      if (j >= len) j = 0;
    }
    for (let k = N - 1; k > 0; k--) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = ((mt[i] as number) ^ Math.imul(prev, 1566083941)) - i;
      i++;
      if (i >= N) { mt[0] = mt[N - 1] as number; i = 1; }
    }
    mt[0] = 0x80000000;
    g.index = N;
    return g;
  }

  /** A generator in this one's state, drawing the same sequence from here on, independently. */
  clone(): MT19937 {
    const g = new MT19937();
    g.mt.set(this.mt);
    g.index = this.index;
    g.gaussCache = this.gaussCache;
    return g;
  }

  private initGenrand(seed: number): void {
    const mt = this.mt;
    mt[0] = seed;
    for (let i = 1; i < N; i++) {
      const prev = (mt[i - 1] as number) ^ ((mt[i - 1] as number) >>> 30);
      mt[i] = Math.imul(1812433253, prev) + i;
    }
    this.index = N;
  }

  private twist(): void {
    const mt = this.mt;
    // The reference recurrence, in its three ranges (no modulo in the loops).
    let k = 0;
    for (; k < N - M; k++) {
      const y = ((mt[k] as number) & 0x80000000) | ((mt[k + 1] as number) & 0x7fffffff);
      mt[k] = (mt[k + M] as number) ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    for (; k < N - 1; k++) {
      const y = ((mt[k] as number) & 0x80000000) | ((mt[k + 1] as number) & 0x7fffffff);
      mt[k] = (mt[k + M - N] as number) ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    }
    const y = ((mt[N - 1] as number) & 0x80000000) | ((mt[0] as number) & 0x7fffffff);
    mt[N - 1] = (mt[M - 1] as number) ^ (y >>> 1) ^ (-(y & 1) & 0x9908b0df);
    this.index = 0;
  }

  /** The next 32-bit output. */
  nextU32(): number {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform on [0, 1) with 53 bits (numpy random_sample / rand). */
  random(): number {
    const a = this.nextU32() >>> 5;
    const b = this.nextU32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Uniform on [lo, hi) (numpy uniform). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.random();
  }

  /** Standard normal (numpy legacy gauss: the polar method, caching the second value). */
  randn(): number {
    if (this.gaussCache !== null) {
      const g = this.gaussCache;
      this.gaussCache = null;
      return g;
    }
    let x1: number;
    let x2: number;
    let r2: number;
    do {
      x1 = 2 * this.random() - 1;
      x2 = 2 * this.random() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * Math.log(r2)) / r2);
    this.gaussCache = f * x1;
    return f * x2;
  }

  /**
   * Standard normal by Marsaglia & Tsang's ziggurat (J. Stat. Softw. 5(8), 2000: 128 layers, one
   * 32-bit output per draw in the common case; the tail by their exponential method), for the
   * core's per-read noise where the polar method's logarithm per pair would dominate. Not NumPy's
   * algorithm: draws that must match a published recipe use randn().
   */
  normal(): number {
    const hz = this.nextU32() | 0;
    const iz = hz & 127;
    if (Math.abs(hz) < (ZIG_K[iz] as number)) return hz * (ZIG_W[iz] as number);
    this.normalSlow(hz, iz);
    return this.slow[0] as number;
  }

  /** n draws of normal() into out[0..n), exactly as n calls would give them, with the generator inlined. */
  normals(out: Float64Array, n: number): void {
    const mt = this.mt;
    for (let j = 0; j < n; j++) {
      if (this.index >= N) this.twist();
      let y = mt[this.index] as number;
      this.index++;
      y ^= y >>> 11;
      y ^= (y << 7) & 0x9d2c5680;
      y ^= (y << 15) & 0xefc60000;
      y ^= y >>> 18;
      let hz = y | 0;
      let iz = hz & 127;
      // The rare rejections, inside this (hot, optimised) loop: a rarely called function would run
      // in the interpreter, where every double it computes is allocated.
      while (Math.abs(hz) >= (ZIG_K[iz] as number)) {
        if (iz === 0) { this.normalSlow(hz, iz); break; }
        const x = hz * (ZIG_W[iz] as number);
        if ((ZIG_F[iz] as number) + this.uniform53() * ((ZIG_F[iz - 1] as number) - (ZIG_F[iz] as number)) < Math.exp(-0.5 * x * x)) { this.slow[0] = x; iz = -1; break; }
        this.draw();
        hz = this.word[0] as number;
        iz = hz & 127;
      }
      out[j] = iz === -1 || (iz === 0 && Math.abs(hz) >= (ZIG_K[0] as number)) ? (this.slow[0] as number) : hz * (ZIG_W[iz] as number);
    }
  }

  // The ziggurat's rare path, allocation-free: its results and the generator's words go through
  // typed fields (a double or a 32-bit word returned from a call would be boxed on the heap).
  private readonly slow = new Float64Array(1);
  private readonly word = new Int32Array(1);
  /** The next 32-bit output into word[0] (as a signed integer). */
  private draw(): void {
    if (this.index >= N) this.twist();
    let y = this.mt[this.index] as number;
    this.index++;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    this.word[0] = y | 0;
  }
  /** random()'s value from the next two words: 53 bits, as random() draws them. */
  private uniform53(): number {
    this.draw(); const a = (this.word[0] as number) >>> 5;
    this.draw(); const b = (this.word[0] as number) >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
  private normalSlow(hz: number, iz: number): void {
    const r = ZIG_R;
    const out = this.slow;
    for (;;) {
      const x = hz * (ZIG_W[iz] as number);
      if (iz === 0) {
        let xt: number; let y: number;
        do { xt = -Math.log(1 - this.uniform53()) / r; y = -Math.log(1 - this.uniform53()); } while (y + y < xt * xt);
        out[0] = hz > 0 ? r + xt : -r - xt;
        return;
      }
      if ((ZIG_F[iz] as number) + this.uniform53() * ((ZIG_F[iz - 1] as number) - (ZIG_F[iz] as number)) < Math.exp(-0.5 * x * x)) { out[0] = x; return; }
      this.draw();
      hz = this.word[0] as number;
      iz = hz & 127;
      if (Math.abs(hz) < (ZIG_K[iz] as number)) { out[0] = hz * (ZIG_W[iz] as number); return; }
    }
  }

  /** numpy choice([0, 1]) without p: the masked bounded integer of the legacy generator. */
  bit(): number {
    return this.nextU32() & 1;
  }

  /** numpy choice([0, 1], p=[p0, p1]): 1 when a uniform draw reaches p0/(p0 + p1). */
  choice01(p0: number, p1: number): number {
    return this.random() >= p0 / (p0 + p1) ? 1 : 0;
  }

  /** Fill a new array with `n` standard normals. */
  randnArray(n: number): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.randn();
    return out;
  }
}

// The ziggurat's tables (Marsaglia & Tsang 2000, 128 layers): layer edges x_i with equal areas
// v = 9.91256303526217e-3, the base layer's edge r = 3.442619855899.
const ZIG_R = 3.442619855899;
const { ZIG_K, ZIG_W, ZIG_F } = (() => {
  const k = new Float64Array(128); const w = new Float64Array(128); const f = new Float64Array(128);
  const m1 = 2147483648;
  const v = 9.91256303526217e-3;
  let dn = ZIG_R; let tn = dn;
  const q = v / Math.exp(-0.5 * dn * dn);
  k[0] = (dn / q) * m1; k[1] = 0;
  w[0] = q / m1; w[127] = dn / m1;
  f[0] = 1; f[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(v / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = (dn / tn) * m1;
    tn = dn;
    f[i] = Math.exp(-0.5 * dn * dn);
    w[i] = dn / m1;
  }
  return { ZIG_K: k, ZIG_W: w, ZIG_F: f };
})();

/** The independent streams of a run. */
export const STREAMS = { init: 0, data: 1, noise: 2, learning: 3 } as const;
export type StreamName = keyof typeof STREAMS;

export function stream(seed: number, name: StreamName): MT19937 {
  return MT19937.fromArray([seed >>> 0, STREAMS[name]]);
}
