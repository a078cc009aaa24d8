// The emitted time step computes what the network says: a small evaluator runs one step's crossbar
// reads and accumulations exactly as docs/isa.md defines them (a tile has one output register; a
// read drives its rows and converts every column; ACC_ADD adds columns into accumulators), and the
// accumulators must equal x·W_in + z·W_rec with the weights the device levels hold — for random
// networks split and packed over small tiles. A second check: a tile is never read again before
// the adds of its previous read have run (a SYNC on the accumulator stands between them).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkText } from '../helpers.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { decodeProgram, encodeProgram } from '../../src/runtime/program.ts';
import { deviceOf, lowerCore, lowerNetwork } from '../../src/compiler/lower.ts';
import { weightToLevels } from '../../src/compiler/quantize.ts';
import { instantiate } from '../../src/ir/instantiate.ts';
import { stream, MT19937 } from '../../src/data/random.ts';
import { UNITS, type Instruction } from '../../src/runtime/isa.ts';

interface Shape { nIn: number; a: number; b: number; nOut: number; rows: number; cols: number; conns: string[]; seed: number }

const CONNS = ['i -> a : dense', 'i -> b : sparse(p = 0.3)', 'a -> a : dense { no_self }', 'a -> b : dense', 'b -> b : self', 'b -> a : sparse(p = 0.5)', 'a -> o : dense', 'b -> o : dense', 'i -> o : dense'];

const shape: fc.Arbitrary<Shape> = fc.record({
  nIn: fc.integer({ min: 1, max: 40 }), a: fc.integer({ min: 1, max: 30 }), b: fc.integer({ min: 1, max: 30 }), nOut: fc.integer({ min: 1, max: 3 }),
  rows: fc.integer({ min: 4, max: 32 }), cols: fc.integer({ min: 4, max: 32 }),
  conns: fc.subarray(CONNS, { minLength: 1 }), seed: fc.nat({ max: 1000 }),
});

function source(s: Shape): string {
  // `self` needs equal sizes on both ends: b -> b always qualifies.
  return `
core c { tile = ${s.rows} x ${s.cols}; tiles = 4000; adc_columns = 1; adc_range = 1000; device = ideal(levels = 256) }
network n {
  input i[${s.nIn}]
  population a[${s.a}] : LIF
  population b[${s.b}] : LIF
  readout o[${s.nOut}] : LI
  ${s.conns.join('\n  ')}
}
task t : pattern_generation { duration = 5 ms; channels = ${s.nIn}; outputs = ${s.nOut} }
run { network = n; core = c; task = t; seed = ${s.seed} }
`;
}

/** One step of the program's crossbar and accumulator work, in device levels. */
function runStep(code: readonly Instruction[], targets: ReadonlyArray<{ tile: number; cols: number; gPlus: Uint16Array; gMinus: Uint16Array }>, x: Uint8Array, z: Uint8Array, nAcc: number): Float64Array {
  const acc = new Float64Array(nAcc);
  const output = new Map<number, Float64Array>();
  for (const ins of code) {
    const f = ins.fields as Record<string, number>;
    if (ins.op === 'LOOP' || ins.op === 'HALT') break;
    if (ins.op === 'ACC_CLEAR') acc.fill(0, f.lo, f.lo! + f.count!);
    if (ins.op === 'XBAR_READ') {
      const t = targets.find((g) => g.tile === f.tile)!;
      const out = new Float64Array(t.cols);
      const src = f.src === 0 ? x : z;
      for (let r = 0; r < f.rowCount!; r++) {
        if (!src[f.srcLo! + r]) continue;
        const row = (f.rowLo! + r) * t.cols;
        for (let c = 0; c < t.cols; c++) out[c] = (out[c] as number) + (t.gPlus[row + c] as number) - (t.gMinus[row + c] as number);
      }
      output.set(f.tile!, out);
    }
    if (ins.op === 'ACC_ADD') {
      const out = output.get(f.tile!)!;
      for (let c = 0; c < f.colCount!; c++) acc[f.dst! + c] = (acc[f.dst! + c] as number) + (out[f.colLo! + c] as number);
    }
  }
  return acc;
}

describe('emit', () => {
  it('property: one emitted step accumulates x·W_in + z·W_rec, and a tile is never read again before its adds have run', () => {
    fc.assert(fc.property(shape, (s) => {
      const r = checkText(source(s));
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const program = [...r.programs.values()][0]!;
      const res = compileRun(program, program.runs[0]!, program.cores.get('c')!);
      expect(res.program).not.toBeNull();
      // The program passes the loader's validation (every operand within what its kind indexes).
      const loaded = decodeProgram(encodeProgram(res.program!));
      expect(loaded.ok ? 'ok' : loaded.error.message).toBe('ok');
      const net = lowerNetwork([...program.networks.values()][0]!);
      const inst = instantiate(net, stream(s.seed, 'init'));
      const device = deviceOf(lowerCore(program.cores.get('c')!));
      const { nIn, nRec, nOut } = inst.layout;
      const rng = MT19937.legacy(s.seed);
      const x = Uint8Array.from({ length: nIn }, () => (rng.random() < 0.5 ? 1 : 0));
      const zs = Uint8Array.from({ length: nRec }, () => (rng.random() < 0.5 ? 1 : 0));
      const got = runStep(res.program!.code, res.program!.targets, x, zs, nRec + nOut);
      // The expectation, from the instantiated weights, in device levels (plus − minus).
      const levels = (w: number) => { const l = weightToLevels(w, device); return l.plus - l.minus; };
      const want = new Float64Array(nRec + nOut);
      const add = (b: typeof inst.inRec, act: Uint8Array, rows: number, width: number, at: number) => {
        for (let i = 0; i < rows; i++) if (act[i]) for (let j = 0; j < width; j++) if (b.mask[i * width + j]) want[at + j] = (want[at + j] as number) + levels(b.w[i * width + j] as number);
      };
      add(inst.inRec, x, nIn, nRec, 0); add(inst.recRec, zs, nRec, nRec, 0);
      add(inst.inOut, x, nIn, nOut, nRec); add(inst.recOut, zs, nRec, nOut, nRec);
      expect(Array.from(got)).toEqual(Array.from(want));

      // Hazards: between two reads of one tile, its adds have run and a SYNC on the accumulator follows them.
      const acc = 1 << UNITS.indexOf('accumulator');
      const state = new Map<number, 'read' | 'added'>();
      for (const ins of res.program!.code) {
        const f = ins.fields as Record<string, number>;
        if (ins.op === 'SYNC' && (f.units! & acc)) for (const [t, st] of state) if (st === 'added') state.delete(t);
        if (ins.op === 'ACC_ADD') state.set(f.tile!, 'added');
        if (ins.op === 'XBAR_READ') { expect(state.has(f.tile!)).toBe(false); state.set(f.tile!, 'read'); }
      }
    }), { numRuns: 60 });
  });
});
