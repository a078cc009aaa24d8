// The program file (.pcx): what the compiler emits and the core loads, carrying every fact the core
// needs (the core never imports the compiler). Little-endian binary:
//   "PCX\0"  u16 version  u16 reserved
//   sections: 4-byte tag, u32 payload length, payload
//     CORE  sizes, latencies (cycles), clock, converters (the ADC's scale as a multiplier and a
//           shift), decay mode, device model and parameters, energy table, register formats
//     NEUR  per population: name, model, size, conventions, named raw int32 arrays (parameters
//           and initial states)
//     TGTS  initial device targets: per tile, its shape and G⁺/G⁻ levels (u16)
//     CODE  u32 count, then 64-bit instruction words (isa.ts)
//     PROB  the schedule (every, start, stop in steps) of every PROBE instruction
//     LERN  the learning unit's constants (rates, B, thresholds, pulse levels), or empty
//     SYMS  network name, dt, index layout, accumulator offsets, source files and the span and
//           origin of every instruction (as clox keeps lines beside its chunk)
//     RUNS  steps per sequence, samples, seed and the task that supplies inputs (JSON)
//     END   u32 CRC-32 of every byte before this section
// Loading validates everything and answers with a coded error, never an exception: bad magic
// (PCX1001), another version (PCX1002: recompile), truncation (PCX1003), checksum (PCX1004),
// malformed or missing sections (PCX1005), unknown opcodes (PCX1006), values out of range
// (PCX1007), and a program that does not fit its core (PCX1008). Decoding then encoding gives
// back the same bytes.
import { decodeInstruction, encodeInstruction, fieldSpecs, ISA, operand, UNITS, UPDATE_SCHEMES, type CoreTiming, type Instruction } from './isa.ts';
import type { Overflow, QFormat, Rounding } from './fixed.ts';

export const PROGRAM_VERSION = 6;
const MAGIC = [0x50, 0x43, 0x58, 0x00];

export const REGISTERS = ['accumulator', 'membrane', 'threshold', 'adaptation', 'weight', 'trace', 'psi', 'error', 'eligibility', 'eligibility_sum', 'learning_signal', 'gradient', 'decay'] as const;
export type RegisterName = (typeof REGISTERS)[number];
export interface RegisterFormat extends QFormat { readonly overflow: Overflow; readonly round: Rounding }
export const ROUNDINGS: readonly Rounding[] = ['nearest', 'nearest_even', 'toward_zero', 'floor', 'stochastic'];

export const DEVICE_KINDS = ['ideal', 'pcm'] as const;
export const PCM_PROFILES = ['demirag2021', 'aihwkit', 'hermes'] as const;
export const ADC_LAWS = ['neurosim', 'isaac', 'constant'] as const;

/** The synaptic device (SI units: siemens, seconds). */
export interface DeviceParams {
  readonly kind: (typeof DEVICE_KINDS)[number];
  readonly profile: (typeof PCM_PROFILES)[number];
  /** Levels of an ideal device; 0 for PCM (targets are 16-bit over [0, g_max]). */
  readonly levels: number;
  readonly devicesPerSide: number;
  readonly gMax: number; readonly gMin: number; readonly weightScale: number;
  readonly progNoise: boolean; readonly readNoise: boolean; readonly drift: boolean; readonly driftCompensation: boolean;
  readonly driftNu: number; readonly driftT0: number; readonly updatePeriod: number;
  /** Refresh of saturated pairs: when a side exceeds gHigh and the pair differs by less than minDiff; null: never. */
  readonly refresh: { readonly gHigh: number; readonly minDiff: number } | null;
  /** The core's weight precision (weight_bits): programmed weights take 2^b − 1 values; 0: as the devices hold them. */
  readonly weightBits: number;
}

/**
 * A weight (weight units) rounded to the weight_bits grid: 2^(b−1) − 1 magnitudes of maxW/(2^(b−1) − 1)
 * each side of 0, half away from zero, clamped to ±maxW; unchanged when bits is 0.
 */
export function weightOnGrid(w: number, bits: number, maxW: number): number {
  if (bits === 0) return w;
  const steps = 2 ** (bits - 1) - 1;
  const q = Math.min(steps, Math.round(Math.abs(w) / maxW * steps));
  return (Math.sign(w) * q * maxW) / steps + 0;
}

/**
 * The column ADCs: `bits` over ±`range` (weight units), one LSB = 2·range/2^bits. A code becomes
 * accumulator units by the fixed-point multiplier (code · multiplier) >> shift (TFLite's
 * QuantizeMultiplier: multiplier in [2^30, 2^31), so the scale keeps 31 significant bits).
 */
export interface AdcParams { readonly bits: number; readonly range: number; readonly noise: number; readonly multiplier: number; readonly shift: number }

/** Prices of the energy ledger (pJ, volts, seconds); docs/energy.md gives each default's source. */
export interface EnergyTable {
  readonly adcLaw: (typeof ADC_LAWS)[number];
  /** The price of one conversion under the `constant` law. */
  readonly adcConstant: number;
  readonly dacPulse: number;
  readonly readVoltage: number; readonly readTime: number;
  readonly addPerBit: number; readonly multiplyPerBit2: number; readonly sramPerBit: number;
  readonly setPulse: number; readonly resetPulse: number;
}
export const ENERGY_KEYS = ['adcConstant', 'dacPulse', 'readVoltage', 'readTime', 'addPerBit', 'multiplyPerBit2', 'sramPerBit', 'setPulse', 'resetPulse'] as const;

export interface CoreConfig extends CoreTiming {
  readonly clockHz: number;
  readonly dacBits: number;
  /** The column ADCs (the latency `adc` is the cycles of one conversion). */
  readonly converter: AdcParams;
  readonly decayMode: 'multiply' | 'shift';
  /** The source of stochastic rounding (docs/core.md). */
  readonly lfsr: 'phasecore' | 'reckon';
  /** The order of a time step (docs/core.md, "The tick"). */
  readonly tick: 'fused' | 'split';
  readonly device: DeviceParams;
  readonly energy: EnergyTable;
  readonly registers: Readonly<Record<RegisterName, RegisterFormat>>;
}

export const RESET_KINDS = ['subtract', 'zero', 'to'] as const;
/**
 * A population's neuron conventions, each an explicit option as in the reference (docs/core.md):
 * reset kind and timing, threshold test, input factor (1 − α or 1 − κ), adaptation increment
 * (1 or 1 − ρ), refractory steps, v_min (raw membrane units, or null), graded input encoding.
 */
export interface Conventions {
  readonly reset: (typeof RESET_KINDS)[number];
  readonly adaptiveTheta: boolean;
  readonly sameStep: boolean;
  readonly ge: boolean;
  readonly inputFactor: boolean;
  readonly incrementOneMinusRho: boolean;
  readonly refractory: number;
  readonly vMin: number | null;
  readonly graded: boolean;
  /** ψ = 0 while the neuron is refractory (surrogate_when_refractory = zero). */
  readonly psiZeroBlocked: boolean;
}
export const NO_CONVENTIONS: Conventions = { reset: 'subtract', adaptiveTheta: false, sameStep: false, ge: false, inputFactor: false, incrementOneMinusRho: false, refractory: 0, vMin: null, graded: false, psiZeroBlocked: false };

