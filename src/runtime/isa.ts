// The instruction set of the virtual core: one table (Spike's encoding.h, clox's OpCode,
// tinygrad's Ops). Every consumer is driven from ISA: the encoder and decoder (program.ts), the
// disassembler, the cycle model (latency), the core's dispatch (src/runtime/core.ts: a handler per opcode), and
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
  /** Cycles per lane-group of input channels loaded; per index an event scan visits; per lane-group of targets an event updates. */
  readonly loadInput: number; readonly eventScan: number; readonly event: number;
}

export const UNITS = ['control', 'io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'] as const;
export type Unit = (typeof UNITS)[number];

/**
 * What a field holds. Program validation, the disassembler and docs/isa.md are derived from it:
 *   - tile, population: an index that must exist in the core or the program;
 *   - enum: one of `values` (shown by name); units: a bit mask of UNITS; flag: 0 or 1;
 *   - address: an instruction before this one (a backward jump); forward: one after it (a forward jump);
 *   - instruction: the address of an instruction of opcode `op` before this one (whose operands it shares);
 *   - count: how many of something;
 *   - start: the first index of a range of `of` (rows or columns of a tile, neurons of the
 *     instruction's population, input channels, accumulators, neurons of the `src` space, or
 *     recurrent neurons), `count` naming the field with the range's length (else one).
 */
export type FieldKind =
  | { readonly kind: 'tile' } | { readonly kind: 'population' } | { readonly kind: 'flag' } | { readonly kind: 'units' }
  | { readonly kind: 'address' } | { readonly kind: 'forward' } | { readonly kind: 'count' }
  | { readonly kind: 'instruction'; readonly op: string }
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'start'; readonly of: Extent; readonly count?: string };
export type Extent = 'row' | 'column' | 'neuron' | 'input' | 'accumulator' | 'source' | 'recurrent' | 'readout';
export type FieldSpec = FieldKind & { readonly bits: number };

/** The core parameters a latency may name (the `latency` table and the core's sizes). */
export type TimingName = keyof CoreTiming;
/**
 * A latency formula as data, with one evaluator (`cycles`) and one printer (`formulaText`): a
 * number, a core parameter, `active` (the rows, pulses or pairs the data made active), a field
 * of the instruction, a sum, a product, ⌈a / b⌉, or one of several by an enum field's value.
 */
export type Formula =
  | number | { readonly core: TimingName } | { readonly field: string } | 'active'
  | { readonly add: readonly Formula[] } | { readonly mul: readonly Formula[] } | { readonly ceilDiv: readonly [Formula, Formula] }
  | { readonly pick: string; readonly of: readonly Formula[] };

/**
 * State an instruction reads or writes, for the scoreboard's hazards (src/runtime/schedule.ts):
 * the input buffer, the spike buffer of the last step and the one being written, the
 * accumulators, the readouts' outputs (the error's source), the presynaptic traces, the learning
 * signals, targets, errors, pseudo-derivatives and per-synapse learning registers, or per tile (its output register, devices) or per population (its neuron
 * state), the tile or population being the operand named.
 */
export type ResourceSpec =
  | 'input' | 'spikes' | 'next_spikes' | 'accumulators' | 'readout_outputs' | 'traces' | 'learning_signals' | 'targets' | 'errors' | 'psi' | 'gradients'
  | { readonly tile: 'output' | 'devices' }
  | { readonly population: 'state' };

export interface OpSpec {
  readonly code: number;
  readonly unit: Unit;
  /** Field name → width and kind, in encoding order. */
  readonly fields: Readonly<Record<string, FieldSpec>>;
  /** Cycles the instruction occupies its unit. */
  readonly latency: Formula;
  /** Units that must be idle before this instruction starts: the barriers (STEP, HALT); SYNC names its units in its mask. Everything else is ordered by its resources. */
  readonly waits: readonly Unit[];
  /** What it reads and writes: the scoreboard's hazards. `src`-dependent reads are resolved in `resources`. */
  readonly reads: readonly ResourceSpec[];
  readonly writes: readonly ResourceSpec[];
  readonly doc: string;
}

