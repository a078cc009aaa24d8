// Mutation operators for the whole-pipeline fuzzer (bench/fuzz-pipeline.ts) and its tests
// (tests/fuzz/): each mutant is a small directory — main.snn (an example, damaged), copies of
// cores/pcm256.snn and data/w_out.npy (possibly damaged too), perhaps other files — and a list
// of --set arguments for `train`. Mutants are a pure function of (seed, index): a seeded PRNG, no
// global state, so mutant 1234 of seed 7 is the same on every machine and every run.
//
// Operators: text (hostile numbers, huge sizes, swapped units, sizes ×10/×100, duplicated or
// deleted lines, truncation), imports (a file importing itself, a pair importing each other,
// /dev/zero, a directory, a binary file), structure-aware ones on the parser's AST (swap two
// declarations, retype a value, break a unit, cross-link names, hostile slices, delete or repeat
// a statement, point an initialiser at a .npy file), damaged .npy files, and hostile --set values.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as A from '../src/dsl/ast.ts';
import { parseSource } from '../src/dsl/parse.ts';
import { SourceFile } from '../src/dsl/span.ts';
import { packageRoot } from '../src/data/package.ts';

// ---- the corpus --------------------------------------------------------------------------------

export interface Example {
  readonly name: string;
  /** The example as shipped. */
  readonly text: string;
  /** The same with a cheap task (small batch, short sequences, no validation): one train step in well under a second. */
  readonly cheap: string;
}

export interface Corpus {
  readonly examples: readonly Example[];
  readonly core: string;
  readonly npy: Uint8Array;
}

/** Substitutions that keep an example's structure and make one train step cheap. */
const CHEAPEN: ReadonlyArray<[RegExp, string]> = [
  [/\bbatch = \d+/g, 'batch = 2'],
  [/\bvalidate_every = \d+/g, 'validate_every = 0'],
  [/\bdelay = 1000 ms/g, 'delay = 200 ms'],
  [/\bcues = 7\b/g, 'cues = 3'],
  [/\bsteps = 10\b/g, 'steps = 3'],
  [/\bstep_duration = 100 ms/g, 'step_duration = 50 ms'],
  [/\bduration = 1000 ms/g, 'duration = 200 ms'],
];

export function cheapen(text: string): string {
  let t = text;
  for (const [re, to] of CHEAPEN) t = t.replace(re, to);
  return t;
}

let cached: Corpus | undefined;
export function loadCorpus(): Corpus {
  if (cached) return cached;
  const dir = join(packageRoot(), 'examples');
  const examples = readdirSync(dir).filter((f) => f.endsWith('.snn')).sort().map((f) => {
    const text = readFileSync(join(dir, f), 'utf8');
    return { name: f.replace(/\.snn$/, ''), text, cheap: cheapen(text) };
  });
  cached = { examples, core: readFileSync(join(dir, 'cores', 'pcm256.snn'), 'utf8'), npy: new Uint8Array(readFileSync(join(dir, 'data', 'w_out.npy'))) };
  return cached;
}

// ---- a seeded PRNG -----------------------------------------------------------------------------

/** mulberry32 over a seed mixed from (seed, index) with splitmix-style hashing. */
export class Rng {
  private s: number;
  constructor(seed: number, index = 0) {
    let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul((index | 0) + 0x7f4a7c15, 0x85ebca77)) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x21f0aaad);
    h = Math.imul(h ^ (h >>> 15), 0x735a2d97);
    this.s = (h ^ (h >>> 15)) >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number { return Math.floor(this.next() * n); }
  chance(p: number): boolean { return this.next() < p; }
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new Error('pick from an empty list');
    return xs[this.int(xs.length)] as T;
  }
}

// ---- mutants -----------------------------------------------------------------------------------

/** A file of a mutant: bytes, or a directory standing where a file should be. */
export type MutantFile = Uint8Array | { readonly dir: true };

export interface Mutant {
  /** `seed:index`. */
  readonly id: string;
  /** The example it came from, and whether its cheap variant. */
  readonly base: string;
  readonly cheap: boolean;
  /** The operators applied, in order, each with a short detail. */
  readonly ops: readonly string[];
  /** Paths relative to the mutant's directory; the root is always main.snn. */
  readonly files: Readonly<Record<string, MutantFile>>;
  /** --set arguments for `train`. */
  readonly sets: readonly string[];
}

