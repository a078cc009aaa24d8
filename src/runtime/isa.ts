// The instruction set of the virtual core: one table (Spike's encoding.h, clox's OpCode,
// tinygrad's Ops). Every consumer is driven from ISA: the encoder and decoder (program.ts), the
// disassembler, the cycle model (latency), the executor's dispatch (a later issue), and
// docs/isa.md (generated; a test keeps it current).
//
// Encoding: one 64-bit little-endian word per instruction. Bits 0–7 hold the opcode; the fields
// follow from bit 8 upwards in the order the table lists them, each an unsigned integer of the
// given width. Unused high bits are zero (a decoder refuses anything else).

/** What a latency formula may read: the core's sizes and its latency table, in cycles. */
export interface CoreTiming {
  readonly rows: number; readonly cols: number; readonly tiles: number; readonly lanes: number; readonly adcColumns: number;
  readonly crossbarRead: number; readonly adc: number; readonly accumulate: number; readonly neuronUpdate: number;
  readonly readout: number; readonly traceUpdate: number; readonly learningSignal: number; readonly gradient: number;
  readonly programPulse: number; readonly stepOverhead: number;
}

export const UNITS = ['control', 'io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'] as const;
export type Unit = (typeof UNITS)[number];

export interface OpSpec {
  readonly code: number;
  readonly unit: Unit;
  /** Field name → width in bits, in encoding order. */
  readonly fields: Readonly<Record<string, number>>;
  /**
   * Cycles the instruction occupies its unit. `active` is the number of active rows or items the
   * data made (event-driven work); the compiler's estimates pass an expected count.
   */
  readonly latency: (core: CoreTiming, f: Readonly<Record<string, number>>, active: number) => number;
  /** The latency formula in words, for the listing and docs/isa.md. */
  readonly cycles: string;
  /** Units whose work must be finished before this instruction starts (the scoreboard's edges). */
  readonly waits: readonly Unit[];
  readonly doc: string;
}

const lanesOf = (core: CoreTiming, n: number) => Math.ceil(n / core.lanes);

export const ISA = {
  NOP: { cycles: '1', code: 0x00, unit: 'control', fields: {}, latency: () => 1, waits: [], doc: 'Do nothing for one cycle.' },
  HALT: { cycles: '1', code: 0x01, unit: 'control', fields: {}, latency: () => 1, waits: ['io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'], doc: 'Stop the core once every unit is idle.' },
  STEP: { cycles: 'step_overhead', code: 0x02, unit: 'control', fields: {}, latency: (c) => c.stepOverhead, waits: ['io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'], doc: 'Begin a network time step: wait for every unit, swap the spike buffers, advance the time base.' },
  LOOP: { cycles: '1', code: 0x03, unit: 'control', fields: { target: 16, count: 32 }, latency: () => 1, waits: [], doc: 'Jump back to address `target` until this instruction has run `count` times (one time step per pass).' },
  SYNC: { cycles: '1', code: 0x04, unit: 'control', fields: { units: 8 }, latency: () => 1, waits: [], doc: 'Wait until the units in the bit mask `units` (bit k = UNITS[k]) are idle.' },

  LOAD_INPUT: { cycles: '⌈count / lanes⌉', code: 0x10, unit: 'io', fields: { lo: 16, count: 16, graded: 1 }, latency: (c, f) => lanesOf(c, f.count ?? 0), waits: [], doc: 'Read this step\'s input channels [lo, lo+count) into the row-drive buffer (spikes, or graded values for the DAC).' },

  XBAR_READ: { cycles: 'active × crossbar_read + ⌈cols / adc_columns⌉ × adc', code: 0x20, unit: 'crossbar', fields: { tile: 12, src: 1, srcLo: 16, rowLo: 12, rowCount: 13 }, latency: (c, _f, active) => active * c.crossbarRead + Math.ceil(c.cols / c.adcColumns) * c.adc, waits: ['io'], doc: 'Drive the active rows [rowLo, rowLo+rowCount) of `tile` from source buffer `src` (0 input, 1 spikes) starting at neuron `srcLo`; convert every column with the ADCs into the tile\'s output register, replacing what it held (a tile has one: the ACC_ADDs of a read must run before the tile is read again). Only rows whose source is active are read (event-driven).' },

  ACC_CLEAR: { cycles: '⌈count / lanes⌉', code: 0x30, unit: 'accumulator', fields: { lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0), waits: [], doc: 'Zero the accumulators [lo, lo+count).' },
  ACC_ADD: { cycles: '⌈colCount / lanes⌉ × accumulate', code: 0x31, unit: 'accumulator', fields: { tile: 12, colLo: 12, colCount: 13, dst: 16 }, latency: (c, f) => lanesOf(c, f.colCount ?? 0) * c.accumulate, waits: ['crossbar'], doc: 'Add the output register columns [colLo, colLo+colCount) of `tile` into the accumulators from `dst` on (partial sums from several tiles meet here), saturating or wrapping as the accumulator format says.' },

  NEURON_UPDATE: { cycles: '⌈count / lanes⌉ × neuron_update', code: 0x40, unit: 'neuron', fields: { model: 2, pop: 8, lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0) * c.neuronUpdate, waits: ['accumulator'], doc: 'Update neurons [lo, lo+count) of population `pop` (model 0 LIF, 1 ALIF): leak, add the accumulated input, adapt, test the threshold, reset, refractory count; write spikes to the spike buffer.' },
  READOUT_UPDATE: { cycles: '⌈count / lanes⌉ × readout', code: 0x41, unit: 'neuron', fields: { pop: 8, lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0) * c.readout, waits: ['accumulator'], doc: 'Update the leaky-integrator readouts [lo, lo+count) of population `pop`.' },

  TRACE_UPDATE: { cycles: '⌈count / lanes⌉ × trace_update', code: 0x50, unit: 'learning', fields: { pop: 8, lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0) * c.traceUpdate, waits: ['neuron'], doc: 'Update the presynaptic traces and pseudo-derivatives of neurons [lo, lo+count) of `pop`.' },
  LEARN_SIGNAL: { cycles: '⌈count / lanes⌉ × learning_signal', code: 0x51, unit: 'learning', fields: { lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0) * c.learningSignal, waits: ['neuron'], doc: 'Compute the learning signals L = B·err of recurrent neurons [lo, lo+count).' },
  GRAD_ACC: { cycles: 'active × ⌈cols / lanes⌉ × gradient', code: 0x52, unit: 'learning', fields: { tile: 12, rowLo: 12, rowCount: 13, colLo: 12 }, latency: (c, _f, active) => active * lanesOf(c, c.cols) * c.gradient, waits: ['learning'], doc: 'Accumulate eligibility × learning signal into the gradient registers of the active rows [rowLo, rowLo+rowCount) of `tile`, columns from `colLo`.' },
  PROGRAM: { cycles: 'active × program_pulse', code: 0x53, unit: 'learning', fields: { tile: 12, rowLo: 12, rowCount: 13, scheme: 3 }, latency: (c, _f, active) => active * c.programPulse, waits: ['crossbar', 'learning'], doc: 'Turn the gradients of rows [rowLo, rowLo+rowCount) of `tile` into programming pulses with update scheme `scheme` (0 direct, 1 sign, 2 stochastic, 3 multi, 4 mixed precision); `active` is the number of pulses.' },
  REFRESH: { cycles: 'active × 2 × program_pulse', code: 0x54, unit: 'learning', fields: { tile: 12 }, latency: (c, _f, active) => active * 2 * c.programPulse, waits: ['crossbar', 'learning'], doc: 'RESET and re-program the saturated pairs of `tile` (the refresh policy of the device); `active` is the number of pairs refreshed.' },

  PROBE: { cycles: '⌈count / lanes⌉', code: 0x60, unit: 'probe', fields: { variable: 4, pop: 8, lo: 16, count: 16 }, latency: (c, f) => lanesOf(c, f.count ?? 0), waits: ['neuron'], doc: 'Record `variable` (0 spikes, 1 v, 2 a, 3 threshold, 4 i, 5 psi, 6 trace, 7 y, 8 error) of neurons [lo, lo+count) of `pop`.' },
} as const satisfies Record<string, OpSpec>;