const f = {
  tile: { bits: 12, kind: 'tile' },
  pop: { bits: 8, kind: 'population' },
  count: { bits: 16, kind: 'count' },
  neuronLo: { bits: 16, kind: 'start', of: 'neuron', count: 'count' },
  rowLo: { bits: 12, kind: 'start', of: 'row', count: 'rowCount' },
  rowCount: { bits: 13, kind: 'count' },
} as const satisfies Record<string, FieldSpec>;
const c = (name: TimingName): Formula => ({ core: name });
/** The phases of a neuron update: the whole update, or one of a split tick's two (docs/core.md, "The tick"). */
export const NEURON_PARTS = ['whole', 'leak', 'fire'] as const;
const part: FieldSpec = { bits: 2, kind: 'enum', values: NEURON_PARTS };
/** ⌈field / lanes⌉ (× a per-lane latency). */
const laned = (field: string, per?: TimingName): Formula => (per ? { mul: [{ ceilDiv: [{ field }, c('lanes')] }, c(per)] } : { ceilDiv: [{ field }, c('lanes')] });

export const PROBE_VARIABLES = ['spikes', 'v', 'a', 'threshold', 'i', 'psi', 'trace', 'y', 'error'] as const;
export const UPDATE_SCHEMES = ['direct', 'sign', 'stochastic', 'multi', 'mixed_precision', 'program_verify'] as const;

