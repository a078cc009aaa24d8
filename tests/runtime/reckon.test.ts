// The ReckOn profile (examples/cores/reckon.snn) on the release's cue-accumulation data: the
// cycles per phase follow ReckOn's RTL (research/device.md §5.4), and so do the membranes, bit for
// bit. Its STEP phase is one cycle per neuron per tick — 224,900 cycles for a sample's 2249 ticks,
// as the Verilator run measured. Its event phase is 100 cycles of scan per tick plus 100 per index
// holding an input event or a spike of the STEP phase; the test counts those indices from the
// inputs and the spike raster itself. Training with ReckOn's rule (src/runtime/reckon.ts) takes
// the RTL's weight updates, LFSR draw for draw: the weights after one and three samples equal a
// tick model's that a Verilator run of the RTL confirmed write for write, and the event phase of
// the first training sample then visits the 1439 indices the RTL's did.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { runProgram, taskSamples } from '../../src/runtime/run.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import { coreTrainer } from '../../src/cli/core-trainer.ts';
import { runCommand } from '../../src/cli/main.ts';
import type { Host } from '../../src/compiler/workspace.ts';
import { readNpy } from '../../src/data/npy.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** A trainer of the example's `train online` block on its core, for `iterations`, validating every `validateEvery`. */
function trainer(iterations: number, validateEvery: number) {
  const file = `${EXAMPLES}reckon-cue.snn`;
  const host: Host = { read: (p) => { try { return { ok: true, bytes: readFileSync(p) }; } catch { return { ok: false, reason: 'missing' }; } } };
  const checked = checkPaths([file], host).programs.get(file)!;
  const run = checked.runs.find((x) => x.name === 'online')!;
  const program = compileRun(checked, run, checked.cores.get('reckon')!, { learning: 'required' }).program!;
  return coreTrainer({ ...lowerTrain(checked, run), iterations, validateEvery }, program);
}

const load = (path: string): Float64Array => { const r = readNpy(path); if (!r.ok) throw new Error(r.reason); return r.array.data; };


