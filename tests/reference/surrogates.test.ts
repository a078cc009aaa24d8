// The pseudo-derivatives, held to properties their published forms imply rather than to their
// own formulas: the peak at the threshold, symmetry, and the area under each curve (NEST's
// parametrisation: γ height, β width scaling).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { psi } from '../../src/reference/surrogates.ts';
import type { SurrogateIR } from '../../src/ir/network.ts';

/** ∫ψ dx over [−L, L] by the composite Simpson rule. */
function area(s: SurrogateIR, vTh: number, L: number, n = 200_000): number {
  const h = (2 * L) / n;
  let sum = psi(s, -L, vTh) + psi(s, L, vTh);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * psi(s, -L + i * h, vTh);
  return (sum * h) / 3;
}

const params = fc.record({ gamma: fc.double({ min: 0.05, max: 2, noNaN: true }), beta: fc.double({ min: 0.5, max: 5, noNaN: true }), vTh: fc.double({ min: 0.02, max: 2, noNaN: true }) });

describe('surrogate pseudo-derivatives', () => {
  it('property: peak, symmetry and area of each NEST form', () => {
    fc.assert(fc.property(params, fc.double({ min: -3, max: 3, noNaN: true }), ({ gamma, beta, vTh }, x) => {
      const pl: SurrogateIR = { kind: 'piecewise_linear', gamma, beta };
      const ex: SurrogateIR = { kind: 'exponential', gamma, beta };
      const fs: SurrogateIR = { kind: 'fast_sigmoid', gamma, beta };
      const at: SurrogateIR = { kind: 'arctan', gamma, beta };
      // Peaks: γ/v_th (relative to the threshold), γ, γ and γ/π.
      expect(psi(pl, 0, vTh)).toBeCloseTo(gamma / vTh, 12);
      expect(psi(ex, 0, vTh)).toBeCloseTo(gamma, 12);
      expect(psi(fs, 0, vTh)).toBeCloseTo(gamma, 12);
      expect(psi(at, 0, vTh)).toBeCloseTo(gamma / Math.PI, 12);
      for (const s of [pl, ex, fs, at]) {
        expect(psi(s, x, vTh)).toBeCloseTo(psi(s, -x, vTh), 12);
        expect(psi(s, x, vTh)).toBeGreaterThanOrEqual(0);
        expect(psi(s, Math.abs(x) + 0.1, vTh)).toBeLessThanOrEqual(psi(s, Math.abs(x), vTh) + 1e-15);
      }
      // The triangle is zero beyond v_th/β.
      expect(psi(pl, (1.0001 * vTh) / beta, vTh)).toBe(0);
    }), { numRuns: 200 });
  });
  it('integrates to the closed-form areas: γ/β, 2γ/β, 2γ/β, γ/(βπ) and Yin et al.\'s γ(1 − h)', () => {
    const gamma = 0.3; const beta = 2; const vTh = 0.6;
    expect(area({ kind: 'piecewise_linear', gamma, beta }, vTh, vTh / beta)).toBeCloseTo(gamma / beta, 9);
    expect(area({ kind: 'exponential', gamma, beta }, vTh, 40 / beta)).toBeCloseTo((2 * gamma) / beta, 9);
    // Heavy tails: integrate far and add the analytic remainder beyond ±L.
    const L = 2000;
    expect(area({ kind: 'fast_sigmoid', gamma, beta }, vTh, L, 2_000_000) + (2 * gamma) / (beta * (1 + beta * L))).toBeCloseTo((2 * gamma) / beta, 6);
    expect(area({ kind: 'arctan', gamma, beta }, vTh, L, 2_000_000) + (2 * gamma / Math.PI) * (Math.PI / 2 - Math.atan(beta * Math.PI * L)) / (beta * Math.PI)).toBeCloseTo(gamma / (beta * Math.PI), 6);
    const mg: SurrogateIR = { kind: 'multi_gaussian', gamma: 0.5, sigma: 0.1, h: 0.15, s: 6 };
    expect(area(mg, vTh, 10)).toBeCloseTo(0.5 * (1 - 0.15), 9);
  });
});
