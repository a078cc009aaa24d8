// The mission's core promise (DESIGN.md §5, step 3): the core with ideal devices and wide formats
// computes what the float reference computes, within a bound derived from the formats, and its
// spike raster is identical wherever no reference membrane lies within that bound of its
// threshold. The reference runs the network with the parameters the core holds (the quantised
// weights, decays, thresholds, biases), so the bound accounts for the core's arithmetic alone:
//
//   ADC      per read feeding a neuron: half an ADC step (2·range/2^bits) + the scaling's rounding
//            (u·LSB_acc) + the multiplier's representation (|code|·m·2^−31·LSB_acc)
//   e_I      the sum of those over the reads feeding the neuron (ACC_ADDs naming it)
//   e_a(t) = ρ·e_a(t−1) + u_d·LSB_a [+ u_a·LSB_a for a (1 − ρ) increment]        (ALIF)
//   e_A(t) = β·e_a(t) + u_t·LSB_t                                               (the β·a product)
//   e_v(t) = α·e_v(t−1) + f·e_I + u_d·LSB_m [+ u_d·LSB_m for the (1 − α) factor] [+ e_A at an
//            adaptive subtract reset] + ε_float
//   e_y(t) = κ·e_y(t−1) + g·e_I + u_d·LSB_m [+ u_d·LSB_m for (1 − κ)] + ε_float
// with u = ½ for round-to-nearest, 1 for the directed and stochastic roundings, and ε_float the
// float64 reference's own rounding, (n + 8)·2^−52 times the magnitudes of the step's terms.
// A step where some neuron's |v − A| in the reference is within e_v + e_A is ambiguous: from the
// next step on the rasters may legitimately differ, so the comparison stops there.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkText } from '../helpers.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { lowerNetwork } from '../../src/compiler/lower.ts';
import { instantiate, type Instance } from '../../src/ir/instantiate.ts';
import { heldInstance } from '../../src/cli/held.ts';
import { stream } from '../../src/data/random.ts';
import { dynamics, simulate } from '../../src/reference/simulate.ts';
import { Core } from '../../src/runtime/core.ts';
import type { Rounding } from '../../src/runtime/fixed.ts';

interface Options {
  model: 'LIF' | 'ALIF'; reset: string; timing: string; test: string; factor: string; refractory: string; vmin: string;
  inc: string; decay: string; round: Rounding; outFactor: string; nIn: number; nRec: number; nOut: number; tile: number; seed: number; rate: number;
  /** Fractional bits of the accumulator, membrane and threshold registers (their rescalings exercised). */
  fracs: readonly [number, number, number];
}

const options: fc.Arbitrary<Options> = fc.record({
  model: fc.constantFrom('LIF' as const, 'ALIF' as const),
  reset: fc.constantFrom('subtract', 'subtract(threshold = adaptive)', 'zero', 'to(-0.2)'),
  timing: fc.constantFrom('next_step', 'same_step'),
  test: fc.constantFrom('gt', 'ge'),
  factor: fc.constantFrom('none', 'one_minus_alpha'),
  refractory: fc.constantFrom('0 ms', '3 ms'),
  vmin: fc.constantFrom('', 'v_min = -1'),
  inc: fc.constantFrom('spike', 'one_minus_rho'),
  decay: fc.constantFrom('multiply(q1.31)', 'multiply(q1.15)', 'shift'),
  round: fc.constantFrom<Rounding>('nearest', 'toward_zero', 'floor', 'stochastic'),
  outFactor: fc.constantFrom('none', 'one_minus_kappa'),
  nIn: fc.integer({ min: 1, max: 24 }), nRec: fc.integer({ min: 1, max: 24 }), nOut: fc.integer({ min: 1, max: 3 }),
  tile: fc.integer({ min: 8, max: 32 }), seed: fc.nat({ max: 10000 }), rate: fc.constantFrom(0.05, 0.2),
  fracs: fc.constantFrom<readonly [number, number, number]>([24, 24, 24], [28, 22, 26], [22, 26, 20], [26, 24, 28]),
});

