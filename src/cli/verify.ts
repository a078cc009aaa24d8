// `phasecore verify FILE [--block NAME] [--seeds 1..5] [--narrowest KEY=lo..hi] [--set ...] [--json]`:
// measure every constraint of the file's verify block (src/verify/verify.ts) for each seed and
// print a table — the constraint, its measured value (the median and range over the seeds), its
// bound, pass or FAIL, and under a failure its evidence. Exit 0 when every constraint passes, 1
// when one fails (or the file has errors), 2 on a usage error: a hardware team's CI gate.
//
// --narrowest KEY=lo..hi (or KEY=v1,v2,… narrowest first) searches the values of one parameter,
// given as --set would give it, for the narrowest with which the whole block passes — by bisection,
// which assumes the verdict is monotone in the value: where a value passes, every wider one does.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeNpy } from '../data/npy.ts';
import { InstantiationError } from '../ir/instantiate.ts';
import { allocationMessage, isAllocationFailure } from '../ir/memory.ts';
import { TaskDataError } from '../tasks/generate.ts';
import { outputError, tryWriteFileAtomic } from './atomic.ts';
import { displayPath } from '../compiler/workspace.ts';
import { diag, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { didYouMean } from '../dsl/diagnostics.ts';
import type { CheckedVerify } from '../compiler/values.ts';
import { loadInputs, type InputOptions } from './load.ts';
import { reporter } from './report.ts';
import { splitValues, unitRange } from './sweep-spec.ts';
import { verifyBlock, type ConstraintOutcome, showValue } from './verify-constraints.ts';

export interface VerifyOptions extends InputOptions {
  readonly block?: string; readonly seeds?: string; readonly narrowest?: string; readonly json?: boolean;
  /** Write each counterexample input as DIR/<population>-<register>[-seed<S>].npy (samples 1, steps, channels). */
  readonly counterexamples?: string;
}

export interface VerifyIo { out: (s: string) => void; err: (s: string) => void }

const top = { start: 0, end: 0 };

/** --seeds: a list (1,2,3) or a range (1..5). */
function parseSeeds(text: string | undefined): number[] | string | undefined {
  if (text === undefined) return undefined;
  const r = unitRange(text);
  const parts = r && r.unit === '' ? r.values : splitValues(text).map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
  if (parts.length === 0 || parts.some((s) => !Number.isInteger(s) || s < 0 || s > 4294967295)) return `--seeds takes whole numbers ≥ 0 as a list (1,2,3) or a range (1..5); found '${text}'`;
  return parts;
}

/** One verification of the file with `extra` --set overrides: the outcome, or the file's diagnostics. */
type Verified = { ok: true; block: CheckedVerify; constraints: ConstraintOutcome[]; pass: boolean; seeds: number[]; warnings: Diagnostic[]; sourceOf: (f: string) => ReturnType<Parameters<typeof reporter>[3]> } | { ok: false; diagnostics: Diagnostic[]; sourceOf: (f: string) => ReturnType<Parameters<typeof reporter>[3]> } | { ok: false; usage: string };

function verifyOnce(file: string, opts: VerifyOptions, extra: readonly string[], seedsOpt: number[] | undefined): Verified {
  const root = resolve(file);
  const loaded = loadInputs([file], { ...opts, set: [...(opts.set ?? []), ...extra] });
  if (!loaded.ok && 'usage' in loaded) return { ok: false, usage: loaded.usage };
  if (!loaded.ok) return { ok: false, diagnostics: loaded.diagnostics, sourceOf: loaded.sourceOf };
  if (hasErrors(loaded.diagnostics)) return { ok: false, diagnostics: loaded.diagnostics, sourceOf: loaded.sourceOf };
  const program = loaded.result.programs.get(root);
  const shown = displayPath(root);
  const all = program?.verifies ?? [];
  const picked = all.filter((v) => opts.block === undefined || v.name === opts.block);
  if (picked.length !== 1) {
    const names = all.map((v) => v.name).filter((n): n is string => n !== null);
    const message = all.length === 0 ? 'The file has no verify block: add one (`verify { network = ...; core = ...; task = ...; no_overflow }`) to use this command.'
      : picked.length === 0 ? `There is no verify block named '${opts.block}'.${didYouMean(opts.block ?? '', names)} The file has: ${names.join(', ') || '(unnamed)'}.`
      : `The file has ${picked.length} verify blocks; choose one with --block NAME (${picked.map((v) => v.name ?? '(unnamed)').join(', ')}).`;
    return { ok: false, diagnostics: [diag('NoRunBlock', shown, picked[1]?.span ?? top, message)], sourceOf: loaded.sourceOf };
  }
  const block = picked[0]!;
  const seed = block.run.params.params.seed;
  const seeds = seedsOpt ?? [seed?.t === 'int' ? seed.value : 1];
  let r: ReturnType<typeof verifyBlock>;
  try {
    r = verifyBlock({ program: program!, verify: block, position: loaded.position, locate: loaded.locate }, seeds);
  } catch (e) {
    // Data that passed the check but cannot be used now (a file changed on disk), or memory the machine refuses: the user's, never exit 3.
    const at = block.run.params.spans.task ?? block.span;
    if (e instanceof TaskDataError || e instanceof InstantiationError) return { ok: false, diagnostics: [loaded.place(diag('DataUnusable', block.file, at, e.message))], sourceOf: loaded.sourceOf };
    if (isAllocationFailure(e)) return { ok: false, diagnostics: [loaded.place(diag('OutOfMemory', block.file, block.span, allocationMessage('this verify block', e)))], sourceOf: loaded.sourceOf };
    throw e;
  }
  if (!r.ok) return { ok: false, diagnostics: [...loaded.diagnostics, ...r.diagnostics.map(loaded.place)], sourceOf: loaded.sourceOf };
  return { ok: true, block, constraints: r.constraints, pass: r.pass, seeds, warnings: loaded.diagnostics, sourceOf: loaded.sourceOf };
}

export async function commandVerify(file: string, opts: VerifyOptions, io: VerifyIo): Promise<number> {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const seeds = parseSeeds(opts.seeds);
  if (typeof seeds === 'string') return usage(seeds);
  if (opts.narrowest !== undefined) return narrowest(file, opts, seeds, io, usage);
  const r = verifyOnce(file, opts, [], seeds);
  if (!r.ok) {
    if ('usage' in r) return usage(r.usage);
    return reporter(!!opts.json, io.out, io.err, r.sourceOf).fail(r.diagnostics);
  }
  // The check's warnings, as every command shows them (the compiler's are the constraints' business).
  reporter(!!opts.json, io.out, io.err, r.sourceOf).show(r.warnings);
  if (opts.counterexamples !== undefined) {
    const written = writeCounterexamples(opts.counterexamples, r.constraints, r.seeds.length > 1);
    if (written.error) return reporter(!!opts.json, io.out, io.err, () => undefined).fail([written.error]);
    if (!opts.json) for (const f of written.files) io.err(`wrote counterexample ${f}`);
  }
  if (opts.json) io.out(JSON.stringify(verdictJson(r.constraints, r.pass, r.seeds)));
  else for (const line of table(r.block, displayPath(resolve(file)), r.constraints, r.pass, r.seeds)) io.out(line);
  return r.pass ? 0 : 1;
}

/** The counterexamples' inputs as .npy files (samples 1, steps, channels), each written whole or not at all. */
function writeCounterexamples(dir: string, cs: readonly ConstraintOutcome[], perSeed: boolean): { files: string[]; error?: Diagnostic } {
  try { mkdirSync(dir, { recursive: true }); } catch (e) { return { files: [], error: outputError(dir, e) }; }
  const files: string[] = [];
  for (const c of cs) for (const s of c.seeds) for (const x of s.counterexamples ?? []) {
    const path = join(dir, `${x.name}${perSeed ? `-seed${s.seed}` : ''}.npy`);
    const d = tryWriteFileAtomic(path, encodeNpy('float64', [1, x.steps, x.channels], x.x));
    if (d) return { files, error: d };
    files.push(path);
  }
  return { files };
}

function verdictJson(cs: readonly ConstraintOutcome[], pass: boolean, seeds: readonly number[]) {
  return {
    seeds,
    constraints: cs.map((c) => ({
      name: c.name, kind: c.kind, statement: c.text,
      measured: c.measured ?? (c.seeds.length > 0 ? c.seeds[0]!.shown : null),
      per_seed: c.seeds.map((s) => ({ seed: s.seed, value: s.value, shown: s.shown, pass: s.pass })),
      bound: c.bound === null ? null : { op: c.op, value: c.bound, unit: c.bound_unit, shown: c.bound_shown },
      pass: c.pass, evidence: c.evidence, source: c.source,
    })),
    pass,
  };
}

/** The table a designer reads: one row per constraint, evidence under each failure. */
export function table(block: CheckedVerify, file: string, cs: readonly ConstraintOutcome[], pass: boolean, seeds: readonly number[]): string[] {
  const measured = (c: ConstraintOutcome): string => {
    const shown = [...new Set(c.seeds.map((s) => s.shown))];
    if (c.seeds.length === 1 || !c.measured || shown.length === 1) return shown.join(' / ');
    const { median, min, max } = c.measured;
    if (min === max) return showValue(c.name, median);
    // `16.4 [16.2 – 16.5] bits of headroom`: the unit once, after the range.
    const [a, b, d] = [median, min, max].map((x) => showValue(c.name, x));
    const unit = a!.replace(/^[-+\d.e∞]+/, '');
    const bare = (x: string) => (unit && x.endsWith(unit) ? x.slice(0, x.length - unit.length) : x);
    return `${bare(a!)} [${bare(b!)} – ${bare(d!)}]${unit}`;
  };
  const rows = cs.map((c) => [c.name, c.kind, measured(c), c.bound_shown || '—', c.pass ? 'pass' : 'FAIL']);
  const head = ['constraint', 'kind', seeds.length > 1 ? 'measured (median [range])' : 'measured', 'bound', 'verdict'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
  const line = (cells: readonly string[]) => `  ${cells.map((x, k) => x.padEnd(widths[k]!)).join('  ').trimEnd()}`;
  const out = [`verify ${block.name ?? '(unnamed)'} in ${file}, seed${seeds.length === 1 ? '' : 's'} ${seeds.join(', ')}`, line(head)];
  cs.forEach((c, k) => {
    out.push(line(rows[k]!));
    if (!c.pass) { out.push(`      at ${c.source}: ${c.text}`); for (const e of c.evidence) out.push(`      ${e}`); }
  });
  const n = cs.filter((c) => c.pass).length;
  out.push(`${pass ? 'PASS' : 'FAIL'}: ${n} of ${cs.length} constraint${cs.length === 1 ? '' : 's'} pass`);
  return out;
}

/**
 * A range of formats with the same fraction, `s16.10..s24.10` (every total width between, the
 * fraction kept) or `q1.8..q1.15` (every fraction between, the integer bits kept); null otherwise.
 */
export function formatRange(text: string): string[] | null {
  const m = /^\s*([su])(\d+)\.(\d+)\s*\.\.\s*([su])(\d+)\.(\d+)\s*$/.exec(text);
  if (m && m[1] === m[4] && m[3] === m[6]) {
    const [a, b] = [Number(m[2]), Number(m[5])];
    return Array.from({ length: Math.abs(b - a) + 1 }, (_, i) => `${m[1]}${a <= b ? a + i : a - i}.${m[3]}`);
  }
  const q = /^\s*q(\d+)\.(\d+)\s*\.\.\s*q(\d+)\.(\d+)\s*$/.exec(text);
  if (q && q[1] === q[3]) {
    const [a, b] = [Number(q[2]), Number(q[4])];
    return Array.from({ length: Math.abs(b - a) + 1 }, (_, i) => `q${q[1]}.${a <= b ? a + i : a - i}`);
  }
  return null;
}

/** --narrowest KEY=lo..hi: bisection for the narrowest value with which the block passes. */
async function narrowest(file: string, opts: VerifyOptions, seeds: number[] | undefined, io: VerifyIo, usage: (m: string) => number): Promise<number> {
  const text = opts.narrowest!;
  const eq = text.indexOf('=');
  if (eq <= 0) return usage(`--narrowest takes KEY=lo..hi (core.weight_bits=2..8 bit, core.membrane=s16.10..s24.10) or KEY=v1,v2,… (narrowest first), as --set names a parameter; found '${text}'`);
  const key = text.slice(0, eq).trim(); const spec = text.slice(eq + 1).trim();
  const range = unitRange(spec);
  const values = range ? range.values.map((x) => `${x}${range.unit ? ` ${range.unit}` : ''}`) : formatRange(spec) ?? splitValues(spec);
  if (values.length < 2 || values.some((x) => x === '')) return usage(`--narrowest ${text}: give at least two values, a range lo..hi (2..8 bit) or a list narrowest first (s12.8,s16.8,s24.8)`);
  const probes: Array<{ value: string; pass: boolean; failing: string[] }> = [];
  const probe = (k: number): boolean | number => {
    const value = values[k]!;
    const r = verifyOnce(file, opts, [`${key}=${value}`], seeds);
    if (!r.ok && 'usage' in r) return usage(r.usage);
    // The widest value not even compiling is the file's (or the key's) problem: shown in full, exit 1.
    if (!r.ok && k === values.length - 1) return reporter(!!opts.json, io.out, io.err, r.sourceOf).fail(r.diagnostics);
    const failing = r.ok ? r.constraints.filter((c) => !c.pass).map((c) => c.name) : r.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
    const pass = r.ok && r.pass;
    probes.push({ value, pass, failing });
    if (!opts.json) io.out(`  ${key} = ${value}: ${pass ? 'pass' : `FAIL (${r.ok ? failing.join(', ') : `does not compile: ${failing[0] ?? ''}`})`}`);
    return pass;
  };
  if (!opts.json) io.out(`narrowest ${key} in ${values[0]} … ${values.at(-1)} that passes every constraint (bisection: it assumes a value that passes means every wider one passes)`);
  // The widest must pass; then the narrowest passing index by bisection (the invariant: lo fails or is untested below, hi passes).
  const widest = probe(values.length - 1);
  if (typeof widest === 'number') return widest;
  let found: number | null = null;
  if (widest) {
    let lo = 0; let hi = values.length - 1;
    const first = probe(0);
    if (typeof first === 'number') return first;
    if (first) hi = 0;
    else {
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        const p = probe(mid);
        if (typeof p === 'number') return p;
        if (p) hi = mid; else lo = mid;
      }
    }
    found = hi;
  }
  const result = found === null ? null : values[found]!;
  if (opts.json) io.out(JSON.stringify({ narrowest: { key, value: result, bisection: 'assumes monotone: a value that passes means every wider one passes', probes } }));
  else io.out(result === null ? `no value of ${key} in ${values[0]} … ${values.at(-1)} passes: even ${values.at(-1)} fails` : `narrowest passing: ${key} = ${result}${found! > 0 ? ` (${values[found! - 1]} fails)` : ' (the narrowest tried)'}`);
  return result === null ? 1 : 0;
}