export const ISA = {
  NOP: { latency: 1, code: 0x00, unit: 'control', fields: {}, waits: [], reads: [], writes: [], doc: 'Do nothing for one cycle.' },
  HALT: { latency: 1, code: 0x01, unit: 'control', fields: {}, waits: ['io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'], reads: [], writes: [], doc: 'Stop the core once every unit is idle.' },
  STEP: { latency: c('stepOverhead'), code: 0x02, unit: 'control', fields: {}, waits: ['io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'], reads: [], writes: ['spikes', 'next_spikes'], doc: 'Begin a network time step: wait for every unit, swap the spike buffers, advance the time base.' },
  LOOP: { latency: 1, code: 0x03, unit: 'control', fields: { target: { bits: 16, kind: 'address' }, count: { bits: 32, kind: 'count' } }, waits: [], reads: [], writes: [], doc: 'Jump back to address `target` until this instruction has run `count` times (one time step per pass).' },
  SYNC: { latency: 1, code: 0x04, unit: 'control', fields: { units: { bits: 8, kind: 'units' } }, waits: [], reads: [], writes: [], doc: 'Wait until the units in the bit mask `units` (bit k = UNITS[k]) are idle.' },

  LOAD_INPUT: { latency: laned('count', 'loadInput'), code: 0x10, unit: 'io', fields: { lo: { bits: 16, kind: 'start', of: 'input', count: 'count' }, count: f.count, graded: { bits: 1, kind: 'flag' } }, waits: [], reads: [], writes: ['input'], doc: 'Read this step\'s input channels [lo, lo+count) into the row-drive buffer (spikes, or graded values for the DAC).' },

  XBAR_READ: { latency: { add: [{ mul: ['active', c('crossbarRead')] }, { mul: [{ ceilDiv: [c('cols'), c('adcColumns')] }, c('adc')] }] }, code: 0x20, unit: 'crossbar', fields: { tile: f.tile, src: { bits: 2, kind: 'enum', values: ['input', 'spikes', 'new_spikes'] }, srcLo: { bits: 16, kind: 'start', of: 'source', count: 'rowCount' }, rowLo: f.rowLo, rowCount: f.rowCount }, waits: [], reads: [{ tile: 'devices' }], writes: [{ tile: 'output' }], doc: 'Drive the active rows [rowLo, rowLo+rowCount) of `tile` from source buffer `src` (the inputs, the spikes of the last step, or the spikes this step\'s neuron update wrote — readouts see z^t) starting at neuron `srcLo`; convert every column with the ADCs into the tile\'s output register, replacing what it held (a tile has one: the ACC_ADDs of a read must run before the tile is read again). Only rows whose source is active are read (event-driven).' },

  EVENT_SCAN: { latency: { add: [{ mul: [{ field: 'count' }, c('eventScan')] }, { mul: ['active', { ceilDiv: [{ field: 'targets' }, c('lanes')] }, c('event')] }] }, code: 0x21, unit: 'crossbar', fields: { count: f.count, targets: f.count }, waits: [], reads: ['input', 'spikes'], writes: [], doc: 'The event scan of a digital event-driven core (ReckOn): visit indices [0, count) of the input and spike buffers and, for each index with an input event or a last-step spike (`active`: the indices active in either), update `targets` neurons. It computes nothing the crossbar reads do not: it carries such a core\'s event-phase cycles (the compiler emits it where the core\'s event_scan or event latency is nonzero).' },

  ACC_CLEAR: { latency: laned('count'), code: 0x30, unit: 'accumulator', fields: { lo: { bits: 16, kind: 'start', of: 'accumulator', count: 'count' }, count: f.count }, waits: [], reads: [], writes: ['accumulators'], doc: 'Zero the accumulators [lo, lo+count).' },
  ACC_ADD: { latency: laned('colCount', 'accumulate'), code: 0x31, unit: 'accumulator', fields: { tile: f.tile, colLo: { bits: 12, kind: 'start', of: 'column', count: 'colCount' }, colCount: { bits: 13, kind: 'count' }, dst: { bits: 16, kind: 'start', of: 'accumulator', count: 'colCount' } }, waits: [], reads: [{ tile: 'output' }, 'accumulators'], writes: ['accumulators'], doc: 'Add the output register columns [colLo, colLo+colCount) of `tile` into the accumulators from `dst` on (partial sums from several tiles meet here), saturating or wrapping as the accumulator format says.' },

  NEURON_UPDATE: { latency: { pick: 'part', of: [laned('count', 'neuronUpdate'), { mul: ['active', c('neuronUpdate')] }, 0] }, code: 0x40, unit: 'neuron', fields: { model: { bits: 2, kind: 'enum', values: ['LIF', 'ALIF'] }, pop: f.pop, lo: f.neuronLo, count: f.count, part }, waits: [], reads: ['accumulators', { population: 'state' }], writes: [{ population: 'state' }, 'next_spikes', 'psi'], doc: 'Update neurons [lo, lo+count) of population `pop` with neuron `model`: leak, add the accumulated input, adapt, test the threshold, reset, refractory count; write spikes to the spike buffer. A split tick (ReckOn\'s) does it in two `part`s: `leak` (adapt, leak, reset after last step\'s spike; ReckOn\'s learning unit\'s traces leak too) before the event phase, and `fire` (add the accumulated input, test, refractory count; the traces\' increments) after it, costing no cycles of its own: the event phase\'s writes are its work. A leak part\'s `active`: the lane groups it leaked (none in a sequence\'s first step, which has no STEP phase).' },
  READOUT_UPDATE: { latency: { pick: 'part', of: [laned('count', 'readout'), { mul: ['active', c('readout')] }, 0] }, code: 0x41, unit: 'neuron', fields: { pop: f.pop, lo: f.neuronLo, count: f.count, part }, waits: [], reads: ['accumulators', { population: 'state' }], writes: [{ population: 'state' }, 'readout_outputs'], doc: 'Update the leaky-integrator readouts [lo, lo+count) of population `pop`; in a split tick, `leak` (y ← κ·y, the output the host sees) and then `fire` (add the accumulated input).' },

  TARGET_LOAD: { latency: laned('count', 'loadInput'), code: 0x16, unit: 'io', fields: { lo: { bits: 16, kind: 'start', of: 'readout', count: 'count' }, count: f.count }, waits: [], reads: [], writes: ['targets'], doc: 'Load this step\'s targets of readouts [lo, lo+count) from the host: the target signal y* in the membrane format, or the label as a one-hot.' },
  ERROR: { latency: laned('count', 'learningSignal'), code: 0x50, unit: 'learning', fields: { lo: { bits: 16, kind: 'start', of: 'readout', count: 'count' }, count: f.count, loss: { bits: 2, kind: 'enum', values: ['mse', 'cross_entropy'] } }, waits: [], reads: ['readout_outputs', 'targets'], writes: ['errors'], doc: 'The readout errors of readouts [lo, lo+count) in the error format: y − y* (mse) or softmax(y) − one-hot (cross_entropy, the softmax over the `count` readouts), inside the loss window of the sequence and 0 outside it.' },
  LEARN_SIGNAL: { latency: laned('count', 'learningSignal'), code: 0x51, unit: 'learning', fields: { lo: { bits: 16, kind: 'start', of: 'recurrent', count: 'count' }, count: f.count }, waits: [], reads: ['errors'], writes: ['learning_signals'], doc: 'The learning signals L_j = Σ_k B_jk·err_k of recurrent neurons [lo, lo+count), B the program\'s feedback matrix (symmetric feedback: the readout weights the devices were last written with).' },
  TRACE_UPDATE: { latency: laned('count', 'traceUpdate'), code: 0x52, unit: 'learning', fields: { src: { bits: 2, kind: 'enum', values: ['input', 'spikes', 'new_spikes'] }, pop: f.pop, srcLo: { bits: 16, kind: 'start', of: 'source', count: 'count' }, count: f.count }, waits: [], reads: ['input', 'spikes', 'next_spikes', 'traces'], writes: ['traces'], doc: 'Update the presynaptic traces seen by population `pop` of sources [srcLo, srcLo+count) of buffer `src` (inputs x^t, spikes z^{t−1}, or the spikes z^t just written): z̄ ← α·z̄ + f·pre with the population\'s decay α (a readout\'s κ) and input factor f.' },
  GRAD_ACC: { latency: { mul: [{ ceilDiv: [{ field: 'cols' }, c('lanes')] }, { field: 'rows' }, c('gradient')] }, code: 0x53, unit: 'learning', fields: { read: { bits: 14, kind: 'instruction', op: 'XBAR_READ' }, add: { bits: 14, kind: 'instruction', op: 'ACC_ADD' }, rows: f.rowCount, cols: f.rowCount }, waits: [], reads: ['learning_signals', 'errors', 'traces', 'psi', 'gradients'], writes: ['gradients'], doc: 'For the synapses instruction `read` drives (its rows) into the columns instruction `add` adds (`rows` × `cols` of them): a recurrent neuron\'s e = ψ·(z̄ − cβ·ε_a), ε_a ← ψ·z̄ + (ρ − cβψ)·ε_a, ē ← κ·ē + (1 − κ)·e, Δ −= ηL·ē, Σe += e; a readout\'s Δ −= η·err·z̄. Every synapse\'s registers are touched each step (the κ-filter decays them).' },
  SEQ_END: { latency: { mul: [{ ceilDiv: ['active', c('lanes')] }, c('gradient')] }, code: 0x54, unit: 'learning', fields: { regularize: { bits: 1, kind: 'flag' } }, waits: ['io', 'crossbar', 'accumulator', 'neuron', 'learning', 'probe'], reads: ['gradients'], writes: ['gradients', 'traces'], doc: 'End a sequence: with `regularize`, fold the per-sequence firing-rate regulariser into the weight changes (Δ −= η·r_j·Σe, r_j from the sequence\'s spike counts); then clear the traces and eligibilities for the next sequence. `active`: the synapses folded.' },
  BATCH_END: { latency: 1, code: 0x55, unit: 'control', fields: { size: f.count, target: { bits: 16, kind: 'forward' }, regularize: { bits: 1, kind: 'flag' } }, waits: ['learning'], reads: [], writes: [], doc: 'Count a finished sequence; unless `size` sequences have finished since the last write, jump forward to `target`. At a batch\'s end with `regularize`, fold the batch-mean firing-rate regulariser (r_j from the batch\'s spike counts) into the weight changes first.' },
  PROGRAM: { latency: { mul: ['active', c('programPulse')] }, code: 0x56, unit: 'learning', fields: { tile: f.tile, scheme: { bits: 3, kind: 'enum', values: UPDATE_SCHEMES } }, waits: [], reads: ['gradients', { tile: 'devices' }], writes: ['gradients', { tile: 'devices' }], doc: 'Write the weight changes of `tile`\'s trainable synapses to its devices with update `scheme` (docs/core.md): programming pulses on the G⁺ or G⁻ side; the register keeps what the scheme does not transfer (mixed precision) or is cleared. `active`: the pulses applied.' },
  REFRESH: { latency: { mul: ['active', c('programPulse')] }, code: 0x57, unit: 'learning', fields: { tile: f.tile }, waits: [], reads: [{ tile: 'devices' }], writes: [{ tile: 'devices' }], doc: 'RESET and re-program the saturated pairs of `tile` (the device\'s refresh policy); `active`: the pulses (RESETs and SETs) applied.' },

  RECKON_EPROP: { latency: { mul: ['active', { ceilDiv: [{ field: 'rec' }, 16] }, { add: [32, { mul: [2, { field: 'pre' }] }] }] }, code: 0x58, unit: 'learning', fields: { pop: f.pop, tile: f.tile, tiles: { bits: 8, kind: 'count' }, rec: { bits: 12, kind: 'count' }, pre: { bits: 12, kind: 'count' } }, waits: [], reads: [{ population: 'state' }, 'readout_outputs'], writes: [{ tile: 'devices' }], doc: 'ReckOn\'s learning phase (its RTL\'s EPROP state; docs/core.md, "ReckOn\'s learning unit"), on learning ticks (`active` = 1: the label is known, and the step is not the sequence\'s last): hard-sigmoid errors, learning signals through the readout weights, pseudo-derivatives and regularisation per 16-neuron group, and a stochastic ±1 update of every int8 weight word not skipped, from ReckOn\'s weight LFSRs. It reads the state the leak part of population `pop` left (membranes, and the traces ReckOn keeps in the neuron words) and the readouts\' leaked outputs. It takes ⌈rec / 16⌉ · (32 + 2 · pre) cycles, whatever it skips; `pre` = max(inputs, rec). It writes tiles [tile, tile + tiles).' },
  PROBE: { latency: laned('count'), code: 0x60, unit: 'probe', fields: { variable: { bits: 4, kind: 'enum', values: PROBE_VARIABLES }, pop: f.pop, lo: f.neuronLo, count: f.count }, waits: [], reads: [{ population: 'state' }], writes: [], doc: 'Record `variable` of neurons [lo, lo+count) of `pop`.' },
} as const satisfies Record<string, OpSpec>;