describe('the ReckOn profile', () => {
  it('takes ReckOn\'s cycles per phase on its first training sample', () => {
    // The example with a spike probe added (the probe unit does not touch the two phases' units).
    const file = `${EXAMPLES}reckon-cue.snn`;
    const text = readFileSync(file, 'utf8').replace('  samples = 1\n', '  samples = 1\n  probe spikes(rec)\n');
    const host: Host = { read: (p) => { try { return { ok: true, bytes: p === file ? new TextEncoder().encode(text) : readFileSync(p) }; } catch { return { ok: false, reason: 'missing' }; } } };
    const r = checkPaths([file], host);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const checked = r.programs.get(file)!;
    const res = compileRun(checked, checked.runs[0]!, checked.cores.get('reckon')!);
    const prog = res.program!;
    const [sample] = taskSamples(prog, 1, prog.run.seed);
    const { core, summary } = runProgram(prog, [sample!], { seed: prog.run.seed });
    const T = prog.run.steps;
    expect(T).toBe(2249);
    expect(summary.units.neuron!.busy).toBe(224_900);
    // Indices 0–99 with an input event (channels 0–39) or a last-tick spike.
    const z = core.probes[0]!.data;
    let active = 0;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < 100; i++) {
        const input = i < 40 && sample!.x[t * 40 + i] !== 0;
        const spike = t > 0 && z[(t - 1) * 100 + i] !== 0;
        if (input || spike) active++;
      }
    }
    expect(summary.units.crossbar!.busy).toBe(T * 100 + active * 100);
    expect(summary.timing_errors.count).toBe(0);
  });

  it('holds ReckOn\'s membranes bit for bit through the sample\'s 2100 ticks before learning starts', () => {
    // tests/runtime/fixtures/reckon-sample0-u.json: every recurrent and output membrane after the
    // event phase of ten ticks of the first training sample, from a tick model of ReckOn that reproduces a
    // Verilator simulation of its released RTL and testbench bit for bit (every tick, every
    // neuron; issue 9's note). The core's step t ends where tick t + 1's event phase ends.
    const file = `${EXAMPLES}reckon-cue.snn`;
    const text = readFileSync(file, 'utf8').replace('  samples = 1\n', '  samples = 1\n  probe v(rec)\n  probe y(out)\n');
    const host: Host = { read: (p) => { try { return { ok: true, bytes: p === file ? new TextEncoder().encode(text) : readFileSync(p) }; } catch { return { ok: false, reason: 'missing' }; } } };
    const r = checkPaths([file], host);
    const checked = r.programs.get(file)!;
    const prog = compileRun(checked, checked.runs[0]!, checked.cores.get('reckon')!).program!;
    const [sample] = taskSamples(prog, 1, prog.run.seed);
    const { core } = runProgram(prog, [sample!], { seed: prog.run.seed });
    const v = core.probes[0]!.data; const y = core.probes[1]!.data;
    const rtl = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/reckon-sample0-u.json', import.meta.url)), 'utf8')) as Record<string, { u: number[]; vo: number[] }>;
    expect(Object.keys(rtl).length).toBe(10);
    for (const [tick, { u, vo }] of Object.entries(rtl)) {
      const t = Number(tick) - 1;
      expect(Array.from(v.subarray(t * 100, t * 100 + 100)), `u at tick ${tick}`).toEqual(u);
      // The output neurons integrate the spikes a STEP phase decides in the same tick's event phase, as the recurrent ones do.
      expect(Array.from(y.subarray(t * 2, t * 2 + 2)), `vo at tick ${tick}`).toEqual(vo);
    }
  });

  it('learns with ReckOn\'s rule as its RTL does: weights, predictions, words written and cycles of the first three training samples', () => {
    // tests/runtime/fixtures/reckon-train3-weights.json: the int8 weights that differ from the
    // release's initial ones after training sample 0 and after samples 0–2, and the three
    // predictions, from the tick model of ReckOn (issue 9's note) whose every EPROP write matched a
    // Verilator run of the released RTL and testbench (314,937 words over these 447 learning ticks).
    const tr = trainer(3, 0);
    const rtl = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/reckon-train3-weights.json', import.meta.url)), 'utf8')) as { predictions: number[]; after1: Record<'in' | 'rec' | 'out', Array<[number, number]>>; after3: Record<'in' | 'rec' | 'out', Array<[number, number]>> };
    const initial = { in: load(`${EXAMPLES}data/reckon/w_in.npy`), rec: load(`${EXAMPLES}data/reckon/w_rec.npy`), out: load(`${EXAMPLES}data/reckon/w_out.npy`) };
    const expected = (d: Record<'in' | 'rec' | 'out', Array<[number, number]>>) => Object.fromEntries((['in', 'rec', 'out'] as const).map((k) => {
      const w = Float64Array.from(initial[k], (x) => x / 8);
      for (const [i, v] of d[k]) w[i] = v;
      return [k, Array.from(w)];
    }));
    const held = () => { const w = tr.core.deviceWeights(); return { in: Array.from(w.inRec, (x) => x / 8), rec: Array.from(w.recRec, (x) => x / 8), out: Array.from(w.recOut, (x) => x / 8) }; };
    const labels = [0, 1, 1];
    const m0 = tr.step();
    expect(held()).toEqual(expected(rtl.after1));
    // The first sample's learning phase: 149 ticks of ⌈100/16⌉·(32 + 2·100) = 1624 cycles; its event phase: the RTL's 1439 active indices.
    expect(m0.counters.learning_cycles).toBe(149 * 1624);
    expect(tr.core.board.busy.crossbar).toBe(2249 * 100 + 1439 * 100);
    const m1 = tr.step(); const m2 = tr.step();
    expect(held()).toEqual(expected(rtl.after3));
    const predicted = [m0, m1, m2].map((m, i) => (m.accuracy === 1 ? labels[i] : 1 - labels[i]!));
    expect(predicted).toEqual(rtl.predictions);
    const words = [m0, m1, m2].reduce((a, m) => ({ input: a.input + m.counters.reckon!.words.input, recurrent: a.recurrent + m.counters.reckon!.words.recurrent, readout: a.readout + m.counters.reckon!.words.readout }), { input: 0, recurrent: 0, readout: 0 });
    expect(words).toEqual({ input: 101_254, recurrent: 209_979, readout: 3_704 });
  });

  it('validates on the held-out test set with learning off, as the testbench\'s test pass (no update, the weights as trained)', () => {
    const tr = trainer(1, 1);
    const m = tr.step();
    const after1 = (JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/reckon-train3-weights.json', import.meta.url)), 'utf8')) as { after1: { in: Array<[number, number]> } }).after1.in;
    const w = Float64Array.from(load(`${EXAMPLES}data/reckon/w_in.npy`), (x) => x / 8);
    for (const [i, v] of after1) w[i] = v;
    expect(Array.from(tr.core.deviceWeights().inRec, (x) => x / 8)).toEqual(Array.from(w));
    expect(m.counters.reckon!.ticks).toBe(149); // the 50 validation samples ran no learning tick
    expect(m.validation_error).toBeGreaterThanOrEqual(0);
    expect(tr.core.reckonLearn!.enabled).toBe(7); // and learning is back on for the next training sample
  }, 60_000);

  it('has no float reference: train --backend reference refuses it with SNN5010', async () => {
    const out: string[] = []; const err: string[] = [];
    const code = await runCommand(['train', `${EXAMPLES}reckon-cue.snn`, '--iterations', '1'], (x) => out.push(x), (x) => err.push(x));
    expect(code).toBe(1);
    expect([...out, ...err].join('\n')).toMatch(/SNN5010.*--backend core/s);
  });
});
