// Shape checks read the headers of real .npy files next to the .snn file.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../../src/data/npy.ts';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { tempDir } from '../helpers.ts';

function project(files: Record<string, string | Uint8Array>): string {
  const dir = tempDir('phasecore-snn-');
  for (const [k, v] of Object.entries(files)) writeFileSync(join(dir, k), v);
  return dir;
}
const npy = (shape: number[]) => encodeNpy('float32', shape, new Float32Array(shape.reduce((a, b) => a * b, 1)));
const net = (w: string, extra = '') => `network n {\n  input i[3]\n  population p[5] : LIF { ${extra} }\n  readout o[2] : LI\n  i -> p : dense { w = load("${w}") }\n  p -> o : dense\n}\n`;

function codes(dir: string) {
  const r = checkPaths([join(dir, 'main.snn')]);
  return r.diagnostics.map((d) => [d.code, r.sources.get(d.file)!.text.slice(d.span.start, d.span.end), d.message]);
}

describe('.npy shapes', () => {
  it('accepts weights of shape (source, target)', () => {
    expect(codes(project({ 'main.snn': net('w.npy'), 'w.npy': npy([3, 5]) }))).toEqual([]);
  });
  it('reports transposed weights with both shapes', () => {
    const c = codes(project({ 'main.snn': net('w.npy'), 'w.npy': npy([5, 3]) }));
    expect(c).toHaveLength(1);
    expect(c[0]![0]).toBe('SNN4001');
    expect(c[0]![1]).toBe('w = load("w.npy")');
    expect(c[0]![2]).toContain('need shape (3, 5) (source, target); the file has shape (5, 3)');
  });
  it('reports a missing file and a non-npy file at the path', () => {
    expect(codes(project({ 'main.snn': net('nope.npy') }))[0]?.slice(0, 2)).toEqual(['SNN4002', '"nope.npy"']);
    expect(codes(project({ 'main.snn': net('w.npy'), 'w.npy': 'not numpy' }))[0]?.[2]).toMatch(/magic/);
  });
  it('refuses NaN or infinity in any loaded array, naming the element (issue 7)', () => {
    const w = new Float32Array(15); w[7] = Number.NaN;
    const c = codes(project({ 'main.snn': net('w.npy'), 'w.npy': encodeNpy('float32', [3, 5], w) }));
    expect(c).toEqual([['SNN4018', '"w.npy"', '"w.npy" holds NaN at element 7 (index 1, 2); every value of a loaded array must be a finite number.']]);
    const tau = new Float64Array(5).fill(0.02); tau[4] = Number.POSITIVE_INFINITY;
    const d = codes(project({ 'main.snn': net('w.npy', 'tau_m = load("tau.npy")'), 'w.npy': npy([3, 5]), 'tau.npy': encodeNpy('float64', [5], tau) }));
    expect(d.map((x) => x.slice(0, 2))).toEqual([['SNN4018', '"tau.npy"']]);
    expect(d[0]![2]).toContain('holds Infinity at element 4 (index 4)');
  });
  it('checks per-neuron parameters against the population size', () => {
    const c = codes(project({ 'main.snn': net('w.npy', 'tau_m = load("tau.npy")'), 'w.npy': npy([3, 5]), 'tau.npy': npy([4]) }));
    expect(c.map((x) => x[0])).toEqual(['SNN4001']);
    expect(c[0]![2]).toContain('shape (5,)');
  });
  it('checks npy task data against each other and against the network', () => {
    const main = `${net('w.npy')}learn l : eprop { loss = cross_entropy }\ntask d : npy { inputs = load("x.npy"); labels = load("y.npy") }\ntrain { network = n; learn = l; task = d }\n`;
    expect(codes(project({ 'main.snn': main, 'w.npy': npy([3, 5]), 'x.npy': npy([10, 50, 3]), 'y.npy': npy([10]) }))).toEqual([]);
    const wrongLabels = codes(project({ 'main.snn': main, 'w.npy': npy([3, 5]), 'x.npy': npy([10, 50, 3]), 'y.npy': npy([9]) }));
    expect(wrongLabels.map((x) => x[0])).toEqual(['SNN4001']);
    const wrongChannels = codes(project({ 'main.snn': main, 'w.npy': npy([3, 5]), 'x.npy': npy([10, 50, 4]), 'y.npy': npy([10]) }));
    expect(wrongChannels.map((x) => [x[0], x[1]])).toEqual([['SNN4010', 'task = d']]);
  });
  it('holds npy labels to whole classes of the readouts, and the loss to the task', () => {
    const main = (loss: string) => `${net('w.npy')}learn l : eprop { loss = ${loss} }\ntask d : npy { inputs = load("x.npy"); labels = load("y.npy") }\ntrain { network = n; learn = l; task = d }\n`;
    const labels = (v: number[]) => encodeNpy('float64', [v.length], Float64Array.from(v));
    const files = (y: Uint8Array, loss = 'cross_entropy') => ({ 'main.snn': main(loss), 'w.npy': npy([3, 5]), 'x.npy': npy([3, 50, 3]), 'y.npy': y });
    expect(codes(project(files(labels([0, 1, 1]))))).toEqual([]);
    const half = codes(project(files(labels([0, 0.5, 1]))));
    expect(half.map((x) => [x[0], x[1]])).toEqual([['SNN3004', 'task = d']]);
    expect(half[0]![2]).toMatch(/whole numbers from 0 to 1 .* holds 0\.5/);
    expect(codes(project(files(labels([0, 2, 1])))).map((x) => x[0])).toEqual(['SNN3004']);
    const mse = codes(project(files(labels([0, 1, 1]), 'mse')));
    expect(mse.map((x) => [x[0], x[1]])).toEqual([['SNN4010', 'learn = l']]);
  });
  it('holds per-neuron values from a file to the parameter\'s range, in SI units', () => {
    const vals = (v: number[]) => encodeNpy('float64', [v.length], Float64Array.from(v));
    const withTau = (t: Uint8Array) => codes(project({ 'main.snn': net('w.npy', 'tau_m = load("tau.npy")'), 'w.npy': npy([3, 5]), 'tau.npy': t }));
    expect(withTau(vals([0.02, 0.03, 0.02, 0.025, 0.01]))).toEqual([]);
    const neg = withTau(vals([0.02, -0.03, 0.02, 0.025, 0.01]));
    expect(neg.map((x) => [x[0], x[1]])).toEqual([['SNN3004', 'tau_m = load("tau.npy")']]);
    expect(neg[0]![2]).toMatch(/greater than 0 \(seconds/);
    expect(withTau(vals([20, 30, 20, 25, 10])).map((x) => x[0])).toEqual(['SNN3010']);
  });
  it('checks a loaded feedback matrix against the trained network', () => {
    const main = (b: string) => `${net('w.npy')}learn l : eprop { loss = cross_entropy; feedback = random { B = load("${b}") } }\ntask t : delayed_xor { channels_per_group = 1 }\ntrain { network = n; learn = l; task = t }\n`;
    const base = { 'w.npy': npy([3, 5]) };
    expect(codes(project({ 'main.snn': main('b.npy'), ...base, 'b.npy': npy([5, 2]) })).map((x) => x[0])).toEqual(['SNN4010']);
    const wrong = codes(project({ 'main.snn': main('b.npy'), ...base, 'b.npy': npy([2, 5]) }));
    expect(wrong.map((x) => [x[0], x[1]])).toContainEqual(['SNN4001', 'learn = l']);
  });
});