function source(o: Options): string {
  const alif = o.model === 'ALIF' ? `tau_a = 60 ms; beta = 0.4; adaptation_increment = ${o.inc};` : '';
  const [fa, fm, ft] = o.fracs;
  return `
core c {
  tile = ${o.tile} x ${o.tile}; tiles = 64; adc = 16 bit; adc_range = 16; adc_columns = 4
  device = ideal(levels = 65536, g_max = 12 uS, weight_scale = 12 uS)
  accumulator = saturate(s48.${fa}, round = ${o.round}); membrane = saturate(s48.${fm}, round = ${o.round})
  threshold = saturate(s48.${ft}, round = ${o.round}); adaptation = saturate(s48.24, round = ${o.round})
  decay = ${o.decay === 'shift' ? `shift(round = ${o.round})` : `${o.decay.slice(0, -1)}, round = ${o.round})`}
}
network n {
  input i[${o.nIn}]
  population p[${o.nRec}] : ${o.model} {
    tau_m ~ uniform(8 ms, 40 ms); v_th ~ uniform(0.2, 0.6); bias ~ uniform(-0.05, 0.05); v_init ~ uniform(-0.1, 0.1)
    reset = ${o.reset}; reset_timing = ${o.timing}; threshold_test = ${o.test}; input_factor = ${o.factor}
    refractory = ${o.refractory}; ${o.vmin}${o.vmin ? ";" : ""} ${alif}
  }
  readout o[${o.nOut}] : LI { tau ~ uniform(10 ms, 30 ms); input_factor = ${o.outFactor}; bias ~ uniform(-0.1, 0.1) }
  i -> p : dense { w ~ uniform(-0.5, 0.5) }
  p -> p : dense { no_self; w ~ uniform(-0.4, 0.4) }
  p -> o : dense { w ~ uniform(-0.5, 0.5) }
  i -> o : dense { w ~ uniform(-0.3, 0.3) }
}
task t : pattern_generation { duration = 60 ms; channels = ${o.nIn}; outputs = ${o.nOut} }
run {
  network = n; core = c; task = t; seed = ${o.seed}
  probe spikes(p)
  probe v(p)
  probe threshold(p)
  probe y(o)
}`;
}

function compare(o: Options): { stepsCompared: number; worstV: number; boundV: number } {
  const r = checkText(source(o));
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const checked = [...r.programs.values()][0]!;
  const res = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!);
  expect(res.program).not.toBeNull();
  const prog = res.program!;
  const net = lowerNetwork([...checked.networks.values()][0]!);
  const inst = instantiate(net, stream(o.seed, 'init'));
  const held = heldInstance(res);
  const T = prog.run.steps;
  const { nIn, nRec, nOut } = inst.layout;
  const rng = stream(o.seed, 'data');
  const x = Float64Array.from({ length: T * nIn }, () => (rng.random() < o.rate ? 1 : 0));
  const ref = simulate(held, dynamics(held, net.dt), x);
  const core = new Core(prog, { seed: o.seed });
  core.runSequence(x, 0);
  expect(core.saturationsByRegister().total).toEqual({ adc: 0, dac: 0, accumulator: 0, membrane: 0, threshold: 0, adaptation: 0 });
  const probe = (variable: number) => core.probes.find((p) => p.variable === variable)!.data;
  const zCore = probe(0); const vCore = probe(1); const aCore = probe(3); const yCore = probe(7);

  // The bound's ingredients, from the formats and the program.
  const R = prog.core.registers;
  const u = (f: { round: Rounding }) => (f.round === 'nearest' || f.round === 'nearest_even' ? 0.5 : 1);
  const lsb = (f: { frac: number }) => 2 ** -f.frac;
  const adcStep = (2 * prog.core.converter.range) / 2 ** prog.core.converter.bits;
  const scale = adcStep * 2 ** R.accumulator.frac;
  const perRead = adcStep / 2 + u(R.accumulator) * lsb(R.accumulator) + 2 ** (prog.core.converter.bits - 1) * scale * 2 ** -31 * lsb(R.accumulator);
  const feeds = new Float64Array(nRec + nOut);
  for (const ins of prog.code) if (ins.op === 'ACC_ADD') for (let k = 0; k < ins.fields.colCount; k++) feeds[ins.fields.dst + k]! += 1;
  // Rescaling the accumulator's value to the membrane's fraction rounds once more where it is finer.
  const rescaleI = R.accumulator.frac > R.membrane.frac ? u(R.membrane) * lsb(R.membrane) : 0;
  const eI = Float64Array.from(feeds, (n) => n * perRead + rescaleI);
  // A subtracted threshold is rescaled to the membrane's fraction too.
  const rescaleTheta = R.threshold.frac > R.membrane.frac ? u(R.membrane) * lsb(R.membrane) : 0;
  const absIn = new Float64Array(nRec + nOut);
  const colAbs = (b: Instance['inRec'], rows: number, width: number, at: number) => { for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) absIn[at + j]! += Math.abs(b.w[i * width + j]!); };
  colAbs(held.inRec, nIn, nRec, 0); colAbs(held.recRec, nRec, nRec, 0); colAbs(held.inOut, nIn, nOut, nRec); colAbs(held.recOut, nRec, nOut, nRec);
  const dyn = dynamics(held, net.dt);
  const rec = prog.populations.find((p) => p.model === 'LIF' || p.model === 'ALIF')!;
  const conv = rec.conventions;
  const eps = (n: number, magnitude: number) => (n + 8) * 2 ** -52 * magnitude;
  const ev = new Float64Array(nRec); const ea = new Float64Array(nRec); const ey = new Float64Array(nOut);
  let worstV = 0; let boundV = 0; let t = 0;
  for (; t < T; t++) {
    let ambiguous = false;
    const eA = new Float64Array(nRec);
    const clear: boolean[] = [];
    for (let j = 0; j < nRec; j++) {
      const o2 = t * nRec + j;
      const zPrev = t > 0 ? ref.z[o2 - nRec]! : 0;
      if (o.model === 'ALIF') ea[j] = dyn.rho[j]! * ea[j]! + u(R.decay) * lsb(R.adaptation) + (conv.incrementOneMinusRho && zPrev ? u(R.adaptation) * lsb(R.adaptation) : 0);
      eA[j] = o.model === 'ALIF' ? held.beta[j]! * ea[j]! + u(R.threshold) * lsb(R.threshold) : 0;
      const aRef = held.vTh[j]! + held.beta[j]! * ref.a[o2]!;
      const vPrevRef = t > 0 ? Math.abs(ref.v[o2 - nRec]!) : Math.abs(held.vInit[j]!);
      const thetaErr = (conv.adaptiveTheta ? eA[j]! : 0) + rescaleTheta;
      const resets = (zPrev && !conv.sameStep ? thetaErr : 0) + (ref.z[o2] && conv.sameStep ? thetaErr : 0);
      ev[j] = dyn.alpha[j]! * ev[j]! + dyn.inFactor[j]! * eI[j]! + u(R.decay) * lsb(R.membrane) * (conv.inputFactor ? 2 : 1) + (conv.reset === 'subtract' ? resets : 0)
        + eps(nIn + nRec, absIn[j]! + Math.abs(held.bias[j]!) + vPrevRef + aRef);
      // The reference's margin at the test: v before a same-step reset.
      const vTest = ref.z[o2] && conv.sameStep ? (conv.reset === 'subtract' ? ref.v[o2]! + (conv.adaptiveTheta ? aRef : held.vTh[j]!) : Number.NaN) : ref.v[o2]!;
      const margin = Number.isNaN(vTest) ? Number.NaN : Math.abs(vTest - aRef);
      const near = Number.isNaN(margin) || margin <= ev[j]! + eA[j]! + eps(4, Math.abs(aRef));
      clear.push(!near);
      if (near) ambiguous = true;
    }
    for (let j = 0; j < nRec; j++) {
      if (!clear[j]) continue;
      const o2 = t * nRec + j;
      expect(zCore[o2], `spike of p[${j}] at step ${t}`).toBe(ref.z[o2]);
      if (!ambiguous) {
        const err = Math.abs(vCore[o2]! - ref.v[o2]!);
        worstV = Math.max(worstV, err); boundV = Math.max(boundV, ev[j]!);
        expect(err, `membrane of p[${j}] at step ${t}`).toBeLessThanOrEqual(ev[j]!);
        if (o.model === 'ALIF') expect(Math.abs(aCore[o2]! - (held.vTh[j]! + held.beta[j]! * ref.a[o2]!)), `threshold of p[${j}] at step ${t}`).toBeLessThanOrEqual(eA[j]! + eps(4, 2));
      }
    }
    if (ambiguous) break;
    for (let k = 0; k < nOut; k++) {
      ey[k] = dyn.kappa[k]! * ey[k]! + dyn.outFactor[k]! * eI[nRec + k]! + u(R.decay) * lsb(R.membrane) * (dyn.outFactor[k] === 1 ? 1 : 2)
        + eps(nIn + nRec, absIn[nRec + k]! + Math.abs(held.biasOut[k]!) + Math.abs(t > 0 ? ref.y[(t - 1) * nOut + k]! : held.vInitOut[k]!));
      expect(Math.abs(yCore[t * nOut + k]! - ref.y[t * nOut + k]!), `readout o[${k}] at step ${t}`).toBeLessThanOrEqual(ey[k]!);
    }
  }
  return { stepsCompared: t, worstV, boundV };
}

