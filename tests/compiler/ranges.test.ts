// Range analysis and the compiler's lints: the proven bounds hold when the quantised network runs
// (checked against the core's own fixed-point execution), and each lint fires on the network it
// is meant for.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkText } from '../helpers.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { MT19937 } from '../../src/data/random.ts';
import { Core } from '../../src/runtime/core.ts';

const source = (o: { nIn: number; nRec: number; w: number; core: string; neuron?: string; seed?: number }) => `
core c { tile = 16 x 16; tiles = 64; adc_range = 1000; ${o.core} }
network n {
  input i[${o.nIn}]
  population p[${o.nRec}] : LIF { tau_m = 20 ms; ${o.neuron ?? 'v_th = 0.5'} }
  readout o[2] : LI { tau = 40 ms; input_factor = one_minus_kappa; bias ~ uniform(-0.5, 0.5) }
  i -> p : dense { w ~ normal(0, ${o.w}) }
  p -> p : dense { w ~ normal(0, ${o.w}); no_self }
  p -> o : dense { w ~ normal(0, ${o.w}) }
}
task t : pattern_generation { duration = 150 ms; channels = ${o.nIn}; outputs = 2 }
run { network = n; core = c; task = t; seed = ${o.seed ?? 0} }
`;

function compile(src: string) {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const program = [...r.programs.values()][0]!;
  return { program, res: compileRun(program, program.runs[0]!, program.cores.get('c')!) };
}

describe('range analysis', () => {
  it('bounds the membrane with the decay the core uses: α = 1 − 2^−k for decay = shift, not e^{−dt/τ}', () => {
    // τ = 30 ms at dt = 1 ms: e^{−1/30} = 0.9672, but shift k = round(log2 30) = 5 gives α = 31/32, so
    // the membrane bound is 32 × the input bound, not 30.5 × (issue 8: the proof held the real α).
    const text = (decay: string) => source({ nIn: 4, nRec: 3, w: 0.5, core: decay, neuron: 'tau_m = 30 ms; v_th = 0.5' }).replace('tau_m = 20 ms; ', '');
    const bounds = (decay: string) => {
      const rows = compile(text(decay)).res.report!.ranges;
      const get = (reg: string) => rows.find((r) => r.register === reg && r.where === 'p')!.bound;
      return { acc: get('accumulator'), v: get('membrane') };
    };
    const shift = bounds('decay = shift');
    expect(shift.v - 0.5).toBeCloseTo(shift.acc * 32, 9);
    const multiply = bounds('decay = multiply(q1.15)');
    const alpha = Math.round(Math.exp(-1 / 30) * 2 ** 15) / 2 ** 15; // the q1.15 value the core holds
    expect(multiply.v - 0.5).toBeCloseTo(multiply.acc / (1 - alpha), 6);
  });
  it('property: the core\'s own fixed-point execution never exceeds the proven accumulator and membrane bounds (both decay modes)', () => {
    const decays = ['decay = multiply(q1.15)', 'decay = shift', 'decay = multiply(q1.7, round = floor)'];
    fc.assert(fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.double({ min: 0.05, max: 1, noNaN: true }), fc.nat({ max: 1000 }), fc.constantFrom(...decays), fc.constantFrom(6, 8, 12), (nIn, nRec, w, seed, decay, adc) => {
      // Registers wide enough never to saturate, so what the core computes is what the bound must cover.
      const core = `device = ideal(levels = 256); adc = ${adc} bit; accumulator = saturate(s40.20); membrane = saturate(s40.20); ${decay}`;
      const src = source({ nIn, nRec, w, core, seed }).replace('seed = ' + seed + ' }', `seed = ${seed}\n  probe i(p)\n  probe v(p)\n  probe y(o)\n}`);
      const { res } = compile(src);
      const rows = res.report!.ranges;
      const prog = res.program!;
      const T = prog.run.steps;
      const rng = MT19937.legacy(seed);
      const x = Float64Array.from({ length: T * nIn }, () => (rng.random() < 0.7 ? 1 : 0));
      const c = new Core(prog, { seed });
      c.runSequence(x, 0);
      const sat = c.saturationsByRegister().total;
      expect(sat.accumulator! + sat.membrane!).toBe(0);
      const max = (k: number) => c.probes[k]!.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const bound = (reg: string, where: string) => rows.find((r) => r.register === reg && r.where === where)!.bound;
      expect(max(0)).toBeLessThanOrEqual(bound('accumulator', 'p'));
      expect(max(1)).toBeLessThanOrEqual(bound('membrane', 'p'));
      expect(max(2)).toBeLessThanOrEqual(bound('membrane', 'o'));
    }), { numRuns: 60 });
  });

  it('counts the ADC\'s rounding: a column of 1.2 read by a converter of step 2 gives 2, and the bound covers it', () => {
    const src = `
core c { tile = 16 x 16; tiles = 4; adc = 4 bit; adc_range = 16; device = ideal(levels = 256, g_max = 12 uS, weight_scale = 6 uS) }
network n { input i[1]; population p[1] : LIF { v_th = 100; tau_m = 20 ms }; readout o[1] : LI
  i -> p : dense { w = 1.2 }; p -> o : dense { w = 0 } }
task t : pattern_generation { duration = 5 ms; channels = 1; outputs = 1 }
run { network = n; core = c; task = t
  probe i(p) }`;
    const { res } = compile(src);
    const c = new Core(res.program!, { seed: 0 });
    c.runSequence(new Float64Array(res.program!.run.steps).fill(1), 0);
    expect(c.probes[0]!.data[0]).toBe(2);
    expect(res.report!.ranges.find((r) => r.register === 'accumulator' && r.where === 'p')!.bound).toBeGreaterThanOrEqual(2);
  });
  it('reports a wrapping register that can overflow as an error, a saturating one as a warning', () => {
    const wraps = compile(source({ nIn: 16, nRec: 16, w: 1, core: 'device = ideal(levels = 256); accumulator = wrap(s8.4)' })).res;
    expect(wraps.diagnostics.map((d) => d.code)).toContain('SNN5002');
    const sat = compile(source({ nIn: 16, nRec: 16, w: 1, core: 'device = ideal(levels = 256); accumulator = saturate(s8.4)' })).res;
    expect(sat.diagnostics.filter((d) => d.code === 'SNN5003').length).toBeGreaterThan(0);
    expect(sat.diagnostics.some((d) => d.code === 'SNN5002')).toBe(false);
  });
});

