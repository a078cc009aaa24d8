// The weight-update schemes (src/runtime/update.ts, docs/core.md "The learning unit"), each against
// its definition: mixed precision never loses gradient mass; sign gives exactly one pulse above its
// threshold; stochastic fires with probability |ΔG|/prob_scale; multi spreads its pulses over the
// N devices of a side round-robin. Ideal devices whose level is a power-of-two fraction of the
// weight scale make a pulse an exact number of raw gradient units, so the accounting is exact.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileText } from './build.ts';
import { Core } from '../../src/runtime/core.ts';
import { DeviceModel } from '../../src/runtime/device.ts';
import { pulsesFor, type SchemeContext } from '../../src/runtime/update.ts';
import { stream } from '../../src/data/random.ts';
import type { Program } from '../../src/runtime/program.ts';

// levels = 17 over 12 µS: one level is 0.75 µS = 1/16 of the weight scale.
const source = (update: string, perSide = 1) => `
core c {
  tile = 16 x 16; tiles = 4; adc = 12 bit; adc_range = 16
  device = ideal(levels = 17, g_max = 12 uS, weight_scale = 12 uS, devices_per_side = ${perSide})
  gradient = saturate(s40.24)
}
network n {
  input i[4]
  population p[4] : LIF { v_th = 0.3; surrogate = piecewise_linear(gamma = 0.3) }
  readout o[1] : LI
  i -> p : dense { w ~ uniform(-0.25, 0.25) }
  p -> p : dense { no_self; w ~ uniform(-0.25, 0.25) }
  p -> o : dense { w ~ uniform(-0.25, 0.25) }
}
learn r : eprop { feedback = random; optimizer = sgd(lr = 1e-3); update = ${update} }
task t : pattern_generation { duration = 20 ms; channels = 4; outputs = 1 }
train { network = n; core = c; learn = r; task = t; iterations = 1; batch = 1; seed = 1 }
`;

function setup(update: string, perSide = 1): { program: Program; core: Core; k: number; cells: number[]; rawPerPulse: number; ctx: SchemeContext } {
  const { program } = compileText(source(update, perSide));
  const core = new Core(program, { seed: 3 });
  const k = core.learning.registers.findIndex((r) => r !== undefined);
  const regs = core.learning.registers[k]!;
  const cells = [...regs.mask.keys()].filter((c) => regs.mask[c] === 1);
  const G = program.core.registers.gradient;
  const L = program.learning!;
  const device = new DeviceModel(program.core.device, false);
  // One pulse: pulseLevels levels of 1/16 weight, in raw gradient units.
  const rawPerPulse = (L.pulseLevels * device.level / device.weightScale) * 2 ** G.frac;
  return { program, core, k, cells, rawPerPulse, ctx: { device, learning: L, unit: 2 ** -G.frac, perSide } };
}

/** Pulses each device of `cell`'s pair has had: [G⁺ devices..., G⁻ devices...]. */
const pulsesOf = (core: Core, k: number, cell: number, N: number) => Array.from(core.tiles[k]!.dev.count.subarray(cell * 2 * N, cell * 2 * N + 2 * N));

describe('mixed precision', () => {
  it('property: the register plus the transferred pulses × pulse size equals the sum of the gradients, exactly, in raw units', () => {
    const s = setup('mixed_precision(epsilon = 0.125, pulse = 0.75 uS)');
    const { core, k, cells, rawPerPulse } = s;
    expect(Number.isInteger(rawPerPulse)).toBe(true);
    const eps = s.ctx.learning.threshold;
    expect(eps).toBe(2 * rawPerPulse); // ε = 0.125 = two pulses of 1/16
    const regs = core.learning.registers[k]!;
    const step = fc.record({ cell: fc.nat({ max: cells.length - 1 }), g: fc.integer({ min: -5 * eps, max: 5 * eps }), write: fc.boolean() });
    let t = 0;
    fc.assert(fc.property(fc.array(step, { minLength: 1, maxLength: 60 }), (steps) => {
      const start = cells.map((c) => pulsesOf(core, k, c, 1));
      const delta0 = cells.map((c) => regs.delta[c]!);
      const sum = new Float64Array(cells.length);
      for (const x of steps) {
        const c = cells[x.cell]!;
        regs.delta[c] = regs.delta[c]! + x.g;
        sum[x.cell] = sum[x.cell]! + x.g;
        if (x.write) core.learning.write(k, (t += 1), () => {});
      }
      cells.forEach((c, i) => {
        const [p0, m0] = start[i]!; const [p1, m1] = pulsesOf(core, k, c, 1);
        const transferred = ((p1! - p0!) - (m1! - m0!)) * rawPerPulse;
        expect(regs.delta[c]! - delta0[i]! + transferred).toBe(sum[i]);
      });
    }), { numRuns: 200 });
  });
  it('keeps less than ε after a write, with the sign of what it kept', () => {
    const { core, k, cells, ctx } = setup('mixed_precision(epsilon = 0.125, pulse = 0.75 uS)');
    const regs = core.learning.registers[k]!;
    const eps = ctx.learning.threshold;
    const values = [0.3, -0.3, 2.7, -2.7, 0.99, -1.01].map((f) => Math.round(f * eps));
    values.forEach((v, i) => { regs.delta[cells[i]!] = v; });
    core.learning.write(k, 1, () => {});
    values.forEach((v, i) => { expect(regs.delta[cells[i]!]).toBe(v - Math.trunc(v / eps) * eps); });
  });
});

