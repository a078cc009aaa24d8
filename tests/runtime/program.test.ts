import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { crc32, decodeProgram, PROGRAM_VERSION, encodeProgram, NO_CONVENTIONS, REGISTERS, type CoreConfig, type Program, type RegisterFormat } from '../../src/runtime/program.ts';
import type { Instruction } from '../../src/runtime/isa.ts';

const reg: RegisterFormat = { signed: true, bits: 16, frac: 10, overflow: 'saturate', round: 'nearest' };
const core = (tiles = 4): CoreConfig => ({
  rows: 64, cols: 32, tiles, lanes: 16, adcColumns: 8, crossbarRead: 4, adc: 1, accumulate: 1, neuronUpdate: 2, readout: 1,
  traceUpdate: 1, learningSignal: 2, gradient: 1, programPulse: 50, stepOverhead: 8, loadInput: 1, eventScan: 0, event: 0, clockHz: 500e6, dacBits: 8,
  converter: { bits: 8, range: 16, noise: 0, multiplier: 1 << 30, shift: 22 }, decayMode: 'multiply', lfsr: 'phasecore', tick: 'fused',
  device: { kind: 'pcm', profile: 'demirag2021', levels: 0, devicesPerSide: 1, gMax: 12e-6, gMin: 0.1e-6, weightScale: 12e-6, progNoise: true, readNoise: true, drift: true, driftCompensation: false, driftNu: 0.04, driftT0: 38.6, updatePeriod: 38.6, refresh: { gHigh: 9e-6, minDiff: 2.25e-6 }, weightBits: 0 },
  energy: { adcLaw: 'neurosim', adcConstant: 0, dacPulse: 0.417, readVoltage: 0.2, readTime: 1e-7, addPerBit: 0.0022, multiplyPerBit2: 0.0042, sramPerBit: 0.05, setPulse: 13.5, resetPulse: 19.2 },
  registers: Object.fromEntries(REGISTERS.map((r) => [r, reg])) as CoreConfig['registers'],
});

/** A small program that fits its core; every PROBE gets a schedule, every instruction a span. */
function sample(code: Instruction[] = []): Program {
  const all: Instruction[] = [
    { op: 'STEP', fields: {} },
    { op: 'LOAD_INPUT', fields: { lo: 0, count: 10, graded: 0 } },
    { op: 'XBAR_READ', fields: { tile: 0, src: 0, srcLo: 0, rowLo: 0, rowCount: 10 } },
    { op: 'ACC_CLEAR', fields: { lo: 0, count: 20 } },
    { op: 'ACC_ADD', fields: { tile: 0, colLo: 0, colCount: 20, dst: 0 } },
    { op: 'NEURON_UPDATE', fields: { model: 0, pop: 1, lo: 0, count: 20, part: 0 } },
    ...code,
    { op: 'LOOP', fields: { target: 0, count: 1000 } },
    { op: 'HALT', fields: {} },
  ];
  const n = 20;
  const lif = { alpha: Int32Array.from({ length: n }, (_, i) => 31000 + i), v_th: new Int32Array(n).fill(614), v_init: new Int32Array(n), bias: new Int32Array(n).fill(-3) };
  return {
    core: core(),
    populations: [
      { name: 'in', model: 'input', size: 10, conventions: NO_CONVENTIONS, arrays: {} },
      { name: 'rec', model: 'LIF', size: n, conventions: { ...NO_CONVENTIONS, reset: 'zero', ge: true, refractory: 2, vMin: -4096 }, arrays: lif },
    ],
    targets: [{ tile: 1, rows: 2, cols: 3, gPlus: Uint16Array.from([1, 2, 3, 4, 5, 6]), gMinus: Uint16Array.from([6, 5, 4, 3, 2, 1]), trainable: Uint8Array.from([1, 0, 1, 1, 0, 0]) }],
    code: all,
    probes: all.flatMap((ins, address) => (ins.op === 'PROBE' ? [{ address, every: 2, start: 1, stop: 9 }] : [])),
    learning: {
      placement: 'chip_in_the_loop', loss: 'mse', windowStart: 0, lr: { multiplier: 2 ** 30 + 5, shift: 40 }, feedback: 'random', B: Int32Array.from({ length: 0 }), feedbackDecay: 0, kappa: 31000,
      scheme: 'mixed_precision', write: 'batch', batch: 4, threshold: 12, pulse: 1.5e-6, pulseLevels: 1, clip: 0, verifyTolerance: 5e-7, verifyIterations: 3, regularizer: 'per_sequence', regK: { multiplier: 2 ** 30 + 1, shift: 50 }, regN0: 2560,
    },
    reckon: null, // ReckOn's constants need a split tick: tests/compiler/reckon-rule.test.ts round-trips them
    symbols: {
      network: 'net', dt: 1e-3, files: ['a.snn', 'ü/b.snn'],
      layout: [{ space: 'input', offset: 0, accumulator: -1 }, { space: 'rec', offset: 0, accumulator: 0 }],
      spans: all.map((_, i) => ({ file: i % 3 - 1, line: i + 1, column: 3 })), origins: all.map((ins) => `serves ${ins.op}`),
    },
    run: { steps: 1000, samples: 3, seed: 7, task: { kind: 'pattern_generation', duration: 1, freqs: [1, 2.5] }, loss: { kind: 'mse', reduce: 'sum' } },
  };
}

