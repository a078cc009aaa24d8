// Semantic options of the reference, each held to what it means rather than to its code: the
// threshold test at equality, the pseudo-derivative while refractory, the MSE's reduction, the
// rate regulariser's batch mode, adaptive feedback's Kolen–Pollack decay, and .npy data order.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNetwork } from './build.ts';
import { checkText, tempDir } from '../helpers.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import { simulate } from '../../src/reference/simulate.ts';
import { lossAndError } from '../../src/reference/loss.ts';
import { trainReference } from '../../src/reference/train.ts';
import { taskData } from '../../src/tasks/generate.ts';
import { encodeNpy } from '../../src/data/npy.ts';
import { MT19937, stream } from '../../src/data/random.ts';
import { drawFeedback, instantiate } from '../../src/ir/instantiate.ts';
import type { TrainIR } from '../../src/ir/training.ts';

/** One input driving one neuron with weight exactly v_th: v reaches the threshold exactly at step 0. */
const equality = (test: string, extra = '') => `
network n {
  input x[1]
  population h[1] : LIF { tau_m = 20 ms; v_th = 0.5; threshold_test = ${test}; ${extra} }
  readout o[1] : LI
  x -> h : dense { w = 0.5 }
  h -> o : dense
}`;

function trainIR(src: string): TrainIR {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const program = [...r.programs.values()][0]!;
  return lowerTrain(program, program.runs[0]!);
}