export const MODELS = ['input', 'LIF', 'ALIF', 'LI'] as const;
export type Model = (typeof MODELS)[number];
export interface PopulationParams { readonly name: string; readonly model: Model; readonly size: number; readonly conventions: Conventions; readonly arrays: Readonly<Record<string, Int32Array>> }
/** A tile's initial device levels, and which of its cells are synapses the learning unit may change (1) — none without learning. */
export interface TileTargets { readonly tile: number; readonly rows: number; readonly cols: number; readonly gPlus: Uint16Array; readonly gMinus: Uint16Array; readonly trainable: Uint8Array }
/** When a PROBE instruction records, in steps of a sequence: from `start`, every `every`, through `stop` (inclusive). */
export interface ProbeSchedule { readonly address: number; readonly every: number; readonly start: number; readonly stop: number }

export const FEEDBACK_KINDS = ['none', 'symmetric', 'random', 'adaptive'] as const;
/** The weight-update schemes: the PROGRAM instruction's (one list). */
export const SCHEMES = UPDATE_SCHEMES;
export const PLACEMENTS = ['on_chip', 'chip_in_the_loop'] as const;
export const WRITE_TIMES = ['step', 'sequence', 'batch'] as const;
export const REGULARIZERS = ['none', 'per_sequence', 'batch_mean'] as const;
export const LOSSES = ['mse', 'cross_entropy'] as const;
/** A positive real as a fixed-point multiplier in [2^30, 2^31) and a right shift: m·2^−shift (TFLite's QuantizeMultiplier). */
export interface Multiplier { readonly multiplier: number; readonly shift: number }

/**
 * The learning unit's constants (docs/core.md, "The learning unit"). Raw values are in the
 * registers' formats; `lr` turns a learning signal (learning_signal format) into ηL in the
 * gradient format: ηL = L·m >> shift, η already scaled by the gradient's averaging (1/batch,
 * 1/window).
 */
export interface LearningConstants {
  readonly placement: (typeof PLACEMENTS)[number];
  readonly loss: (typeof LOSSES)[number];
  /** The first step of a sequence whose error counts (the loss window's start). */
  readonly windowStart: number;
  readonly lr: Multiplier;
  readonly feedback: (typeof FEEDBACK_KINDS)[number];
  /** B, [recurrent][output], in the weight format (empty for symmetric feedback: the unit reads the readout weights). */
  readonly B: Int32Array;
  /** Adaptive feedback's decay per write, in the decay format (0 otherwise). */
  readonly feedbackDecay: number;
  /** The readouts' κ in the decay format (every readout shares it; it filters the eligibility). */
  readonly kappa: number;
  readonly scheme: (typeof SCHEMES)[number];
  readonly write: (typeof WRITE_TIMES)[number];
  /** Sequences per write (write = batch). */
  readonly batch: number;
  /** sign: |Δ| above which one pulse is applied; mixed precision: the transfer quantum ε. Gradient format. */
  readonly threshold: number;
  /** The conductance of one nominal SET pulse (direct, multi, mixed precision), siemens; stochastic: the change that makes a pulse certain. */
  readonly pulse: number;
  /** Ideal devices: the levels one pulse adds (≥ 1). */
  readonly pulseLevels: number;
  /** |Δ| clipped to this at a write (gradient format; 0: no clip). */
  readonly clip: number;
  /** program_verify: how close a device must read to its target (siemens), and the attempts per device (0 for the other schemes). */
  readonly verifyTolerance: number;
  readonly verifyIterations: number;
  /** The firing-rate regulariser: Δ −= K·(n_j − n0)·Σe, n_j the spikes of neuron j; K as a multiplier into the gradient format per eligibility unit, n0 with 8 fractional bits. */
  readonly regularizer: (typeof REGULARIZERS)[number];
  readonly regK: Multiplier;
  readonly regN0: number;
}

/**
 * ReckOn's learning unit's constants (docs/core.md, "ReckOn's learning unit"), its registers as
 * its RTL names them (Frenkel & Indiveri 2022; ChFrenkel/ReckOn). Raw integers throughout.
 */
export interface ReckonConstants {
  /** The first output row of the window in which the label is known: the host votes there, and the chip learns on the steps whose STEP phase leaks its rows. */
  readonly windowStart: number;
  /** DO_EPROP: bit 0 the input weights, bit 1 the recurrent weights, bit 2 the readout weights. */
  readonly learn: number;
  /** FP_LOC_W: a weight enters the membrane shifted left by this. */
  readonly weightShift: number;
  /** FP_LOC_TINP, TREC, TOUT: the traces' increments (8, 8 and 2 shifted left by them) and the right shifts that read them. */
  readonly traceShift: readonly [number, number, number];
  /** LEARN_SIG_SCALE: L = sat16((Σ_k e_k·w_out · 2^scale) >> 12). */
  readonly signalScale: number;
  /** THR_H: h = 1 where the membrane (after the STEP phase) is at least this, else 0. */
  readonly hThreshold: number;
  /** LR_P and LR_R of the input, recurrent and readout weights: q = min(|p| << LR_P, 2^W − 1) >> LR_R. */
  readonly lrShift: readonly [number, number, number];
  readonly lrRShift: readonly [number, number, number];
  /** REGUL_W (additive mode): bit 0 the input weights, bit 1 the recurrent weights (0: no regularisation). */
  readonly regularize: number;
  /** REGUL_F0, and K_INP_P, K_REC_P: R = max(0, (trec_j >> FP_TREC) − F0) << K. */
  readonly regF0: number;
  readonly regShift: readonly [number, number];
}

export interface SourceSpan { readonly file: number; readonly line: number; readonly column: number }
export interface Symbols {
  readonly network: string;
  /** The network's time step, seconds. */
  readonly dt: number;
  /** Per population: the index space it lives in, its offset there, and its first accumulator (−1: none). */
  readonly layout: ReadonlyArray<{ readonly space: 'input' | 'rec' | 'out'; readonly offset: number; readonly accumulator: number }>;
  readonly files: readonly string[];
  /** Per instruction: where in the source it comes from (file −1: nowhere in particular), and what it serves. */
  readonly spans: readonly SourceSpan[];
  readonly origins: readonly string[];
}

/**
 * What a run executes: sequences of `steps`, how many, the seed, the task that supplies inputs
 * (TaskIR) and the loss its outputs are scored with (LossIR: a train block's, or null), as JSON.
 */
export interface RunInfo { readonly steps: number; readonly samples: number; readonly seed: number; readonly task: unknown; readonly loss: unknown }

export interface Program {
  readonly core: CoreConfig;
  readonly populations: readonly PopulationParams[];
  readonly targets: readonly TileTargets[];
  readonly code: readonly Instruction[];
  readonly probes: readonly ProbeSchedule[];
  readonly learning: LearningConstants | null;
  /** ReckOn's learning unit (a split tick's RECKON_EPROP), or null. */
  readonly reckon: ReckonConstants | null;
  readonly symbols: Symbols;
  readonly run: RunInfo;
}

export interface ProgramError { readonly code: string; readonly message: string }
export type LoadResult = { ok: true; program: Program } | { ok: false; error: ProgramError };

const TIMING_KEYS = ['rows', 'cols', 'tiles', 'lanes', 'adcColumns', 'crossbarRead', 'adc', 'accumulate', 'neuronUpdate', 'readout', 'traceUpdate', 'learningSignal', 'gradient', 'programPulse', 'stepOverhead', 'loadInput', 'eventScan', 'event'] as const;
const SPACES = ['input', 'rec', 'out'] as const;
const SECTIONS = ['CORE', 'NEUR', 'TGTS', 'CODE', 'PROB', 'LERN', 'RKON', 'SYMS', 'RUNS'] as const;
const RECKON_KEYS = ['windowStart', 'learn', 'weightShift', 'signalScale', 'hThreshold', 'regularize', 'regF0'] as const;

