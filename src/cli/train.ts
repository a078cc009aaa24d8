// `phasecore train`: check the file, lower its train block, train with the float reference, and
// report per-iteration metrics (--json) and/or write weights, metrics and a manifest (--out).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkPaths, selectRun } from '../compiler/frontend.ts';
import { lowerTrain } from '../compiler/lower.ts';
import { displayPath, nodeHost, type Host } from '../compiler/workspace.ts';
import { diag, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { reporter } from './report.ts';
import { encodeNpy } from '../data/npy.ts';
import { endIndices, InstantiationError, type Instance } from '../ir/instantiate.ts';
import type { TrainIR } from '../ir/training.ts';
import { TaskDataError } from '../tasks/generate.ts';
import { trainableArray, trainReference, type IterationMetrics } from '../reference/train.ts';
import { outputError, prepareOutputDir, writeFileAtomic } from './atomic.ts';
import { applyOverrides, parseOverride, type Override } from './overrides.ts';
import type { SourceFile } from '../dsl/span.ts';

export interface TrainOptions {
  readonly backend?: string; readonly iterations?: string; readonly seed?: string; readonly set?: string[];
  readonly out?: string; readonly json?: boolean; readonly block?: string;
}

interface Io { out: (s: string) => void; err: (s: string) => void; progress: boolean; version: string }

const nonNegativeInt = (s: string | undefined, what: string, min: number): number | string | undefined => {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > 4294967295) return `${what} takes a whole number ≥ ${min}; found '${s}'`;
  return Number(s);
};

/** Returns the exit code: 0, 1 (user error), 2 (usage). */
export function commandTrain(file: string, opts: TrainOptions, io: Io): number {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const backend = opts.backend ?? 'reference';
  if (backend !== 'reference') return usage(`--backend ${backend} is not available yet; the float reference (--backend reference) is`);
  const iterations = nonNegativeInt(opts.iterations, '--iterations', 1);
  const seed = nonNegativeInt(opts.seed, '--seed', 0);
  if (typeof iterations === 'string') return usage(iterations);
  if (typeof seed === 'string') return usage(seed);
  const overrides: Override[] = [];
  for (const raw of opts.set ?? []) {
    const o = parseOverride(raw);
    if (typeof o === 'string') return usage(o);
    overrides.push(o);
  }

  const root = resolve(file);
  let host: Host = nodeHost;
  let place = (d: Diagnostic) => d;
  let sourceOf: (f: string) => SourceFile | undefined = () => undefined;
  let sources: ReadonlyMap<string, SourceFile> = new Map();
  const { show: report, fail } = reporter(!!opts.json, io.out, io.err, (f) => sourceOf(f) ?? sources.get(f));
  if (overrides.length > 0) {
    const ov = applyOverrides(root, overrides, nodeHost);
    if ('error' in ov) { sourceOf = (f) => ov.sources.get(f); return fail([ov.error]); }
    host = ov.host;
    place = (d) => ov.place(d);
    sourceOf = (f) => ov.sources.get(f);
  }
  const r = checkPaths([root], host);
  sources = r.sources;
  const diagnostics = r.diagnostics.map(place);
  if (hasErrors(diagnostics)) return fail(diagnostics);
  report(diagnostics);
  const program = r.programs.get(root);
  const picked = selectRun(program, displayPath(root), ['train'], opts.block);
  if (!picked.ok) return fail([picked.diagnostic]);
  const lowered = lowerTrain(program!, picked.value);
  const ir: TrainIR = { ...lowered, ...(iterations !== undefined ? { iterations } : {}), ...(seed !== undefined ? { seed } : {}) };

  if (opts.out) { const bad = prepareOutputDir(opts.out); if (bad) return fail([bad]); }
  if (ir.core !== null) io.err(`note: the float reference ignores core ${ir.core} (and the PCM update scheme); --backend core arrives with the core.`);
  const bar = io.progress ? progressBar(ir.iterations, io.err) : undefined;
  let result;
  try {
    result = trainReference(ir, (m) => bar?.(m));
  } catch (e) {
    if (e instanceof TaskDataError || e instanceof InstantiationError) {
      const rv = picked.value;
      return fail([place(diag('DataUnusable', rv.file, rv.params.spans.task ?? rv.span, `${e.message}`))]);
    }
    throw e;
  } finally {
    if (bar) io.err('');
  }
  const diverged = result.iterations.find((m) => !Number.isFinite(m.loss));
  if (diverged) io.err(`warning: the loss is not a finite number from iteration ${diverged.iteration} on: training diverged (try a smaller learning rate); JSON shows it as null.`);
  const final = summary(result.iterations);
  if (opts.json) io.out(JSON.stringify({ backend, seed: ir.seed, iterations: result.iterations, final }));
  else io.out(`trained ${ir.network.name} for ${ir.iterations} iterations (seed ${ir.seed}, ${backend}): loss ${fmt(result.iterations[0]?.loss)} → ${fmt(final.loss)}${final.accuracy !== undefined ? `, accuracy ${(final.accuracy * 100).toFixed(1)}%` : ''}, ${final.rate_hz.toFixed(1)} Hz`);
  if (opts.out) {
    try {
      writeOutputs(opts.out, ir, result.instance, result.feedback, result.iterations, { file: root, backend, overrides: overrides.map((o) => o.raw), version: io.version, sources: [...r.workspace.modules.keys()] });
    } catch (e) {
      if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
      return fail([outputError((e as NodeJS.ErrnoException).path ?? opts.out, e)]);
    }
    if (!opts.json) io.out(`wrote weights, trained parameters, metrics and manifest to ${opts.out}`);
  }
  return 0;
}