export type Opcode = keyof typeof ISA;
export const OPCODES = Object.keys(ISA) as Opcode[];

/** The operands of opcode K, typed from the table: a misspelt field is a type error. */
export type FieldsOf<K extends Opcode> = { readonly [F in keyof (typeof ISA)[K]['fields']]: number };
/** One instruction: its opcode and its operands. */
export type Instruction = { readonly [K in Opcode]: { readonly op: K; readonly fields: FieldsOf<K> } }[Opcode];

const BY_CODE = new Map<number, Opcode>(OPCODES.map((op) => [ISA[op].code, op]));
export const opcodeOf = (code: number): Opcode | undefined => BY_CODE.get(code);

const specOf = (op: Opcode): OpSpec => ISA[op];
export const fieldNames = (op: Opcode): string[] => Object.keys(specOf(op).fields);
/** The field table of an opcode, by name. */
export const fieldSpecs = (op: Opcode): Readonly<Record<string, FieldSpec>> => specOf(op).fields;
/** An operand by name (0 when the opcode has no such field). */
export const operand = (ins: Instruction, name: string): number => (ins.fields as Readonly<Record<string, number>>)[name] ?? 0;

/** The largest value field `name` of `op` holds (its width in the table). */
export function fieldMax(op: Opcode, name: string): number {
  const spec = specOf(op).fields[name];
  if (spec === undefined) throw new Error(`internal: ${op} has no field ${name}`);
  return 2 ** spec.bits - 1;
}