// ---- writing --------------------------------------------------------------------------------
class Writer {
  private buf = new Uint8Array(1024);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private need(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    next.set(this.buf);
    this.buf = next;
    this.view = new DataView(next.buffer);
  }
  u8(v: number) { this.need(1); this.view.setUint8(this.length, v); this.length += 1; }
  u16(v: number) { this.need(2); this.view.setUint16(this.length, v, true); this.length += 2; }
  u32(v: number) { this.need(4); this.view.setUint32(this.length, v, true); this.length += 4; }
  i32(v: number) { this.need(4); this.view.setInt32(this.length, v, true); this.length += 4; }
  f64(v: number) { this.need(8); this.view.setFloat64(this.length, v, true); this.length += 8; }
  u64(v: bigint) { this.need(8); this.view.setBigUint64(this.length, v, true); this.length += 8; }
  bytes(b: Uint8Array) { this.need(b.length); this.buf.set(b, this.length); this.length += b.length; }
  /** A string of up to 65535 UTF-8 bytes. */
  text(s: string) { const b = new TextEncoder().encode(s); if (b.length > 0xffff) throw new Error('internal: a program string over 64 KiB'); this.u16(b.length); this.bytes(b); }
  /** A long string (u32 length). */
  longText(s: string) { const b = new TextEncoder().encode(s); this.u32(b.length); this.bytes(b); }
  int32s(a: Int32Array) { this.bytes(new Uint8Array(Int32Array.from(a).buffer)); }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

function section(w: Writer, tag: string, body: (s: Writer) => void): void {
  const s = new Writer();
  body(s);
  w.bytes(new TextEncoder().encode(tag));
  w.u32(s.length);
  w.bytes(s.done());
}

const flagBits = (...xs: boolean[]): number => xs.reduce((a, x, i) => a | ((x ? 1 : 0) << i), 0);

export function encodeProgram(p: Program): Uint8Array {
  const w = new Writer();
  w.bytes(Uint8Array.from(MAGIC));
  w.u16(PROGRAM_VERSION);
  w.u16(0);
  section(w, 'CORE', (s) => {
    const c = p.core;
    for (const k of TIMING_KEYS) s.u32(c[k]);
    s.f64(c.clockHz); s.u8(c.dacBits);
    s.u8(c.converter.bits); s.f64(c.converter.range); s.f64(c.converter.noise); s.u32(c.converter.multiplier); s.i32(c.converter.shift);
    s.u8(c.decayMode === 'multiply' ? 0 : 1);
    s.u8(c.lfsr === 'phasecore' ? 0 : 1);
    s.u8(c.tick === 'fused' ? 0 : 1);
    const d = c.device;
    s.u8(DEVICE_KINDS.indexOf(d.kind)); s.u8(PCM_PROFILES.indexOf(d.profile)); s.u32(d.levels); s.u8(d.devicesPerSide);
    s.f64(d.gMax); s.f64(d.gMin); s.f64(d.weightScale);
    s.u8(flagBits(d.progNoise, d.readNoise, d.drift, d.driftCompensation, d.refresh !== null));
    s.f64(d.driftNu); s.f64(d.driftT0); s.f64(d.updatePeriod); s.f64(d.refresh?.gHigh ?? 0); s.f64(d.refresh?.minDiff ?? 0);
    s.u8(d.weightBits);
    s.u8(ADC_LAWS.indexOf(c.energy.adcLaw));
    for (const k of ENERGY_KEYS) s.f64(c.energy[k]);
    for (const r of REGISTERS) {
      const f = c.registers[r];
      s.u8(f.signed ? 1 : 0); s.u8(f.bits); s.u8(f.frac); s.u8(f.overflow === 'saturate' ? 0 : 1); s.u8(ROUNDINGS.indexOf(f.round));
    }
  });
  section(w, 'NEUR', (s) => {
    s.u16(p.populations.length);
    for (const pop of p.populations) {
      s.text(pop.name); s.u8(MODELS.indexOf(pop.model)); s.u32(pop.size);
      const c = pop.conventions;
      s.u8(RESET_KINDS.indexOf(c.reset));
      s.u8(flagBits(c.adaptiveTheta, c.sameStep, c.ge, c.inputFactor, c.incrementOneMinusRho, c.vMin !== null, c.graded, c.psiZeroBlocked));
      s.u32(c.refractory); s.i32(c.vMin ?? 0);
      const names = Object.keys(pop.arrays);
      s.u16(names.length);
      for (const n of names) {
        const a = pop.arrays[n] as Int32Array;
        if (a.length !== pop.size) throw new Error(`internal: ${n} has ${a.length} values for ${pop.size} neurons`);
        s.text(n);
        s.int32s(a);
      }
    }
  });
  section(w, 'TGTS', (s) => {
    s.u32(p.targets.length);
    for (const t of p.targets) {
      s.u16(t.tile); s.u16(t.rows); s.u16(t.cols);
      s.bytes(new Uint8Array(Uint16Array.from(t.gPlus).buffer));
      s.bytes(new Uint8Array(Uint16Array.from(t.gMinus).buffer));
      s.u8(t.trainable.length > 0 ? 1 : 0);
      if (t.trainable.length > 0) s.bytes(t.trainable);
    }
  });
  section(w, 'CODE', (s) => {
    s.u32(p.code.length);
    for (const ins of p.code) s.u64(encodeInstruction(ins));
  });
  section(w, 'PROB', (s) => {
    s.u32(p.probes.length);
    for (const pr of p.probes) { s.u32(pr.address); s.u32(pr.every); s.u32(pr.start); s.u32(pr.stop); }
  });
  section(w, 'LERN', (s) => {
    const l = p.learning;
    if (!l) return;
    s.u8(PLACEMENTS.indexOf(l.placement)); s.u8(LOSSES.indexOf(l.loss)); s.u32(l.windowStart);
    s.u32(l.lr.multiplier); s.i32(l.lr.shift);
    s.u8(FEEDBACK_KINDS.indexOf(l.feedback)); s.u32(l.B.length); s.int32s(l.B); s.i32(l.feedbackDecay); s.i32(l.kappa);
    s.u8(SCHEMES.indexOf(l.scheme)); s.u8(WRITE_TIMES.indexOf(l.write)); s.u32(l.batch);
    s.f64(l.threshold); s.f64(l.pulse); s.u32(l.pulseLevels); s.f64(l.clip); s.f64(l.verifyTolerance); s.u32(l.verifyIterations);
    s.u8(REGULARIZERS.indexOf(l.regularizer)); s.u32(l.regK.multiplier); s.i32(l.regK.shift); s.i32(l.regN0);
  });
  section(w, 'RKON', (s) => {
    const k = p.reckon;
    if (!k) return;
    for (const key of RECKON_KEYS) s.i32(k[key]);
    for (const x of [...k.traceShift, ...k.lrShift, ...k.lrRShift, ...k.regShift]) s.u8(x);
  });
  section(w, 'SYMS', (s) => {
    const y = p.symbols;
    s.text(y.network); s.f64(y.dt);
    s.u16(y.layout.length);
    for (const l of y.layout) { s.u8(SPACES.indexOf(l.space)); s.u32(l.offset); s.i32(l.accumulator); }
    s.u16(y.files.length);
    for (const f of y.files) s.text(f);
    s.u32(y.spans.length);
    y.spans.forEach((sp, i) => { s.i32(sp.file); s.u32(sp.line); s.u32(sp.column); s.text(y.origins[i] ?? ''); });
  });
  section(w, 'RUNS', (s) => {
    s.u32(p.run.steps); s.u32(p.run.samples); s.u32(p.run.seed); s.longText(JSON.stringify({ task: p.run.task ?? null, loss: p.run.loss ?? null }));
  });
  const body = w.done();
  const end = new Writer();
  end.bytes(body);
  end.bytes(new TextEncoder().encode('END '));
  end.u32(4);
  end.u32(crc32(body));
  return end.done();
}

// ---- reading --------------------------------------------------------------------------------
class Bad extends Error { constructor(readonly code: string, message: string) { super(message); } }

class Reader {
  private readonly view: DataView;
  at = 0;
  constructor(private readonly b: Uint8Array, private readonly end = b.length, start = 0, readonly tag = '') {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.at = start;
  }
  private need(n: number) { if (this.at + n > this.end) throw new Bad(this.tag ? 'PCX1005' : 'PCX1003', this.tag ? `section ${this.tag} ends early` : 'the file is truncated (in the header)'); }
  u8() { this.need(1); return this.view.getUint8(this.at++); }
  u16() { this.need(2); const v = this.view.getUint16(this.at, true); this.at += 2; return v; }
  u32() { this.need(4); const v = this.view.getUint32(this.at, true); this.at += 4; return v; }
  i32() { this.need(4); const v = this.view.getInt32(this.at, true); this.at += 4; return v; }
  f64() { this.need(8); const v = this.view.getFloat64(this.at, true); this.at += 8; return v; }
  u64() { this.need(8); const v = this.view.getBigUint64(this.at, true); this.at += 8; return v; }
  bytes(n: number) { this.need(n); const v = this.b.slice(this.at, this.at + n); this.at += n; return v; }
  text() { return utf8(this.bytes(this.u16()), this.tag); }
  longText() { return utf8(this.bytes(this.u32()), this.tag); }
  int32s(n: number) { const b = this.bytes(n * 4); return new Int32Array(b.buffer, b.byteOffset, n); }
  /** One of `values` by its index. */
  pick<T>(values: readonly T[], what: string): T { const i = this.u8(); const v = values[i]; if (v === undefined) throw new Bad('PCX1007', `${what} ${i} is none of ${values.map((x, k) => `${k} ${String(x)}`).join(', ')}`); return v; }
  /** A finite number within [lo, hi]. */
  real(what: string, lo = -Infinity, hi = Infinity) { const v = this.f64(); if (!Number.isFinite(v) || v < lo || v > hi) throw new Bad('PCX1007', `${what} is ${v}, outside [${lo}, ${hi}]`); return v; }
  get remaining() { return this.end - this.at; }
}

/** Strict UTF-8 (a damaged string is a malformed section, and re-encoding must give back its bytes). */
function utf8(b: Uint8Array, tag: string): string {
  try { return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b); } catch { throw new Bad('PCX1005', `section ${tag} holds a string that is not UTF-8`); }
}

