import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cycles, decodeInstruction, disassemble, encodeInstruction, fieldMax, fieldNames, formulaText, ISA, OPCODES, operand, UNITS, type Instruction, type Opcode, type OpSpec } from '../../src/runtime/isa.ts';

const spec = (op: Opcode): OpSpec => ISA[op];

/** A random instruction with every field in range. */
export const instruction: fc.Arbitrary<Instruction> = fc.constantFrom(...OPCODES).chain((op) =>
  fc.tuple(...fieldNames(op).map((n) => fc.integer({ min: 0, max: fieldMax(op, n) }))).map((vals) => ({
    op, fields: Object.fromEntries(fieldNames(op).map((n, i) => [n, vals[i] as number])),
  }) as Instruction));

const CORE = { rows: 256, cols: 256, tiles: 4, lanes: 16, adcColumns: 8, crossbarRead: 4, adc: 1, accumulate: 1, neuronUpdate: 2, readout: 1, traceUpdate: 1, learningSignal: 2, gradient: 1, programPulse: 50, stepOverhead: 8, loadInput: 1, eventScan: 0, event: 0 };

describe('instruction set', () => {
  it('has unique opcodes that fit the 8-bit opcode field, and fields that fit a 64-bit word', () => {
    const codes = OPCODES.map((op) => spec(op).code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const op of OPCODES) {
      expect(spec(op).code).toBeLessThan(256);
      expect(Object.values(spec(op).fields).reduce((a, b) => a + b.bits, 0)).toBeLessThanOrEqual(56);
    }
  });
  it('gives every opcode a unit, a latency, its waits and a doc, and every start field a count that exists', () => {
    for (const op of OPCODES) {
      const s = spec(op);
      expect(UNITS).toContain(s.unit);
      for (const u of s.waits) expect(UNITS).toContain(u);
      expect(s.doc.length).toBeGreaterThan(10);
      const n = cycles(CORE, { op, fields: Object.fromEntries(fieldNames(op).map((x) => [x, 1])) } as Instruction, 3);
      expect(Number.isInteger(n) && n >= 0).toBe(true);
      for (const [name, f] of Object.entries(s.fields)) if (f.kind === 'start' && f.count !== undefined) expect(fieldNames(op), `${op}.${name}`).toContain(f.count);
    }
  });
  it('evaluates and prints a latency from the same formula', () => {
    const read = { op: 'XBAR_READ', fields: { tile: 0, src: 1, srcLo: 0, rowLo: 0, rowCount: 256 } } as const;
    expect(formulaText(ISA.XBAR_READ.latency)).toBe('active × crossbar_read + ⌈cols / adc_columns⌉ × adc');
    expect(cycles(CORE, read, 13)).toBe(13 * 4 + Math.ceil(256 / 8) * 1);
    expect(formulaText(ISA.ACC_ADD.latency)).toBe('⌈colCount / lanes⌉ × accumulate');
    expect(cycles(CORE, { op: 'ACC_ADD', fields: { tile: 0, colLo: 0, colCount: 33, dst: 0 } }, 0)).toBe(3);
    expect(formulaText(ISA.REFRESH.latency)).toBe('active × program_pulse');
    expect(cycles(CORE, { op: 'STEP', fields: {} }, 0)).toBe(8);
  });
  it('types operands from the table: a misspelt or missing field does not compile', () => {
    // @ts-expect-error: ACC_CLEAR has no field `cnt`
    const misspelt: Instruction = { op: 'ACC_CLEAR', fields: { lo: 0, cnt: 1 } };
    // @ts-expect-error: `count` is missing
    const missing: Instruction = { op: 'ACC_CLEAR', fields: { lo: 0 } };
    expect([misspelt, missing]).toHaveLength(2);
  });
  it('property: decode(encode(i)) equals i, and the disassembly names every field (enumerations by name)', () => {
    fc.assert(fc.property(instruction, (ins) => {
      const d = decodeInstruction(encodeInstruction(ins));
      expect(d).toEqual({ ok: true, instruction: ins });
      for (const [n, f] of Object.entries(spec(ins.op).fields)) {
        const v = operand(ins, n);
        expect(disassemble(ins)).toContain(`${n}=${f.kind === 'enum' ? (f.values[v] ?? v) : v}`);
      }
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