const strip = (p: Program) => JSON.parse(JSON.stringify(p, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Int32Array) : v)));

describe('program files', () => {
  it('computes the standard CRC-32', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
  it('decoding then encoding gives back the same bytes, section by section', () => {
    const bytes = encodeProgram(sample([{ op: 'PROBE', fields: { variable: 1, pop: 1, lo: 0, count: 4 } }]));
    const r = decodeProgram(bytes);
    expect(r.ok).toBe(true);
    if (r.ok) expect(Buffer.from(encodeProgram(r.program)).equals(Buffer.from(bytes))).toBe(true);
  });
  it('refuses a version-1 program with a coded error that says to recompile', () => {
    const v1 = encodeProgram(sample()).slice();
    v1[4] = 1; v1[5] = 0;
    const r = decodeProgram(v1);
    expect(r).toMatchObject({ ok: false, error: { code: 'PCX1002' } });
    if (!r.ok) expect(r.error.message).toMatch(new RegExp(`version 1; this phasecore reads version ${PROGRAM_VERSION}: recompile`));
  });
  it('round-trips a program', () => {
    const p = sample();
    const r = decodeProgram(encodeProgram(p));
    expect(r.ok).toBe(true);
    if (r.ok) expect(strip(r.program)).toEqual(strip(p));
  });
  it('property: decode(encode(p)) equals p for generated programs that fit their core', () => {
    const ins = fc.oneof(
      fc.record({ tile: fc.nat({ max: 3 }), rowLo: fc.nat({ max: 32 }), rowCount: fc.nat({ max: 5 }), src: fc.nat({ max: 2 }), srcLo: fc.nat({ max: 5 }) }).map((f) => ({ op: 'XBAR_READ' as const, fields: f })),
      fc.record({ tile: fc.nat({ max: 3 }), colLo: fc.nat({ max: 16 }), colCount: fc.nat({ max: 16 }), dst: fc.nat({ max: 4 }) }).map((f) => ({ op: 'ACC_ADD' as const, fields: f })),
      fc.record({ variable: fc.constantFrom(0, 1, 3, 4, 5, 6), pop: fc.constant(1), lo: fc.nat({ max: 5 }), count: fc.nat({ max: 5 }) }).map((f) => ({ op: 'PROBE' as const, fields: f })),
      fc.record({ units: fc.nat({ max: 127 }) }).map((f) => ({ op: 'SYNC' as const, fields: f })),
    );
    fc.assert(fc.property(fc.array(ins, { maxLength: 20 }), (code) => {
      const p = sample(code);
      const bytes = encodeProgram(p);
      const r = decodeProgram(bytes);
      expect(r.ok && strip(r.program)).toEqual(strip(p));
      if (r.ok) expect(Buffer.from(encodeProgram(r.program)).equals(Buffer.from(bytes))).toBe(true);
    }), { numRuns: 200 });
  });
  it('answers every corrupted byte with a coded error or a valid program, never an exception', () => {
    const bytes = encodeProgram(sample());
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const b = bytes.slice();
        b[i] = (b[i] as number) ^ flip;
        const r = decodeProgram(b);
        if (!r.ok) expect(r.error.code).toMatch(/^PCX100[1-8]$/);
      }
    }
    // With the checksum recomputed, the structural checks are what must answer: every section,
    // field and instruction word read from the corrupted bytes is validated.
    const body = bytes.length - 12; // the END section: tag, length, CRC
    let valid = 0;
    for (let i = 0; i < body; i++) {
      for (const flip of [0x01, 0x80, 0xff]) {
        const b = bytes.slice();
        b[i] = (b[i] as number) ^ flip;
        new DataView(b.buffer).setUint32(b.length - 4, crc32(b.subarray(0, body)), true);
        const r = decodeProgram(b);
        if (r.ok) { valid++; expect(decodeProgram(encodeProgram(r.program)).ok).toBe(true); }
        else expect(r.error.code).toMatch(/^PCX100[1-8]$/);
      }
    }
    // Device levels and parameter arrays take any value, so many corruptions are valid programs;
    // the header, section and instruction bytes are not.
    expect(valid).toBeGreaterThan(0);
    expect(valid).toBeLessThan(3 * body);
    for (let n = 0; n < bytes.length; n++) {
      const r = decodeProgram(bytes.subarray(0, n));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toMatch(/^PCX100[13]$/);
    }
  });
  it('names what is wrong: magic, version, checksum, and a program that does not fit its core', () => {
    const bytes = encodeProgram(sample());
    expect(decodeProgram(new TextEncoder().encode('hello world, not a program'))).toMatchObject({ ok: false, error: { code: 'PCX1001' } });
    const v = bytes.slice(); v[4] = 9;
    expect(decodeProgram(v)).toMatchObject({ ok: false, error: { code: 'PCX1002' } });
    const c = bytes.slice(); c[20] = (c[20] as number) ^ 1;
    expect(decodeProgram(c)).toMatchObject({ ok: false, error: { code: 'PCX1004' } });
    const tooBig = encodeProgram(sample([{ op: 'XBAR_READ', fields: { tile: 9, src: 0, srcLo: 0, rowLo: 0, rowCount: 1 } }]));
    const r = decodeProgram(tooBig);
    expect(r).toMatchObject({ ok: false, error: { code: 'PCX1008' } });
    if (!r.ok) expect(r.error.message).toMatch(/tile 9 does not exist \(the core has 4\)/);
    const rows = decodeProgram(encodeProgram(sample([{ op: 'XBAR_READ', fields: { tile: 0, src: 0, srcLo: 0, rowLo: 60, rowCount: 10 } }])));
    expect(rows).toMatchObject({ ok: false, error: { code: 'PCX1008' } });
  });
  it('holds every operand to its field\'s kind in the ISA table (no hand-written limits)', () => {
    const refused = (ins: Instruction) => { const r = decodeProgram(encodeProgram(sample([ins]))); return r.ok ? 'accepted' : r.error.message; };
    expect(refused({ op: 'NEURON_UPDATE', fields: { model: 2, pop: 1, lo: 0, count: 1, part: 0 } })).toMatch(/model 2 is none of 0 LIF, 1 ALIF/);
    expect(refused({ op: 'PROGRAM', fields: { tile: 0, scheme: 6 } })).toMatch(/scheme 6 is none of 0 direct, 1 sign, 2 stochastic, 3 multi, 4 mixed_precision, 5 program_verify/);
    expect(refused({ op: 'PROBE', fields: { variable: 9, pop: 1, lo: 0, count: 1 } })).toMatch(/variable 9 is none of 0 spikes/);
    expect(refused({ op: 'SYNC', fields: { units: 128 } })).toMatch(/unit mask 128 names a unit that does not exist/);
    expect(refused({ op: 'LOAD_INPUT', fields: { lo: 5, count: 6, graded: 0 } })).toMatch(/lo 5 \+ count 6 exceeds the 10 input channels/);
    expect(refused({ op: 'ACC_ADD', fields: { tile: 0, colLo: 0, colCount: 4, dst: 18 } })).toMatch(/dst 18 \+ colCount 4 exceeds the 20 accumulators/);
    expect(refused({ op: 'XBAR_READ', fields: { tile: 0, src: 0, srcLo: 8, rowLo: 0, rowCount: 3 } })).toMatch(/srcLo 8 \+ rowCount 3 exceeds the 10 inputs/);
    expect(refused({ op: 'XBAR_READ', fields: { tile: 0, src: 1, srcLo: 8, rowLo: 0, rowCount: 3 } })).toBe('accepted'); // 20 recurrent neurons
    expect(refused({ op: 'READOUT_UPDATE', fields: { pop: 1, lo: 19, count: 2, part: 0 } })).toMatch(/lo 19 \+ count 2 exceeds the 20 neurons of population 1/);
    expect(refused({ op: 'LEARN_SIGNAL', fields: { lo: 0, count: 21 } })).toMatch(/exceeds the 20 recurrent neurons/);
    expect(refused({ op: 'GRAD_ACC', fields: { read: 2, add: 2, rows: 10, cols: 20 } })).toMatch(/add 2 is not an earlier ACC_ADD/);
    expect(refused({ op: 'GRAD_ACC', fields: { read: 2, add: 4, rows: 10, cols: 20 } })).toMatch(/a learning instruction in a program without an on-chip learning unit/);
  });
});

