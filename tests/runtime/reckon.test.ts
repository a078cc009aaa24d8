// The ReckOn profile (examples/cores/reckon.snn) on the release's first cue-accumulation training
// sample: the cycles per phase follow ReckOn's RTL (research/device.md §5.4), and so do the
// membranes, bit for bit, until learning starts. Its STEP phase is
// one cycle per neuron per tick — 224,900 cycles for the sample's 2249 ticks, as the Verilator run
// measured. Its event phase is 100 cycles of scan per tick plus 100 per index holding an input
// event or a spike of the last tick; the test counts those indices from the inputs and the spike
// raster itself. The RTL's run saw 1439 such indices, this core 1437 (reported in docs/results.md,
// not asserted: the RTL run was a training run, whose e-prop updates in its last 149 ticks the
// learning unit of the next issue will model).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { runProgram, taskSamples } from '../../src/runtime/run.ts';
import type { Host } from '../../src/compiler/workspace.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

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
      // The output neurons integrate the spikes a STEP decides in the event phase after it: a tick later.
      const s = Number(tick) - 2;
      expect(Array.from(y.subarray(s * 2, s * 2 + 2)), `vo at tick ${tick}`).toEqual(vo);
    }
  });
});
