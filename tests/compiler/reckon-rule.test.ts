// ReckOn's rule and the split tick it runs in: what the compiler accepts, what it refuses with the
// placement or core that can run it, and the program shape the decoder holds a split tick to.
import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { commandTrain, CHECKPOINT_FILE, type TrainIo, type TrainOptions } from '../../src/cli/train.ts';
import { join } from 'node:path';
import { checkText, tempDir } from '../helpers.ts';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { decodeProgram, encodeProgram, type Program } from '../../src/runtime/program.ts';
import { encodeNpy } from '../../src/data/npy.ts';
import { runProgram, taskSamples } from '../../src/runtime/run.ts';

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
    const bytes = encodeProgram(p);
    const back = decodeProgram(bytes);
    expect(back.ok && back.program.reckon).toEqual(p.reckon);
    expect(back.ok && Buffer.from(encodeProgram(back.program)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('refuses ReckOn\'s rule on a fused tick, and phasecore\'s e-prop on a split one, each saying what can run it', () => {
    const fused = compile(source('reckon {}', 'fused'));
    expect(fused.program ?? null).toBeNull();
    expect(fused.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/tick = split/);
    const eprop = compile(source('eprop { loss = cross_entropy }', 'split'));
    expect(eprop.program ?? null).toBeNull();
    expect(eprop.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/learn … : reckon/);
  });

  it('refuses a regression task: ReckOn\'s errors are a label\'s one-hot minus the readouts\' hard sigmoid', () => {
    const res = compile(source('reckon {}', 'split').replace(/task t : evidence_accumulation \{[^}]*\}/, 'task t : pattern_generation { duration = 100 ms; channels = 8; outputs = 2 }'));
    expect(res.program ?? null).toBeNull();
    expect(res.diagnostics.find((d) => d.code === 'SNN5010')?.message).toMatch(/give it a task with labels/);
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
    // ReckOn's constants in a program with no learning phase to use them (here: one for inference).
    const r = checkText(source('reckon {}', 'split'));
    const checked = [...r.programs.values()][0]!;
    const inference = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!, { learning: 'off' }).program!;
    const c = decodeProgram(encodeProgram({ ...inference, reckon: p.reckon }));
    expect(c.ok ? null : c.error.code).toBe('PCX1008');
  });
});

describe('a split tick\'s event sweep', () => {
  it('saturates the membrane after every index, in index order, as ReckOn\'s event phase does', () => {
    // v_init = −32000: after the first step's leak about −31984; in the next step index 0 adds
    // −1024 and index 1 adds +1016. Event by event the membrane stops at −32768 and ends at
    // −31752; summed first (a fused tick) it ends near −31990.
    const core = source('reckon {}', '$TICK').split('network n')[0]!;
    const src = `${core}
network n {
  dt = 1 ms
  input x[2]
  population rec[2] : LIF { tau_m = 1927.5 ms; v_th = 614; reset = subtract; threshold_test = ge; v_init = -32000 }
  readout out[2] : LI { tau = 17.78 ms }
  x -> rec : dense { w = load("w.npy") }
  rec -> out : dense { w = 8 }
}
task t : npy { inputs = load("x.npy"); labels = load("y.npy") }
run { network = n; core = c; task = t; samples = 1
  probe v(rec)
}
`;
    const dir = tempDir();
    const npy = (name: string, shape: number[], data: number[]) => writeFileSync(join(dir, name), encodeNpy('float64', shape, Float64Array.from(data)));
    npy('w.npy', [2, 2], [-1024, -1024, 1016, 1016]); npy('x.npy', [1, 3, 2], [0, 0, 1, 1, 0, 0]); npy('y.npy', [1], [0]);
    const v = (tick: string) => {
      const file = join(dir, `${tick}.snn`);
      writeFileSync(file, src.replace('$TICK', tick));
      const r = checkPaths([file]);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const checked = [...r.programs.values()][0]!;
      const prog = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!).program!;
      const { core: c, summary } = runProgram(prog, taskSamples(prog, 1, 0), { seed: 0 });
      return { v: Array.from(c.probes[0]!.data), membrane: summary.saturations.membrane ?? 0 };
    };
    const split = v('split');
    expect(split.v.slice(2, 4)).toEqual([-32768 + 1016, -32768 + 1016]);
    expect(split.membrane).toBe(2); // one per neuron, at index 0
    const fused = v('fused');
    expect(fused.v[2]).toBeLessThan(-31900);
    expect(fused.membrane).toBe(0);
  });
});

