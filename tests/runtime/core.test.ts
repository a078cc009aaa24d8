// The core's cycle model, counters, determinism and hazards (docs/core.md).
import { describe, expect, it } from 'vitest';
import { compileText, spikeInputs } from './build.ts';
import { Core } from '../../src/runtime/core.ts';
import { runProgram, taskSamples } from '../../src/runtime/run.ts';
import { createHash } from 'node:crypto';
import { writeVcd } from '../../src/runtime/vcd.ts';
import type { Program } from '../../src/runtime/program.ts';

const SMALL = (latency = 'crossbar_read = 3 cycles', extra = '', readout = '1 cycle') => `
core c { tile = 8 x 8; tiles = 2; lanes = 2; adc_columns = 4; device = ideal(levels = 256); ${extra}
  latency { ${latency}; adc = 2 cycles; accumulate = 1 cycle; neuron_update = 2 cycles; readout = ${readout}; step_overhead = 5 cycles } }
network n { input i[4]; population p[3] : LIF { v_th = 0.4 }; readout o[1] : LI
  i -> p : dense { w = 0.5 }; p -> p : dense { no_self; w = 0.1 }; p -> o : dense }
task t : pattern_generation { duration = 40 ms; channels = 4; outputs = 1 }
run { network = n; core = c; task = t
  probe spikes(p) }`;

/** SMALL on one sequence of 0/1 inputs (p = 0.4): the core, its inputs and its spike raster [t][neuron]. */
function runSmall() {
  const { program } = compileText(SMALL());
  const core = new Core(program, { seed: 1 });
  const T = program.run.steps;
  const x = spikeInputs(T, 4, 0.4, 9);
  core.runSequence(x, 0);
  return { core, T, x, z: core.probes[0]!.data };
}

describe('cycle model', () => {
  it('counts what the hand-computed schedule says: 25 + 3·(active input rows + spikes of t−1 + spikes of t) per step', () => {
    // From the listing (one tile; reads of inputs, of last step's spikes, of this step's spikes for
    // the readout): STEP ‖ LOAD_INPUT 2 → read 3a + ⌈8/4⌉·2 → add 2 → (SYNC) read 3b + 4 → add 2
    // → neuron update ⌈3/2⌉·2 (the late read waits for the spikes it writes) → read 3c + 4 → add 1
    // → readout 1 ‖ PROBE ⌈3/2⌉ = 2 ‖ LOOP 1; the next STEP waits for every unit: 2 + 3a + 4 + 2 +
    // 3b + 4 + 2 + 4 + 3c + 4 + 1 + 2. HALT, waiting for every unit too, adds one cycle to the last step.
    const { core, T, x, z } = runSmall();
    let spikes = 0;
    for (let t = 0; t < T; t++) {
      let a = 0; let b = 0; let c = 0;
      for (let i = 0; i < 4; i++) a += x[t * 4 + i]!;
      for (let j = 0; j < 3; j++) { c += z[t * 3 + j]!; if (t > 0) b += z[(t - 1) * 3 + j]!; }
      spikes += c;
      expect(core.log.cycles[t], `step ${t}`).toBe(25 + 3 * (a + b + c) + (t === T - 1 ? 1 : 0));
    }
    expect(spikes).toBeGreaterThan(5); // the data-dependent terms are exercised
  });
  it('the compiler\'s estimate equals the core\'s count when no latency depends on the data', () => {
    // Also when the step's last unit work takes no cycles and LOOP ends the step (as on ReckOn's profile).
    for (const readout of ['1 cycle', '0 cycles']) {
      const { program, result } = compileText(SMALL('crossbar_read = 0 cycles', '', readout));
      const core = new Core(program, { seed: 1 });
      core.runSequence(spikeInputs(program.run.steps, 4, 0.4, 3), 0);
      for (let t = 0; t < program.run.steps - 1; t++) expect(core.log.cycles[t], `readout ${readout}, step ${t}`).toBe(result.report!.cycles_per_step);
    }
  });
  it('a step longer than dt × clock is a timing error, located to its instruction and source line', () => {
    // 40 kHz: a 1 ms step has 40 cycles.
    const { program } = compileText(SMALL('crossbar_read = 3 cycles', 'clock = 40 kHz'));
    const { summary } = runProgram(program, [{ T: program.run.steps, x: spikeInputs(program.run.steps, 4, 0.6, 5) }], { seed: 1 });
    expect(summary.budget_cycles_per_step).toBe(40);
    expect(summary.timing_errors.count).toBeGreaterThan(0);
    const first = summary.timing_errors.first!;
    expect(first.cycles).toBeGreaterThan(40);
    expect(first.disassembly).toMatch(/^(XBAR_READ|ACC_ADD|READOUT_UPDATE|LOOP|NEURON_UPDATE)/);
    expect(first.source).toMatch(/^\/mem\/main\.snn:\d+:\d+$/);
  });
  it('a program without the SYNCs the compiler inserts computes the same, the scoreboard ordering it', () => {
    const { program } = compileText(SMALL());
    // Drop every SYNC, re-pointing the loop (its target is 0) and the probe schedules.
    const keep = program.code.map((i) => i.op !== 'SYNC');
    const newAt = (a: number) => keep.slice(0, a).filter(Boolean).length;
    const code = program.code.filter((i) => i.op !== 'SYNC');
    const stripped: Program = {
      ...program, code,
      probes: program.probes.map((p) => ({ ...p, address: newAt(p.address) })),
      symbols: { ...program.symbols, spans: program.symbols.spans.filter((_, k) => keep[k]), origins: program.symbols.origins.filter((_, k) => keep[k]) },
    };
    const x = spikeInputs(program.run.steps, 4, 0.4, 11);
    const a = new Core(program, { seed: 2 }); a.runSequence(x, 0);
    const b = new Core(stripped, { seed: 2 });
    // Every instruction's slot, to see the hazards the scoreboard resolves without the SYNCs.
    const slots: Array<{ address: number; start: number; end: number }> = [];
    const issue = b.board.issueAt.bind(b.board);
    b.board.issueAt = (address: number, active: number) => { const end = issue(address, active); slots.push({ address, start: b.board.lastStart, end }); return end; };
    b.runSequence(x, 0);
    // A tile's read waits for every earlier ACC_ADD of that tile to have emptied its register (WAR).
    const adds = new Map<number, number>();
    for (const sl of slots) {
      const ins = code[sl.address]!;
      if (ins.op === 'ACC_ADD') adds.set(ins.fields.tile, Math.max(adds.get(ins.fields.tile) ?? 0, sl.end));
      if (ins.op === 'XBAR_READ') expect(sl.start, `read at ${sl.address}`).toBeGreaterThanOrEqual(adds.get(ins.fields.tile) ?? 0);
    }
    expect(Array.from(b.probes[0]!.data)).toEqual(Array.from(a.probes[0]!.data));
    expect(Array.from(b.outputs)).toEqual(Array.from(a.outputs));
    // The reads still wait for the adds that empty the tile's register: never earlier than the adds end.
    for (let t = 0; t < program.run.steps; t++) expect(b.log.cycles[t]!).toBeLessThanOrEqual(a.log.cycles[t]!);
    expect(b.units().accumulator!.busy).toBe(a.units().accumulator!.busy);
  });
});