export function decodeProgram(bytes: Uint8Array): LoadResult {
  try {
    return { ok: true, program: read(bytes) };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: { code: e.code, message: e.message } };
    if (e instanceof RangeError) return { ok: false, error: { code: 'PCX1005', message: 'a section declares more data than the file can hold' } };
    throw e;
  }
}

function read(bytes: Uint8Array): Program {
  const magic = bytes.length >= 4 && MAGIC.every((m, i) => bytes[i] === m);
  if (!magic) throw new Bad('PCX1001', 'not a phasecore program (no PCX magic)');
  if (bytes.length < 8) throw new Bad('PCX1003', 'the file is truncated (in the header)');
  const top = new Reader(bytes, bytes.length, 4);
  const version = top.u16();
  if (version !== PROGRAM_VERSION) throw new Bad('PCX1002', `program format version ${version}; this phasecore reads version ${PROGRAM_VERSION}: recompile the program from its .snn file with \`phasecore compile\``);
  top.u16();
  const sections = new Map<string, { start: number; end: number }>();
  let endSeen = false;
  while (top.remaining > 0) {
    const tagStart = top.at;
    if (top.remaining < 8) throw new Bad('PCX1003', 'the file is truncated (in a section header)');
    const tag = String.fromCharCode(...top.bytes(4));
    const len = top.u32();
    if (len > top.remaining) throw new Bad('PCX1003', `the file is truncated (section ${tag.replace(/[^\x20-\x7e]/g, '?')} declares ${len} bytes, ${top.remaining} remain)`);
    if (tag === 'END ') {
      if (len !== 4) throw new Bad('PCX1005', 'malformed END section');
      const crc = new Reader(bytes, top.at + 4, top.at).u32();
      if (crc !== crc32(bytes.subarray(0, tagStart))) throw new Bad('PCX1004', 'checksum mismatch: the file is damaged');
      top.at += 4;
      if (top.remaining !== 0) throw new Bad('PCX1005', 'bytes after the END section');
      endSeen = true;
      break;
    }
    if (!(SECTIONS as readonly string[]).includes(tag)) throw new Bad('PCX1005', `unknown section '${tag.replace(/[^\x20-\x7e]/g, '?')}'`);
    if (sections.has(tag)) throw new Bad('PCX1005', `section ${tag} appears twice`);
    sections.set(tag, { start: top.at, end: top.at + len });
    top.at += len;
  }
  if (!endSeen) throw new Bad('PCX1003', 'the file is truncated (no END section)');
  // Sections in their order of encoding: encode(decode(bytes)) must give back the bytes.
  const order = [...sections.keys()];
  if (order.length !== SECTIONS.length || order.some((t, i) => t !== SECTIONS[i])) {
    const missing = SECTIONS.find((t) => !sections.has(t));
    throw new Bad('PCX1005', missing ? `missing section ${missing}` : `sections out of order (${order.join(', ')})`);
  }
  const get = (tag: (typeof SECTIONS)[number]) => {
    const s = sections.get(tag)!;
    return new Reader(bytes, s.end, s.start, tag);
  };
  const core = within(get('CORE'), readCore);
  const populations = within(get('NEUR'), readPopulations);
  const targets = within(get('TGTS'), (r) => readTargets(r, core));
  const code = within(get('CODE'), readCode);
  const probes = within(get('PROB'), readProbes);
  const learning = within(get('LERN'), readLearning);
  const reckon = within(get('RKON'), readReckon);
  const symbols = within(get('SYMS'), readSymbols);
  const run = within(get('RUNS'), readRun);
  const program = { core, populations, targets, code, probes, learning, reckon, symbols, run };
  validate(program);
  return program;
}

/** Read a whole section: every byte must be used. */
function within<T>(r: Reader, f: (r: Reader) => T): T {
  const v = f(r);
  if (r.remaining !== 0) throw new Bad('PCX1005', `section ${r.tag} has ${r.remaining} unexpected bytes`);
  return v;
}