export const MAIN = 'main.snn';

/**
 * 'fuzz': everything, on the examples as shipped (a quarter) and their cheap variants.
 * 'test': the cheap variants only, and none of the operators that make a process read forever
 * (/dev/zero): what an in-process test can run without a deadline.
 */
export type Profile = 'fuzz' | 'test';

const enc = new TextEncoder();
const dec = new TextDecoder();

export function writeMutant(dir: string, m: Mutant): void {
  mkdirSync(dir, { recursive: true });
  for (const [rel, f] of Object.entries(m.files)) {
    const p = join(dir, rel);
    if ('dir' in f) { mkdirSync(p, { recursive: true }); continue; }
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, f);
  }
}

// ---- hostile values ----------------------------------------------------------------------------

export const HOSTILE_NUMBERS = ['0', '-1', '-0', '1e-320', '5e-324', '1e-7', '1e10', '1e400', '1e308', '-1e308', 'NaN', 'Infinity', '-Infinity', '0x10', '1e', '.', '1.5', '0.0000000001', '4294967296', '9007199254740993', '2^31', '1 / 0', '0 / 0', '10 ^ 400', '-(1e308 * 10)', '65536', '1e6', '1e9', '(-1)'];
export const HUGE_SIZES = ['65536', '1e6', '1e9', '0', '-1', '1.5', '1e400', '2^31', '4294967297', '100000', '(1 / 0)', 'NaN', '"100"', '[100]'];
export const UNITS = ['ms', 'mV', 'Hz', 'bit', 's', 'us', 'ns', 'uS', 'MHz', 'kHz', 'pJ', 'nA', 'cycles', 'cycle', 'ohm', 'pF', 'mW', 'degC', 'm', 'kg', 'rad', 'deg', 'B', 'byte'];
const BROKEN_UNITS = ['degC', 'mss', 'ms ms', 'kms', 'Ms', 'bits', 'hz', 'MS', '\nms', 'ms^2', 'ms / ms', '1/ms', 'ms * Hz', 'foo', 'm/s', 'NaN', 'ms)', 'ms,'];
const RETYPED = ['3', '0', '-1', '1e400', 'rec', 'pcm256', 'nosuch', 'on', 'off', '"x"', '""', '"data/w_out.npy"', '[1, 2]', '[]', '[[1]]', '[1, 2] Hz', '20 ms', '4 x 4', '0 x 0', '65536 x 65536', 's8.4', 'q1.15', 'u64.64', 'normal(0, 1)', 'normal()', 'uniform(1, 0)', 'load("data/w_out.npy")', 'load("nosuch.npy")', 'glorot() { x = 1 }', 'adam(lr = 1e400)', 'sparse(p = 2)', 'f(f(f(f(1))))', 'pcm { }', 'subtract(threshold = 1)', 'to()', 'exp(1e4)', 'log(0)', 'sqrt(-1)', '1 ms + 1 mV', 'spikes(rec)'];
const SLICES = ['0:0', '5:2', '-1:', ':1e6', '0:65536', '1e400:', '0.5:1', ':', '', '0', '1e10', '-1', 'NaN:', '0:1:2', 'rec:'];
const NPY_LOADS = ['load("data/w_out.npy")', 'load("data")', 'load("nosuch.npy")', 'load("main.snn")', 'load("cores/pcm256.snn")', 'load("")', 'load("data/w_out.npy", 2)', 'load()'];

