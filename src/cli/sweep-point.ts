// One point of a sweep: the file's train block trained (or its run block run) with the point's
// overrides and seed, through the same code `phasecore train --json` and `phasecore run --json`
// run, in this thread, its output captured. Whatever stops the point — a coded error, a usage
// error, divergence, even an internal error — becomes its row, never the end of the sweep.
//
// This module is also the sweep's worker thread: loaded in a worker made by sweep.ts (from the
// bundle or, in a checkout, from this source through tsx), it runs the points it is sent, each
// with the one parse of the file it keeps (ParseCache).
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { commandTrain } from './train.ts';
import { commandRun } from './run.ts';
import type { ParseCache } from './load.ts';
import { pointOverrides, type Point, type PointResult, type Row, type SweepSpec } from './sweep-spec.ts';

/** What every point of one sweep shares. */
export interface PointJob {
  readonly file: string;
  readonly kind: 'train' | 'run';
  readonly backend: string;
  readonly block: string | null;
  readonly iterations: number | null;
  readonly spec: SweepSpec;
  readonly version: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly maxMemory: string | null;
}

interface TrainJson {
  seed: number;
  iterations: Array<{ iteration: number; loss: number | null; accuracy?: number; validation_loss?: number; validation_error?: number }>;
  final: { loss: number | null; accuracy?: number; steps?: number; test?: { loss: number; error?: number }; counters?: { pulses: number; resets: number; refreshes: number; saturations: number; cycles: number; energy_pj: number; reckon?: { updates: number } } };
}
interface RunJson {
  seed: number; steps: number; samples: number; cycles: number; energy_pj: number; energy_per_step_pj: number;
  saturations: Record<string, number>; programming: { set_pulses: number; reset_pulses: number };
  outputs: null | { loss: number | null; accuracy: number | null };
}
interface DiagnosticsJson { diagnostics: Array<{ file: string; range: { start: { line: number; character: number } }; severity: string; code: string; message: string }> }

const num = (x: unknown): number | null => (typeof x === 'number' && Number.isFinite(x) ? x : null);
const lastJson = (text: string): unknown => {
  const line = text.trim().split('\n').filter((l) => l.startsWith('{')).at(-1);
  try { return line ? JSON.parse(line) : null; } catch { return null; }
};

