// The PCM model reproduces its own equations (docs/device.md), statistically: intervals from the
// sample size (4 standard errors: a false alarm about once in 16 000 draws, and the seeds are
// fixed), never tolerances tuned until green.
import { describe, expect, it } from 'vitest';
import { AIHWKIT, DEMIRAG, deviceArrays, DeviceModel, hermes } from '../../src/runtime/device.ts';
import { stream } from '../../src/data/random.ts';
import type { DeviceParams } from '../../src/runtime/program.ts';
import { compileText } from './build.ts';
import { Core } from '../../src/runtime/core.ts';

const PCM: DeviceParams = {
  kind: 'pcm', profile: 'demirag2021', levels: 0, devicesPerSide: 1, gMax: 12e-6, gMin: 0.1e-6, weightScale: 12e-6,
  progNoise: true, readNoise: true, drift: true, driftCompensation: false, driftNu: 0.04, driftT0: 38.6, updatePeriod: 38.6, refresh: null, weightBits: 0,
};

const meanSd = (xs: Float64Array) => {
  let m = 0; for (const x of xs) m += x; m /= xs.length;
  let v = 0; for (const x of xs) v += (x - m) ** 2; v /= xs.length - 1;
  return { mean: m, sd: Math.sqrt(v) };
};

describe('PCM device model (demirag2021)', () => {
  it('SET increments: mean m1·G + c1 + A1·P and spread m2·G + c2 + A2·P, by conductance and pulse history', () => {
    const model = new DeviceModel(PCM, false);
    const n = 4000;
    const rng = stream(1, 'noise');
    for (const [g0, pulses] of [[1.5, 6], [3, 10], [6, 20]] as const) {
      const d = deviceArrays(n, 1);
      const P = Math.exp(-pulses / DEMIRAG.a); // the memory after `pulses` pulses since RESET
      d.g.fill(g0); d.pmem.fill(P * Math.exp(1 / DEMIRAG.a)); // set() decays it once before use
      for (let i = 0; i < n; i++) model.set(d, i, 0, rng);
      const dG = d.g.subarray(0, n).map((g) => g - g0); // a cell has two devices: the first n are the ones pulsed
      const { mean, sd } = meanSd(dG);
      const mu = DEMIRAG.m1 * g0 + DEMIRAG.c1 + DEMIRAG.A1 * P;
      const sigma = DEMIRAG.m2 * g0 + DEMIRAG.c2 + DEMIRAG.A2 * P;
      expect(Math.abs(mean - mu), `mean increment at G = ${g0} µS`).toBeLessThanOrEqual(4 * sigma / Math.sqrt(n));
      expect(Math.abs(sd - sigma), `spread at G = ${g0} µS`).toBeLessThanOrEqual(4 * sigma / Math.sqrt(2 * (n - 1)));
    }
  });
  it('without programming noise a SET is its mean, and the mean increment vanishes near c1/|m1| ≈ 10.5 µS', () => {
    const model = new DeviceModel({ ...PCM, progNoise: false }, false);
    const d = deviceArrays(1, 1);
    d.g[0] = 4; d.pmem[0] = 1;
    model.set(d, 0, 0, stream(1, 'noise'));
    expect(d.g[0]).toBeCloseTo(4 + DEMIRAG.m1 * 4 + DEMIRAG.c1 + DEMIRAG.A1 * Math.exp(-1 / DEMIRAG.a), 12);
    // Many pulses: the device settles where μ = 0 (P → 0).
    for (let k = 0; k < 400; k++) model.set(d, 0, 0, stream(1, 'noise'));
    expect(d.g[0]).toBeCloseTo(DEMIRAG.c1 / -DEMIRAG.m1, 6);
  });
  it('RESET draws N(g_min, (0.1·g_min)²), floored at 0.01 µS', () => {
    const model = new DeviceModel(PCM, false);
    const n = 4000;
    const d = deviceArrays(n, 1);
    const rng = stream(2, 'noise');
    for (let i = 0; i < n; i++) model.reset(d, i, 0, rng);
    const g = d.g.subarray(0, n);
    const { mean, sd } = meanSd(g);
    expect(Math.abs(mean - 0.1)).toBeLessThanOrEqual(4 * 0.01 / Math.sqrt(n));
    expect(Math.abs(sd - 0.01)).toBeLessThanOrEqual(4 * 0.01 / Math.sqrt(2 * (n - 1)));
    expect(Math.min(...g)).toBeGreaterThanOrEqual(0.01);
  });
});

