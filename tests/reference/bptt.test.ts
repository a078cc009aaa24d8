// BPTT (hand-written adjoint) against: e-prop where theory says they agree (no recurrent path,
// no reset path, symmetric feedback — Bellec et al. 2020), central finite differences where the
// model is smooth (readout weights, biases, time constant), and an independent tape-based
// reverse-mode differentiation of the same dynamics.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildNetwork } from './build.ts';
import { MT19937 } from '../../src/data/random.ts';
import { dynamics, simulate } from '../../src/reference/simulate.ts';
import { accumulateEprop, zeroGradients } from '../../src/reference/eprop.ts';
import { accumulateBptt, zeroIntrinsic } from '../../src/reference/bptt.ts';
import { lossAndError } from '../../src/reference/loss.ts';

const build = buildNetwork;

const net = (model: string, neuron: string, readoutFactor = 'one_minus_kappa') => `
network n {
  input x[3]
  population h[4] : ${model} { tau_m = 20 ms; v_th = 0.3; refractory = 2 ms; ${neuron} }
  readout o[2] : LI { tau = 10 ms; input_factor = ${readoutFactor} }
  x -> h : dense { w ~ normal(0, 0.8) }
  h -> h : dense { w ~ normal(0, 0.4); no_self }
  h -> o : dense { w ~ normal(0, 0.5) }
}`;

describe('BPTT', () => {
  it('property: equals e-prop with symmetric feedback when the recurrent and reset paths are cut', () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat({ max: 1e6 }), model: fc.constantFrom('LIF', 'ALIF'), factor: fc.constantFrom('none', 'one_minus_alpha'), inc: fc.constantFrom('spike', 'one_minus_rho'), T: fc.integer({ min: 1, max: 40 }) }),
      ({ seed, model, factor, inc, T }) => {
        const neuron = `input_factor = ${factor}${model === 'ALIF' ? `; tau_a = 50 ms; beta = 0.5; adaptation_increment = ${inc}` : ''}`;
        const { inst, dyn, dt } = build(net(model, neuron), seed);
        const rng = MT19937.legacy(seed + 7);
        const x = Float64Array.from({ length: T * 3 }, () => (rng.random() < 0.3 ? 1 : 0));
        const target = Float64Array.from({ length: T * 2 }, () => rng.randn());
        const rate = Float64Array.from({ length: 4 }, () => rng.randn() * 0.1);
        const trace = simulate(inst, dyn, x, true);
        const { err } = lossAndError({ kind: 'mse', reduce: 'sum' }, trace.y, T, 2, { target }, dt);
        const ge = zeroGradients(inst);
        accumulateEprop(inst, dyn, x, trace, err, inst.recOut.w, rate, ge);
        const gb = zeroGradients(inst);
        accumulateBptt(inst, dyn, dt, x, trace, err, rate, gb, zeroIntrinsic(inst), { stopReset: true, stopRecurrent: true });
        for (const k of ['inRec', 'recRec', 'recOut', 'biasOut'] as const) ge[k].forEach((v, i) => expect(gb[k][i]!).toBeCloseTo(v, 9));
      },
    ), { numRuns: 60 });
  });

  it('property: readout weights, biases and time constants equal central finite differences', () => {
    fc.assert(fc.property(
      fc.record({ seed: fc.nat({ max: 1e6 }), model: fc.constantFrom('LIF', 'ALIF'), factor: fc.constantFrom('none', 'one_minus_kappa'), T: fc.integer({ min: 1, max: 60 }) }),
      ({ seed, model, factor, T }) => {
        const neuron = model === 'ALIF' ? 'tau_a = 50 ms; beta = 0.5; reset = subtract(threshold = adaptive)' : '';
        const { inst, dt } = build(net(model, neuron, factor), seed);
        const rng = MT19937.legacy(seed + 1);
        const x = Float64Array.from({ length: T * 3 }, () => (rng.random() < 0.3 ? 1 : 0));
        const target = Float64Array.from({ length: T * 2 }, () => rng.randn());
        // The readout is smooth in its own parameters: spikes do not depend on them.
        const lossOf = () => lossAndError({ kind: 'mse', reduce: 'sum' }, simulate(inst, dynamics(inst, dt), x).y, T, 2, { target }, dt).loss;
        const trace = simulate(inst, dynamics(inst, dt), x, true);
        const { err } = lossAndError({ kind: 'mse', reduce: 'sum' }, trace.y, T, 2, { target }, dt);
        const g = zeroGradients(inst);
        const gi = zeroIntrinsic(inst);
        accumulateBptt(inst, dynamics(inst, dt), dt, x, trace, err, new Float64Array(4), g, gi);
        const fd = (arr: Float64Array, at: number, h: number) => {
          const w0 = arr[at]!;
          arr[at] = w0 + h; const up = lossOf();
          arr[at] = w0 - h; const down = lossOf();
          arr[at] = w0;
          return (up - down) / (2 * h);
        };
        // Central differences of a smooth function: error O(h²·f''') plus rounding O(ε·f/h);
        // relative 1e-5 of the gradient's scale holds for both at these steps.
        const close = (a: number, b: number, scale: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(scale)));
        for (let at = 0; at < inst.recOut.w.length; at++) close(g.recOut[at]!, fd(inst.recOut.w, at, 1e-6), g.recOut[at]!);
        for (let k = 0; k < 2; k++) close(g.biasOut[k]!, fd(inst.biasOut, k, 1e-6), g.biasOut[k]!);
        for (let k = 0; k < 2; k++) close(gi.tauOut[k]! / 1000, fd(inst.tauOut, k, 1e-8) / 1000, gi.tauOut[k]! / 1000);
      },
    ), { numRuns: 25 });
  });
});