describe('compiler lints', () => {
  const codes = (core: string, extra: Partial<{ w: number; neuron: string }> = {}) =>
    compile(source({ nIn: 8, nRec: 8, w: extra.w ?? 0.3, core, ...(extra.neuron ? { neuron: extra.neuron } : {}) })).res.diagnostics.map((d) => d.code);
  /** The text each diagnostic of `code` points at. */
  const culprits = (src: string, code: string) => compile(src).res.diagnostics.filter((d) => d.code === code).map((d) => src.slice(d.span.start, d.span.end));
  it('points at the declaration a lint concerns', () => {
    expect(culprits(source({ nIn: 8, nRec: 8, w: 0.05, core: 'device = ideal(levels = 2, g_max = 12 uS)' }), 'SNN5005')[0]).toBe('i -> p : dense { w ~ normal(0, 0.05) }');
    expect(culprits(source({ nIn: 16, nRec: 16, w: 1, core: 'device = ideal(levels = 256); accumulator = wrap(s8.4)' }), 'SNN5002')[0]).toMatch(/^population p\[16\] : LIF \{/);
    expect(culprits(source({ nIn: 16, nRec: 16, w: 1, core: 'device = ideal(levels = 256)' }).replace('adc_range = 1000', 'adc_range = 0.1'), 'SNN5008')).toEqual(['adc_range = 0.1']);
    expect(culprits(source({ nIn: 8, nRec: 8, w: 0.3, core: 'device = ideal(levels = 256); decay = multiply(q1.3)' }), 'SNN5006')[0]).toMatch(/^population p/);
  });
  it('weights that quantise to zero', () => {
    expect(codes('device = ideal(levels = 2, g_max = 12 uS)', { w: 0.05 })).toContain('SNN5005');
    expect(codes('device = ideal(levels = 256)')).not.toContain('SNN5005');
  });
  it('decays that round to 1 or 0', () => {
    expect(codes('device = ideal(levels = 256); decay = multiply(q1.3)')).toContain('SNN5006');
    expect(codes('device = ideal(levels = 256)')).not.toContain('SNN5006');
  });
  it('decays by shift: α = 1 − 2^−k with k = round(log2(τ/dt)), and its error reported', () => {
    const { res } = compile(source({ nIn: 8, nRec: 8, w: 0.3, core: 'device = ideal(levels = 256); decay = shift' }));
    const row = res.report!.precision.find((p) => p.parameter === 'p.alpha')!;
    // τ = 20 ms, dt = 1 ms: k = round(log2 20) = 4, α = 15/16 against exp(−1/20).
    expect(row.format).toBe('shift k = 4');
    expect(row.quantised).toBe(15 / 16);
    expect(row.error).toBeCloseTo(15 / 16 - Math.exp(-1 / 20), 15);
    expect(res.program!.populations.find((p) => p.model === 'LIF')!.arrays.alpha![0]).toBe(4);
    const fast = source({ nIn: 8, nRec: 8, w: 0.3, core: 'device = ideal(levels = 256); decay = shift' }).replace('tau_m = 20 ms', 'tau_m = 1.2 ms');
    expect(compile(fast).res.diagnostics.map((d) => d.code)).toContain('SNN5006'); // k = 0: α = 0, no memory
  });
  it('thresholds the membrane register cannot reach', () => {
    expect(codes('device = ideal(levels = 256); membrane = saturate(s8.6)', { neuron: 'v_th = 5' })).toContain('SNN5007');
  });
  it('an ADC range that clips typical currents', () => {
    const src = source({ nIn: 16, nRec: 16, w: 1, core: 'device = ideal(levels = 256)' }).replace('adc_range = 1000', 'adc_range = 0.1');
    expect(compile(src).res.diagnostics.map((d) => d.code)).toContain('SNN5008');
  });
  it('an ADC step coarser than typical currents', () => {
    const src = source({ nIn: 16, nRec: 16, w: 0.05, core: 'device = ideal(levels = 256); adc = 4 bit' }).replace('adc_range = 1000', 'adc_range = 16');
    const diags = compile(src).res.diagnostics.filter((d) => d.code === 'SNN5008');
    expect(diags.length).toBeGreaterThan(0);
    expect(diags[0]!.message).toMatch(/below half an ADC step/);
  });
});