// Crossbar reads on the core: one input row drives every column; with programming noise off the
// conductances are what the pulse polynomial lands on, read through a 16-bit ADC.
const READ = (device: string) => `
core c { tile = 16 x 16; tiles = 1; adc = 16 bit; adc_range = 4; accumulator = saturate(s40.24); membrane = saturate(s40.24); threshold = s40.24
  device = pcm { ${device} } }
network n { input i[1]; population p[12] : LIF { v_th = 1000 }; readout o[1] : LI
  i -> p : dense { w ~ uniform(0.2, 0.8) }; p -> o : dense { w = 0 } }
task t : pattern_generation { duration = 1000 ms; channels = 1; outputs = 1 }
run { network = n; core = c; task = t; seed = 3
  probe i(p) }`;

/** One 1000-step run of READ with every input spiking: the tile, the 12 columns' inputs [t][j], and where the columns sit. */
function readRun(device: string) {
  const { program } = compileText(READ(device));
  const core = new Core(program, { seed: 8 });
  const T = program.run.steps;
  core.runSequence(new Float64Array(T).fill(1), 0);
  const colLo = (program.code.find((ins) => ins.op === 'ACC_ADD')!.fields as { colLo: number }).colLo;
  return { program, T, tile: core.tiles[0]!, I: core.probes[0]!.data, colLo, adcStep: (2 * 4) / 2 ** 16 };
}

describe('crossbar reads of PCM devices', () => {
  it('read noise: a column\'s spread is √Σ(m3·G_d + c3)² over the devices the active rows read', () => {
    const { T, tile, I, colLo, adcStep } = readRun('prog_noise = off; drift = off; read_noise = on');
    for (let j = 0; j < 12; j++) {
      // The column's devices: row 0, column j, both sides (the compiler puts input 0 on row 0).
      const cell = colLo + j;
      const gs = [tile.dev.g[cell * 2]!, tile.dev.g[cell * 2 + 1]!];
      const sigma = Math.sqrt(gs.reduce((a, g) => a + (DEMIRAG.m3 * g + DEMIRAG.c3) ** 2, 0)) / 12; // µS → weight units
      const xs = Float64Array.from({ length: T }, (_, t) => I[t * 12 + j]!);
      const { mean, sd } = meanSd(xs);
      const expected = Math.sqrt(sigma ** 2 + adcStep ** 2 / 12); // plus the ADC's quantisation
      expect(Math.abs(sd - expected), `column ${j}`).toBeLessThanOrEqual(4 * expected / Math.sqrt(2 * (T - 1)));
      expect(Math.abs(mean - (gs[0]! - gs[1]!) / 12)).toBeLessThanOrEqual(4 * expected / Math.sqrt(T) + adcStep);
    }
  });
  it('drift: log G_d falls with slope −ν in log (t − t_p)', () => {
    const { T, I, adcStep } = readRun('prog_noise = off; read_noise = off; drift = on; drift_nu = 0.05; drift_t0 = 1 s; update_period = 1 s');
    // Read at t = 1 s + k·dt after programming (the run starts one update period after it).
    const age = (t: number) => 1 + t * 1e-3;
    for (let j = 0; j < 12; j++) {
      const a = I[0 * 12 + j]!; const b = I[(T - 1) * 12 + j]!;
      const slope = Math.log(b / a) / Math.log(age(T - 1) / age(0));
      // ADC rounding moves each reading by at most half a step (and the accumulator scaling by an LSB).
      const err = (2 * (adcStep / 2 + 2 ** -24)) / Math.min(Math.abs(a), Math.abs(b)) / Math.log(age(T - 1) / age(0));
      expect(Math.abs(slope + 0.05), `column ${j}`).toBeLessThanOrEqual(err);
    }
  });
});