export type Opcode = keyof typeof ISA;
export const OPCODES = Object.keys(ISA) as Opcode[];

/** One decoded instruction: its opcode and field values. */
export interface Instruction { readonly op: Opcode; readonly fields: Readonly<Record<string, number>> }

const BY_CODE = new Map<number, Opcode>(OPCODES.map((op) => [ISA[op].code, op]));
export const opcodeOf = (code: number): Opcode | undefined => BY_CODE.get(code);

export const fieldNames = (op: Opcode): string[] => Object.keys(ISA[op].fields);

/** The largest value field `name` of `op` holds (its width in the table). */
export function fieldMax(op: Opcode, name: string): number {
  const width = (ISA[op].fields as Readonly<Record<string, number>>)[name];
  if (width === undefined) throw new Error(`internal: ${op} has no field ${name}`);
  return 2 ** width - 1;
}

/** Encode to a 64-bit word (as a BigInt); throws on a field out of range (a compiler bug). */
export function encodeInstruction(ins: Instruction): bigint {
  const spec: OpSpec = ISA[ins.op];
  let word = BigInt(spec.code);
  let shift = 8n;
  for (const [name, width] of Object.entries(spec.fields)) {
    const v = ins.fields[name] ?? 0;
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** width) throw new Error(`internal: ${ins.op}.${name} = ${v} does not fit ${width} bits`);
    word |= BigInt(v) << shift;
    shift += BigInt(width);
  }
  return word;
}

export type DecodeResult = { ok: true; instruction: Instruction } | { ok: false; code: string; message: string };

export function decodeInstruction(word: bigint): DecodeResult {
  const code = Number(word & 0xffn);
  const op = opcodeOf(code);
  if (!op) return { ok: false, code: 'PCX1006', message: `unknown opcode 0x${code.toString(16).padStart(2, '0')}` };
  const spec: OpSpec = ISA[op];
  const fields: Record<string, number> = {};
  let shift = 8n;
  for (const [name, width] of Object.entries(spec.fields)) {
    fields[name] = Number((word >> shift) & ((1n << BigInt(width)) - 1n));
    shift += BigInt(width);
  }
  if (word >> shift !== 0n) return { ok: false, code: 'PCX1006', message: `${op} has non-zero bits above its fields` };
  return { ok: true, instruction: { op, fields } };
}

/** `XBAR_READ tile=3 src=1 srcLo=0 rowLo=0 rowCount=256`. */
export function disassemble(ins: Instruction): string {
  const parts = fieldNames(ins.op).map((n) => `${n}=${ins.fields[n] ?? 0}`);
  return parts.length > 0 ? `${ins.op} ${parts.join(' ')}` : ins.op;
}
