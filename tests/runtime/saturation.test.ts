// Every saturation and wrap path of the core, each with the counter it must move (docs/core.md,
// "Registers"): the ADC clipping, the DAC, the accumulator (saturating and wrapping), the
// membrane, the threshold and the adaptation variable.
import { describe, expect, it } from 'vitest';
import { compileText, spikeInputs } from './build.ts';
import { runProgram } from '../../src/runtime/run.ts';
import type { Program } from '../../src/runtime/program.ts';

function net(core: string, pop = 'LIF { v_th = 100 }', input = '', w = 'w = 1') {
  return `
core c { tile = 64 x 64; tiles = 2; device = ideal(levels = 256); ${core} }
network n { input i[40]${input}; population p[4] : ${pop}; readout o[1] : LI
  i -> p : dense { ${w} }; p -> o : dense { w = 0.5 } }
task t : pattern_generation { duration = 20 ms; channels = 40; outputs = 1 }
run { network = n; core = c; task = t
  probe i(p)
  probe v(p) }`;
}

function run(program: Program, x: Float64Array) {
  return runProgram(program, [{ T: program.run.steps, x }], { seed: 1 });
}
const all = (program: Program) => Float64Array.from({ length: program.run.steps * 40 }, () => 1);

describe('saturation and wrap counters', () => {
  it('the ADC clips a column beyond its range: counted, the code held at full scale', () => {
    const { program } = compileText(net('adc = 6 bit; adc_range = 4'));
    const { summary, core } = run(program, all(program));
    expect(summary.saturations.adc).toBe(program.run.steps * 4); // every column of every read
    // The full-scale code: (2^5 − 1) steps of 2·4/2^6 = 3.875 in accumulator units.
    expect(core.probes[0]!.data[0]).toBe(3.875);
  });
  it('the DAC saturates a graded input beyond [0, 1]: counted once per driven row', () => {
    const { program } = compileText(net('adc_range = 64', 'LIF { v_th = 100 }', ' { encoding = graded }'));
    const x = Float64Array.from({ length: program.run.steps * 40 }, (_, k) => (k % 40 === 0 ? 2.5 : 0.25));
    const { summary } = run(program, x);
    expect(summary.saturations.dac).toBe(program.run.steps);
  });
  it('a saturating accumulator holds its largest value; counted per population', () => {
    const { program } = compileText(net('adc_range = 64; accumulator = saturate(s8.2)'));
    const { summary, core } = run(program, all(program));
    expect(summary.saturations.accumulator).toBe(program.run.steps * 4);
    expect(summary.saturations_by_population.p?.accumulator).toBe(program.run.steps * 4);
    expect(core.probes[0]!.data[0]).toBe(31.75);
  });
  it('a wrapping accumulator wraps (two\'s complement) and is counted too', () => {
    // The compiler refuses a wrapping register its range analysis shows can overflow (SNN5004);
    // the core's wrap path runs a program whose format says wrap.
    const { program: sat } = compileText(net('adc_range = 64; accumulator = saturate(s8.2)'));
    const R = sat.core.registers;
    const program: Program = { ...sat, core: { ...sat.core, registers: { ...R, accumulator: { ...R.accumulator, overflow: 'wrap' } } } };
    const { summary, core } = run(program, all(program));
    expect(summary.saturations.accumulator).toBe(program.run.steps * 4);
    // 40 in s8.2 is raw 160, which wraps to 160 − 256 = −96, i.e. −24.
    expect(core.probes[0]!.data[0]).toBe(-24);
  });
  it('the membrane saturates at its format\'s largest value', () => {
    const { program } = compileText(net('adc_range = 64; membrane = saturate(s8.3)'));
    const { summary, core } = run(program, all(program));
    expect(summary.saturations.membrane).toBeGreaterThanOrEqual(program.run.steps * 4);
    expect(core.probes[1]!.data[0]).toBe(127 / 8);
  });
  it('the adaptation variable and the threshold saturate (ALIF)', () => {
    const alif = 'ALIF { v_th = 0.1; tau_a = 10 s; beta = 30 }';
    const { program, result } = compileText(net('adc_range = 64; adaptation = saturate(u4.2); threshold = saturate(s10.4)', alif));
    const { summary } = run(program, spikeInputs(program.run.steps, 40, 0.5, 3));
    expect(summary.saturations.adaptation).toBeGreaterThan(0);
    expect(summary.saturations.threshold).toBeGreaterThan(0);
    // The range analysis said so before the run: a ≤ 1/(1 − ρ) ≈ 10 000, A ≤ v_th + β·a_max.
    const warned = result.diagnostics.map((d) => d.message);
    expect(warned.some((m) => /^The adaptation of p can reach/.test(m))).toBe(true);
    expect(warned.some((m) => /^The threshold of p can reach/.test(m))).toBe(true);
  });
  it('nothing is counted where nothing overflows', () => {
    const { program } = compileText(net('adc_range = 64', 'LIF { v_th = 1 }', '', 'w = 0.01'));
    const { summary } = run(program, spikeInputs(program.run.steps, 40, 0.2, 3));
    expect(summary.saturations).toEqual({ adc: 0, dac: 0, accumulator: 0, membrane: 0, threshold: 0, adaptation: 0 });
  });
});

describe('formats the arithmetic cannot hold exactly', () => {
  it('are refused at check time, not truncated', async () => {
    const { checkText } = await import('../helpers.ts');
    const r = checkText(net('accumulator = saturate(s56.20)'));
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect(d.message).toMatch(/s56\.20 has 56 bits; the core's arithmetic holds registers of 1 to 48 bits exactly/);
  });
});
