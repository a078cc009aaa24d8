// The .npy files a program loads: `load("file.npy")` read and checked (its header, that every
// value is finite — each file read once per check, in the cache the checkers share), and the
// value checks a parameter's spec or a task's labels ask of a file's contents. Plain functions
// of their inputs and a diagnostic sink.
import { resolve } from 'node:path';
import type * as A from '../dsl/ast.ts';
import type * as S from '../dsl/schema.ts';
import type { DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import { readNpy, readNpyHeader } from '../data/npy.ts';
import { displayPath } from './workspace.ts';
import type { Value } from './values.ts';

export type Report = (kind: DiagKind, at: Span, message: string) => void;

/** What the checkers of one workspace share about data files. */
export interface DataCache {
  /** Every data file (.npy) the program loads, by absolute path. */
  readonly dataFiles: Set<string>;
  /** Per data file: null when every value is finite, else the first non-finite value and its index. */
  readonly finite: Map<string, { index: number; value: number } | null>;
}

/** What loading a file asks of the checker: its sink, its text, constants by name, the directory paths are relative to, the cache. */
export interface DataContext {
  readonly report: Report;
  text(span: Span): string;
  constant(name: string): Value | null;
  readonly dir: string;
  readonly cache: DataCache;
}

/** `load("file.npy")` (or `load(CONST)`): the file's header as a data value, or a diagnostic. */
export function loadData(e: A.Expr, what: string, ctx: DataContext): Value | undefined {
  if (!(e.kind === 'Call' && e.callee.name === 'load')) { ctx.report('WrongType', e.span, `${what} must be load("file.npy"); found ${ctx.text(e.span)}.`); return undefined; }
  const args = e.args ?? [];
  const a = args[0];
  if (args.length !== 1 || !a || a.name || e.body) { ctx.report('WrongArguments', e.span, 'load(...) takes one path: load("file.npy").'); return undefined; }
  let path: string | undefined;
  if (a.value.kind === 'Str') path = a.value.value;
  else if (a.value.kind === 'Name') {
    const v = ctx.constant(a.value.name);
    if (v?.t === 'data') path = v.path;
  }
  if (path === undefined) { ctx.report('WrongType', a.span, 'load(...) takes a quoted path: load("file.npy").'); return undefined; }
  const abs = resolve(ctx.dir, path);
  const h = readNpyHeader(abs);
  if (!h.ok) { ctx.report('InvalidNpy', a.span, `Cannot use "${path}": ${h.reason}.`); return undefined; }
  ctx.cache.dataFiles.add(abs);
  const bad = nonFinite(abs, ctx.cache);
  if (typeof bad === 'string') { ctx.report('InvalidNpy', a.span, `Cannot use "${path}": ${bad}.`); return undefined; }
  if (bad) {
    const at = h.header.shape.length > 1 ? ` (index ${unravel(bad.index, h.header.shape).join(', ')})` : h.header.shape.length === 1 ? ` (index ${bad.index})` : '';
    ctx.report('DataNotFinite', a.span, `"${path}" holds ${bad.value} at element ${bad.index}${at}; every value of a loaded array must be a finite number.`);
    return undefined;
  }
  return { t: 'data', path: abs, header: h.header };
}

/** The first non-finite value of a data file (read once per check), or why it cannot be read. */
function nonFinite(abs: string, cache: DataCache): { index: number; value: number } | null | string {
  if (!cache.finite.has(abs)) {
    const r = readNpy(abs);
    if (!r.ok) return r.reason;
    let found: { index: number; value: number } | null = null;
    const d = r.array.data;
    for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i] as number)) { found = { index: i, value: d[i] as number }; break; }
    cache.finite.set(abs, found);
  }
  return cache.finite.get(abs) ?? null;
}

export function checkFileValues(path: string, spec: Extract<S.Spec, { t: 'init' }>, what: string, at: Span, report: Report): boolean {
  const r = readNpy(path);
  if (!r.ok) return true; // the header check has reported it
  const unit = spec.dim === 'time' ? ' (seconds: values in .npy files are in SI units)' : '';
  let max = 0;
  for (const v of r.array.data) {
    if (spec.min !== undefined && (spec.minOpen ? v <= spec.min : v < spec.min)) {
      report('OutOfRange', at, `${what} must be ${spec.minOpen ? 'greater than' : 'at least'} ${spec.min}${unit}; ${displayPath(path)} holds ${v}.`);
      return false;
    }
    max = Math.max(max, v);
  }
  if (spec.dim === 'time' && max > 10) report('SuspiciousValue', at, `${what}: ${displayPath(path)} holds ${max}, that is ${max} s — values in .npy files are in seconds; were they written in milliseconds?`);
  return true;
}

/** Class labels of an npy task: whole numbers, one per readout neuron at most. */
export function checkLabels(path: string, at: Span, taskName: string, nOut: number, report: Report): void {
  const r = readNpy(path);
  if (!r.ok) return; // the header check has reported it
  let bad: number | undefined;
  for (const v of r.array.data) if (!Number.isInteger(v) || v < 0 || v >= nOut) { bad = v; break; }
  if (bad !== undefined) report('OutOfRange', at, `The labels of task ${taskName} must be whole numbers from 0 to ${nOut - 1} (one class per readout neuron); ${displayPath(path)} holds ${bad}.`);
}


/** A flat C-order index as one index per axis. */
function unravel(i: number, shape: readonly number[]): number[] {
  const out = new Array<number>(shape.length).fill(0);
  for (let k = shape.length - 1; k >= 0; k--) { const n = shape[k] as number; out[k] = i % n; i = Math.floor(i / n); }
  return out;
}