describe('the core with ideal devices and wide formats equals the float reference', () => {
  it('property: membranes within the format-derived bound, identical spikes until a membrane comes within it of threshold', () => {
    let compared = 0; let runs = 0;
    fc.assert(fc.property(options, (o) => { const r = compare(o); compared += r.stepsCompared; runs++; }), { numRuns: Number(process.env.IDEAL_RUNS ?? 60) });
    // The comparison is not vacuous: most steps of most runs are compared.
    expect(compared / runs).toBeGreaterThan(30);
    if (process.env.IDEAL_STATS) console.log(`compared ${(compared / runs).toFixed(1)} steps per run of 60`);
  }, 600_000); // IDEAL_RUNS=1000 for a longer search
  it('a known case in detail: every step compared, the worst deviation well inside the bound', () => {
    const r = compare({ model: 'ALIF', reset: 'subtract', timing: 'next_step', test: 'gt', factor: 'none', refractory: '0 ms', vmin: '', inc: 'spike', decay: 'multiply(q1.31)', round: 'nearest', outFactor: 'none', nIn: 12, nRec: 16, nOut: 2, tile: 16, seed: 7, rate: 0.1, fracs: [24, 24, 24] });
    expect(r.stepsCompared).toBeGreaterThan(20);
    expect(r.worstV).toBeLessThanOrEqual(r.boundV);
    if (process.env.IDEAL_STATS) console.log(r);
  });
});