function readCore(r: Reader): CoreConfig {
  const t: Record<string, number> = {};
  for (const k of TIMING_KEYS) t[k] = r.u32();
  const clockHz = r.real('the clock', Number.MIN_VALUE, 1e13);
  const dacBits = r.u8();
  const converter: AdcParams = { bits: r.u8(), range: r.real('the ADC range', Number.MIN_VALUE), noise: r.real('the ADC noise', 0), multiplier: r.u32(), shift: r.i32() };
  const decayMode = r.pick(['multiply', 'shift'] as const, 'decay mode');
  const lfsr = r.pick(['phasecore', 'reckon'] as const, 'rounding LFSR');
  const tick = r.pick(['fused', 'split'] as const, 'tick order');
  const kind = r.pick(DEVICE_KINDS, 'device');
  const profile = r.pick(PCM_PROFILES, 'PCM profile');
  const levels = r.u32(); const devicesPerSide = r.u8();
  const gMax = r.real('g_max', Number.MIN_VALUE, 1); const gMin = r.real('g_min', 0, 1); const weightScale = r.real('weight_scale', Number.MIN_VALUE, 1);
  const flags = r.u8();
  if (flags >= 32) throw new Bad('PCX1007', 'the device has unknown flags');
  const driftNu = r.real('drift ν', 0, 1); const driftT0 = r.real('drift t0', Number.MIN_VALUE); const updatePeriod = r.real('the update period', Number.MIN_VALUE);
  const gHigh = r.real('refresh g_high', 0, 1); const minDiff = r.real('refresh min_diff', 0, 1);
  const weightBits = r.u8();
  if (weightBits === 1 || weightBits > 16) throw new Bad('PCX1007', `a weight precision of ${weightBits} bits`);
  const device: DeviceParams = {
    kind, profile, levels, devicesPerSide, gMax, gMin, weightScale,
    progNoise: (flags & 1) !== 0, readNoise: (flags & 2) !== 0, drift: (flags & 4) !== 0, driftCompensation: (flags & 8) !== 0,
    driftNu, driftT0, updatePeriod, refresh: (flags & 16) !== 0 ? { gHigh, minDiff } : null, weightBits,
  };
  const adcLaw = r.pick(ADC_LAWS, 'ADC energy law');
  const e: Record<string, number> = {};
  for (const k of ENERGY_KEYS) e[k] = r.real(`energy ${k}`, 0);
  const energy = { adcLaw, ...e } as unknown as EnergyTable;
  const registers = {} as Record<RegisterName, RegisterFormat>;
  for (const name of REGISTERS) {
    const signed = r.u8(); const bits = r.u8(); const frac = r.u8(); const ov = r.u8(); const rd = r.u8();
    if (signed > 1 || bits < 1 || bits > 48 || frac > 48 || ov > 1 || rd >= ROUNDINGS.length) throw new Bad('PCX1007', `register ${name} has an invalid format`);
    registers[name] = { signed: signed === 1, bits, frac, overflow: ov === 0 ? 'saturate' : 'wrap', round: ROUNDINGS[rd] as Rounding };
  }
  const c: CoreConfig = { ...(t as unknown as CoreTiming), clockHz, dacBits, converter, decayMode, lfsr, tick, device, energy, registers };
  const positive: Array<[string, number]> = [['rows', c.rows], ['cols', c.cols], ['tiles', c.tiles], ['lanes', c.lanes], ['adcColumns', c.adcColumns], ['ADC bits', converter.bits], ['DAC bits', dacBits], ['devices per side', devicesPerSide], ['the ADC multiplier', converter.multiplier]];
  for (const [k, v] of positive) if (v < 1) throw new Bad('PCX1007', `core ${k} is ${v}; it must be at least 1`);
  if (c.rows > 4096 || c.cols > 4096 || c.tiles > 4096 || converter.bits > 16 || dacBits > 16 || devicesPerSide > 16 || converter.multiplier >= 2 ** 31 || Math.abs(converter.shift) > 62) throw new Bad('PCX1007', 'a core size is beyond the architecture\'s limits');
  if (kind === 'ideal' ? levels < 2 || levels > 65536 : levels !== 0) throw new Bad('PCX1007', `an ${kind} device with ${levels} levels`);
  return c;
}

function readPopulations(r: Reader): PopulationParams[] {
  const n = r.u16();
  const out: PopulationParams[] = [];
  for (let i = 0; i < n; i++) {
    const name = r.text();
    const model = r.pick(MODELS, `population ${i}'s model`);
    const size = r.u32();
    if (size > 1e7) throw new Bad('PCX1007', `population ${name} has ${size} neurons`);
    const reset = r.pick(RESET_KINDS, `population ${name}'s reset`);
    const flags = r.u8();
    const refractory = r.u32(); const vMin = r.i32();
    const conventions: Conventions = {
      reset, adaptiveTheta: (flags & 1) !== 0, sameStep: (flags & 2) !== 0, ge: (flags & 4) !== 0, inputFactor: (flags & 8) !== 0,
      incrementOneMinusRho: (flags & 16) !== 0, refractory, vMin: (flags & 32) !== 0 ? vMin : null, graded: (flags & 64) !== 0, psiZeroBlocked: (flags & 128) !== 0,
    };
    if (conventions.vMin === null && vMin !== 0) throw new Bad('PCX1007', `population ${name} has a v_min value without its flag`);
    const k = r.u16();
    const arrays: Record<string, Int32Array> = {};
    for (let j = 0; j < k; j++) {
      const key = r.text();
      if (key in arrays) throw new Bad('PCX1005', `population ${name} has two arrays ${key}`);
      if (!(MODEL_ARRAYS[model] as readonly string[]).includes(key) && !(LEARNING_ARRAYS[model] as readonly string[]).includes(key) && key !== 'reset_value') throw new Bad('PCX1005', `population ${name} (${model}) has an array ${JSON.stringify(key)} no unit reads`);
      arrays[key] = r.int32s(size);
    }
    out.push({ name, model, size, conventions, arrays });
  }
  return out;
}

function readTargets(r: Reader, core: CoreConfig): TileTargets[] {
  const n = r.u32();
  if (n > core.tiles) throw new Bad('PCX1008', `${n} tiles of device targets for a core of ${core.tiles} tiles`);
  const out: TileTargets[] = [];
  for (let i = 0; i < n; i++) {
    const tile = r.u16(); const rows = r.u16(); const cols = r.u16();
    if (tile >= core.tiles || rows > core.rows || cols > core.cols) throw new Bad('PCX1008', `device targets for tile ${tile} (${rows} x ${cols}) do not fit the core's ${core.tiles} tiles of ${core.rows} x ${core.cols}`);
    if (out.some((t) => t.tile === tile)) throw new Bad('PCX1005', `device targets for tile ${tile} appear twice`);
    const gp = r.bytes(rows * cols * 2);
    const gm = r.bytes(rows * cols * 2);
    const has = r.u8();
    if (has > 1) throw new Bad('PCX1007', `tile ${tile}'s trainable flag is ${has}`);
    const trainable = has === 1 ? r.bytes(rows * cols) : new Uint8Array(0);
    if (trainable.some((x) => x > 1)) throw new Bad('PCX1007', `tile ${tile}'s trainable mask holds a value other than 0 or 1`);
    out.push({ tile, rows, cols, gPlus: new Uint16Array(gp.buffer, gp.byteOffset, rows * cols), gMinus: new Uint16Array(gm.buffer, gm.byteOffset, rows * cols), trainable });
  }
  return out;
}

function readCode(r: Reader): Instruction[] {
  const n = r.u32();
  if (n * 8 > r.remaining) throw new Bad('PCX1005', `section CODE declares ${n} instructions in ${r.remaining} bytes`);
  const out: Instruction[] = [];
  for (let i = 0; i < n; i++) {
    const d = decodeInstruction(r.u64());
    if (!d.ok) throw new Bad(d.code, `instruction ${i}: ${d.message}`);
    out.push(d.instruction);
  }
  return out;
}

function readProbes(r: Reader): ProbeSchedule[] {
  const n = r.u32();
  if (n * 16 > r.remaining) throw new Bad('PCX1005', `section PROB declares ${n} schedules in ${r.remaining} bytes`);
  return Array.from({ length: n }, () => ({ address: r.u32(), every: r.u32(), start: r.u32(), stop: r.u32() }));
}

