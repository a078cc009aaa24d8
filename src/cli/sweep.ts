// `phasecore sweep FILE --set key=v1,v2,... [--set key=a..b] [--seeds 1..5] [--backend
// reference|core] [--workers N] [--shard I/N] [--out DIR] [--json]`: the cross product of the
// values (sweep-spec.ts), each point the file's train block trained (or its run block run) with
// the point's overrides, in worker threads (sweep-point.ts).
//
// The sweep's directory (--out, default `<file>.sweep` beside the working directory):
//   sweep.json        what sweep this is (its identity and hash) and which shard of it
//   points/NNNN.json  a finished point's row and loss curve, written atomically when it finishes
//   results.csv       a row per finished point, in index order (rewritten at the end)
//   results.json      {sweep, rows}
//   plots/            the plots (plot.ts), redrawn by `phasecore plot DIR`
// A sweep that stops — Ctrl-C, SIGTERM, SIGKILL, a lost machine — is resumed by running the same
// command again: the points already in points/ are not run again. A directory of another sweep
// (other files, axes, seeds, options or phasecore) is refused, never overwritten.
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { displayPath } from '../compiler/workspace.ts';
import { selectRun } from '../compiler/frontend.ts';
import { diag, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { reporter } from './report.ts';
import { loadInputs, type ParseCache } from './load.ts';
import { outputError, writeFileAtomic } from './atomic.ts';
import { EXIT_SIGNAL, wholeNumber } from './train.ts';
import { sha256File } from '../data/files.ts';
import { allPoints, buildHash, identityHash, parseShard, parseSweep, pointCount, pointOverrides, resultsCsv, shardPoints, type Point, type PointResult, type Row, type SweepIdentity, type SweepSpec } from './sweep-spec.ts';
import { failed, runPoint, WORKER_TAG, type FromWorker, type PointJob, type ToWorker } from './sweep-point.ts';
import { writePlots } from './plot.ts';

export interface SweepOptions {
  readonly set?: string[]; readonly seeds?: string; readonly backend?: string; readonly workers?: string; readonly shard?: string;
  readonly out?: string; readonly json?: boolean; readonly block?: string; readonly iterations?: string; readonly maxMemory?: string; readonly quiet?: boolean;
  readonly plots?: boolean;
}
export interface SweepIo {
  out: (s: string) => void; err: (s: string) => void; version: string;
  progress: 'line' | 'lines' | 'none';
  /** Signals to stop on (default SIGINT and SIGTERM); tests pass none. */
  signals?: readonly NodeJS.Signals[];
}

/** sweep.json: the identity, its hash, and the shard this directory holds. */
export interface SweepFile {
  readonly phasecore_sweep: 1;
  readonly sweep_sha256: string;
  readonly identity: SweepIdentity;
  readonly shard: { readonly index: number; readonly count: number } | null;
}

const at0 = { start: 0, end: 0 };
/** A point's file name in points/: its index, zero-padded to the sweep's width (at least 4 digits). */
export const pointFile = (i: number, total: number): string => `${String(i).padStart(Math.max(4, String(total - 1).length), '0')}.json`;
export const POINTS_DIR = 'points';

/** The file's URL that serves points in a worker: sweep-point.ts here, the bundle once built (then this module is in it). */
function workerScript(): URL {
  const here = new URL(import.meta.url);
  // A checkout running the sources: the worker loads them through tsx, as bin/phasecore.js does.
  return here.pathname.endsWith('.ts') ? new URL('./sweep-worker.mjs', here) : here;
}

/** A file system error (its path and what the system said), not a bug. */
export const isFsError = (e: unknown): e is NodeJS.ErrnoException => typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';

/** A finished point read back, or null (absent, half-written by a crashed writer, or of another index). */
export function readPoint(dir: string, index: number, total: number): PointResult | null {
  try {
    const r = JSON.parse(readFileSync(join(dir, POINTS_DIR, pointFile(index, total)), 'utf8')) as PointResult;
    return r.row?.index === index ? r : null;
  } catch {
    return null;
  }
}

/** The sweep directory's sweep.json, or null when there is none. */
export function readSweepFile(dir: string): SweepFile | null | 'unreadable' {
  const p = join(dir, 'sweep.json');
  if (!existsSync(p)) return null;
  try {
    const s = JSON.parse(readFileSync(p, 'utf8')) as SweepFile;
    return s.phasecore_sweep === 1 && typeof s.sweep_sha256 === 'string' ? s : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Every finished point in `dir`, in index order. */
export function finishedRows(dir: string, total: number): PointResult[] {
  const found: PointResult[] = [];
  let names: string[] = [];
  try { names = readdirSync(join(dir, POINTS_DIR)).filter((n) => /^\d+\.json$/.test(n)); } catch { return found; }
  for (const n of names.sort()) {
    const r = readPoint(dir, Number(n.slice(0, -5)), total);
    if (r) found.push(r);
  }
  return found.sort((a, b) => a.row.index - b.row.index);
}

/** results.csv and results.json of the rows in `dir` (atomically). */
export function writeResults(dir: string, sweep: SweepFile, results: readonly PointResult[]): void {
  const rows: Row[] = results.map((r) => r.row);
  writeFileAtomic(join(dir, 'results.csv'), resultsCsv(sweep.identity.axes, rows));
  writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify({ sweep: sweep.identity, sweep_sha256: sweep.sweep_sha256, shard: sweep.shard, rows }, null, 1)}\n`);
}

/**
 * Check a sweep before anything runs (`sweep` and `sweep plan` alike): the file as it stands, then
 * each value of each axis on its own (the other axes at their first value). An error there is one
 * in the file or in the command, not a point's failure: it is shown where it is (a value's error
 * as --set#K) and the exit code returned. Else: which block kind the points run, on which
 * backend, every input file's hash, and the memory budget.
 */
export function preflight(file: string, spec: SweepSpec, opts: { readonly block?: string; readonly backend: string; readonly backendGiven: boolean; readonly iterations?: number; readonly maxMemory?: string; readonly json?: boolean },
  io: { out: (s: string) => void; err: (s: string) => void }, parsed: ParseCache = new Map()): number | { kind: 'train' | 'run'; backend: string; hashes: Record<string, string>; memoryBudget: number } {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const root = resolve(file);
  const one = (k: number, j: number): Point => ({ index: 0, seed: null, values: spec.axes.map((a, m) => a.values[m === k || a.with === k ? j : 0] as string) });
  const variants: string[][] = [pointOverrides(spec, one(-1, 0))];
  spec.axes.forEach((a, k) => { if (a.with === null) for (let j = 1; j < a.values.length; j++) variants.push(pointOverrides(spec, one(k, j))); });
  let kind: 'train' | 'run' = 'train';
  let memoryBudget = 0;
  const inputs = new Set<string>();
  for (const set of variants) {
    const loaded = loadInputs([file], { set, parsed, ...(opts.maxMemory ? { maxMemory: opts.maxMemory } : {}) });
    if (!loaded.ok && 'usage' in loaded) return usage(loaded.usage);
    const rep = reporter(!!opts.json, io.out, io.err, loaded.sourceOf);
    if (!loaded.ok) return rep.fail(loaded.diagnostics);
    if (hasErrors(loaded.diagnostics)) return rep.fail(loaded.diagnostics.filter((d) => d.severity === 'error'));
    const picked = selectRun(loaded.result.programs.get(root), displayPath(root), ['train', 'run'], opts.block);
    if (!picked.ok) return rep.fail([picked.diagnostic]);
    kind = picked.value.keyword;
    memoryBudget = loaded.memoryBudget;
    for (const f of loaded.result.inputs) inputs.add(f);
  }
  if (kind === 'run' && opts.backendGiven && opts.backend !== 'core') return usage('a run block runs on its core; --backend applies to train blocks (leave it out)');
  if (kind === 'run' && opts.iterations !== undefined) return usage('--iterations applies to a train block; this sweep runs the file\'s run block');
  const hashes = Object.fromEntries([...inputs].sort().map((f) => [displayPath(f), sha256File(f)]));
  return { kind, backend: kind === 'run' ? 'core' : opts.backend, hashes, memoryBudget };
}

export async function commandSweep(file: string, opts: SweepOptions, io: SweepIo): Promise<number> {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const spec = parseSweep(opts.set ?? [], opts.seeds);
  if (typeof spec === 'string') return usage(spec);
  const shard = parseShard(opts.shard);
  if (typeof shard === 'string') return usage(shard);
  const backend = opts.backend ?? 'reference';
  if (backend !== 'reference' && backend !== 'core') return usage(`--backend takes reference (the float64 oracle) or core (the emulated chip); found '${backend}'`);
  const workersOpt = wholeNumber(opts.workers, '--workers', 1);
  if (typeof workersOpt === 'string') return usage(workersOpt);
  const iterations = wholeNumber(opts.iterations, '--iterations', 1);
  if (typeof iterations === 'string') return usage(iterations);
  const total = pointCount(spec);
  if (total > 100000) return usage(`the sweep has ${total} points; at most 100000 (split it into several sweeps)`);

  const root = resolve(file);
  const parsed: ParseCache = new Map();
  const checked = preflight(file, spec, { ...(opts.block ? { block: opts.block } : {}), ...(opts.maxMemory ? { maxMemory: opts.maxMemory } : {}), ...(iterations !== undefined ? { iterations } : {}), backend, backendGiven: opts.backend !== undefined, json: !!opts.json }, io, parsed);
  if (typeof checked === 'number') return checked;
  const { kind, backend: effectiveBackend, hashes } = checked;
  const identity: SweepIdentity = {
    phasecore: io.version, build: buildHash(), file: displayPath(root), inputs: hashes, backend: effectiveBackend, block: opts.block ?? null,
    iterations: iterations ?? null, kind, axes: spec.axes, seeds: spec.seeds, points: total, memory_budget: checked.memoryBudget,
  };
  const sweep: SweepFile = { phasecore_sweep: 1, sweep_sha256: identityHash(identity), identity, shard };

  // The directory: new, or this very sweep's (then it resumes).
  const dir = resolve(opts.out ?? `${basename(root).replace(/\.snn$/, '')}.sweep`);
  const shownDir = displayPath(dir);
  const fail = (d: Diagnostic) => reporter(!!opts.json, io.out, io.err, () => undefined).fail([d]);
  if (existsSync(dir) && !statSync(dir).isDirectory()) return fail(diag('OutputUnwritable', shownDir, at0, `Cannot write the sweep into ${shownDir}: it is a file, not a directory.`));
  const existing = existsSync(dir) ? readSweepFile(dir) : null;
  if (existing === 'unreadable') return fail(diag('SweepMismatch', shownDir, at0, `${shownDir}/sweep.json cannot be read as a sweep's: leave the directory as it is and give another --out.`));
  if (existing) {
    if (existing.sweep_sha256 !== sweep.sweep_sha256 || JSON.stringify(existing.shard) !== JSON.stringify(shard)) {
      const why = existing.sweep_sha256 !== sweep.sweep_sha256 ? differences(existing.identity, identity) : `it holds shard ${existing.shard ? `${existing.shard.index}/${existing.shard.count}` : '(all points)'}, not ${shard ? `${shard.index}/${shard.count}` : 'all points'}`;
      return fail(diag('SweepMismatch', shownDir, at0, `${shownDir} holds another sweep's results (${why}); it is left as it is: give another --out to start this sweep.`));
    }
  } else if (existsSync(dir) && readdirSync(dir).length > 0) {
    return fail(diag('SweepMismatch', shownDir, at0, `${shownDir} exists and is not a sweep's directory (it has no sweep.json); nothing in it is touched: give a new or empty --out.`));
  }
  try {
    mkdirSync(join(dir, POINTS_DIR), { recursive: true });
    if (!existing) writeFileAtomic(join(dir, 'sweep.json'), `${JSON.stringify(sweep, null, 1)}\n`);
  } catch (e) {
    return fail(outputError(shownDir, e));
  }

  const mine = shardPoints(allPoints(spec), shard);
  const done = new Map<number, PointResult>();
  for (const p of mine) { const r = readPoint(dir, p.index, total); if (r) done.set(p.index, r); }
  const todo = mine.filter((p) => !done.has(p.index));
  const workers = Math.max(1, Math.min(workersOpt ?? availableParallelism(), todo.length));
  const job: PointJob = { file: root, kind, backend: effectiveBackend, block: opts.block ?? null, iterations: iterations ?? null, spec, version: io.version, inputs: hashes, maxMemory: opts.maxMemory ?? null };
  if (!opts.json && !opts.quiet) {
    io.err(`sweep: ${mine.length} points${shard ? ` (shard ${shard.index}/${shard.count} of ${total})` : ''}, ${done.size} already done in ${shownDir}; ${todo.length} to run on ${workers} worker${workers === 1 ? '' : 's'}`);
  }

  // Run: write each result as it comes.
  let failedCount = [...done.values()].filter((r) => r.row.status === 'failed').length;
  let running = 0;
  const t0 = Date.now();
  let finishedNow = 0;
  let lastLine = 0;
  const progress = (force = false) => {
    if (io.progress === 'none' || opts.json || opts.quiet) return;
    const now = Date.now();
    if (!force && io.progress === 'lines' && now - lastLine < 10_000) return;
    lastLine = now;
    const left = todo.length - finishedNow;
    const eta = finishedNow > 0 ? ((now - t0) / finishedNow) * left / 1000 : NaN;
    const etaText = !Number.isFinite(eta) ? '?' : eta < 90 ? `${eta.toFixed(0)} s` : eta < 5400 ? `${(eta / 60).toFixed(0)} min` : `${(eta / 3600).toFixed(1)} h`;
    const text = `sweep: ${done.size}/${mine.length} done, ${running} running, ${failedCount} failed, ETA ${etaText}`;
    if (io.progress === 'line') process.stderr.write(`\r${text}   `); else io.err(text);
  };
  const record = (r: PointResult) => {
    writeFileAtomic(join(dir, POINTS_DIR, pointFile(r.row.index, total)), `${JSON.stringify(r)}\n`);
    done.set(r.row.index, r);
    finishedNow++;
    if (r.row.status === 'failed') failedCount++;
    progress();
  };

  let stopped: NodeJS.Signals | null = null;
  let stopNow: (() => void) | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopped) process.exit(EXIT_SIGNAL[sig] ?? 130);
    stopped = sig;
    io.err(`\n${sig}: stopping the sweep; finished points are kept in ${shownDir} (run the same command to resume)`);
    stopNow?.();
  };
  const signals = io.signals ?? ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  try {
    if (workers === 1) {
      for (const p of todo) {
        if (stopped) break;
        running = 1; progress();
        const r = await runPoint(job, p, parsed);
        running = 0;
        record(r);
        await new Promise<void>((ok) => setImmediate(ok)); // let a signal in
      }
    } else {
      await pool(job, todo, workers, record, (n) => { running = n; }, (stop) => { stopNow = stop; });
    }
  } catch (e) {
    if (isFsError(e)) return fail(outputError(shownDir, e));
    throw e;
  } finally {
    for (const s of signals) process.off(s, onSignal);
    if (io.progress === 'line' && !opts.json && !opts.quiet) process.stderr.write('\n');
  }

  const results = mine.flatMap((p) => { const r = done.get(p.index); return r ? [r] : []; });
  let plots: string[] = [];
  try {
    writeResults(dir, sweep, results);
    if (opts.plots !== false && results.length > 0) plots = await writePlots(dir, sweep.identity, results);
  } catch (e) {
    if (isFsError(e)) return fail(outputError(shownDir, e));
    throw e;
  }
  const failed = results.filter((r) => r.row.status === 'failed').length;
  if (opts.json) {
    io.out(JSON.stringify({ sweep: identity, sweep_sha256: sweep.sweep_sha256, shard, out: shownDir, points: mine.length, done: results.length, failed, rows: results.map((r) => r.row), plots, ...(stopped ? { stopped_by: stopped } : {}) }));
  } else {
    io.out(`swept ${results.length} of ${mine.length} points of ${displayPath(root)} (${failed} failed${stopped ? `; stopped by ${stopped}` : ''}); table: ${join(shownDir, 'results.csv')}${plots.length > 0 ? `; plots: ${join(shownDir, 'plots')}/ (${plots.length} files)` : ''}`);
    for (const r of results.filter((x) => x.row.status === 'failed').slice(0, 5)) io.out(`  point ${r.row.index} (${pointOverrides(spec, pointOf(spec, r.row)).join(' ')}${r.row.seed !== null ? ` seed ${r.row.seed}` : ''}) failed: ${r.row.error_code}: ${r.row.error}`);
  }
  return stopped ? (EXIT_SIGNAL[stopped] ?? 130) : 0;
}