describe('sign', () => {
  it('property: exactly one pulse when |Δ| exceeds the threshold, none otherwise, and the register cleared', () => {
    const { ctx, core, k, cells } = setup('sign(threshold = 1.0)');
    const th = ctx.learning.threshold;
    expect(th).toBeGreaterThan(0);
    const rng = stream(1, 'learning');
    fc.assert(fc.property(fc.integer({ min: -20 * th, max: 20 * th }), (d) => {
      expect(pulsesFor(ctx, d, 0, rng)).toEqual({ n: Math.abs(d) > th ? 1 : 0, keep: 0 });
    }), { numRuns: 500 });
    // Through the unit: one pulse on the side of Δ's sign, the register cleared.
    const regs = core.learning.registers[k]!;
    regs.delta[cells[0]!] = 50 * th; regs.delta[cells[1]!] = -50 * th; regs.delta[cells[2]!] = th;
    const before = [0, 1, 2].map((i) => pulsesOf(core, k, cells[i]!, 1));
    core.learning.write(k, 1, () => {});
    const after = [0, 1, 2].map((i) => pulsesOf(core, k, cells[i]!, 1));
    expect(after.map((a, i) => [a[0]! - before[i]![0]!, a[1]! - before[i]![1]!])).toEqual([[1, 0], [0, 1], [0, 0]]);
    expect([0, 1, 2].map((i) => regs.delta[cells[i]!])).toEqual([0, 0, 0]);
  });
});

describe('stochastic', () => {
  it('fires with probability |ΔG|/prob_scale: the pulse count of 40 000 draws lies within 5 σ of its expectation', () => {
    const { ctx } = setup('stochastic(prob_scale = 1.5 uS)');
    const rng = stream(11, 'learning');
    const unitUS = ctx.unit * ctx.device.weightScale; // µS per raw unit
    for (const dG of [0.05, 0.3, 0.75, 1.2]) {
      const d = Math.round(dG / unitUS);
      const p = (d * unitUS) / 1.5;
      const n = 40_000;
      let pulses = 0;
      for (let i = 0; i < n; i++) pulses += pulsesFor(ctx, i % 2 === 0 ? d : -d, 0, rng).n;
      const sd = Math.sqrt(n * p * (1 - p));
      expect(Math.abs(pulses - n * p), `ΔG = ${dG} µS`).toBeLessThan(5 * sd);
    }
    // |ΔG| ≥ prob_scale: always one pulse.
    expect(pulsesFor(ctx, Math.round(2 / unitUS), 0, rng).n).toBe(1);
    expect(pulsesFor(ctx, 0, 0, rng).n).toBe(0);
  });
});