function readLearning(r: Reader): LearningConstants | null {
  if (r.remaining === 0) return null;
  const placement = r.pick(PLACEMENTS, 'placement'); const loss = r.pick(LOSSES, 'loss'); const windowStart = r.u32();
  const lr = multiplier(r, 'the learning rate');
  const feedback = r.pick(FEEDBACK_KINDS, 'feedback');
  const nB = r.u32();
  if (nB * 4 > r.remaining) throw new Bad('PCX1005', `section LERN declares ${nB} feedback weights in ${r.remaining} bytes`);
  const B = r.int32s(nB);
  const feedbackDecay = r.i32(); const kappa = r.i32();
  const scheme = r.pick(SCHEMES, 'update scheme'); const write = r.pick(WRITE_TIMES, 'write time'); const batch = r.u32();
  if (batch < 1) throw new Bad('PCX1007', 'a batch of 0 sequences');
  const threshold = r.real('the scheme threshold', 0, 2 ** 53); const pulse = r.real('the pulse', 0, 1); const pulseLevels = r.u32(); const clip = r.real('the clip', 0, 2 ** 53);
  const verifyTolerance = r.real('the verify tolerance', 0, 1); const verifyIterations = r.u32();
  const regularizer = r.pick(REGULARIZERS, 'regulariser'); const regK = multiplier(r, 'the regulariser'); const regN0 = r.i32();
  return { placement, loss, windowStart, lr, feedback, B, feedbackDecay, kappa, scheme, write, batch, threshold, pulse, pulseLevels, clip, verifyTolerance, verifyIterations, regularizer, regK, regN0 };
}

function readReckon(r: Reader): ReckonConstants | null {
  if (r.remaining === 0) return null;
  const v: Record<string, number> = {};
  for (const k of RECKON_KEYS) v[k] = r.i32();
  const three = (): [number, number, number] => [r.u8(), r.u8(), r.u8()];
  const traceShift = three(); const lrShift = three(); const lrRShift = three();
  const regShift: [number, number] = [r.u8(), r.u8()];
  if ((v.learn as number) < 0 || (v.learn as number) > 7 || (v.regularize as number) < 0 || (v.regularize as number) > 3) throw new Bad('PCX1007', 'ReckOn\'s learning unit has unknown flags');
  if ([...traceShift, ...lrShift, ...lrRShift, ...regShift].some((x) => x > 31) || (v.weightShift as number) < 0 || (v.weightShift as number) > 7) throw new Bad('PCX1007', 'a shift of ReckOn\'s learning unit is out of range');
  return { ...(v as Record<(typeof RECKON_KEYS)[number], number>), traceShift, lrShift, lrRShift, regShift };
}

function multiplier(r: Reader, what: string): Multiplier {
  const m = r.u32(); const shift = r.i32();
  if (m >= 2 ** 31 || (m !== 0 && m < 2 ** 30) || Math.abs(shift) > 120) throw new Bad('PCX1007', `${what}'s multiplier ${m} >> ${shift} is not a normalised multiplier`);
  return { multiplier: m, shift };
}

function readSymbols(r: Reader): Symbols {
  const network = r.text();
  const dt = r.real('dt', Number.MIN_VALUE);
  const nl = r.u16();
  const layout = Array.from({ length: nl }, () => ({ space: r.pick(SPACES, 'index space'), offset: r.u32(), accumulator: r.i32() }));
  const nf = r.u16();
  const files = Array.from({ length: nf }, () => r.text());
  const ns = r.u32();
  if (ns * 14 > r.remaining) throw new Bad('PCX1005', `section SYMS declares ${ns} spans in ${r.remaining} bytes`);
  const spans: SourceSpan[] = [];
  const origins: string[] = [];
  for (let i = 0; i < ns; i++) {
    const file = r.i32();
    if (file < -1 || file >= nf) throw new Bad('PCX1007', `instruction ${i}'s span names file ${file} of ${nf}`);
    spans.push({ file, line: r.u32(), column: r.u32() });
    origins.push(r.text());
  }
  return { network, dt, layout, files, spans, origins };
}

function readRun(r: Reader): RunInfo {
  const steps = r.u32(); const samples = r.u32(); const seed = r.u32();
  const text = r.longText();
  let json: unknown;
  try { json = JSON.parse(text); } catch { throw new Bad('PCX1005', 'section RUNS holds a task that is not JSON'); }
  if (typeof json !== 'object' || json === null || !('task' in json) || !('loss' in json) || Object.keys(json).length !== 2) throw new Bad('PCX1005', 'section RUNS holds no task and loss');
  const { task, loss } = json as { task: unknown; loss: unknown };
  if (JSON.stringify({ task, loss }) !== text) throw new Bad('PCX1005', 'section RUNS holds a task in a non-canonical form');
  return { steps, samples, seed, task, loss };
}

/** The sizes of the three index spaces: input channels, recurrent neurons, readouts. */
/** A synapse's cell: its tile and cell, and its block in the reference's layout with its index there ([pre][post]). */
export interface SynapseCell { readonly tile: number; readonly cell: number; readonly block: 'inRec' | 'recRec' | 'inOut' | 'recOut'; readonly index: number }

/**
 * Every synapse the program maps to a cell, from each add's columns and the rows of the read whose
 * output it takes (the last read of its tile before it).
 */
export function synapseCells(p: Program): SynapseCell[] {
  const { nRec, nOut } = spaceSizes(p);
  const out: SynapseCell[] = [];
  const lastRead = new Map<number, Extract<Instruction, { op: 'XBAR_READ' }>>();
  for (const ins of p.code) {
    if (ins.op === 'XBAR_READ') lastRead.set(ins.fields.tile, ins);
    if (ins.op !== 'ACC_ADD') continue;
    const read = lastRead.get(ins.fields.tile);
    if (!read) continue;
    const input = read.fields.src === 0;
    for (let r = 0; r < read.fields.rowCount; r++) {
      const pre = read.fields.srcLo + r;
      for (let c = 0; c < ins.fields.colCount; c++) {
        const post = ins.fields.dst + c;
        const cell = (read.fields.rowLo + r) * p.core.cols + ins.fields.colLo + c;
        if (post < nRec) out.push({ tile: ins.fields.tile, cell, block: input ? 'inRec' : 'recRec', index: pre * nRec + post });
        else out.push({ tile: ins.fields.tile, cell, block: input ? 'inOut' : 'recOut', index: pre * nOut + post - nRec });
      }
    }
  }
  return out;
}

/** Per block of the reference's layout ([pre][post]), each synapse's cell as tile · cells per tile + cell (−1: none). */
export interface SynapseMaps { readonly inRec: Int32Array; readonly recRec: Int32Array; readonly inOut: Int32Array; readonly recOut: Int32Array; readonly cellsPerTile: number }

/** The synapse maps of a program, frozen (derived from the program: not state a checkpoint keeps). */
export function synapseMaps(p: Program): SynapseMaps {
  const { nIn, nRec, nOut } = spaceSizes(p);
  const cellsPerTile = p.core.rows * p.core.cols;
  const m = { inRec: new Int32Array(nIn * nRec).fill(-1), recRec: new Int32Array(nRec * nRec).fill(-1), inOut: new Int32Array(nIn * nOut).fill(-1), recOut: new Int32Array(nRec * nOut).fill(-1) };
  for (const x of synapseCells(p)) m[x.block][x.index] = x.tile * cellsPerTile + x.cell;
  return Object.freeze({ ...m, cellsPerTile });
}

/** The differential conductance (Σ G⁺ − Σ G⁻, µS, as programmed) of a map entry's pair; 0 for none. */
export const heldConductance = (tiles: ReadonlyArray<{ readonly w: Float64Array } | undefined>, maps: SynapseMaps, at: number): number =>
  at < 0 ? 0 : (tiles[Math.floor(at / maps.cellsPerTile)]!.w[at % maps.cellsPerTile] as number);

export function spaceSizes(p: Pick<Program, 'populations'>): { nIn: number; nRec: number; nOut: number } {
  const sizeOf = (models: readonly Model[]) => p.populations.reduce((a, x) => a + (models.includes(x.model) ? x.size : 0), 0);
  return { nIn: sizeOf(['input']), nRec: sizeOf(['LIF', 'ALIF']), nOut: sizeOf(['LI']) };
}

