// The program file (.pcx): what the compiler emits and the core loads. Little-endian binary:
//   "PCX\0"  u16 version  u16 reserved
//   sections: 4-byte tag, u32 payload length, payload
//     CORE  the core configuration (sizes, latencies in cycles, clock, converters, register formats)
//     NEUR  neuron parameters: per population its model, size and named raw int32 arrays
//     TGTS  initial device targets: per tile, its shape and G⁺/G⁻ levels (u16)
//     CODE  u32 count, then 64-bit instruction words (isa.ts)
//     END   u32 CRC-32 of every byte before this section
// Loading validates everything and answers with a coded error, never an exception: bad magic
// (PCX1001), unknown version (PCX1002), truncation (PCX1003), checksum (PCX1004), malformed or
// missing sections (PCX1005), unknown opcodes (PCX1006), operands out of range (PCX1007), and a
// program that does not fit its core (PCX1008).
import { decodeInstruction, encodeInstruction, fieldSpecs, operand, UNITS, type CoreTiming, type Instruction } from './isa.ts';
import type { Overflow, QFormat, Rounding } from './fixed.ts';

export const PROGRAM_VERSION = 1;
const MAGIC = [0x50, 0x43, 0x58, 0x00];

export const REGISTERS = ['accumulator', 'membrane', 'threshold', 'adaptation', 'weight', 'trace', 'eligibility', 'learning_signal', 'gradient', 'decay'] as const;
export type RegisterName = (typeof REGISTERS)[number];
export interface RegisterFormat extends QFormat { readonly overflow: Overflow; readonly round: Rounding }
const ROUNDINGS: readonly Rounding[] = ['nearest', 'nearest_even', 'toward_zero', 'floor', 'stochastic'];

export interface CoreConfig extends CoreTiming {
  readonly clockHz: number;
  readonly adcBits: number;
  readonly dacBits: number;
  /** Levels of an ideal device, or 0 for the PCM model. */
  readonly deviceLevels: number;
  readonly devicesPerSide: number;
  readonly registers: Readonly<Record<RegisterName, RegisterFormat>>;
}

export interface PopulationParams { readonly model: 'input' | 'LIF' | 'ALIF' | 'LI'; readonly size: number; readonly arrays: Readonly<Record<string, Int32Array>> }
export interface TileTargets { readonly tile: number; readonly rows: number; readonly cols: number; readonly gPlus: Uint16Array; readonly gMinus: Uint16Array }

export interface Program {
  readonly core: CoreConfig;
  readonly populations: readonly PopulationParams[];
  readonly targets: readonly TileTargets[];
  readonly code: readonly Instruction[];
}

export interface ProgramError { readonly code: string; readonly message: string }
export type LoadResult = { ok: true; program: Program } | { ok: false; error: ProgramError };

const TIMING_KEYS = ['rows', 'cols', 'tiles', 'lanes', 'adcColumns', 'crossbarRead', 'adc', 'accumulate', 'neuronUpdate', 'readout', 'traceUpdate', 'learningSignal', 'gradient', 'programPulse', 'stepOverhead'] as const;
const MODELS = ['input', 'LIF', 'ALIF', 'LI'] as const;

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
  u64(v: bigint) { this.need(8); this.view.setBigUint64(this.length, v, true); this.length += 8; }
  bytes(b: Uint8Array) { this.need(b.length); this.buf.set(b, this.length); this.length += b.length; }
  text(s: string) { const b = new TextEncoder().encode(s); this.u8(b.length); this.bytes(b); }
  done(): Uint8Array { return this.buf.slice(0, this.length); }
}

function section(w: Writer, tag: string, body: (s: Writer) => void): void {
  const s = new Writer();
  body(s);
  w.bytes(new TextEncoder().encode(tag));
  w.u32(s.length);
  w.bytes(s.done());
}

