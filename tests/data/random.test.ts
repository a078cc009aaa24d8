import { describe, expect, it } from 'vitest';
import { MT19937, stream } from '../../src/data/random.ts';

describe('MT19937 with NumPy legacy algorithms', () => {
  it('matches numpy.random.RandomState(1): randn, then rand (research §3.1 checksums)', () => {
    const g = MT19937.legacy(1);
    const n = [g.randn(), g.randn(), g.randn()];
    expect(n[0]).toBeCloseTo(1.62434536, 8);
    expect(n[1]).toBeCloseTo(-0.61175641, 8);
    expect(n[2]).toBeCloseTo(-0.52817175, 8);
    // The polar method's cached value survives the uniform draws.
    expect(g.random()).toBeCloseTo(0.39676747, 8);
    expect(g.random()).toBeCloseTo(0.53881673, 8);
  });
  it('matches the reference MT19937 output for init_genrand(5489)', () => {
    const g = MT19937.legacy(5489);
    expect(g.nextU32()).toBe(3499211612);
    expect(g.nextU32()).toBe(581869302);
  });
  it('matches the reference MT19937 output for init_by_array([0x123, 0x234, 0x345, 0x456])', () => {
    // mt19937ar.c's test vector: the first outputs of genrand_int32.
    const g = MT19937.fromArray([0x123, 0x234, 0x345, 0x456]);
    expect([g.nextU32(), g.nextU32(), g.nextU32()]).toEqual([1067595299, 955945823, 477289528]);
  });
  it('gives independent, reproducible streams per seed', () => {
    const a = stream(7, 'init');
    const b = stream(7, 'init');
    const c = stream(7, 'data');
    const xa = Array.from({ length: 5 }, () => a.random());
    expect(Array.from({ length: 5 }, () => b.random())).toEqual(xa);
    expect(Array.from({ length: 5 }, () => c.random())).not.toEqual(xa);
  });
});

describe('ziggurat normals (the core\'s read noise)', () => {
  it('have mean 0, variance 1, kurtosis 3 and normal tails, within 4 standard errors', () => {
    const g = stream(11, 'noise');
    const n = 400_000;
    let m = 0; let v = 0; let k = 0; let tail = 0;
    for (let i = 0; i < n; i++) { const x = g.normal(); m += x; v += x * x; k += x ** 4; if (Math.abs(x) > 2.5) tail++; }
    m /= n; v /= n; k /= n;
    expect(Math.abs(m)).toBeLessThanOrEqual(4 / Math.sqrt(n));
    expect(Math.abs(v - 1)).toBeLessThanOrEqual(4 * Math.sqrt(2 / n));
    expect(Math.abs(k - 3)).toBeLessThanOrEqual(4 * Math.sqrt(96 / n)); // Var(x⁴) = 105 − 9 = 96
    const p = 0.012419330651552318; // P(|x| > 2.5)
    expect(Math.abs(tail / n - p)).toBeLessThanOrEqual(4 * Math.sqrt((p * (1 - p)) / n));
  });
  it('a batch equals the same number of single draws', () => {
    const a = stream(3, 'noise'); const b = stream(3, 'noise');
    const batch = new Float64Array(5000);
    a.normals(batch, 5000);
    expect(Array.from(batch)).toEqual(Array.from({ length: 5000 }, () => b.normal()));
    expect(a.nextU32()).toBe(b.nextU32());
  });
});