/** What may follow the step loop: the end of a sequence, its writes, and synchronisation. */
const TAIL = ['SEQ_END', 'BATCH_END', 'PROGRAM', 'REFRESH', 'SYNC', 'NOP'] as const;

/** The arrays the learning unit reads of a recurrent population (with on-chip learning): ψ's height and slope (multiplier and shift), and ALIF's c·β. */
export const LEARNING_ARRAYS: Readonly<Record<Model, readonly string[]>> = { input: [], LIF: ['psi_h', 'psi_s', 'psi_shift'], ALIF: ['psi_h', 'psi_s', 'psi_shift', 'cbeta'], LI: [] };

/** The arrays each model's neuron unit reads (docs/core.md). */
export const MODEL_ARRAYS: Readonly<Record<Model, readonly string[]>> = {
  input: [],
  LIF: ['alpha', 'v_th', 'v_init', 'bias'],
  ALIF: ['alpha', 'v_th', 'v_init', 'bias', 'rho', 'beta', 'a_init'],
  LI: ['kappa', 'bias', 'v_init'],
};

/**
 * Operands against the core and the program, from the kind of each field in the ISA table: every
 * tile, population, enumerated value and jump target must exist, and every range (rows and columns
 * of a tile, neurons of a population, inputs, accumulators) must lie within what it indexes. Then
 * the other sections against the code: each population has its model's arrays, each probe
 * schedule belongs to a PROBE, the symbols cover every instruction.
 */
