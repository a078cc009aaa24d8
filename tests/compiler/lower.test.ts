import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import type { TrainIR } from '../../src/ir/training.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

function train(file: string): TrainIR {
  const path = join(EXAMPLES, file);
  const r = checkPaths([path]);
  expect(r.diagnostics).toEqual([]);
  const program = r.programs.get(path)!;
  const run = program.runs.find((x) => x.keyword === 'train')!;
  return lowerTrain(program, run);
}

describe('lowering to the network IR', () => {
  it('lowers the pattern-generation example with SI units and its conventions', () => {
    const t = train('pattern-generation.snn');
    expect(t.network.dt).toBeCloseTo(1e-3, 15);
    const rec = t.network.populations.find((p) => p.name === 'rec')!;
    expect(rec.role).toBe('population');
    if (rec.role !== 'population') return;
    expect(rec.params.tauM).toEqual({ kind: 'constant', value: 0.03 });
    expect(rec.params.inputFactor).toBe('one_minus_alpha');
    expect(rec.params.surrogate).toEqual({ kind: 'piecewise_linear', gamma: 0.3, beta: 1 });
    expect(t.network.projections.map((p) => [p.source.name, p.target.name, p.conn, p.noSelf])).toEqual([['in', 'rec', 'dense', false], ['rec', 'rec', 'dense', true], ['rec', 'out', 'dense', false]]);
    expect(t.network.projections[2]!.w).toMatchObject({ kind: 'file', shape: [100, 1] });
    expect(t.learn).toMatchObject({ kind: 'eprop', loss: { kind: 'mse', reduce: 'sum' }, optimizer: { kind: 'sgd', lr: 1e-4 }, regularizer: { kind: 'rate', target: 10, strength: 300 } });
    expect(t.task).toMatchObject({ kind: 'pattern_generation', duration: 1, channels: 100, rate: 50, freqs: [1, 2, 3, 5] });
    expect(t).toMatchObject({ iterations: 2000, batch: 1, seed: 1, core: 'pcm256' });
  });
  it('lowers groups, refractory steps and ALIF parameters of the evidence example', () => {
    const t = train('evidence-accumulation.snn');
    expect(t.network.groups).toEqual({ rec: ['lif', 'alif'] });
    const alif = t.network.populations.find((p) => p.name === 'alif')!;
    if (alif.role !== 'population') throw new Error('alif');
    expect(alif.params.refractorySteps).toBe(5);
    expect(alif.params.beta).toMatchObject({ kind: 'constant' });
    expect((alif.params.beta as { value: number }).value).toBeCloseTo(0.017424, 5);
    expect(t.learn.loss).toEqual({ kind: 'cross_entropy', window: 0.15 });
  });
  it('lowers per-neuron distributions and trainable intrinsic parameters (SRNN)', () => {
    const t = train('srnn-adaptive.snn');
    const h = t.network.populations.find((p) => p.name === 'h')!;
    if (h.role !== 'population') throw new Error('h');
    expect(h.params.tauM).toEqual({ kind: 'normal', mean: 0.02, std: 0.005 });
    expect(h.params.trainable).toEqual(['tau_m', 'tau_a']);
    expect(h.params.reset).toEqual({ kind: 'subtract', threshold: 'adaptive' });
    expect(t.learn.kind).toBe('bptt');
  });
});
