// The two knobs issue 10's acceptance sweeps turn: the core's weight precision (`weight_bits`:
// Bohnstingl et al.'s 4 bits) and the test after training with the core left to drift
// (`test_after`, learning off), and the frozen core that test runs on.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli, SMALL_NETWORK, tempDir } from '../helpers.ts';
import { weightOnGrid } from '../../src/runtime/program.ts';
import { decodeNpy } from '../../src/data/npy.ts';

const npy = (path: string): Float64Array => { const r = decodeNpy(readFileSync(path)); if (!r.ok) throw new Error(r.reason); return r.array.data; };
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const run = runCli;

const file = (core: string, update: string): string => {
  const dir = tempDir('phasecore-precision-');
  const path = join(dir, 'n.snn');
  writeFileSync(path, `
import "${join(ROOT, 'examples', 'cores', 'pcm256.snn')}"
${core}
${SMALL_NETWORK}
learn l : eprop { feedback = random { B ~ normal(0, 1) }; optimizer = sgd(lr = 3e-2); update = ${update} }
task s : pattern_generation { duration = 60 ms; channels = 10 }
train { network = n; core = chip; learn = l; task = s; iterations = 3 }
`);
  return path;
};

describe('weight_bits', () => {
  it('rounds to 2^b − 1 evenly spaced values in ±maxW, half away from zero', () => {
    expect([-1, -0.5, -0.2, 0, 0.16, 0.17, 0.5, 0.9, 2].map((w) => weightOnGrid(w, 3, 1))).toEqual([-1, -2 / 3, -1 / 3, 0, 0, 1 / 3, 2 / 3, 1, 1]);
    expect(weightOnGrid(0.1234, 0, 1)).toBe(0.1234);
    fc.assert(fc.property(fc.integer({ min: 2, max: 16 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (b, w, maxW) => {
      const steps = 2 ** (b - 1) - 1;
      const q = weightOnGrid(w * maxW, b, maxW);
      const k = (q / maxW) * steps;
      // On the grid, within the range, and within half a step of the weight where it is in range.
      return Math.abs(k - Math.round(k)) < 1e-9 && Math.abs(q) <= maxW * (1 + 1e-12)
        && (Math.abs(w) > 1 || Math.abs(q - w * maxW) <= maxW / steps / 2 * (1 + 1e-9));
    }));
  });

  it('keeps the weights a core trains with program_verify on its grid, initial and trained', async () => {
    // An ideal device is programmed exactly (no pulses counted): a verify tolerance below its level.
    const verify = 'program_verify(epsilon = 0, tolerance = 0.01 uS)';
    const path = file('core chip : pcm256 { device = ideal(levels = 256, g_max = 12 uS); weight_bits = 3 bit }', verify);
    const out = join(path, '..', 'out');
    const r = await run('train', path, '--backend', 'core', '--out', out, '--json', '--quiet');
    expect(r.code, r.err + r.out).toBe(0);
    const j = JSON.parse(r.out) as { final: { counters: { verify_attempts: number } } };
    expect(j.final.counters.verify_attempts).toBeGreaterThan(0); // weights were rewritten
    // 255 levels hold the 3-bit grid {0, ±1/3, ±2/3, ±1} exactly.
    const weights = readdirSync(out).filter((n) => n.startsWith('w_') && n.endsWith('.npy'));
    expect(weights.length).toBe(3);
    let moved = 0;
    for (const n of weights) {
      const w = npy(join(out, n));
      for (const x of w) {
        expect(Math.abs(x * 3 - Math.round(x * 3))).toBeLessThan(1e-9);
        if (x !== 0) moved++;
      }
    }
    expect(moved).toBeGreaterThan(0);
    // Without weight_bits the same training leaves weights off that grid.
    const fine = file('core chip : pcm256 { device = ideal(levels = 256, g_max = 12 uS) }', verify);
    const out2 = join(fine, '..', 'out');
    expect((await run('train', fine, '--backend', 'core', '--out', out2, '--quiet')).code).toBe(0);
    const w2 = npy(join(out2, 'w_rec_rec.npy'));
    expect([...w2].some((x) => Math.abs(x * 3 - Math.round(x * 3)) > 1e-6)).toBe(true);
  }, 60_000);

  it('warns that a pulse-based update leaves the trained weights off the grid, and refuses 1 bit', async () => {
    const r = await run('train', file('core chip : pcm256 { weight_bits = 4 bit }', 'mixed_precision(epsilon = 0.125, pulse = 0.75 uS)'), '--backend', 'core', '--iterations', '1', '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/warning SNN5014: weight_bits = 4 bit rounds the weights the core programs .* update = mixed_precision moves them by pulses/);
    const bad = await run('check', file('core chip : pcm256 { weight_bits = 1 bit }', 'direct'));
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/weight_bits/);
  }, 60_000);
});

describe('test_after: the trained core tested after drift, learning off', () => {
  const test = async (path: string, t: string, backend = 'core') => {
    const r = await run('train', path, '--backend', backend, '--set', `train.test_after=${t}`, '--json', '--quiet');
    expect(r.code, r.err + r.out).toBe(0);
    return JSON.parse(r.out) as { iterations: unknown[]; final: { loss: number; test: { after_s: number; loss: number; samples: number }; counters?: Record<string, number> } };
  };
  it('sees drift on PCM, none on ideal devices or the float reference, and changes nothing about training', async () => {
    const pcm = file('core chip : pcm256 { }', 'mixed_precision(epsilon = 0.125, pulse = 0.75 uS)');
    const [now, day, month] = [await test(pcm, '0 s'), await test(pcm, '1 day'), await test(pcm, '30 day')];
    expect(day.final.test.after_s).toBe(86400);
    expect(now.final.test.samples).toBeGreaterThan(0);
    // Training and its counters are the same whatever the test's time (the test comes after them).
    expect(day.iterations).toEqual(now.iterations);
    expect(day.final.counters).toEqual(now.final.counters);
    // The devices drift: the test sees it.
    expect(day.final.test.loss).not.toBe(now.final.test.loss);
    expect(month.final.test.loss).not.toBe(day.final.test.loss);
    // Ideal devices do not drift: the same test at any time.
    const ideal = file('core chip : pcm256 { device = ideal(levels = 256, g_max = 12 uS) }', 'direct');
    expect((await test(ideal, '30 day')).final.test.loss).toBe((await test(ideal, '0 s')).final.test.loss);
    // Nor does the float reference.
    const ref0 = await test(pcm, '0 s', 'reference');
    const ref1 = await test(pcm, '30 day', 'reference');
    expect(ref1.final.test.loss).toBe(ref0.final.test.loss);
  }, 120_000);
});