describe('multi-memristive', () => {
  it('spreads a side\'s pulses over its N devices round-robin: after P pulses each has ⌊P/N⌋ or ⌈P/N⌉, the first P mod N one more', () => {
    const N = 4;
    const { core, k, cells, ctx } = setup(`multi(n = ${N})`, N);
    const regs = core.learning.registers[k]!;
    const cell = cells[0]!;
    // One pulse's raw units: 0.75 µS / N on PCM; on these ideal devices it cannot be less than a level.
    const per = (ctx.device.level * ctx.learning.pulseLevels) / (ctx.unit * ctx.device.weightScale);
    const start = pulsesOf(core, k, cell, N);
    let P = 0;
    for (const pulses of [1, 2, 3, 5, 1, 4, 7]) {
      regs.delta[cell] = Math.ceil(pulses * per);
      core.learning.write(k, P + 1, () => {});
      P += pulses;
      const got = pulsesOf(core, k, cell, N).slice(0, N).map((c, d) => c - start[d]!);
      expect(got.reduce((a, x) => a + x, 0), `after ${P} pulses`).toBe(P);
      expect(got).toEqual(Array.from({ length: N }, (_, d) => Math.floor(P / N) + (d < P % N ? 1 : 0)));
    }
    // The other side is untouched.
    expect(pulsesOf(core, k, cell, N).slice(N)).toEqual(start.slice(N));
  });
  it('on PCM, counts pulses of 0.75 µS / N against the change of the pair\'s mean: a weight change Δ needs Δ·weight_scale / 0.75 µS pulses', () => {
    const N = 4;
    const src = source(`multi(n = ${N})`, N).replace(/device = ideal\([^)]*\)/, `device = pcm { profile = demirag2021; g_max = 12 uS; weight_scale = 48 uS; devices_per_side = ${N} }`);
    const { program } = compileText(src);
    const ctx: SchemeContext = { device: new DeviceModel(program.core.device, false), learning: program.learning!, unit: 2 ** -program.core.registers.gradient.frac, perSide: N };
    const rng = stream(1, 'learning');
    // Δw = 0.0625: ΔG of the sum 3 µS, of the mean 0.75 µS = 4 pulses of 0.75/4 µS; each moves one device by ~0.75 µS, the sum by 3 µS.
    for (const [dw, n] of [[0.0625, 4], [0.0156, 0], [0.2, 12], [-0.0625, 4]] as const) {
      expect(pulsesFor(ctx, Math.round(dw / ctx.unit), 0, rng).n, `Δw = ${dw}`).toBe(n);
    }
  });
});

describe('program-and-verify', () => {
  const pcm = (update: string) => source(update).replace(
    'device = ideal(levels = 17, g_max = 12 uS, weight_scale = 12 uS, devices_per_side = 1)',
    'device = pcm { profile = demirag2021; g_max = 12 uS; weight_scale = 12 uS; prog_noise = on; read_noise = on; drift = on }');
  it('re-programs a pair once |Δ| reaches ε: each device reads within the tolerance of its share of the new weight, or the attempts are spent and it is counted', () => {
    const { program } = compileText(pcm('program_verify(tolerance = 0.4 uS, iterations = 4, epsilon = 0.05)'));
    const core = new Core(program, { seed: 9 });
    const k = core.learning.registers.findIndex((r) => r !== undefined);
    const regs = core.learning.registers[k]!;
    const tile = core.tiles[k]!;
    const cells = [...regs.mask.keys()].filter((c) => regs.mask[c] === 1);
    const G = program.core.registers.gradient;
    const raw = (w: number) => Math.round(w * 2 ** G.frac);
    // Half the cells change by more than ε, half by less.
    const dw = cells.map((_, i) => (i % 2 === 0 ? 1 : -1) * (i % 4 < 2 ? 0.3 : 0.02));
    const w0 = cells.map((c) => tile.w[c]! / 12);
    cells.forEach((c, i) => { regs.delta[c] = raw(dw[i]!); });
    const counts0 = { ...core.learning.counts };
    core.writeTile(k);
    const n = core.learning.counts;
    const attempts = n.verifyAttempts - counts0.verifyAttempts;
    const failures = n.verifyFailures - counts0.verifyFailures;
    let outside = 0; let devices = 0;
    cells.forEach((c, i) => {
      if (Math.abs(dw[i]!) < 0.05) { expect(regs.delta[c]).toBe(raw(dw[i]!)); return; } // kept, accumulating
      expect(regs.delta[c]).toBe(0);
      const target = w0[i]! + dw[i]!;
      const goals = [Math.max(0, target) * 12, Math.max(0, -target) * 12];
      goals.forEach((goal, s) => { devices++; if (Math.abs(tile.dev.g[c * 2 + s]! - goal) > 0.4) outside++; });
    });
    expect(outside).toBe(failures);
    expect(attempts).toBeLessThanOrEqual(4 * devices);
    expect(attempts).toBeGreaterThan(0);
    // Most devices land within the tolerance (the SET granularity is ~0.75 µS with noise: not all).
    expect(failures).toBeLessThan(devices / 2);
    expect(n.resetPulses - counts0.resetPulses).toBeGreaterThan(0);
  });
});