export function encodeProgram(p: Program): Uint8Array {
  const w = new Writer();
  w.bytes(Uint8Array.from(MAGIC));
  w.u16(PROGRAM_VERSION);
  w.u16(0);
  section(w, 'CORE', (s) => {
    for (const k of TIMING_KEYS) s.u32(p.core[k]);
    s.u32(p.core.clockHz); s.u8(p.core.adcBits); s.u8(p.core.dacBits); s.u32(p.core.deviceLevels); s.u8(p.core.devicesPerSide);
    for (const r of REGISTERS) {
      const f = p.core.registers[r];
      s.u8(f.signed ? 1 : 0); s.u8(f.bits); s.u8(f.frac); s.u8(f.overflow === 'saturate' ? 0 : 1); s.u8(ROUNDINGS.indexOf(f.round));
    }
  });
  section(w, 'NEUR', (s) => {
    s.u16(p.populations.length);
    for (const pop of p.populations) {
      s.u8(MODELS.indexOf(pop.model)); s.u32(pop.size);
      const names = Object.keys(pop.arrays);
      s.u16(names.length);
      for (const n of names) {
        const a = pop.arrays[n] as Int32Array;
        if (a.length !== pop.size) throw new Error(`internal: ${n} has ${a.length} values for ${pop.size} neurons`);
        s.text(n);
        s.bytes(new Uint8Array(Int32Array.from(a).buffer));
      }
    }
  });
  section(w, 'TGTS', (s) => {
    s.u32(p.targets.length);
    for (const t of p.targets) {
      s.u16(t.tile); s.u16(t.rows); s.u16(t.cols);
      s.bytes(new Uint8Array(Uint16Array.from(t.gPlus).buffer));
      s.bytes(new Uint8Array(Uint16Array.from(t.gMinus).buffer));
    }
  });
  section(w, 'CODE', (s) => {
    s.u32(p.code.length);
    for (const ins of p.code) s.u64(encodeInstruction(ins));
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
  constructor(private readonly b: Uint8Array, private readonly end = b.length, start = 0) {
    this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    this.at = start;
  }
  private need(n: number, what: string) { if (this.at + n > this.end) throw new Bad('PCX1003', `the file is truncated (in ${what})`); }
  u8(what: string) { this.need(1, what); return this.view.getUint8(this.at++); }
  u16(what: string) { this.need(2, what); const v = this.view.getUint16(this.at, true); this.at += 2; return v; }
  u32(what: string) { this.need(4, what); const v = this.view.getUint32(this.at, true); this.at += 4; return v; }
  u64(what: string) { this.need(8, what); const v = this.view.getBigUint64(this.at, true); this.at += 8; return v; }
  bytes(n: number, what: string) { this.need(n, what); const v = this.b.slice(this.at, this.at + n); this.at += n; return v; }
  text(what: string) { const n = this.u8(what); return new TextDecoder('utf-8', { fatal: false }).decode(this.bytes(n, what)); }
  get remaining() { return this.end - this.at; }
}

export function decodeProgram(bytes: Uint8Array): LoadResult {
  try {
    return { ok: true, program: read(bytes) };
  } catch (e) {
    if (e instanceof Bad) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

function read(bytes: Uint8Array): Program {
  if (bytes.length < 8) throw new Bad(bytes.length >= 4 && MAGIC.every((m, i) => bytes[i] === m) ? 'PCX1003' : 'PCX1001', bytes.length >= 4 ? 'the file is truncated (in the header)' : 'not a phasecore program (no PCX magic)');
  if (!MAGIC.every((m, i) => bytes[i] === m)) throw new Bad('PCX1001', 'not a phasecore program (no PCX magic)');
  const top = new Reader(bytes, bytes.length, 4);
  const version = top.u16('header');
  if (version !== PROGRAM_VERSION) throw new Bad('PCX1002', `program format version ${version}; this phasecore reads version ${PROGRAM_VERSION}`);
  top.u16('header');
  const sections = new Map<string, { start: number; end: number }>();
  let endSeen = false;
  while (top.remaining > 0) {
    const tagStart = top.at;
    const tag = String.fromCharCode(...top.bytes(4, 'a section tag'));
    const len = top.u32(`section ${tag}`);
    if (len > top.remaining) throw new Bad('PCX1003', `the file is truncated (section ${tag} declares ${len} bytes, ${top.remaining} remain)`);
    if (tag === 'END ') {
      if (len !== 4) throw new Bad('PCX1005', 'malformed END section');
      const crc = new Reader(bytes, top.at + 4, top.at).u32('END');
      if (crc !== crc32(bytes.subarray(0, tagStart))) throw new Bad('PCX1004', 'checksum mismatch: the file is damaged');
      top.at += 4;
      if (top.remaining !== 0) throw new Bad('PCX1005', 'bytes after the END section');
      endSeen = true;
      break;
    }
    if (!['CORE', 'NEUR', 'TGTS', 'CODE'].includes(tag)) throw new Bad('PCX1005', `unknown section '${tag.replace(/[^\x20-\x7e]/g, '?')}'`);
    if (sections.has(tag)) throw new Bad('PCX1005', `section ${tag} appears twice`);
    sections.set(tag, { start: top.at, end: top.at + len });
    top.at += len;
  }
  if (!endSeen) throw new Bad('PCX1003', 'the file is truncated (no END section)');
  const get = (tag: string) => {
    const s = sections.get(tag);
    if (!s) throw new Bad('PCX1005', `missing section ${tag}`);
    return new Reader(bytes, s.end, s.start);
  };
  const core = readCore(get('CORE'));
  const populations = readPopulations(get('NEUR'));
  const targets = readTargets(get('TGTS'), core);
  const code = readCode(get('CODE'));
  validate({ core, populations, targets, code });
  return { core, populations, targets, code };
}

function finish(r: Reader, tag: string) { if (r.remaining !== 0) throw new Bad('PCX1005', `section ${tag} has ${r.remaining} unexpected bytes`); }

function readCore(r: Reader): CoreConfig {
  const t: Record<string, number> = {};
  for (const k of TIMING_KEYS) t[k] = r.u32('CORE');
  const clockHz = r.u32('CORE'); const adcBits = r.u8('CORE'); const dacBits = r.u8('CORE'); const deviceLevels = r.u32('CORE'); const devicesPerSide = r.u8('CORE');
  const registers = {} as Record<RegisterName, RegisterFormat>;
  for (const name of REGISTERS) {
    const signed = r.u8('CORE'); const bits = r.u8('CORE'); const frac = r.u8('CORE'); const ov = r.u8('CORE'); const rd = r.u8('CORE');
    if (signed > 1 || bits < 1 || bits > 64 || frac > bits || ov > 1 || rd >= ROUNDINGS.length) throw new Bad('PCX1007', `register ${name} has an invalid format`);
    registers[name] = { signed: signed === 1, bits, frac, overflow: ov === 0 ? 'saturate' : 'wrap', round: ROUNDINGS[rd] as Rounding };
  }
  finish(r, 'CORE');
  const c = { ...(t as unknown as CoreTiming), clockHz, adcBits, dacBits, deviceLevels, devicesPerSide, registers };
  const positive: Array<[string, number]> = [['rows', c.rows], ['cols', c.cols], ['tiles', c.tiles], ['lanes', c.lanes], ['adcColumns', c.adcColumns], ['clockHz', c.clockHz], ['adcBits', c.adcBits], ['devicesPerSide', c.devicesPerSide]];
  for (const [k, v] of positive) if (v < 1) throw new Bad('PCX1007', `core ${k} is ${v}; it must be at least 1`);
  if (c.rows > 4096 || c.cols > 4096 || c.tiles > 4096 || c.adcBits > 16 || c.dacBits > 16 || c.devicesPerSide > 16) throw new Bad('PCX1007', 'a core size is beyond the architecture\'s limits');
  return c;
}

function readPopulations(r: Reader): PopulationParams[] {
  const n = r.u16('NEUR');
  const out: PopulationParams[] = [];
  for (let i = 0; i < n; i++) {
    const m = r.u8('NEUR');
    const model = MODELS[m];
    if (!model) throw new Bad('PCX1007', `population ${i} has unknown model ${m}`);
    const size = r.u32('NEUR');
    if (size > 1e7) throw new Bad('PCX1007', `population ${i} has ${size} neurons`);
    const k = r.u16('NEUR');
    const arrays: Record<string, Int32Array> = {};
    for (let j = 0; j < k; j++) {
      const name = r.text('NEUR');
      const b = r.bytes(size * 4, 'NEUR');
      arrays[name] = new Int32Array(b.buffer, b.byteOffset, size);
    }
    out.push({ model, size, arrays });
  }
  finish(r, 'NEUR');
  return out;
}

function readTargets(r: Reader, core: CoreConfig): TileTargets[] {
  const n = r.u32('TGTS');
  if (n > core.tiles) throw new Bad('PCX1008', `${n} tiles of device targets for a core of ${core.tiles} tiles`);
  const out: TileTargets[] = [];
  for (let i = 0; i < n; i++) {
    const tile = r.u16('TGTS'); const rows = r.u16('TGTS'); const cols = r.u16('TGTS');
    if (tile >= core.tiles || rows > core.rows || cols > core.cols) throw new Bad('PCX1008', `device targets for tile ${tile} (${rows} x ${cols}) do not fit the core's ${core.tiles} tiles of ${core.rows} x ${core.cols}`);
    const gp = r.bytes(rows * cols * 2, 'TGTS');
    const gm = r.bytes(rows * cols * 2, 'TGTS');
    out.push({ tile, rows, cols, gPlus: new Uint16Array(gp.buffer, gp.byteOffset, rows * cols), gMinus: new Uint16Array(gm.buffer, gm.byteOffset, rows * cols) });
  }
  finish(r, 'TGTS');
  return out;
}

function readCode(r: Reader): Instruction[] {
  const n = r.u32('CODE');
  if (n * 8 > r.remaining) throw new Bad('PCX1003', `the file is truncated (CODE declares ${n} instructions)`);
  const out: Instruction[] = [];
  for (let i = 0; i < n; i++) {
    const d = decodeInstruction(r.u64('CODE'));
    if (!d.ok) throw new Bad(d.code, `instruction ${i}: ${d.message}`);
    out.push(d.instruction);
  }
  finish(r, 'CODE');
  return out;
}

/**
 * Operands against the core and the program, from the kind of each field in the ISA table: every
 * tile, population, enumerated value and jump target must exist, and every range (rows and columns
 * of a tile, neurons of a population, inputs, accumulators) must lie within what it indexes.
 */
function validate(p: Program): void {
  const c = p.core;
  const sizeOf = (models: ReadonlyArray<PopulationParams['model']>) => p.populations.reduce((a, x) => a + (models.includes(x.model) ? x.size : 0), 0);
  const nIn = sizeOf(['input']);
  const nRec = sizeOf(['LIF', 'ALIF']);
  const nOut = sizeOf(['LI']);
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
              case 'source': return value('src') === 0 ? [nIn, `the ${nIn} inputs`] : [nRec, `the ${nRec} recurrent neurons`];
            }
          })();
          if (v + n > limit) bad(`${name} ${v}${spec.count !== undefined ? ` + ${spec.count} ${n}` : ''} exceeds ${what}`);
          break;
        }
      }
    }
  });
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
