// The offline e-prop gradient against an independent, direct implementation of the online
// equations (per-synapse eligibility vectors and κ-filtered traces, Bellec et al. 2020 eqs. 24–25),
// and the exact readout gradient against central finite differences.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildNetwork } from './build.ts';
import type { Instance } from '../../src/ir/instantiate.ts';
import { MT19937 } from '../../src/data/random.ts';
import { simulate, type Dynamics } from '../../src/reference/simulate.ts';
import { accumulateEprop, zeroGradients } from '../../src/reference/eprop.ts';
import { lossAndError } from '../../src/reference/loss.ts';

const build = buildNetwork;

const network = (nIn: number, nRec: number, nOut: number, model: 'LIF' | 'ALIF', factor: string, inc: string) => `
network n {
  input x[${nIn}]
  population h[${nRec}] : ${model} {
    tau_m = 20 ms; v_th = 0.3; input_factor = ${factor}; refractory = 2 ms
    ${model === 'ALIF' ? `tau_a = 50 ms; beta = 0.5; adaptation_increment = ${inc}` : ''}
  }
  readout o[${nOut}] : LI { tau = 10 ms }
  x -> h : dense { w ~ normal(0, 0.8) }
  h -> h : dense { w ~ normal(0, 0.4); no_self }
  h -> o : dense { w ~ normal(0, 0.5) }
}`;

/** The online form, synapse by synapse: the oracle. */
function onlineEprop(inst: Instance, dyn: Dynamics, x: Float64Array, z: Uint8Array, psi: Float64Array, err: Float64Array, B: Float64Array, rate: Float64Array, T: number) {
  const { nIn, nRec, nOut } = inst.layout;
  const gIn = new Float64Array(nIn * nRec);
  const gRec = new Float64Array(nRec * nRec);
  const pre = (kind: 'in' | 'rec', i: number, t: number) => (kind === 'in' ? (x[t * nIn + i] as number) : t > 0 ? (z[(t - 1) * nRec + i] as number) : 0);
  for (const kind of ['in', 'rec'] as const) {
    const nPre = kind === 'in' ? nIn : nRec;
    for (let i = 0; i < nPre; i++) {
      for (let j = 0; j < nRec; j++) {
        let ev = 0; let ea = 0; const ebar = new Float64Array(nOut); let g = 0;
        const a = dyn.alpha[j]!; const rho = dyn.rho[j]!; const beta = inst.beta[j]!; const c = dyn.incFactor[j]!; const f = dyn.inFactor[j]!;
        for (let t = 0; t < T; t++) {
          const psiPrev = t > 0 ? psi[(t - 1) * nRec + j]! : 0;
          ea = c * psiPrev * ev + (rho - c * beta * psiPrev) * ea;
          ev = a * ev + f * pre(kind, i, t);
          const e = psi[t * nRec + j]! * (ev - beta * ea);
          for (let k = 0; k < nOut; k++) {
            ebar[k] = dyn.kappa[k]! * ebar[k]! + (1 - dyn.kappa[k]!) * e;
            g += B[j * nOut + k]! * err[t * nOut + k]! * ebar[k]!;
          }
          g += rate[j]! * e;
        }
        (kind === 'in' ? gIn : gRec)[i * nRec + j] = g;
      }
    }
  }
  return { gIn, gRec };
}

describe('e-prop (offline exact form)', () => {
  it('property: equals the online per-synapse equations for LIF and ALIF, any input factor and increment', () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat({ max: 1e6 }), model: fc.constantFrom('LIF', 'ALIF'), factor: fc.constantFrom('none', 'one_minus_alpha'), inc: fc.constantFrom('spike', 'one_minus_rho'), T: fc.integer({ min: 1, max: 40 }) }),
      ({ seed, model, factor, inc, T }) => {
        const nIn = 3; const nRec = 4; const nOut = 2;
        const { inst, dyn } = build(network(nIn, nRec, nOut, model as 'LIF', factor, inc), seed);
        const rng = MT19937.legacy(seed + 1);
        const x = Float64Array.from({ length: T * nIn }, () => (rng.random() < 0.3 ? 1 : 0));
        const trace = simulate(inst, dyn, x);
        const err = Float64Array.from({ length: T * nOut }, () => rng.randn());
        const B = Float64Array.from({ length: nRec * nOut }, () => rng.randn());
        const rate = Float64Array.from({ length: nRec }, () => rng.randn() * 0.1);
        const g = zeroGradients(inst);
        accumulateEprop(inst, dyn, x, trace, err, B, rate, g);
        const oracle = onlineEprop(inst, dyn, x, trace.z, trace.psi, err, B, rate, T);
        const tol = (a: Float64Array, b: Float64Array) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 9));
        tol(g.inRec, oracle.gIn);
        tol(g.recRec, oracle.gRec);
      },
    ), { numRuns: 60 });
  });

  it('gives the exact readout gradient (central finite differences)', () => {
    const { inst, dyn } = build(network(3, 5, 2, 'ALIF', 'none', 'spike'), 11);
    const rng = MT19937.legacy(3);
    const T = 50;
    const x = Float64Array.from({ length: T * 3 }, () => (rng.random() < 0.3 ? 1 : 0));
    const target = Float64Array.from({ length: T * 2 }, () => rng.randn());
    const lossOf = () => lossAndError({ kind: 'mse', reduce: 'sum' }, simulate(inst, dyn, x).y, T, 2, { target }, 1e-3).loss;
    const trace = simulate(inst, dyn, x);
    const { err } = lossAndError({ kind: 'mse', reduce: 'sum' }, trace.y, T, 2, { target }, 1e-3);
    const g = zeroGradients(inst);
    accumulateEprop(inst, dyn, x, trace, err, new Float64Array(10), new Float64Array(5), g);
    const h = 1e-6;
    for (let at = 0; at < inst.recOut.w.length; at++) {
      const w0 = inst.recOut.w[at]!;
      inst.recOut.w[at] = w0 + h; const up = lossOf();
      inst.recOut.w[at] = w0 - h; const down = lossOf();
      inst.recOut.w[at] = w0;
      expect(g.recOut[at]!).toBeCloseTo((up - down) / (2 * h), 5);
    }
  });
});