/** Hostile --set values; {pop} is a population of the file, {task} its task, {net} its network. */
const SET_TEMPLATES = [
  '{pop}.tau_m=20 ms // x', '{pop}.v_th=0.03; bias = 0.5', 'nosuch.x=1', '{pop}.tau_m=', 'train.iterations=1e10', 'pcm256.tiles=0',
  'train.batch=0', 'train.batch=1e6', 'train.batch=-1', 'train.seed=-1', 'train.seed=1e400', 'train.iterations=0',
  '{pop}.tau_m~normal(20 ms, 5 ms)', '{pop}.tau_m=1e400 ms', '{pop}.tau_m=NaN ms', '{pop}.tau_m=0 ms', '{pop}.tau_m=1e-320 ms',
  '{pop}.tau_m=20 mV', '{pop}.tau_m=20', '{pop}.tau_m="20 ms"', '{pop}.tau_m=[20] ms', '{pop}.tau_m=20 ms }', '{pop}.tau_m={',
  '{pop}.tau_m=20 ms /* x */', '{pop}.tau_m=/*', '{pop}.tau_m=20 ms\n  population z[1e6] : LIF', '{pop}.v_th=0.03 ; v_th = 1',
  '{pop}.nosuch=1', '{pop}=1', '.x=1', 'x.=1', '{pop}.tau_m==20 ms', '{pop}.tau_m = 20 ms', '{pop}.v_th=load("data/w_out.npy")',
  '{pop}.v_th=load("/dev/null")', 'train.network=pcm256', 'train.task=nosuch', 'train.core=nosuch', 'train.learn={net}',
  '{task}.duration=1e10 ms', '{task}.duration=1e-320 ms', '{task}.channels=0', '{task}.delay=1e9 ms', '{net}.dt=1e-7 ms',
  '{net}.dt=1e-320 ms', '{net}.dt=0 ms', '{net}.dt=1e10 ms', 'pcm256.tile=0 x 0', 'pcm256.tile=65536 x 65536', 'pcm256.adc=0 bit',
  'pcm256.adc=64 bit', 'pcm256.clock=0 Hz', 'pcm256.accumulator=s64.63', 'pcm256.membrane=u1', 'pcm256.lanes=1e9',
  'train.iterations=1', 'train.batch=1', '{pop}.refractory=1e10 ms', '{pop}.surrogate=nosuch', '{pop}.reset=to()',
  '\u0000.x=1', '{pop}.tau_m=\u0000', '{pop}.tau_m=\u00e9', '{pop}.tau_m=20 ms\u2028x', 'train.probe=1',
];

// ---- .npy files --------------------------------------------------------------------------------