/** The point a row is of. */
const pointOf = (spec: SweepSpec, r: Row): Point => ({ index: r.index, values: spec.axes.map((a) => r.values[a.key] as string), seed: r.seed });

/** What differs between the sweep a directory holds (`a`) and this one (`b`), in words. */
export function differences(a: SweepIdentity, b: SweepIdentity): string {
  const out: string[] = [];
  const axes = (x: SweepIdentity) => (x.axes.length === 0 ? 'none' : x.axes.map((v) => `${v.key}=${v.values.join(',')}`).join(' '));
  const seeds = (x: SweepIdentity) => x.seeds?.join(',') ?? "the block's";
  const pair = (what: string, x: string, y: string) => out.push(`${what} ${x} there, ${y} here`);
  if (a.file !== b.file) pair('file', a.file, b.file);
  else if (JSON.stringify(a.inputs) !== JSON.stringify(b.inputs)) out.push('its files have changed since');
  if (JSON.stringify(a.axes) !== JSON.stringify(b.axes)) pair('axes', axes(a), axes(b));
  if (JSON.stringify(a.seeds) !== JSON.stringify(b.seeds)) pair('seeds', seeds(a), seeds(b));
  if (a.backend !== b.backend) pair('backend', a.backend, b.backend);
  if (a.iterations !== b.iterations) pair('iterations', String(a.iterations ?? "the block's"), String(b.iterations ?? "the block's"));
  if (a.block !== b.block) pair('block', a.block ?? 'the default', b.block ?? 'the default');
  if (a.memory_budget !== b.memory_budget) pair('memory budget', String(a.memory_budget), String(b.memory_budget));
  if (a.phasecore !== b.phasecore) pair('phasecore', a.phasecore, b.phasecore);
  else if (a.build !== b.build) out.push('another build of phasecore ran it (its code has changed since)');
  return out.length > 0 ? out.join('; ') : 'another sweep';
}

