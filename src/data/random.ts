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
    for (let k = 0; k < N; k++) {
      const y = ((mt[k] as number) & 0x80000000) | ((mt[(k + 1) % N] as number) & 0x7fffffff);
      mt[k] = (mt[(k + M) % N] as number) ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
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

/** The independent streams of a run. */
export const STREAMS = { init: 0, data: 1, noise: 2, learning: 3 } as const;
export type StreamName = keyof typeof STREAMS;

export function stream(seed: number, name: StreamName): MT19937 {
  return MT19937.fromArray([seed >>> 0, STREAMS[name]]);
}
