// ReckOn's rule and the split tick it runs in: what the compiler accepts, what it refuses with the
// placement or core that can run it, and the program shape the decoder holds a split tick to.
import { describe, expect, it } from 'vitest';
import { checkText } from '../helpers.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { decodeProgram, encodeProgram, type Program } from '../../src/runtime/program.ts';

const source = (rule: string, tick: string, extra = '') => `
core c {
  tile = 256 x 256
  tiles = 2
  lanes = 2
  device = ideal(levels = 129, g_max = 128 uS, weight_scale = 0.125 uS)
  adc = 16 bit
  adc_range = 262144
  adc_columns = 1
  accumulator = saturate(s24.0)
  membrane = saturate(s16.0)
  threshold = saturate(s16.0)
  decay = multiply(q1.15, round = stochastic)
  lfsr = reckon
  tick = ${tick}
}
network n {
  dt = 1 ms
  input x[8]
  population rec[16] : LIF { tau_m = 1927.5 ms; v_th = 614; reset = subtract; threshold_test = ge${extra} }
  readout out[2] : LI { tau = 17.78 ms }
  x -> rec : dense { w = 8 }
  rec -> rec : dense { w = -8 }
  rec -> out : dense { w = 16 }
}
learn l : ${rule}
task t : evidence_accumulation { cues = 2; cue_duration = 20 ms; cue_spacing = 10 ms; delay = 50 ms; recall_duration = 20 ms; channels_per_group = 2 }
train { network = n; core = c; learn = l; task = t; iterations = 1 }
`;

function compile(src: string) {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const checked = [...r.programs.values()][0]!;
  return compileRun(checked, checked.runs[0]!, checked.cores.get('c')!, { learning: 'required' });
}

describe('ReckOn\'s rule and the split tick', () => {
  it('compiles on a split tick: a learning phase between the STEP and event phases, a last STEP phase, ReckOn\'s registers in the program', () => {
    const res = compile(source('reckon { window = 20 ms }', 'split'));
    const p = res.program!;
    expect(p.reckon).toMatchObject({ learn: 7, weightShift: 3, traceShift: [3, 4, 6], lrShift: [8, 8, 14], regularize: 3, regF0: 160 });
    const ops = p.code.map((i) => i.op);
    const eprop = ops.indexOf('RECKON_EPROP');
    expect(ops.slice(0, eprop + 1)).toEqual(['STEP', 'LOAD_INPUT', 'NEURON_UPDATE', 'READOUT_UPDATE', 'RECKON_EPROP']);
    expect(ops.slice(-5)).toEqual(['LOOP', 'STEP', 'NEURON_UPDATE', 'READOUT_UPDATE', 'HALT']);
    expect(p.reckon!.windowStart).toBe(p.run.steps - 20);
    const back = decodeProgram(encodeProgram(p));
    expect(back.ok && back.program.reckon).toEqual(p.reckon);
  });

  it('refuses ReckOn\'s rule on a fused tick, and phasecore\'s e-prop on a split one, each saying what can run it', () => {
    const fused = compile(source('reckon {}', 'fused'));
    expect(fused.program ?? null).toBeNull();
    expect(fused.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/tick = split/);
    const eprop = compile(source('eprop { loss = cross_entropy }', 'split'));
    expect(eprop.program ?? null).toBeNull();
    expect(eprop.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/learn … : reckon/);
  });

  it('refuses weights that are not int8 times 2^weight_shift', () => {
    const res = compile(source('reckon {}', 'split').replace('x -> rec : dense { w = 8 }', 'x -> rec : dense { w = 5 }'));
    expect(res.program ?? null).toBeNull();
    expect(res.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/int8 times 2\^weight_shift = 8; weight 0 is 5/);
  });

  it('a split tick\'s program is refused without its last STEP phase, and ReckOn\'s learning phase without its constants', () => {
    const p = compile(source('reckon {}', 'split')).program!;
    const code = p.code.filter((_, i) => i < p.code.length - 4 || i === p.code.length - 1);
    const noTail: Program = { ...p, code, symbols: { ...p.symbols, spans: p.symbols.spans.slice(0, code.length), origins: p.symbols.origins.slice(0, code.length) } };
    const a = decodeProgram(encodeProgram(noTail));
    expect(a.ok ? null : a.error.code).toBe('PCX1008');
    const b = decodeProgram(encodeProgram({ ...p, reckon: null }));
    expect(b.ok ? null : b.error.message).toMatch(/ReckOn's learning phase in a program without its constants/);
  });
});