/** Cycles of `ins` on `core` with `active` rows, pulses or pairs: the one evaluator of the formulas. */
export function cycles(core: CoreTiming, ins: Instruction, active: number): number {
  const ev = (x: Formula): number => {
    if (typeof x === 'number') return x;
    if (x === 'active') return active;
    if ('core' in x) return core[x.core];
    if ('field' in x) return operand(ins, x.field);
    if ('add' in x) return x.add.reduce<number>((a, y) => a + ev(y), 0);
    if ('mul' in x) return x.mul.reduce<number>((a, y) => a * ev(y), 1);
    if ('pick' in x) { const k = operand(ins, x.pick); const y = x.of[k]; if (y === undefined) throw new Error(`internal: ${ins.op}.${x.pick} = ${k} has no latency`); return ev(y); }
    return Math.ceil(ev(x.ceilDiv[0]) / ev(x.ceilDiv[1]));
  };
  return ev(specOf(ins.op).latency);
}

const snake = (s: string) => s.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
/** `active × crossbar_read + ⌈cols / adc_columns⌉ × adc`: the formula as the listing and docs/isa.md show it. */
export function formulaText(x: Formula): string {
  if (typeof x === 'number') return String(x);
  if (x === 'active') return 'active';
  if ('core' in x) return snake(x.core);
  if ('field' in x) return x.field;
  if ('add' in x) return x.add.map(formulaText).join(' + ');
  if ('mul' in x) return x.mul.map((y) => (typeof y === 'object' && 'add' in y ? `(${formulaText(y)})` : formulaText(y))).join(' × ');
  if ('pick' in x) return x.of.map((y, k) => `${formulaText(y)} (${x.pick} ${k})`).join('; ');
  return `⌈${formulaText(x.ceilDiv[0])} / ${formulaText(x.ceilDiv[1])}⌉`;
}