/** A .npy file (version 1.0) with the given header dictionary text and data bytes. */
export function npyBytes(header: string, data: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  let h = header;
  const total = pre + h.length + 1;
  h += ' '.repeat((64 - (total % 64)) % 64);
  h += '\n';
  const out = new Uint8Array(pre + h.length + data.length);
  out.set([0x93, ...enc.encode('NUMPY'), version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, h.length, true); else view.setUint32(8, h.length, true);
  out.set(enc.encode(h), pre);
  out.set(data, pre + h.length);
  return out;
}

const dict = (descr: string, shape: string, fortran = 'False') => `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;

function floats(n: number, rng: Rng, special: readonly number[] = []): Uint8Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.next() - 0.5) * 0.2;
  for (const v of special) if (n > 0) a[rng.int(n)] = v;
  return new Uint8Array(a.buffer);
}

/** A damaged stand-in for data/w_out.npy (a (100, 1) float32 array in the examples). */
function damagedNpy(orig: Uint8Array, rng: Rng): { file: MutantFile; what: string } {
  const headerEnd = orig.indexOf(0x0a) + 1;
  const kind = rng.int(14);
  switch (kind) {
    case 0: { const at = rng.int(headerEnd); return { file: orig.slice(0, at), what: `header truncated at ${at}` }; }
    case 1: { const at = headerEnd + rng.int(orig.length - headerEnd); return { file: orig.slice(0, at), what: `data truncated at ${at}` }; }
    case 2: {
      const descr = rng.pick(['<i4', '<i8', '<f2', '|u1', '|b1', '<c16', '>f8', '>f4', '<U8', '|O', '<f16', 'foo', '', '<M8', '|V8']);
      return { file: npyBytes(dict(descr, '(100, 1)'), floats(100, rng)), what: `dtype ${descr}` };
    }
    case 3: {
      const shape = rng.pick(['(100,)', '(1, 100)', '(100, 2)', '(0, 1)', '(0,)', '(100, 1, 1)', '()', '(101, 1)', '(99, 1)', '(65536, 65536)', '(-1, 1)', '(10000000000, 1)', '(1e3, 1)', '(100, 1,)', '[100, 1]', '(100, 0)']);
      return { file: npyBytes(dict('<f8', shape), floats(100, rng)), what: `shape ${shape}` };
    }
    case 4: {
      const special = rng.pick([[NaN], [Infinity], [-Infinity], [NaN, Infinity, -Infinity], [1e308, -1e308], [5e-324], Array.from({ length: 100 }, () => NaN)]);
      return { file: npyBytes(dict('<f8', '(100, 1)'), floats(100, rng, special)), what: `values ${special.slice(0, 3).join(',')}` };
    }
    case 5: {
      const a = new Float32Array(100).fill(0.01);
      a[rng.int(100)] = rng.pick([NaN, Infinity, -Infinity]);
      return { file: npyBytes(dict('<f4', '(100, 1)'), new Uint8Array(a.buffer)), what: 'float32 NaN/Inf' };
    }
    case 6: return { file: new Uint8Array(0), what: 'zero bytes' };
    case 7: return { file: { dir: true }, what: 'a directory' };
    case 8: return { file: npyBytes(dict('<f8', '(100, 1)', 'True'), floats(100, rng)), what: 'fortran_order True' };
    case 9: { const b = orig.slice(); const at = rng.int(6); b[at] = (b[at] as number) ^ 0xff; return { file: b, what: 'bad magic' }; }
    case 10: {
      const v = rng.pick([2, 3]);
      return { file: npyBytes(dict('<f8', '(100, 1)'), floats(100, rng), v), what: `version ${v}` };
    }
    case 11: {
      const b = orig.slice();
      new DataView(b.buffer).setUint16(8, rng.pick([0, 1, 0xffff, headerEnd + 100]), true);
      return { file: b, what: 'header length wrong' };
    }
    case 12: {
      const h = rng.pick(["{'descr': '<f8', 'shape': (100, 1)}", "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 1), 'x': __import__('os')}", '{}', "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 1)", 'not a dict', "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 1), }\u0000", "{'descr': '<f8', 'fortran_order': False, 'shape': (100, 1), 'shape': (1,), }"]);
      return { file: npyBytes(h, floats(100, rng)), what: `header ${JSON.stringify(h.slice(0, 30))}` };
    }
    default: {
      const b = orig.slice();
      for (let i = 0; i < 8; i++) b[headerEnd + rng.int(b.length - headerEnd)] = 0xff;
      return { file: b, what: 'data bytes 0xff (float32 NaN)' };
    }
  }
}

// ---- the AST, for structure-aware operators ----------------------------------------------------

interface Nodes {
  nums: A.Num[]; units: A.WithUnit[]; neurons: A.Neurons[]; assigns: A.Assign[]; consts: A.Const[]; args: A.Arg[];
  indexes: A.Index[]; bodies: Array<readonly A.Stmt[]>;
  /** Declared names, and the places that refer to a declaration by name. */
  declared: string[]; refs: Array<{ name: string; start: number; end: number }>;
  imports: A.Import[];
}

function collect(file: A.File): Nodes {
  const n: Nodes = { nums: [], units: [], neurons: [], assigns: [], consts: [], args: [], indexes: [], bodies: [file.items], declared: [], refs: [], imports: [] };
  const ref = (x: { name: string; span: { start: number; end: number } }) => n.refs.push({ name: x.name, start: x.span.start, end: x.span.end });
  const expr = (e: A.Expr): void => {
    switch (e.kind) {
      case 'Num': n.nums.push(e); break;
      case 'Name': ref(e); break;
      case 'WithUnit': n.units.push(e); expr(e.value); break;
      case 'List': e.items.forEach(expr); break;
      case 'Unary': expr(e.operand); break;
      case 'Binary': expr(e.left); expr(e.right); break;
      case 'Dims': expr(e.rows); expr(e.cols); break;
      case 'Index': n.indexes.push(e); ref(e.target); if (e.lo) expr(e.lo); if (e.hi) expr(e.hi); break;
      case 'Call': for (const a of e.args ?? []) { n.args.push(a); expr(a.value); } if (e.body) body(e.body); break;
      default: break;
    }
  };
  const body = (stmts: readonly A.Stmt[]): void => {
    n.bodies.push(stmts);
    stmts.forEach(stmt);
  };
  const stmt = (s: A.Stmt): void => {
    switch (s.kind) {
      case 'Assign': n.assigns.push(s); expr(s.value); break;
      case 'Const': n.consts.push(s); n.declared.push(s.name.name); expr(s.value); break;
      case 'Neurons': n.neurons.push(s); n.declared.push(s.name.name); expr(s.size); if (s.model) ref(s.model); if (s.body) body(s.body); break;
      case 'Group': n.declared.push(s.name.name); s.members.forEach(ref); break;
      case 'Projection': expr(s.source); expr(s.target); for (const a of s.args ?? []) { n.args.push(a); expr(a.value); } if (s.body) body(s.body); break;
      case 'Probe': s.targets.forEach(expr); if (s.body) body(s.body); break;
      case 'Section': if (s.name) n.declared.push(s.name.name); if (s.base) ref(s.base); body(s.body); break;
      case 'Import': n.imports.push(s); break;
      default: break;
    }
  };
  file.items.forEach(stmt);
  return n;
}

function parsed(text: string): Nodes | null {
  try {
    const r = parseSource(new SourceFile(MAIN, text));
    return r.file ? collect(r.file) : null;
  } catch {
    return null; // the parser's own bugs are the front-end fuzzer's business; mutate by text here
  }
}

const splice = (t: string, start: number, end: number, what: string) => t.slice(0, start) + what + t.slice(end);

// ---- text operators (no parse needed) ----------------------------------------------------------

type TextOp = (t: string, rng: Rng) => { text: string; what: string } | null;

const NUMBER_RE = /(?<![A-Za-z0-9_.])(?:\d+\.?\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?)/g;

const textOps: Record<string, TextOp> = {
  hostileNumber(t, rng) {
    const ms = [...t.matchAll(NUMBER_RE)];
    if (ms.length === 0) return null;
    const m = rng.pick(ms);
    const v = rng.pick(HOSTILE_NUMBERS);
    return { text: splice(t, m.index, m.index + m[0].length, v), what: `${m[0]} → ${v}` };
  },
  duplicateLine(t, rng) {
    const lines = t.split('\n');
    const i = rng.int(lines.length);
    const times = rng.pick([1, 1, 2, 50]);
    lines.splice(i, 0, ...Array.from({ length: times }, () => lines[i] as string));
    return { text: lines.join('\n'), what: `line ${i + 1} ×${times + 1}` };
  },
  deleteLine(t, rng) {
    const lines = t.split('\n');
    const i = rng.int(lines.length);
    const n = rng.pick([1, 1, 1, 3]);
    lines.splice(i, n);
    return { text: lines.join('\n'), what: `lines ${i + 1}+${n}` };
  },
  truncate(t, rng) {
    const at = rng.int(t.length + 1);
    return { text: t.slice(0, at), what: `at ${at} of ${t.length}` };
  },
  insertSoup(t, rng) {
    const soup = rng.pick(['a ) '.repeat(1500), '('.repeat(3000), '['.repeat(3000), '{'.repeat(3000), '-'.repeat(20000) + '1', '/*', '"', '}', '\u0000', '\ufeff', '\ud800', 'x = ' + '1 + '.repeat(5000) + '1']);
    const at = rng.int(t.length + 1);
    return { text: splice(t, at, at, soup), what: `${JSON.stringify(soup.slice(0, 8))}… (${soup.length}) at ${at}` };
  },
};

// ---- structure-aware operators -----------------------------------------------------------------

type AstOp = (t: string, n: Nodes, rng: Rng) => { text: string; what: string } | null;

const astOps: Record<string, AstOp> = {
  hostileNumber(t, n, rng) {
    if (n.nums.length === 0) return null;
    const x = rng.pick(n.nums);
    const v = rng.pick(HOSTILE_NUMBERS);
    return { text: splice(t, x.span.start, x.span.end, v), what: `${x.raw} → ${v}` };
  },
  hostileQuantity(t, n, rng) {
    // A time, rate or other quantity of a parameter (dt, duration, delay, tau_m, ...): its number.
    const sites = n.assigns.filter((a) => a.value.kind === 'WithUnit' && a.value.value.kind === 'Num');
    if (sites.length === 0) return null;
    const a = rng.pick(sites);
    const x = (a.value as A.WithUnit).value;
    const v = rng.pick(['1e-320', '5e-324', '1e-7', '1e-12', '1e10', '1e15', '1e400', '0', '-1', '65536', '1e6', '1e9']);
    return { text: splice(t, x.span.start, x.span.end, v), what: `${a.name.name} = ${v} ${(a.value as A.WithUnit).unit.name}` };
  },
  hugeSize(t, n, rng) {
    const pops = n.neurons.filter((x) => x.role === 'population');
    if (n.neurons.length === 0) return null;
    // Mostly a population: an input's size must also match the task's channels.
    const x = pops.length > 0 && rng.chance(0.8) ? rng.pick(pops) : rng.pick(n.neurons);
    const v = rng.pick(HUGE_SIZES);
    return { text: splice(t, x.size.span.start, x.size.span.end, v), what: `${x.name.name}[${v}]` };
  },
  scaleSize(t, n, rng) {
    const f = rng.pick([10, 100]);
    if (n.neurons.length > 0 && rng.chance(0.6)) {
      const x = rng.pick(n.neurons);
      const old = t.slice(x.size.span.start, x.size.span.end);
      const v = x.size.kind === 'Num' ? String(x.size.value * f) : `(${old}) * ${f}`;
      return { text: splice(t, x.size.span.start, x.size.span.end, v), what: `${x.name.name}[${old}] ×${f}` };
    }
    if (n.nums.length === 0) return null;
    const x = rng.pick(n.nums);
    return { text: splice(t, x.span.start, x.span.end, String(x.value * f)), what: `${x.raw} ×${f}` };
  },
  swapUnit(t, n, rng) {
    if (n.units.length === 0) return null;
    const x = rng.pick(n.units);
    const u = rng.pick(UNITS);
    return { text: splice(t, x.unit.span.start, x.unit.span.end, u), what: `${x.unit.name} → ${u}` };
  },
  breakUnit(t, n, rng) {
    if (n.units.length === 0) return null;
    const x = rng.pick(n.units);
    if (rng.chance(0.25)) return { text: splice(t, x.unit.span.start - 1, x.unit.span.end, ''), what: `${x.unit.name} removed` };
    const u = rng.pick(BROKEN_UNITS);
    return { text: splice(t, x.unit.span.start, x.unit.span.end, u), what: `${x.unit.name} → ${JSON.stringify(u)}` };
  },
  retype(t, n, rng) {
    const sites = [...n.assigns.map((a) => a.value), ...n.consts.map((c) => c.value), ...n.args.map((a) => a.value)];
    if (sites.length === 0) return null;
    const x = rng.pick(sites);
    const v = rng.pick(RETYPED);
    return { text: splice(t, x.span.start, x.span.end, v), what: `${JSON.stringify(t.slice(x.span.start, x.span.end).slice(0, 20))} → ${v}` };
  },
  crossLink(t, n, rng) {
    const names = [...new Set(n.declared)];
    if (n.refs.length === 0 || names.length < 2) return null;
    const r = rng.pick(n.refs);
    const others = names.filter((x) => x !== r.name);
    const v = rng.pick([...others, ...others, 'pcm256', 'ideal4', 'nosuch']);
    return { text: splice(t, r.start, r.end, v), what: `${r.name} → ${v}` };
  },
  swapDecls(t, n, rng) {
    const bodies = n.bodies.filter((b) => b.length >= 2);
    if (bodies.length === 0) return null;
    const b = rng.pick(bodies);
    let i = rng.int(b.length);
    let j = rng.int(b.length - 1);
    if (j >= i) j++;
    if (i > j) [i, j] = [j, i];
    const x = b[i] as A.Stmt;
    const y = b[j] as A.Stmt;
    const tx = t.slice(x.span.start, x.span.end);
    const ty = t.slice(y.span.start, y.span.end);
    return { text: t.slice(0, x.span.start) + ty + t.slice(x.span.end, y.span.start) + tx + t.slice(y.span.end), what: `${x.kind} ↔ ${y.kind}` };
  },
  deleteStmt(t, n, rng) {
    const stmts = n.bodies.flat();
    if (stmts.length === 0) return null;
    const s = rng.pick(stmts);
    return { text: splice(t, s.span.start, s.span.end, ''), what: `${s.kind} ${JSON.stringify(t.slice(s.span.start, s.span.end).slice(0, 24))}` };
  },
  repeatStmt(t, n, rng) {
    const stmts = n.bodies.flat();
    if (stmts.length === 0) return null;
    const s = rng.pick(stmts);
    const body = t.slice(s.span.start, s.span.end);
    return { text: splice(t, s.span.end, s.span.end, `\n${body}`), what: `${s.kind} ${JSON.stringify(body.slice(0, 24))}` };
  },
  hostileSlice(t, n, rng) {
    const v = rng.pick(SLICES);
    if (n.indexes.length > 0 && rng.chance(0.5)) {
      const x = rng.pick(n.indexes);
      return { text: splice(t, x.span.start, x.span.end, `${x.target.name}[${v}]`), what: `${x.target.name}[${v}]` };
    }
    // Slice a projection's end: `rec -> rec` becomes `rec[5:2] -> rec`.
    const names = n.refs.filter((r) => t.slice(r.end, r.end + 4).trimStart().startsWith('->') || t.slice(Math.max(0, r.start - 4), r.start).trimEnd().endsWith('->'));
    if (names.length === 0) return null;
    const r = rng.pick(names);
    return { text: splice(t, r.end, r.end, `[${v}]`), what: `${r.name}[${v}]` };
  },
  injectLoad(t, n, rng) {
    const targets = n.assigns.filter((a) => ['w', 'v_th', 'tau_m', 'tau_a', 'bias', 'beta', 'v_init', 'tau', 'B'].includes(a.name.name));
    const v = rng.pick(NPY_LOADS);
    if (targets.length === 0 || rng.chance(0.2)) {
      // A projection without a body gets one; a neuron block gets a per-neuron file.
      const at = t.indexOf('{', rng.int(t.length));
      if (at < 0) return null;
      const name = rng.pick(['w', 'v_th', 'tau_m', 'bias']);
      return { text: splice(t, at + 1, at + 1, ` ${name} = ${v};`), what: `${name} = ${v} inserted` };
    }
    const a = rng.pick(targets);
    return { text: splice(t, a.span.start, a.span.end, `${a.name.name} = ${v}`), what: `${a.name.name} = ${v}` };
  },
};

/** Operators by weight: the hostile values, which reach the compiler and the reference, most often. */
const AST_WEIGHTED = Object.keys(astOps).flatMap((k) => Array.from({ length: ({ hostileNumber: 2, hostileQuantity: 4, hugeSize: 3, scaleSize: 2 } as Record<string, number>)[k] ?? 1 }, () => k));

// ---- the generator -----------------------------------------------------------------------------

const IMPORT_KINDS = ['self', 'pair', 'coreCycle', 'devZero', 'dir', 'binary', 'missing', 'empty', 'root', 'through', 'longChain', 'replace'] as const;

/** Mutant `index` of `seed`. */
export function makeMutant(seed: number, index: number, profile: Profile = 'fuzz'): Mutant {
  const corpus = loadCorpus();
  const rng = new Rng(seed, index);
  const ex = rng.pick(corpus.examples);
  const cheap = profile === 'test' || rng.chance(0.75);
  let main = cheap ? ex.cheap : ex.text;
  let core = corpus.core;
  const files: Record<string, MutantFile> = {};
  const ops: string[] = [];
  const sets: string[] = [];
  let npy: MutantFile = corpus.npy;

  const r = rng.next();
  const nOps = r < 0.03 ? 0 : r < 0.73 ? 1 : r < 0.93 ? 2 : 3;
  for (let k = 0; k < nOps; k++) {
    const cat = rng.pick(['ast', 'ast', 'ast', 'ast', 'text', 'text', 'import', 'npy', 'core', 'set', 'set']);
    if (cat === 'ast' || cat === 'text' || cat === 'core') {
      const onCore = cat === 'core';
      const t = onCore ? core : main;
      const n = cat === 'text' ? null : parsed(t);
      let done: { text: string; what: string } | null = null;
      let name = '';
      for (let tries = 0; tries < 4 && !done; tries++) {
        if (n && rng.chance(0.9)) { name = rng.pick(AST_WEIGHTED); done = (astOps[name] as AstOp)(t, n, rng); }
        else { name = rng.pick(Object.keys(textOps)); done = (textOps[name] as TextOp)(t, rng); }
      }
      if (!done) continue;
      if (onCore) core = done.text; else main = done.text;
      ops.push(`${onCore ? 'core:' : ''}${name}: ${done.what}`);
    } else if (cat === 'import') {
      let kind = rng.pick(IMPORT_KINDS);
      if (kind === 'devZero' && profile === 'test') kind = 'self';
      const add = (path: string) => { main = `import "${path}"\n${main}`; };
      switch (kind) {
        case 'self': add(MAIN); break;
        case 'pair': files['other.snn'] = enc.encode(`import "${MAIN}"\nconst OTHER_X = 1\n`); add('other.snn'); break;
        case 'coreCycle': core = `import "../${MAIN}"\n${core}`; break;
        case 'devZero': add('/dev/zero'); break;
        case 'dir': add(rng.pick(['cores', 'data', '.', '..', '/'])); break;
        case 'binary': add(rng.pick(['data/w_out.npy', '/dev/null', '/proc/self/status'])); break;
        case 'missing': add(rng.pick(['nosuch.snn', 'cores/nosuch.snn', '', ' ', 'main.snn/x', '\u0000'])); break;
        case 'empty': files['empty.snn'] = new Uint8Array(0); add('empty.snn'); break;
        case 'root': add(rng.pick(['cores/pcm256.snn', './cores/../cores/pcm256.snn'])); break;
        case 'through': files['a.snn'] = enc.encode('import "b.snn"\n'); files['b.snn'] = enc.encode(`import "${MAIN}"\nconst B_X = 2\n`); add('a.snn'); break;
        case 'longChain': {
          const len = rng.pick([50, 300]);
          for (let i = 0; i < len; i++) files[`chain/c${i}.snn`] = enc.encode(`import "c${i + 1}.snn"\nconst C${i} = ${i}\n`);
          files[`chain/c${len}.snn`] = enc.encode(`import "../${MAIN}"\n`);
          add('chain/c0.snn');
          break;
        }
        case 'replace': main = main.replace('"cores/pcm256.snn"', `"${rng.pick(['cores/pcm256.snn.bak', 'cores', 'CORES/pcm256.snn', 'cores/pcm256.snn ', 'cores//pcm256.snn', '/dev/zero'].filter((p) => profile === 'fuzz' || p !== '/dev/zero'))}"`); break;
      }
      ops.push(`import: ${kind}`);
    } else if (cat === 'npy') {
      const d = damagedNpy(corpus.npy, rng);
      npy = d.file;
      if (!main.includes('data/w_out.npy') || rng.chance(0.3)) {
        const n = parsed(main);
        const inj = n ? (astOps.injectLoad as AstOp)(main, n, rng) : null;
        if (inj) { main = inj.text; ops.push(`injectLoad: ${inj.what}`); }
      }
      ops.push(`npy: ${d.what}`);
    } else {
      const n = parsed(main);
      const pops = n ? n.neurons.filter((x) => x.role === 'population').map((x) => x.name.name) : [];
      const names = (re: RegExp) => [...main.matchAll(re)].map((m) => m[1] as string);
      const fill = (s: string) => s
        .replaceAll('{pop}', pops.length > 0 ? rng.pick(pops) : 'rec')
        .replaceAll('{task}', rng.pick([...names(/\btask\s+([A-Za-z_]\w*)/g), 'nosuch']))
        .replaceAll('{net}', rng.pick([...names(/\bnetwork\s+([A-Za-z_]\w*)\s*\{/g), 'nosuch']));
      const s = fill(rng.pick(SET_TEMPLATES));
      sets.push(s);
      ops.push(`set: ${JSON.stringify(s)}`);
    }
  }
  files[MAIN] = enc.encode(main);
  files['cores/pcm256.snn'] = enc.encode(core);
  files['data/w_out.npy'] = npy;
  return { id: `${seed}:${index}`, base: ex.name, cheap, ops, files, sets };
}

/** A mutant as a JSON-able summary (files listed by size). */
export function describeMutant(m: Mutant): Record<string, unknown> {
  return { id: m.id, base: m.base, cheap: m.cheap, ops: m.ops, sets: m.sets, files: Object.fromEntries(Object.entries(m.files).map(([k, f]) => [k, 'dir' in f ? 'directory' : `${f.length} bytes`])) };
}

export const mainText = (m: Mutant): string => { const f = m.files[MAIN]; return f && !('dir' in f) ? dec.decode(f) : ''; };