/**
 * Points over `n` worker threads, one point each at a time; resolves when all are back or `stop`
 * was called. A worker that dies (an uncaught error, out of memory) fails the point it ran — its
 * row says so — and a new worker carries on; one that dies before taking any point is a bug, and
 * ends the sweep.
 */
function pool(job: PointJob, todo: readonly Point[], n: number, record: (r: PointResult) => void, busy: (n: number) => void, onStop: (stop: () => void) => void): Promise<void> {
  const url = workerScript();
  return new Promise<void>((resolveAll, rejectAll) => {
    let next = 0; let live = 0; let out = 0; let ended = false;
    const workers: Worker[] = [];
    const finish = (e?: unknown) => {
      if (ended) return;
      ended = true;
      for (const w of workers) void w.terminate();
      if (e) rejectAll(e); else resolveAll();
    };
    onStop(() => finish());
    const start = (): void => {
      const w = new Worker(fileURLToPath(url), { workerData: { tag: WORKER_TAG, job }, stdout: true, stderr: true });
      workers.push(w);
      live++;
      let running: { point: Point; since: number } | null = null;
      let served = 0;
      const feed = () => {
        if (ended) return;
        if (next >= todo.length) { w.postMessage({ stop: true } satisfies ToWorker); return; }
        const point = todo[next++] as Point;
        running = { point, since: performance.now() };
        out++; busy(out);
        w.postMessage({ point } satisfies ToWorker);
      };
      w.on('message', (m: FromWorker) => {
        // The worker's next point first, so the progress line counts what is running now.
        running = null; served++;
        out--; busy(out);
        feed();
        try { record(m.result); } catch (e) { finish(e); }
      });
      w.on('error', (e) => {
        if (ended) return;
        const lost = running;
        if (!lost && served === 0) { finish(e); return; }
        if (lost) {
          running = null; out--; busy(out);
          const message = `the worker running it died: ${(e as Error).message}`;
          try { record(failed(job, lost.point, pointOverrides(job.spec, lost.point), performance.now() - lost.since, 'internal', message)); } catch (err) { finish(err); return; }
        }
        start();
      });
      w.on('exit', () => { live--; if (live === 0) finish(); });
      feed();
    };
    for (let i = 0; i < n; i++) start();
  });
}

