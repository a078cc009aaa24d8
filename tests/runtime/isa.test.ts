import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeInstruction, disassemble, encodeInstruction, fieldNames, ISA, OPCODES, UNITS, type Instruction, type Opcode, type OpSpec } from '../../src/runtime/isa.ts';

const spec = (op: Opcode): OpSpec => ISA[op];

/** A random instruction with every field in range. */
export const instruction: fc.Arbitrary<Instruction> = fc.constantFrom(...OPCODES).chain((op) =>
  fc.tuple(...fieldNames(op).map((n) => fc.integer({ min: 0, max: 2 ** (spec(op).fields[n] as number) - 1 }))).map((vals) => ({
    op, fields: Object.fromEntries(fieldNames(op).map((n, i) => [n, vals[i] as number])),
  })));

describe('instruction set', () => {
  it('has unique opcodes that fit the 8-bit opcode field, and fields that fit a 64-bit word', () => {
    const codes = OPCODES.map((op) => spec(op).code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const op of OPCODES) {
      expect(spec(op).code).toBeLessThan(256);
      expect(Object.values(spec(op).fields).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(56);
    }
  });
  it('gives every opcode a unit, a latency, its waits and a doc', () => {
    const core = { rows: 256, cols: 256, tiles: 4, lanes: 16, adcColumns: 8, crossbarRead: 4, adc: 1, accumulate: 1, neuronUpdate: 2, readout: 1, traceUpdate: 1, learningSignal: 2, gradient: 1, programPulse: 50, stepOverhead: 8 };
    for (const op of OPCODES) {
      const s = spec(op);
      expect(UNITS).toContain(s.unit);
      for (const u of s.waits) expect(UNITS).toContain(u);
      expect(s.doc.length).toBeGreaterThan(10);
      const fields = Object.fromEntries(fieldNames(op).map((n) => [n, 1]));
      const cycles = s.latency(core, fields, 3);
      expect(Number.isInteger(cycles) && cycles >= 0).toBe(true);
    }
  });
  it('property: decode(encode(i)) equals i, and the disassembly names every field', () => {
    fc.assert(fc.property(instruction, (ins) => {
      const d = decodeInstruction(encodeInstruction(ins));
      expect(d).toEqual({ ok: true, instruction: ins });
      for (const n of fieldNames(ins.op)) expect(disassemble(ins)).toContain(`${n}=${ins.fields[n]}`);
    }), { numRuns: 1000 });
  });
  it('refuses unknown opcodes and stray high bits', () => {
    expect(decodeInstruction(0xffn)).toMatchObject({ ok: false, code: 'PCX1006' });
    expect(decodeInstruction((1n << 60n) | BigInt(ISA.NOP.code))).toMatchObject({ ok: false, code: 'PCX1006' });
  });
  it('refuses to encode a field out of range (a compiler bug, so it throws)', () => {
    expect(() => encodeInstruction({ op: 'ACC_CLEAR', fields: { lo: 2 ** 16, count: 1 } })).toThrow(/internal/);
  });
});
