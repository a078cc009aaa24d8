// The generators against the published recipes' checksums (research/algorithms.md §3.2, §3.3):
// the same numpy.random.RandomState(1) draws give the same inputs and targets.
import { describe, expect, it } from 'vitest';
import { MT19937 } from '../../src/data/random.ts';
import { taskData } from '../../src/tasks/generate.ts';

describe('task generators', () => {
  it('pattern generation reproduces the NEST/TF regression recipe (seed 1)', () => {
    const rng = MT19937.legacy(1);
    for (let i = 0; i < 100 * 100 * 2 + 100 + 100; i++) rng.randn(); // W_in, W_rec, W_out, B
    const task = taskData({ kind: 'pattern_generation', duration: 1, channels: 100, rate: 50, freqs: [1, 2, 3, 5], amplitude: [0.5, 2], outputs: 1, patterns: 1 }, 1e-3);
    const [s] = task.batch(1, rng);
    expect(s!.T).toBe(1000);
    expect(s!.x.reduce((a, b) => a + b, 0)).toBe(5053);
    expect(s!.target![0]).toBe(0);
    expect(s!.target![1]).toBeCloseTo(0.01104993, 8);
    expect(s!.target![2]).toBeCloseTo(0.02239865, 8);
    // Frozen: the next batch is the same sequence.
    expect(task.batch(1, rng)[0]).toBe(s);
  });

  it('evidence accumulation reproduces the NEST/TF classification recipe (seed 1)', () => {
    const rng = MT19937.legacy(1);
    for (let i = 0; i < 40 * 100 + 100 * 100; i++) rng.randn(); // W_in, W_rec
    const L = Math.sqrt(3 / 51);
    for (let i = 0; i < 200; i++) rng.uniform(-L, L); // W_out
    for (let i = 0; i < 200; i++) rng.randn(); // B
    const task = taskData({ kind: 'evidence_accumulation', cues: 7, cueDuration: 0.1, cueSpacing: 0.05, onset: 0.05, delay: 1, recallDuration: 0.15, rate: 40, backgroundRate: 10, channelsPerGroup: 10, majority: 0.7 }, 1e-3);
    expect(task.T).toBe(2250);
    const [s] = task.batch(1, rng);
    expect(s!.label).toBe(1);
    const cues: number[] = [];
    for (let k = 0; k < 7; k++) {
      let left = 0; let right = 0;
      for (let t = 50 + 150 * k; t < 150 + 150 * k; t++) for (let c = 0; c < 10; c++) { left += s!.x[t * 40 + c]!; right += s!.x[t * 40 + 10 + c]!; }
      expect(left === 0 || right === 0).toBe(true);
      cues.push(right > 0 ? 1 : 0);
    }
    expect(cues).toEqual([0, 0, 1, 1, 0, 1, 1]);
  });

  it('delayed XOR and store-recall label what their inputs show', () => {
    const rng = MT19937.legacy(5);
    const xor = taskData({ kind: 'delayed_xor', cueDuration: 0.1, delay: 0.2, responseDelay: 0.1, responseDuration: 0.1, rate: 200, channelsPerGroup: 5 }, 1e-3);
    for (const s of xor.batch(20, rng)) {
      const groupSpikes = (g: number, t0: number, t1: number) => { let n = 0; for (let t = t0; t < t1; t++) for (let c = 0; c < 5; c++) n += s.x[t * 25 + g * 5 + c]!; return n; };
      const a = groupSpikes(1, 0, 100) > 0 ? 1 : 0;
      const b = groupSpikes(3, 300, 400) > 0 ? 1 : 0;
      expect(s.label).toBe(a ^ b);
    }
    const sr = taskData({ kind: 'store_recall', steps: 6, stepDuration: 0.05, storeProbability: 0.3, recallProbability: 0.3, rate: 400, channelsPerGroup: 4 }, 1e-3);
    expect(sr.batch(10, rng).every((s) => s.label === 0 || s.label === 1)).toBe(true);
  });
});