/** Run one point here and now; its result (a failure is a row too). */
export async function runPoint(job: PointJob, p: Point, parsed: ParseCache): Promise<PointResult> {
  const set = pointOverrides(job.spec, p);
  const out: string[] = []; const err: string[] = [];
  const io = { out: (s: string) => out.push(s), err: (s: string) => err.push(s), version: job.version, progress: 'none' as const, signals: [] as NodeJS.Signals[] };
  const common = { set, parsed, json: true, quiet: true, ...(job.block ? { block: job.block } : {}), ...(job.maxMemory ? { maxMemory: job.maxMemory } : {}), ...(p.seed !== null ? { seed: String(p.seed) } : {}) };
  const t0 = performance.now();
  let code: number;
  try {
    code = job.kind === 'train'
      ? await commandTrain(job.file, { ...common, backend: job.backend, ...(job.iterations !== null ? { iterations: String(job.iterations) } : {}) }, io)
      : await commandRun(job.file, common, io);
  } catch (e) {
    return failed(job, p, set, performance.now() - t0, 'internal', `internal error (a bug; please report it): ${(e as Error).message}`);
  }
  const wall = performance.now() - t0;
  const text = out.join('\n');
  if (code !== 0) {
    const d = (lastJson(text) as DiagnosticsJson | null)?.diagnostics?.find((x) => x.severity === 'error');
    if (d) return failed(job, p, set, wall, d.code, `${d.file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.message}`);
    const usage = err.find((l) => l.startsWith('error: '));
    return failed(job, p, set, wall, code === 2 ? 'usage' : `exit ${code}`, usage?.slice(7) ?? (err.join(' ').trim() || `the point exited ${code}`));
  }
  const values = Object.fromEntries(job.spec.axes.map((a, k) => [a.key, p.values[k] as string]));
  const manifest = { phasecore: job.version, inputs: job.inputs, overrides: set, seed: p.seed, backend: job.backend };
  if (job.kind === 'train') {
    const j = lastJson(text) as TrainJson;
    const its = j.iterations;
    const losses = its.map((m) => num(m.loss));
    const accs = its.map((m) => num(m.accuracy));
    const finite = losses.filter((x): x is number => x !== null);
    const diverged = finite.length < losses.length;
    const lastWith = <K extends 'validation_loss' | 'validation_error'>(k: K) => num([...its].reverse().find((m) => m[k] !== undefined)?.[k]);
    const c = j.final.counters;
    const steps = num(j.final.steps);
    const row: Row = {
      index: p.index, values, seed: j.seed, status: diverged ? 'failed' : 'ok',
      error_code: diverged ? 'diverged' : null,
      error: diverged ? `the loss is not a finite number from iteration ${losses.indexOf(null)} on` : null,
      final_loss: num(j.final.loss), best_loss: finite.length > 0 ? Math.min(...finite) : null,
      last10_loss: diverged || losses.length === 0 ? null : (losses.slice(-10) as number[]).reduce((a, b) => a + b, 0) / Math.min(10, losses.length),
      final_accuracy: num(j.final.accuracy), best_accuracy: accs.some((a) => a !== null) ? Math.max(...accs.filter((a): a is number => a !== null)) : null,
      validation_loss: lastWith('validation_loss'), validation_error: lastWith('validation_error'),
      test_loss: num(j.final.test?.loss), test_error: num(j.final.test?.error),
      pulses: c ? c.pulses + c.resets + (c.reckon?.updates ?? 0) : null, refreshes: c ? c.refreshes : null, saturations: c ? c.saturations : null,
      cycles: c ? c.cycles : null, energy_pj: c ? c.energy_pj : null, energy_per_step_pj: c && steps ? c.energy_pj / steps : null, steps,
      wall_s: wall / 1000, manifest: { ...manifest, seed: j.seed },
    };
    return { row, curve: its.map((m) => ({ iteration: m.iteration, loss: num(m.loss), accuracy: num(m.accuracy) })) };
  }
  const j = lastJson(text) as RunJson;
  const row: Row = {
    index: p.index, values, seed: j.seed, status: 'ok', error_code: null, error: null,
    final_loss: num(j.outputs?.loss), best_loss: num(j.outputs?.loss), last10_loss: null, final_accuracy: num(j.outputs?.accuracy), best_accuracy: num(j.outputs?.accuracy),
    validation_loss: null, validation_error: null, test_loss: null, test_error: null,
    pulses: j.programming.set_pulses + j.programming.reset_pulses, refreshes: 0,
    saturations: Object.values(j.saturations).reduce((a, b) => a + b, 0),
    cycles: j.cycles, energy_pj: j.energy_pj, energy_per_step_pj: j.energy_per_step_pj, steps: j.steps * j.samples,
    wall_s: wall / 1000, manifest: { ...manifest, seed: j.seed },
  };
  return { row, curve: [] };
}

/** A point that did not finish: its row with the error's code and message. */
export function failed(job: PointJob, p: Point, set: string[], wallMs: number, code: string, message: string): PointResult {
  const values = Object.fromEntries(job.spec.axes.map((a, k) => [a.key, p.values[k] as string]));
  return {
    row: {
      index: p.index, values, seed: p.seed, status: 'failed', error_code: code, error: message,
      final_loss: null, best_loss: null, last10_loss: null, final_accuracy: null, best_accuracy: null, validation_loss: null, validation_error: null, test_loss: null, test_error: null,
      pulses: null, refreshes: null, saturations: null, cycles: null, energy_pj: null, energy_per_step_pj: null, steps: null,
      wall_s: wallMs / 1000, manifest: { phasecore: job.version, inputs: job.inputs, overrides: set, seed: p.seed, backend: job.backend },
    },
    curve: [],
  };
}

/** The message a worker is sent and answers. */
export type ToWorker = { readonly point: Point } | { readonly stop: true };
export type FromWorker = { readonly index: number; readonly result: PointResult };

/** Marks the worker's data, so a module loaded in some other worker does not start serving points. */
export const WORKER_TAG = 'phasecore-sweep-worker';

// In a sweep's worker thread: serve points until told to stop.
const data = workerData as { tag?: string; job?: PointJob } | null;
if (!isMainThread && parentPort && data?.tag === WORKER_TAG && data.job) {
  const port = parentPort;
  const job = data.job;
  const parsed: ParseCache = new Map();
  // Tests only: the worker dies (an uncaught error) when it is given this point.
  const crashAt = process.env.PHASECORE_TEST_WORKER_CRASH;
  port.on('message', (m: ToWorker) => {
    if ('stop' in m) { port.close(); return; }
    if (crashAt !== undefined && String(m.point.index) === crashAt) { setImmediate(() => { throw new Error(`a test asked this worker to crash at point ${crashAt}`); }); return; }
    void runPoint(job, m.point, parsed).then((result) => port.postMessage({ index: m.point.index, result } satisfies FromWorker));
  });
}