/** A field's kind in words, for docs/isa.md. */
export function kindText(spec: FieldSpec): string {
  switch (spec.kind) {
    case 'enum': return spec.values.map((v, i) => `${i} ${v}`).join(', ');
    case 'start': return `first ${spec.of}${spec.count ? ` of ${spec.count}` : ''}`;
    case 'units': return 'unit mask';
    case 'instruction': return `address of a ${spec.op}`;
    case 'forward': return 'address (forward)';
    default: return spec.kind;
  }
}

/** Encode to a 64-bit word (as a BigInt); throws on a field out of range (a compiler bug). */
export function encodeInstruction(ins: Instruction): bigint {
  const spec = specOf(ins.op);
  let word = BigInt(spec.code);
  let shift = 8n;
  for (const [name, { bits }] of Object.entries(spec.fields)) {
    const v = operand(ins, name);
    if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new Error(`internal: ${ins.op}.${name} = ${v} does not fit ${bits} bits`);
    word |= BigInt(v) << shift;
    shift += BigInt(bits);
  }
  return word;
}

export type DecodeResult = { ok: true; instruction: Instruction } | { ok: false; code: string; message: string };

export function decodeInstruction(word: bigint): DecodeResult {
  const code = Number(word & 0xffn);
  const op = opcodeOf(code);
  if (!op) return { ok: false, code: 'PCX1006', message: `unknown opcode 0x${code.toString(16).padStart(2, '0')}` };
  const spec = specOf(op);
  const fields: Record<string, number> = {};
  let shift = 8n;
  for (const [name, { bits }] of Object.entries(spec.fields)) {
    fields[name] = Number((word >> shift) & ((1n << BigInt(bits)) - 1n));
    shift += BigInt(bits);
  }
  if (word >> shift !== 0n) return { ok: false, code: 'PCX1006', message: `${op} has non-zero bits above its fields` };
  return { ok: true, instruction: { op, fields } as Instruction };
}

/** `XBAR_READ tile=3 src=spikes srcLo=0 rowLo=0 rowCount=256`: enum operands by name. */
export function disassemble(ins: Instruction): string {
  const parts = Object.entries(fieldSpecs(ins.op)).map(([n, spec]) => {
    const v = operand(ins, n);
    return `${n}=${spec.kind === 'enum' ? (spec.values[v] ?? v) : v}`;
  });
  return parts.length > 0 ? `${ins.op} ${parts.join(' ')}` : ins.op;
}