describe('training with ReckOn\'s rule', () => {
  it('stopped between iterations and resumed, with validation (learning off) on the way, is bit-identical to a run never stopped', async () => {
    const dir = tempDir();
    const file = join(dir, 'r.snn');
    // Inputs strong enough that membranes reach THR_H and weights take steps.
    writeFileSync(file, source('reckon { window = 20 ms }', 'split').replace('x -> rec : dense { w = 8 }', 'x -> rec : dense { w = 400 }').replace('iterations = 1 }', 'iterations = 4; validate_every = 2; seed = 3 }'));
    const train = async (opts: TrainOptions, stopAt?: { done: number; position: number }) => {
      let out = ''; let err = '';
      const io: TrainIo = {
        out: (x) => { out += `${x}\n`; }, err: (x) => { err += `${x}\n`; }, progress: 'none', version: 'test', signals: [],
        ...(stopAt ? { afterSequence: (d: number, p: number) => d === stopAt.done && p === stopAt.position } : {}),
      };
      const code = await commandTrain(file, { backend: 'core', json: true, ...opts }, io);
      return { code, out, err };
    };
    const whole = join(dir, 'whole'); const parts = join(dir, 'parts');
    const a = await train({ out: whole, checkpointEvery: '1' });
    expect(a.code, a.err).toBe(0);
    const ja = JSON.parse(a.out) as { iterations: Array<{ validation_error?: number; counters: { reckon: { ticks: number; updates: number } } }>; final: unknown };
    expect(ja.iterations[1]!.validation_error).toBeGreaterThanOrEqual(0);
    expect(ja.iterations.reduce((n, m) => n + m.counters.reckon.updates, 0)).toBeGreaterThan(0);
    const stopped = await train({ out: parts, checkpointEvery: '1' }, { done: 2, position: 0 });
    expect(stopped.code).toBe(130);
    const b = await train({ resume: parts });
    expect(b.code, b.err).toBe(0);
    const jb = JSON.parse(b.out) as { iterations: unknown[]; final: unknown };
    expect(jb.iterations).toEqual(ja.iterations);
    expect(jb.final).toEqual(ja.final);
    expect(readFileSync(join(parts, CHECKPOINT_FILE)).equals(readFileSync(join(whole, CHECKPOINT_FILE)))).toBe(true);
    // Driven hard (every input event fires its neurons), the recurrent traces reach 4095: counted as the trace register's saturations.
    writeFileSync(file, source('reckon { window = 20 ms }', 'split').replace('x -> rec : dense { w = 8 }', 'x -> rec : dense { w = 1016 }').replace('delay = 50 ms', 'delay = 1000 ms'));
    const hard = JSON.parse((await train({})).out) as { final: { counters: { learning_saturations: Record<string, number>; saturations: number } } };
    expect(hard.final.counters.learning_saturations.trace).toBeGreaterThan(0);
    expect(hard.final.counters.saturations).toBeGreaterThanOrEqual(hard.final.counters.learning_saturations.trace!);
    // The text summary counts what ReckOn's unit does (it writes SRAM words, not PCM pulses).
    const text = await train({ json: false });
    expect(text.out).toMatch(/on the core: \d+ learning ticks, \d+ weight words written, \d+ ±1 weight steps/);
  }, 60_000);
});

