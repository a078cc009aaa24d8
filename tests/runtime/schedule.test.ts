// The scoreboard (src/runtime/schedule.ts): hand-computed counts for small programs, hazards
// resolved by stalling, and the compiler's estimate is this scoreboard's replay.
import { describe, expect, it } from 'vitest';
import { resources, Scoreboard } from '../../src/runtime/schedule.ts';
import type { Instruction } from '../../src/runtime/isa.ts';

// lanes 16; latencies: crossbar_read 4 per active row, ADC 1 per 8 columns of 64, accumulate 1, neuron 2, step overhead 3.
const CORE = { rows: 64, cols: 64, tiles: 4, lanes: 16, adcColumns: 8, crossbarRead: 4, adc: 1, accumulate: 1, neuronUpdate: 2, readout: 1, traceUpdate: 1, learningSignal: 2, gradient: 1, programPulse: 50, stepOverhead: 3, loadInput: 1, eventScan: 0, event: 0 };
const read = (tile: number, src = 1): Instruction => ({ op: 'XBAR_READ', fields: { tile, src, srcLo: 0, rowLo: 0, rowCount: 64 } });
const add = (tile: number, colCount = 32): Instruction => ({ op: 'ACC_ADD', fields: { tile, colLo: 0, colCount, dst: 0 } });
const run = (code: Instruction[], active = 2) => {
  const b = new Scoreboard(CORE);
  const slots = code.map((ins) => b.issue(ins, ins.op === 'XBAR_READ' ? active : 0));
  return { b, slots };
};

describe('scoreboard', () => {
  it('names the resources an instruction touches, from its operands', () => {
    expect(resources(read(3, 0))).toEqual({ reads: ['tile3.devices', 'input'], writes: ['tile3.output'] });
    expect(resources(add(2))).toEqual({ reads: ['tile2.output', 'accumulators'], writes: ['accumulators'] });
    expect(resources({ op: 'NEURON_UPDATE', fields: { model: 0, pop: 1, lo: 0, count: 8, part: 0 } })).toEqual({ reads: ['accumulators', 'pop1.state'], writes: ['pop1.state', 'next_spikes', 'psi'] });
  });

  it('counts a small step by hand: units overlap, RAW waits, barriers wait for everything', () => {
    // STEP 0–3; LOAD_INPUT (io) may overlap it: 0–1 (⌈10/16⌉ = 1); XBAR_READ of spikes waits for
    // the STEP's swap: 3–19 (2 rows × 4 + 64/8 × 1 = 16); ACC_ADD reads tile 0's output: 19–21
    // (⌈32/16⌉ × 1); NEURON_UPDATE reads the accumulators: 21–23 (⌈8/16⌉ × 2); HALT waits for every unit: 23–24.
    const { b, slots } = run([
      { op: 'STEP', fields: {} },
      { op: 'LOAD_INPUT', fields: { lo: 0, count: 10, graded: 0 } },
      read(0), add(0),
      { op: 'NEURON_UPDATE', fields: { model: 0, pop: 1, lo: 0, count: 8, part: 0 } },
      { op: 'HALT', fields: {} },
    ]);
    expect(slots.map((s) => [s.start, s.end])).toEqual([[0, 3], [0, 1], [3, 19], [19, 21], [21, 23], [23, 24]]);
    expect(b.end).toBe(24);
    expect(b.busy).toMatchObject({ control: 4, io: 1, crossbar: 16, accumulator: 2, neuron: 2 });
    expect(b.stalls.crossbar).toBe(3); // waited for the swap
  });

  it('orders the learning unit by what it reads: the learning signals after the readouts, the gradients after both', () => {
    const { slots } = run([
      { op: 'READOUT_UPDATE', fields: { pop: 2, lo: 0, count: 40, part: 0 } }, // neuron: 0–3
      { op: 'TRACE_UPDATE', fields: { src: 0, pop: 1, srcLo: 0, count: 16 } }, // learning; reads the inputs and traces only: 0–1
      { op: 'ERROR', fields: { lo: 0, count: 2, loss: 0 } }, // reads the readouts' outputs: 3–5
      { op: 'LEARN_SIGNAL', fields: { lo: 0, count: 16 } }, // reads the errors: 5–7
      { op: 'GRAD_ACC', fields: { read: 0, add: 0, rows: 8, cols: 16 } }, // reads signals, errors and traces: 7–15 (8 rows × 1 lane group)
    ]);
    expect(slots.map((s) => [s.start, s.end])).toEqual([[0, 3], [0, 1], [3, 5], [5, 7], [7, 15]]);
  });
  it('reads another tile while the accumulator adds the last one (the overlap the compiler schedules for)', () => {
    const { slots } = run([read(0), read(1), add(0), add(1)]);
    expect(slots.map((s) => [s.start, s.end])).toEqual([[0, 16], [16, 32], [16, 18], [32, 34]]);
  });

  it('without the SYNC the compiler inserts, a tile\'s second read still waits until its output register has been read (WAR)', () => {
    // A long add (512 columns of 64 would not fit; 48 columns → 3 cycles) keeps tile 0's register busy.
    const withSync = run([read(0), add(0, 48), { op: 'SYNC', fields: { units: 1 << 3 } }, read(0)]);
    const without = run([read(0), add(0, 48), read(0)]);
    expect(without.slots[2]!.start).toBe(withSync.slots[3]!.start);
    expect(without.slots[2]!.start).toBe(without.slots[1]!.end);
    expect(without.slots[2]!.stall).toBe(without.slots[1]!.end - without.slots[0]!.end);
  });
});