/** `phasecore plot DIR`: redraw a sweep directory's plots (a sweep's, a shard's or a merge's) from its points. */
export async function commandPlot(dir: string, o: { json?: boolean }, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const shown = displayPath(resolve(dir));
  const fail = (d: Diagnostic) => reporter(!!o.json, io.out, io.err, () => undefined).fail([d]);
  const s = existsSync(dir) ? readSweepFile(dir) : null;
  if (s === null || s === 'unreadable') return fail(diag('NotASweep', shown, at0, `${shown} is not a sweep's directory (it has no readable sweep.json): give the --out directory of a sweep or a merge.`));
  const results = finishedRows(dir, s.identity.points);
  if (results.length === 0) return fail(diag('NotASweep', shown, at0, `${shown} holds no finished point to plot yet.`));
  let plots: string[];
  try {
    plots = await writePlots(resolve(dir), s.identity, results);
  } catch (e) {
    if (isFsError(e)) return fail(outputError(shown, e));
    throw e;
  }
  if (o.json) io.out(JSON.stringify({ out: join(shown, 'plots'), plots }));
  else io.out(`drew ${plots.filter((p) => p.endsWith('.png')).length} plots of ${results.length} points into ${join(shown, 'plots')}/ (${plots.filter((p) => p.endsWith('.png')).join(', ')}; each also as .svg and its Vega-Lite spec)`);
  return plots.length > 0 ? 0 : 1;
}