const fmt = (x: number | undefined) => (x === undefined ? '?' : x.toPrecision(4));

function summary(its: readonly IterationMetrics[]): { loss: number; accuracy?: number; rate_hz: number } {
  const last = its.slice(-Math.min(10, its.length));
  const mean = (f: (m: IterationMetrics) => number) => last.reduce((a, m) => a + f(m), 0) / Math.max(1, last.length);
  const acc = last[0]?.accuracy !== undefined ? mean((m) => m.accuracy ?? 0) : undefined;
  return { loss: its.at(-1)?.loss ?? NaN, ...(acc !== undefined ? { accuracy: acc } : {}), rate_hz: its.at(-1)?.rate_hz ?? 0 };
}

function progressBar(total: number, err: (s: string) => void): (m: IterationMetrics) => void {
  let last = 0;
  return (m) => {
    const now = Date.now();
    if (now - last < 100 && m.iteration + 1 < total) return;
    last = now;
    const width = 30;
    const done = Math.round(((m.iteration + 1) / total) * width);
    process.stderr.write(`\r[${'#'.repeat(done)}${' '.repeat(width - done)}] ${m.iteration + 1}/${total} loss ${m.loss.toPrecision(4)}${m.accuracy !== undefined ? ` acc ${(m.accuracy * 100).toFixed(0)}%` : ''}  `);
    void err;
  };
}

function writeOutputs(dir: string, ir: TrainIR, inst: Instance, B: Float64Array, its: readonly IterationMetrics[], meta: { file: string; backend: string; overrides: string[]; version: string; sources: string[] }): void {
  mkdirSync(dir, { recursive: true });
  const net = ir.network;
  const files: string[] = [];
  net.projections.forEach((p) => {
    const src = endIndices(net, inst.layout, p.source);
    const dst = endIndices(net, inst.layout, p.target);
    const block = src.space === 'input' ? (dst.space === 'rec' ? inst.inRec : inst.inOut) : dst.space === 'rec' ? inst.recRec : inst.recOut;
    const nPost = dst.space === 'rec' ? inst.layout.nRec : inst.layout.nOut;
    const vector = p.conn === 'one_to_one' || p.conn === 'self';
    const out = new Float64Array(vector ? src.indices.length : src.indices.length * dst.indices.length);
    src.indices.forEach((si, i) => {
      if (vector) out[i] = block.w[si * nPost + (dst.indices[i] as number)] as number;
      else dst.indices.forEach((dj, j) => { out[i * dst.indices.length + j] = block.w[si * nPost + dj] as number; });
    });
    const name = `w_${p.source.name}_${p.target.name}.npy`;
    writeFileAtomic(join(dir, name), encodeNpy('float64', vector ? [src.indices.length] : [src.indices.length, dst.indices.length], out));
    files.push(name);
  });
  // Trained intrinsic parameters, per population, in SI units (so `load()` reads them back).
  for (const p of net.populations) {
    if (p.role === 'input') continue;
    const at = inst.layout.offsets.get(p.name)!.offset;
    for (const name of p.params.trainable) {
      const key = trainableArray(p.role, name);
      if (!key) continue;
      const file = `${p.name}_${name}.npy`;
      writeFileAtomic(join(dir, file), encodeNpy('float64', [p.size], inst[key].slice(at, at + p.size)));
      files.push(file);
    }
  }
  if (ir.learn.feedback.kind !== 'symmetric') {
    writeFileAtomic(join(dir, 'feedback_B.npy'), encodeNpy('float64', [inst.layout.nRec, inst.layout.nOut], B));
    files.push('feedback_B.npy');
  }
  const header = 'iteration,loss,accuracy,rate_hz,validation_loss,validation_error';
  const rows = its.map((m) => `${m.iteration},${m.loss},${m.accuracy ?? ''},${m.rate_hz},${m.validation_loss ?? ''},${m.validation_error ?? ''}`);
  writeFileAtomic(join(dir, 'metrics.csv'), `${[header, ...rows].join('\n')}\n`);
  writeFileAtomic(join(dir, 'metrics.json'), `${JSON.stringify(its, null, 1)}\n`);
  const hash = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');
  const manifest = {
    phasecore: meta.version,
    file: meta.file,
    sources: Object.fromEntries(meta.sources.map((p) => [p, hash(p)])),
    backend: meta.backend,
    seed: ir.seed,
    iterations: ir.iterations,
    batch: ir.batch,
    overrides: meta.overrides,
    learn: ir.learn,
    task: ir.task,
    outputs: [...files, 'metrics.csv', 'metrics.json'],
  };
  writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}