describe('reference options', () => {
  it('threshold_test: gt does not spike at v = v_th, ge does', () => {
    const x = Float64Array.from([1, 0, 0]);
    const gt = buildNetwork(equality('gt'), 0);
    const ge = buildNetwork(equality('ge'), 0);
    expect(Array.from(simulate(gt.inst, gt.dyn, x).z)).toEqual([0, 0, 0]);
    expect(Array.from(simulate(ge.inst, ge.dyn, x).z)).toEqual([1, 0, 0]);
  });

  it('surrogate_when_refractory: ψ is 0 during the refractory steps, or computed as usual', () => {
    // A spike at step 0, reset to 0.45, then 3 refractory steps (4 ms at dt = 1 ms) with v leaking just below threshold.
    const x = Float64Array.from([1, 0, 0, 0, 0, 0]);
    const run = (mode: string) => {
      const b = buildNetwork(equality('ge', `refractory = 4 ms; reset = to(0.45); reset_timing = same_step; surrogate_when_refractory = ${mode}`), 0);
      return simulate(b.inst, b.dyn, x);
    };
    const zero = run('zero');
    const active = run('active');
    expect(Array.from(zero.z)).toEqual(Array.from(active.z));
    expect(zero.z[0]).toBe(1);
    for (const t of [1, 2, 3]) {
      expect(zero.psi[t]).toBe(0);
      expect(active.psi[t]).toBeGreaterThan(0);
    }
    expect(zero.psi[0]).toBe(active.psi[0]);
  });

  it('mse(reduce = mean) is the sum divided by the number of steps, loss and error alike', () => {
    const T = 7;
    const rng = MT19937.legacy(3);
    const y = Float64Array.from({ length: T * 2 }, () => rng.randn());
    const target = Float64Array.from({ length: T * 2 }, () => rng.randn());
    const sum = lossAndError({ kind: 'mse', reduce: 'sum' }, y, T, 2, { target }, 1e-3);
    const mean = lossAndError({ kind: 'mse', reduce: 'mean' }, y, T, 2, { target }, 1e-3);
    expect(mean.loss).toBeCloseTo(sum.loss / T, 14);
    mean.err.forEach((e, i) => expect(e).toBeCloseTo(sum.err[i]! / T, 14));
  });

  // Evidence accumulation: every sample differs (pattern generation repeats its frozen pattern).
  const SMALL = (reg: string, feedback = 'random { B ~ normal(0, 1) }', iterations = 1, batch = 4) => `
network n {
  input x[8]
  population h[12] : LIF { v_th = 0.05 }
  readout o[2] : LI
  x -> h : dense { w ~ normal(0, 0.5) }
  h -> h : dense { w ~ normal(0, 0.3); no_self }
  h -> o : dense { w ~ normal(0, 0.3) }
}
learn l : eprop { feedback = ${feedback}; loss = cross_entropy; optimizer = sgd(lr = 1e-3); ${reg} }
task t : evidence_accumulation { cues = 3; cue_duration = 10 ms; cue_spacing = 5 ms; delay = 20 ms; recall_duration = 10 ms; channels_per_group = 2; rate = 100 Hz }
train { network = n; learn = l; task = t; iterations = ${iterations}; batch = ${batch}; seed = 5 }
`;

  it('rate regulariser: batch_mean and per_sequence agree on one-sample batches and differ on larger ones', () => {
    const w = (mode: string, batch: number) => trainReference(trainIR(SMALL(`regularizer = rate(target = 5 Hz, strength = 50, mode = ${mode})`, undefined, 1, batch))).instance.inRec.w;
    expect(Array.from(w('batch_mean', 1))).toEqual(Array.from(w('per_sequence', 1)));
    const a = w('batch_mean', 4);
    const b = w('per_sequence', 4);
    expect(a.some((v, i) => v !== b[i])).toBe(true);
  });

  it('adaptive feedback: B − W_out decays by (1 − decay) per update (Kolen–Pollack), since both get the same step', () => {
    const n = 5;
    const decay = 0.1;
    const ir = trainIR(SMALL('', `adaptive { B ~ normal(0, 1); decay = ${decay} }`, n, 2));
    // B and W_out before training: drawn as the trainer draws them (weights, then B, from the init stream).
    const rng = stream(ir.seed, 'init');
    const inst0 = instantiate(ir.network, rng);
    const fb = ir.learn.feedback;
    if (fb.kind !== 'adaptive') throw new Error('expected adaptive feedback');
    const B0 = drawFeedback(fb.B, inst0.layout, rng);
    const res = trainReference(ir);
    const diff0 = B0.map((b, i) => b - inst0.recOut.w[i]!);
    const diffN = res.feedback.map((b, i) => b - res.instance.recOut.w[i]!);
    // Exact but for rounding: each of the n steps rounds B and W once (a few ulps of their size).
    diffN.forEach((d, i) => {
      const size = Math.max(1, Math.abs(res.feedback[i]!), Math.abs(res.instance.recOut.w[i]!), Math.abs(B0[i]!));
      expect(Math.abs(d - diff0[i]! * (1 - decay) ** n)).toBeLessThanOrEqual(8 * n * Number.EPSILON * size);
    });
    expect(Math.max(...diff0.map(Math.abs))).toBeGreaterThan(0.1);
  });

  it('npy datasets are consumed in file order, batch by batch, or shuffled once per epoch', () => {
    const dir = tempDir();
    const S = 5; const T = 2; const C = 1;
    writeFileSync(join(dir, 'x.npy'), encodeNpy('float64', [S, T, C], Float64Array.from({ length: S * T * C }, (_, i) => Math.floor(i / (T * C)))));
    writeFileSync(join(dir, 'y.npy'), encodeNpy('float64', [S], Float64Array.from([0, 1, 0, 1, 0])));
    const ids = (shuffle: boolean, draws: number[]) => {
      const data = taskData({ kind: 'npy', inputs: join(dir, 'x.npy'), targets: null, labels: join(dir, 'y.npy'), shuffle, validation: null }, 1e-3);
      const rng = MT19937.legacy(1);
      return draws.map((n) => data.batch(n, rng).map((s) => s.x[0]!));
    };
    expect(ids(false, [2, 2, 2, 4])).toEqual([[0, 1], [2, 3], [4, 0], [1, 2, 3, 4]]);
    const shuffled = ids(true, [5, 5]);
    for (const epoch of shuffled) expect([...epoch].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(shuffled[0]).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('an npy task\'s held-out set: validation runs all of it, in file order, every n-th iteration; its shape is checked', () => {
    const dir = tempDir();
    const S = 6; const V = 4; const T = 20; const C = 8;
    const rng = MT19937.legacy(9);
    const spikes = (n: number) => Float64Array.from({ length: n * T * C }, () => (rng.random() < 0.3 ? 1 : 0));
    writeFileSync(join(dir, 'x.npy'), encodeNpy('float64', [S, T, C], spikes(S)));
    writeFileSync(join(dir, 'y.npy'), encodeNpy('float64', [S], Float64Array.from([0, 1, 0, 1, 1, 0])));
    writeFileSync(join(dir, 'vx.npy'), encodeNpy('float64', [V, T, C], spikes(V)));
    const labels = Float64Array.from([1, 0, 0, 1]);
    writeFileSync(join(dir, 'vy.npy'), encodeNpy('float64', [V], labels));
    writeFileSync(join(dir, 'vflip.npy'), encodeNpy('float64', [V], labels.map((l) => 1 - l)));
    writeFileSync(join(dir, 'vbad.npy'), encodeNpy('float64', [V, T, C + 1], new Float64Array(V * T * (C + 1))));
    const src = (vx: string, vy: string) => `
network n {
  input x[${C}]
  population h[12] : LIF { v_th = 0.05 }
  readout o[2] : LI
  x -> h : dense { w ~ normal(0, 0.5) }
  h -> h : dense { w ~ normal(0, 0.3); no_self }
  h -> o : dense { w ~ normal(0, 0.3) }
}
learn l : eprop { loss = cross_entropy; optimizer = sgd(lr = 1e-2) }
task t : npy { inputs = load("${join(dir, 'x.npy')}"); labels = load("${join(dir, 'y.npy')}"); validation_inputs = load("${join(dir, vx)}"); validation_labels = load("${join(dir, vy)}") }
train { network = n; learn = l; task = t; iterations = 3; batch = 2; validate_every = 2; seed = 3 }
`;
    const its = trainReference(trainIR(src('vx.npy', 'vy.npy'))).iterations;
    expect(its.map((m) => m.validation_error !== undefined)).toEqual([false, true, true]);
    // The same run scored against the opposite labels: every held-out sample flips between right and wrong.
    const flipped = trainReference(trainIR(src('vx.npy', 'vflip.npy'))).iterations;
    for (const k of [1, 2]) expect(flipped[k]!.validation_error).toBeCloseTo(1 - its[k]!.validation_error!, 12);
    const bad = checkText(src('vbad.npy', 'vy.npy'));
    expect(bad.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([expect.stringMatching(/validation_inputs must have shape \(samples, 20, 8\)/)]);
  });
});