function validate(p: Program): void {
  const c = p.core;
  const { nIn, nRec, nOut } = spaceSizes(p);
  p.code.forEach((ins, i) => {
    const bad = (what: string) => { throw new Bad('PCX1008', `instruction ${i} (${ins.op}): ${what}`); };
    const value = (name: string) => operand(ins, name);
    for (const [name, spec] of Object.entries(fieldSpecs(ins.op))) {
      const v = value(name);
      switch (spec.kind) {
        case 'tile': if (v >= c.tiles) bad(`tile ${v} does not exist (the core has ${c.tiles})`); break;
        case 'population': if (v >= p.populations.length) bad(`population ${v} does not exist (the program has ${p.populations.length})`); break;
        case 'enum': if (v >= spec.values.length) bad(`${name} ${v} is none of ${spec.values.map((x, k) => `${k} ${x}`).join(', ')}`); break;
        case 'units': if (v >= 2 ** UNITS.length) bad(`the unit mask ${v} names a unit that does not exist (there are ${UNITS.length})`); break;
        case 'flag': if (v > 1) bad(`${name} is ${v}, not 0 or 1`); break;
        case 'address': if (v > i) bad(`jump target ${v} is not before the loop`); break;
        case 'forward': if (v <= i || v >= p.code.length) bad(`jump target ${v} is not after this instruction, within the program`); break;
        case 'instruction': if (v >= i || p.code[v]?.op !== spec.op) bad(`${name} ${v} is not an earlier ${spec.op}`); break;
        case 'count': break;
        case 'start': {
          const n = spec.count !== undefined ? value(spec.count) : 1;
          const population = p.populations[value('pop')];
          const [limit, what] = ((): [number, string] => {
            switch (spec.of) {
              case 'row': return [c.rows, `the tile's ${c.rows} rows`];
              case 'column': return [c.cols, `the tile's ${c.cols} columns`];
              case 'neuron': return [population?.size ?? 0, `the ${population?.size ?? 0} neurons of population ${value('pop')}`];
              case 'input': return [nIn, `the ${nIn} input channels`];
              case 'accumulator': return [nRec + nOut, `the ${nRec + nOut} accumulators`];
              case 'recurrent': return [nRec, `the ${nRec} recurrent neurons`];
              case 'readout': return [nOut, `the ${nOut} readouts`];
              case 'source': return value('src') === 0 ? [nIn, `the ${nIn} inputs`] : [nRec, `the ${nRec} recurrent neurons`];
            }
          })();
          if (v + n > limit) bad(`${name} ${v}${spec.count !== undefined ? ` + ${spec.count} ${n}` : ''} exceeds ${what}`);
          break;
        }
      }
    }
    // A unit works on what it knows: the neuron unit's model must be the population's.
    if (ins.op === 'NEURON_UPDATE') {
      const pop = p.populations[ins.fields.pop]!;
      const model = ins.fields.model === 1 ? 'ALIF' : 'LIF';
      if (pop.model !== model) bad(`population ${pop.name} is ${pop.model}, not ${model}`);
    }
    if (ins.op === 'READOUT_UPDATE' && p.populations[ins.fields.pop]!.model !== 'LI') bad(`population ${p.populations[ins.fields.pop]!.name} is not a readout`);
    if (ins.op === 'RECKON_EPROP') {
      if (!p.reckon) bad('ReckOn\'s learning phase in a program without its constants');
      if (c.tick !== 'split') bad('ReckOn\'s learning phase on a core whose tick is not split');
      if (p.populations[ins.fields.pop]!.model !== 'LIF') bad(`population ${p.populations[ins.fields.pop]!.name} is not LIF`);
      if (ins.fields.tile + ins.fields.tiles > c.tiles) bad(`tiles ${ins.fields.tile} + ${ins.fields.tiles} exceed the core's ${c.tiles}`);
      if (ins.fields.rec !== nRec || ins.fields.pre !== Math.max(nIn, nRec)) bad(`rec ${ins.fields.rec} and pre ${ins.fields.pre} are not the program's ${nRec} and ${Math.max(nIn, nRec)}`);
    } else if (ISA[ins.op].unit === 'learning' || ins.op === 'TARGET_LOAD' || ins.op === 'BATCH_END') {
      if (!p.learning || p.learning.placement !== 'on_chip') bad('a learning instruction in a program without an on-chip learning unit\'s constants');
    }
    if ((ins.op === 'NEURON_UPDATE' || ins.op === 'READOUT_UPDATE') && (ins.fields.part === 0) !== (c.tick === 'fused')) bad(`part ${ins.fields.part} of a neuron update on a core whose tick is ${c.tick}`);
    if (ins.op === 'PROGRAM' && UPDATE_SCHEMES[ins.fields.scheme] !== p.learning?.scheme) bad(`scheme ${UPDATE_SCHEMES[ins.fields.scheme]} is not the program's (${p.learning?.scheme})`);
    if (ins.op === 'TRACE_UPDATE') {
      const m = p.populations[ins.fields.pop]!.model;
      if (m !== 'LIF' && m !== 'ALIF' && m !== 'LI') bad(`population ${p.populations[ins.fields.pop]!.name} has no presynaptic traces`);
    }
    if (ins.op === 'GRAD_ACC') {
      const read = p.code[ins.fields.read] as Extract<Instruction, { op: 'XBAR_READ' }>;
      const add = p.code[ins.fields.add] as Extract<Instruction, { op: 'ACC_ADD' }>;
      if (read.fields.tile !== add.fields.tile) bad(`read ${ins.fields.read} and add ${ins.fields.add} are of different tiles`);
      if (ins.fields.rows !== read.fields.rowCount || ins.fields.cols !== add.fields.colCount) bad(`rows × cols ${ins.fields.rows} × ${ins.fields.cols} are not those of its read and add (${read.fields.rowCount} × ${add.fields.colCount})`);
    }
  });
  for (const pop of p.populations) {
    for (const a of MODEL_ARRAYS[pop.model]) if (!pop.arrays[a]) throw new Bad('PCX1005', `population ${pop.name} (${pop.model}) has no ${a} array`);
    if (pop.model === 'LIF' || pop.model === 'ALIF') {
      if (pop.conventions.reset === 'to' && !pop.arrays.reset_value) throw new Bad('PCX1005', `population ${pop.name} resets to a value it does not have`);
    }
    if (c.decayMode === 'shift') {
      for (const a of ['alpha', 'rho', 'kappa']) { const d = pop.arrays[a]; if (d?.some((k) => k < 0 || k > 31)) throw new Bad('PCX1007', `population ${pop.name} has a decay shift outside 0–31`); }
    }
  }
  // The code's shape the core relies on: one STEP, first; one LOOP back to it over the run's steps;
  // after it only the end of a sequence (its learning and writes); HALT last, and only there.
  // A split tick's program ends its sequence with a STEP phase alone: a second STEP right after the
  // loop, followed by leak parts only.
  const split = c.tick === 'split';
  const steps = p.code.filter((i) => i.op === 'STEP').length;
  const loops = p.code.filter((i) => i.op === 'LOOP');
  if (p.code[0]?.op !== 'STEP' || steps !== (split ? 2 : 1)) throw new Bad('PCX1008', split ? 'a split tick\'s program begins with its STEP, and has one more for its last STEP phase' : 'a program begins with its one STEP');
  if (p.code.at(-1)?.op !== 'HALT' || p.code.filter((i) => i.op === 'HALT').length !== 1) throw new Bad('PCX1008', 'a program ends with its one HALT');
  if (loops.length !== 1 || loops[0]!.fields.target !== 0 || loops[0]!.fields.count !== p.run.steps) throw new Bad('PCX1008', `a program loops once over its ${p.run.steps} steps, back to its STEP`);
  const loopAt = p.code.findIndex((i) => i.op === 'LOOP');
  if (split) {
    const last = p.code.slice(loopAt + 1, -1);
    if (last[0]?.op !== 'STEP' || last.slice(1).some((i) => (i.op !== 'NEURON_UPDATE' && i.op !== 'READOUT_UPDATE') || i.fields.part !== 1)) throw new Bad('PCX1008', 'a split tick\'s program ends its sequence with a STEP and the leak parts of its neuron updates, then HALT');
  }
  p.code.forEach((ins, i) => {
    if (split) return;
    const tail = (TAIL as readonly string[]).includes(ins.op);
    if (i > loopAt && i < p.code.length - 1 && !tail) throw new Bad('PCX1008', `instruction ${i} (${ins.op}) comes after the step loop, where only ${TAIL.join(', ')} may`);
    if (i < loopAt && (ins.op === 'SEQ_END' || ins.op === 'BATCH_END')) throw new Bad('PCX1008', `instruction ${i} (${ins.op}) ends a sequence inside the step loop`);
  });
  // ReckOn's learning unit serves one recurrent LIF population and one readout population, on a split tick, from one learning phase a step.
  if (p.reckon) {
    const eprops = p.code.filter((i) => i.op === 'RECKON_EPROP').length;
    const recs = p.populations.filter((x) => x.model === 'LIF' || x.model === 'ALIF');
    if (c.tick !== 'split' || eprops !== 1 || recs.length !== 1 || recs[0]!.model !== 'LIF' || p.populations.filter((x) => x.model === 'LI').length !== 1) {
      throw new Bad('PCX1008', 'ReckOn\'s learning constants need a split tick, one RECKON_EPROP, one LIF population and one readout population');
    }
  }
  // The index layout the symbols declare is the one the populations imply.
  const next = { input: 0, rec: 0, out: 0 };
  p.populations.forEach((pop, i) => {
    const l = p.symbols.layout[i];
    const space = pop.model === 'input' ? 'input' : pop.model === 'LI' ? 'out' : 'rec';
    const accumulator = space === 'rec' ? next.rec : space === 'out' ? nRec + next.out : -1;
    if (!l || l.space !== space || l.offset !== next[space] || l.accumulator !== accumulator) throw new Bad('PCX1005', `the symbols' layout of population ${pop.name} does not match the populations`);
    next[space] += pop.size;
  });
  // Ideal devices hold levels below their count.
  if (c.device.kind === 'ideal') {
    for (const t of p.targets) for (const a of [t.gPlus, t.gMinus]) for (let k = 0; k < a.length; k++) if ((a[k] as number) >= c.device.levels) throw new Bad('PCX1007', `tile ${t.tile} has a target level ${a[k]} for devices of ${c.device.levels} levels`);
  }
  const probeable: Readonly<Record<number, readonly Model[]>> = { 0: ['input', 'LIF', 'ALIF'], 1: ['LIF', 'ALIF', 'LI'], 2: ['ALIF'], 3: ['LIF', 'ALIF'], 4: ['LIF', 'ALIF', 'LI'], 5: ['LIF', 'ALIF'], 6: ['input', 'LIF', 'ALIF'], 7: ['LI'], 8: ['LI'] };
  p.code.forEach((ins, i) => {
    if (ins.op === 'PROBE' && !probeable[ins.fields.variable]?.includes(p.populations[ins.fields.pop]!.model)) throw new Bad('PCX1008', `instruction ${i} (PROBE) records a variable population ${p.populations[ins.fields.pop]!.name} does not have`);
  });
  const seen = new Set<number>();
  for (const pr of p.probes) {
    if (p.code[pr.address]?.op !== 'PROBE') throw new Bad('PCX1008', `a probe schedule names instruction ${pr.address}, which is not a PROBE`);
    if (seen.has(pr.address)) throw new Bad('PCX1005', `instruction ${pr.address} has two probe schedules`);
    seen.add(pr.address);
    if (pr.every < 1 || pr.stop < pr.start || pr.stop >= p.run.steps) throw new Bad('PCX1007', `the probe at instruction ${pr.address} has a schedule outside the run's ${p.run.steps} steps`);
  }
  p.code.forEach((ins, i) => { if (ins.op === 'PROBE' && !seen.has(i)) throw new Bad('PCX1005', `PROBE at instruction ${i} has no schedule`); });
  if (p.symbols.spans.length !== p.code.length) throw new Bad('PCX1005', `the symbols cover ${p.symbols.spans.length} instructions of ${p.code.length}`);
  if (p.symbols.layout.length !== p.populations.length) throw new Bad('PCX1005', `the symbols lay out ${p.symbols.layout.length} populations of ${p.populations.length}`);
  if (p.learning && p.learning.B.length !== 0 && p.learning.B.length !== nRec * nOut) throw new Bad('PCX1008', `the feedback matrix has ${p.learning.B.length} entries for ${nRec} x ${nOut}`);
  if (p.learning?.placement === 'on_chip') {
    if (p.learning.feedback !== 'symmetric' && p.learning.B.length !== nRec * nOut) throw new Bad('PCX1008', `${p.learning.feedback} feedback without its ${nRec} x ${nOut} matrix`);
    for (const pop of p.populations) for (const a of LEARNING_ARRAYS[pop.model]) if (!pop.arrays[a]) throw new Bad('PCX1005', `population ${pop.name} (${pop.model}) has no ${a} array for the learning unit`);
  }
  for (const t of p.targets) if (t.trainable.length > 0 && t.trainable.length !== t.rows * t.cols) throw new Bad('PCX1005', `tile ${t.tile}'s trainable mask has ${t.trainable.length} cells of ${t.rows * t.cols}`);
  for (const t of p.targets) if (t.tile >= c.tiles) throw new Bad('PCX1008', `targets for tile ${t.tile}`);
}

/** CRC-32 (IEEE 802.3), the checksum of the END section. */
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c >>> 0; }
  return t;
})();
export function crc32(b: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = (CRC_TABLE[(c ^ (b[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