describe('programs the decoder would accept but the core could not run (review findings)', () => {
  const refused = (p: Program) => { const r = decodeProgram(encodeProgram(p)); return r.ok ? 'accepted' : `${r.error.code}: ${r.error.message}`; };
  it('refuses a loop over other than the run\'s steps, a program without HALT, a wrong layout, a probe past the run, stray refresh thresholds', () => {
    const p = sample([{ op: 'PROBE', fields: { variable: 1, pop: 1, lo: 0, count: 2 } }]);
    expect(refused(p)).toBe('accepted');
    expect(refused({ ...p, run: { ...p.run, steps: 10 } })).toMatch(/^PCX1008: .*loops once over its 10 steps/);
    expect(refused({ ...p, code: p.code.slice(0, -1), symbols: { ...p.symbols, spans: p.symbols.spans.slice(0, -1), origins: p.symbols.origins.slice(0, -1) } })).toMatch(/^PCX1008: a program ends with its one HALT/);
    expect(refused({ ...p, symbols: { ...p.symbols, layout: [p.symbols.layout[0]!, { space: 'rec', offset: 3, accumulator: 3 }] } })).toMatch(/^PCX1005: .*layout of population rec/);
    expect(refused({ ...p, probes: p.probes.map((s) => ({ ...s, stop: 1000 })) })).toMatch(/^PCX1007: .*outside the run's 1000 steps/);
    const dev = { ...p.core.device, refresh: null };
    const bytes = encodeProgram({ ...p, core: { ...p.core, device: dev } });
    expect(decodeProgram(bytes).ok).toBe(true);
    expect(refused({ ...p, populations: [p.populations[0]!, { ...p.populations[1]!, arrays: { ...p.populations[1]!.arrays, '0': new Int32Array(20) } }] })).toMatch(/^PCX1005: .*an array "0" no unit reads/);
  });
});