describe('PCM inference profiles (aihwkit, hermes)', () => {
  const AIH: DeviceParams = { ...PCM, profile: 'aihwkit', gMax: 25e-6, weightScale: 25e-6 };
  it('programming lands within N(0, σ_prog(g)) of the target and draws ν ~ |N(μν(g), σν(g))| per device', () => {
    const model = new DeviceModel(AIH, false);
    const n = 4000;
    const d = deviceArrays(n, 1);
    const rng = stream(4, 'noise');
    const level = 26214; // of 65535 over 25 µS: a 10 µS target, g = 0.4
    for (let i = 0; i < n; i++) model.program(d, i, level, 0, rng);
    const target = level * (25 / 65535);
    const g = target / 25;
    const prog = meanSd(d.g.subarray(0, n));
    const sigma = AIHWKIT.sigmaProg(g, 25);
    expect(sigma).toBeCloseTo(0.26348 + 1.965 * 0.4 - 1.1731 * 0.16, 12);
    expect(Math.abs(prog.mean - target)).toBeLessThanOrEqual(4 * sigma / Math.sqrt(n));
    expect(Math.abs(prog.sd - sigma)).toBeLessThanOrEqual(4 * sigma / Math.sqrt(2 * (n - 1)));
    // At g = 0.4 both fits clip: μν = 0.049, σν = 0.008 (μ/σ ≈ 6: the fold changes nothing measurable).
    const nu = meanSd(d.nu.subarray(0, n));
    expect(Math.abs(nu.mean - 0.049)).toBeLessThanOrEqual(4 * 0.008 / Math.sqrt(n));
    expect(Math.abs(nu.sd - 0.008)).toBeLessThanOrEqual(4 * 0.008 / Math.sqrt(2 * (n - 1)));
    expect(d.qs[0]).toBeCloseTo(Math.min(0.0088 / 0.4 ** 0.65, 0.2), 12);
  });
  it('the HERMES fit has its own constants for one and two devices per polarity', () => {
    expect(hermes(1).t0).toBe(200); expect(hermes(2).t0).toBe(300);
    expect(hermes(1).sigmaProg(0.5, 10.35)).toBeCloseTo(0.15781817 + 2.32443916 * 0.5 - 2.16310839 * 0.25 + 0.68841818 * 0.125, 12);
    expect(hermes(2).muNu(0.05)).toBeCloseTo(Math.min(0.13, Math.max(0.072, -0.0387 * Math.log(0.05) - 0.0182)), 12);
  });
  it('a column\'s 1/f read noise: √(Σ (G·Qs)² · ln((t + t_read)/(2·t_read))) over the devices read', () => {
    const { T, tile, I, colLo, adcStep } = readRun('profile = aihwkit; g_max = 25 uS; weight_scale = 12 uS; prog_noise = off; drift = off; read_noise = on');
    // Reads at t = 38.6 s + k·dt: the accumulated noise grows by 0.1 % over the run; its mean is used.
    let lnMean = 0;
    for (let t = 0; t < T; t++) { const s = 38.6 + t * 1e-3; lnMean += Math.log((s + 250e-9) / (2 * 250e-9)) / T; }
    for (let j = 0; j < 12; j++) {
      const cell = colLo + j;
      const sumSq = [cell * 2, cell * 2 + 1].reduce((a, i) => a + (tile.dev.g[i]! * tile.dev.qs[i]!) ** 2, 0);
      const sigma = Math.sqrt(sumSq * lnMean) / 12;
      const xs = Float64Array.from({ length: T }, (_, t) => I[t * 12 + j]!);
      const { sd } = meanSd(xs);
      const expected = Math.sqrt(sigma ** 2 + adcStep ** 2 / 12);
      expect(Math.abs(sd - expected), `column ${j}`).toBeLessThanOrEqual(4 * expected / Math.sqrt(2 * (T - 1)));
    }
  });
  it('drift with a ν per device: each column falls as Σ ±G·((t + t0)/t0)^{−ν}', () => {
    const { T, tile, I, colLo, adcStep } = readRun('profile = aihwkit; g_max = 25 uS; weight_scale = 12 uS; prog_noise = off; read_noise = off; drift = on; update_period = 1 s');
    for (const t of [0, T - 1]) {
      const time = 1 + t * 1e-3;
      for (let j = 0; j < 12; j++) {
        const cell = colLo + j;
        const w = [0, 1].reduce((a, side) => { const i = cell * 2 + side; return a + (side === 0 ? 1 : -1) * tile.dev.g[i]! * ((time + 20) / 20) ** -tile.dev.nu[i]!; }, 0) / 12;
        expect(Math.abs(I[t * 12 + j]! - w), `column ${j} at step ${t}`).toBeLessThanOrEqual(adcStep / 2 + 2 ** -24);
      }
    }
  });
});
