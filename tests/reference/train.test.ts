import { describe, expect, it } from 'vitest';
import { checkText } from '../helpers.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import { trainReference } from '../../src/reference/train.ts';
import type { TrainIR } from '../../src/ir/training.ts';
import { instantiate } from '../../src/ir/instantiate.ts';
import { stream } from '../../src/data/random.ts';
import { dynamics, simulate } from '../../src/reference/simulate.ts';
import { lossAndError } from '../../src/reference/loss.ts';
import { taskData } from '../../src/tasks/generate.ts';

const SRC = (seed: number, extra = '') => `
network n {
  input in[20]
  population rec[30] : LIF { tau_m = 30 ms; v_th = 0.03; input_factor = one_minus_alpha }
  readout out[1] : LI { tau = 30 ms; input_factor = one_minus_kappa }
  in -> rec : dense { w ~ normal(0, 1 / sqrt(20)) }
  rec -> rec : dense { w ~ normal(0, 1 / sqrt(30)); no_self }
  rec -> out : dense { w ~ normal(0, 0.1) }
}
learn l : eprop {
  feedback = random { B ~ normal(0, 1 / sqrt(30)) }
  ${extra || 'optimizer = sgd(lr = 1e-3)'}
  regularizer = rate(target = 10 Hz, strength = 300)
}
task s : pattern_generation { duration = 300 ms; channels = 20 }
train { network = n; learn = l; task = s; iterations = 40; seed = ${seed} }
`;

function ir(src: string): TrainIR {
  const r = checkText(src);
  expect(r.diagnostics).toEqual([]);
  const program = [...r.programs.values()][0]!;
  return lowerTrain(program, program.runs[0]!);
}

describe('reference training', () => {
  it.each(['eprop', 'bptt'])('trains a readout bias declared trainable (%s): one SGD step is −lr times the finite-difference gradient', (rule) => {
    const src = SRC(2).replace('readout out[1] : LI { tau = 30 ms; input_factor = one_minus_kappa }', 'readout out[1] : LI { tau = 30 ms; input_factor = one_minus_kappa; trainable = [bias] }')
      .replace('learn l : eprop {', `learn l : ${rule} {`).replace(/\n  feedback = random \{[^}]*\}/, rule === 'bptt' ? '' : '$&')
      .replace('regularizer = rate(target = 10 Hz, strength = 300)', '').replace('iterations = 40', 'iterations = 1');
    const t = ir(src);
    const lr = 1e-3;
    const after = trainReference(t).instance.biasOut[0]!;
    // The loss of the same sample as a function of the readout bias, from the untrained network.
    const sample = taskData(t.task, t.network.dt).batch(1, stream(t.seed, 'data'))[0]!;
    const lossAt = (b: number) => {
      const inst = instantiate(t.network, stream(t.seed, 'init'));
      inst.biasOut[0] = b;
      const tr = simulate(inst, dynamics(inst, t.network.dt), sample.x);
      return lossAndError(t.learn.loss, tr.y, tr.T, 1, sample, t.network.dt).loss;
    };
    const h = 1e-4;
    const fd = (lossAt(h) - lossAt(-h)) / (2 * h);
    expect(Math.abs(fd)).toBeGreaterThan(1e-3);
    expect(after).toBeCloseTo(-lr * fd, 8);
  });
  it('lowers the loss of a small pattern-generation network', () => {
    const res = trainReference(ir(SRC(1)));
    const first = res.iterations[0]!.loss;
    const last = res.iterations.at(-1)!.loss;
    expect(last).toBeLessThan(0.8 * first);
  });
  it('is bit-identical for the same seed, and differs for another', () => {
    const a = trainReference(ir(SRC(4)));
    const b = trainReference(ir(SRC(4)));
    const c = trainReference(ir(SRC(5)));
    expect(b.iterations).toEqual(a.iterations);
    expect(Buffer.from(b.instance.recRec.w.buffer).equals(Buffer.from(a.instance.recRec.w.buffer))).toBe(true);
    expect(c.iterations[0]!.loss).not.toBe(a.iterations[0]!.loss);
  });
  it('trains with Adam and a step schedule, and keeps masked synapses at zero', () => {
    const res = trainReference(ir(SRC(2, 'optimizer = adam(lr = 1e-3); schedule = step(every = 10, factor = 0.5)')));
    expect(res.iterations.at(-1)!.loss).toBeLessThan(res.iterations[0]!.loss);
    const n = res.instance.layout.nRec;
    for (let j = 0; j < n; j++) expect(res.instance.recRec.w[j * n + j]).toBe(0);
  });
  it('trains with BPTT, moving the intrinsic parameters a population lists and no others', () => {
    const src = `
network n {
  input in[20]
  population rec[16] : ALIF { tau_m ~ normal(20 ms, 2 ms); tau_a = 100 ms; beta = 0.2; v_th = 0.3; trainable = [tau_m, v_th] }
  readout out[1] : LI { tau = 20 ms; trainable = [tau] }
  in -> rec : dense { w ~ normal(0, 0.5) }
  rec -> rec : dense { w ~ normal(0, 0.2); no_self }
  rec -> out : dense { w ~ normal(0, 0.3) }
}
learn b : bptt { optimizer = adam(lr = 1e-2) }
task s : pattern_generation { duration = 200 ms; channels = 20 }
train { network = n; learn = b; task = s; iterations = 30; seed = 3 }
`;
    const t = ir(src);
    const before = trainReference({ ...t, iterations: 1 }).instance;
    const res = trainReference(t);
    expect(res.iterations.at(-1)!.loss).toBeLessThan(res.iterations[0]!.loss);
    const moved = (a: Float64Array, b: Float64Array) => a.some((v, i) => Math.abs(v - b[i]!) > 1e-9);
    expect(moved(res.instance.tauM, before.tauM)).toBe(true);
    expect(moved(res.instance.vTh, before.vTh)).toBe(true);
    expect(moved(res.instance.tauOut, before.tauOut)).toBe(true);
    expect(moved(res.instance.tauA, before.tauA)).toBe(false);
    expect(moved(res.instance.beta, before.beta)).toBe(false);
  });
});
