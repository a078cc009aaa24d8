// Each fixed-point primitive against a float64 oracle (gemmlowp's ReferenceOp / Op pattern).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mulShift, overflow, rawMax, rawMin, roundingShiftRight, saturate, toRaw, toReal, wrap, type QFormat, type Rounding } from '../../src/runtime/fixed.ts';

const format = fc.record({ signed: fc.boolean(), bits: fc.integer({ min: 2, max: 48 }) }).chain(({ signed, bits }) =>
  fc.integer({ min: 0, max: bits - (signed ? 1 : 0) }).map((frac) => ({ signed, bits, frac }) as QFormat));
const rounding = fc.constantFrom<Rounding>('nearest', 'nearest_even', 'toward_zero', 'floor', 'stochastic');

/** The oracle: exact rational rounding in float64 (exact for these magnitudes). */
function oracle(x: number, n: number, mode: Rounding, random: number): number {
  const q = x / 2 ** n;
  const fl = Math.floor(q);
  const frac = q - fl;
  switch (mode) {
    case 'floor': return fl;
    case 'toward_zero': return Math.trunc(q);
    case 'nearest': return frac === 0.5 ? (q < 0 ? fl : fl + 1) : Math.round(q);
    case 'nearest_even': return frac === 0.5 ? (fl % 2 === 0 ? fl : fl + 1) : Math.round(q);
    case 'stochastic': return random < frac * 2 ** n ? fl + 1 : fl;
  }
}

describe('fixed point', () => {
  it('property: roundingShiftRight equals the rational oracle for every mode', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), fc.integer({ min: 1, max: 20 }), rounding, fc.nat(), (x, n, mode, r) => {
      const random = r % 2 ** n;
      expect(roundingShiftRight(x, n, mode, random)).toBe(oracle(x, n, mode, random) + 0);
    }), { numRuns: 2000 });
  });
  it('rounds ties as named', () => {
    expect([5, -5, 7, -7].map((x) => roundingShiftRight(x, 1, 'nearest'))).toEqual([3, -3, 4, -4]);
    expect([5, -5, 7, -7].map((x) => roundingShiftRight(x, 1, 'nearest_even'))).toEqual([2, -2, 4, -4]);
    expect([5, -5].map((x) => roundingShiftRight(x, 1, 'toward_zero'))).toEqual([2, -2]);
    expect([5, -5].map((x) => roundingShiftRight(x, 1, 'floor'))).toEqual([2, -3]);
  });
  it('property: stochastic rounding is unbiased (its mean over the random draws is exact)', () => {
    fc.assert(fc.property(fc.integer({ min: -5000, max: 5000 }), fc.integer({ min: 1, max: 6 }), (x, n) => {
      let sum = 0;
      for (let r = 0; r < 2 ** n; r++) sum += roundingShiftRight(x, n, 'stochastic', r);
      expect(sum / 2 ** n).toBe(x / 2 ** n);
    }));
  });
  it('property: mulShift equals the rational oracle, also for products beyond 2^53 (BigInt widening)', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 30 }), rounding, fc.nat(), (a, b, n, mode, r) => {
      const random = r % 2 ** n;
      const big = BigInt(a) * BigInt(b);
      const d = 2n ** BigInt(n);
      let fl = big / d; if (big < 0n && fl * d !== big) fl -= 1n;
      const rem = big - fl * d;
      const half = d / 2n;
      const expected = mode === 'floor' ? fl
        : mode === 'toward_zero' ? (big < 0n && rem !== 0n ? fl + 1n : fl)
        : mode === 'nearest' ? (rem > half || (rem === half && big >= 0n) ? fl + 1n : fl)
        : mode === 'nearest_even' ? (rem > half || (rem === half && fl % 2n !== 0n) ? fl + 1n : fl)
        : (BigInt(random) < rem ? fl + 1n : fl);
      // Registers hold fewer than 53 bits: compare where the result is representable.
      if (expected < 2n ** 53n && expected > -(2n ** 53n)) expect(mulShift(a, b, n, mode, random)).toBe(Number(expected) + 0);
    }), { numRuns: 2000 });
  });
  it('property: saturate and wrap stay in range; wrap is congruent modulo 2^bits', () => {
    fc.assert(fc.property(format, fc.integer({ min: -(2 ** 50), max: 2 ** 50 }), (f, x) => {
      const s = saturate(x, f);
      expect(s).toBeGreaterThanOrEqual(rawMin(f)); expect(s).toBeLessThanOrEqual(rawMax(f));
      const w = wrap(x, f);
      expect(w).toBeGreaterThanOrEqual(rawMin(f)); expect(w).toBeLessThanOrEqual(rawMax(f));
      expect(((x - w) % 2 ** f.bits + 2 ** f.bits) % 2 ** f.bits).toBe(0);
      let n = 0;
      overflow(x, f, 'saturate', () => n++);
      expect(n).toBe(x > rawMax(f) || x < rawMin(f) ? 1 : 0);
    }));
  });
  it('property: toRaw then toReal is within half an LSB inside the range (nearest)', () => {
    fc.assert(fc.property(format, fc.double({ min: -1e6, max: 1e6, noNaN: true }), (f, real) => {
      const { raw, saturated } = toRaw(real, f);
      if (!saturated) expect(Math.abs(toReal(raw, f) - real)).toBeLessThanOrEqual(2 ** -f.frac / 2 + 1e-9 * Math.abs(real));
      else expect(raw === rawMax(f) || raw === rawMin(f)).toBe(true);
    }));
  });
});