const PCM = (seedless = '') => `
core c { tile = 32 x 32; tiles = 4; device = pcm { g_max = 12 uS; weight_scale = 12 uS }; adc = 8 bit; adc_range = 8 ${seedless} }
network n { input i[20]; population p[24] : ALIF { v_th = 0.3 }; readout o[2] : LI
  i -> p : dense { w ~ normal(0, 0.4) }; p -> p : dense { no_self; w ~ normal(0, 0.2) }; p -> o : dense }
task t : pattern_generation { duration = 50 ms; channels = 20; outputs = 2; rate = 40 Hz }
run { network = n; core = c; task = t; seed = 4; samples = 2
  probe spikes(p)
  probe v(p)
  probe a(p[0:4]) { every = 5 ms } }`;

describe('determinism', () => {
  it('same seed: bit-identical outputs, counters, probes and VCD; another noise seed differs', () => {
    const { program } = compileText(PCM());
    const x = spikeInputs(program.run.steps, 20, 0.08, 1);
    const run = (seed: number) => {
      const r = runProgram(program, [{ T: program.run.steps, x }, { T: program.run.steps, x }], { seed });
      return { json: JSON.stringify(r.summary), probes: r.core.probes.map((p) => Array.from(p.data)), vcd: writeVcd(program, r.core, 'test') };
    };
    const a = run(5); const b = run(5); const c = run(6);
    expect(b).toEqual(a);
    expect(c.probes).not.toEqual(a.probes);
    // The devices hold their programming noise: the same input twice gives different sequences only through read noise.
    expect(a.json).toContain('"set_pulses"');
  });
});

describe('activity counts', () => {
  it('synaptic operations: each driven row counts the synapses of the piece its read serves, once (rows shared by the recurrent and readout pieces included)', () => {
    const { core, T, x, z } = runSmall();
    // i → p: 4 × 3 synapses; p → p: no_self, 2 per source; p → o: 1 per source.
    let expected = 0;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < 4; i++) expected += x[t * 4 + i]! * 3;
      for (let j = 0; j < 3; j++) { if (t > 0) expected += z[(t - 1) * 3 + j]! * 2; expected += z[t * 3 + j]! * 1; }
    }
    expect(core.counts.synops).toBe(expected);
  });

  it('a fused tick computes as it did before the split tick came: stochastic roundings draw in the same order', () => {
    // Input factors and a stochastically rounded decay: the input's (1 − α) and the leak both draw
    // from the LFSR, so their order shows. The hash is of this run's outputs and membranes at commit
    // e38d2f0, before NEURON_UPDATE and READOUT_UPDATE had parts.
    const { program: prog } = compileText(`
core c { tile = 64 x 64; tiles = 4; lanes = 4; device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS); adc = 12 bit; adc_range = 16; accumulator = saturate(s24.12); membrane = saturate(s16.10); decay = multiply(q1.15, round = stochastic) }
network n {
  input x[12]
  population rec[20] : LIF { v_th = 0.3; input_factor = one_minus_alpha; tau_m = 10 ms }
  readout out[3] : LI { input_factor = one_minus_kappa; tau = 15 ms }
  x -> rec : dense { w ~ normal(0, 1.5) }
  rec -> rec : dense { w ~ normal(0, 0.5); no_self }
  rec -> out : dense { w ~ normal(0, 0.8) }
}
task t : pattern_generation { duration = 200 ms; channels = 12; rate = 60 Hz; outputs = 3 }
run { network = n; core = c; task = t; samples = 2; seed = 4
  probe v(rec)
}
`);
    const { core, summary } = runProgram(prog, taskSamples(prog, 2, 4), { seed: 4 });
    const hash = createHash('sha256').update(Buffer.from(core.outputs.buffer)).update(Buffer.from(core.probes[0]!.data.buffer)).digest('hex');
    expect(summary.spikes).toEqual({ rec: 88 });
    expect(hash.slice(0, 16)).toBe('1955a82b98ab90c3');
  });
});
