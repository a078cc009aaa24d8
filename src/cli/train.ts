// `phasecore train`: check the file, lower its train block, train with the float reference, and
// report per-iteration metrics (--json) and/or write the run's directory (--out): weights, trained
// parameters, metrics (as they come), probes and a manifest hashing every input.
//
// Training runs one iteration at a time and yields to the event loop between iterations, so that
// SIGINT (Ctrl-C) and SIGTERM are heard: the current iteration finishes, what exists is written,
// and the command exits 130 or 143. A second signal ends the process at once. Progress goes to
// stderr: a bar on a terminal, a line every PROGRESS_EVERY_MS otherwise; --quiet turns it off.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { selectCore, selectRun } from '../compiler/frontend.ts';
import { compileRun } from '../compiler/compile.ts';
import { lowerTrain } from '../compiler/lower.ts';
import { displayPath } from '../compiler/workspace.ts';
import { diag, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { reporter } from './report.ts';
import { encodeNpy } from '../data/npy.ts';
import { endIndices, InstantiationError, type Instance } from '../ir/instantiate.ts';
import type { TrainIR } from '../ir/training.ts';
import { probeLabel } from '../ir/probes.ts';
import { taskSteps, TaskDataError } from '../tasks/generate.ts';
import { referenceTrainer, trainableArray, type IterationMetrics, type ReferenceTrainer, type TrainResult } from '../reference/train.ts';
import { recordProbes, REFERENCE_PROBES } from '../reference/probes.ts';
import { outputError } from './atomic.ts';
import { loadInputs, type InputOptions } from './load.ts';
import { allocationMessage, isAllocationFailure } from '../ir/memory.ts';
import { RunDirectory } from './rundir.ts';
import { coreTrainer, type CoreTrainer } from './core-trainer.ts';
import { heldInstance } from './held.ts';
import { writeCoreProbes } from './run.ts';
import { CheckpointError, readCheckpoint } from '../runtime/checkpoint.ts';
import { readRegularFile, sha256File } from '../data/files.ts';
import type { Program } from '../runtime/program.ts';
import type { Instance as HeldInstance } from '../ir/instantiate.ts';

export interface TrainOptions extends InputOptions {
  readonly backend?: string; readonly iterations?: string; readonly seed?: string;
  readonly out?: string; readonly force?: boolean; readonly json?: boolean; readonly block?: string; readonly quiet?: boolean;
  /** --backend core: a checkpoint every K iterations (into --out), and a run to resume (its --out directory). */
  readonly checkpointEvery?: string; readonly resume?: string;
}

/** The checkpoint's name in a run's directory. */
export const CHECKPOINT_FILE = 'checkpoint.pcck';
/** The largest checkpoint `--resume` reads. */
const MAX_CHECKPOINT_BYTES = 8 * 1024 * 1048576;

export interface TrainIo {
  out: (s: string) => void; err: (s: string) => void;
  /** 'bar' on a terminal, 'lines' otherwise, 'none' with --quiet. */
  progress: 'bar' | 'lines' | 'none';
  version: string;
  /** Write a progress bar's frame (no newline); stderr by default. */
  frame?: (s: string) => void;
  /** Signals to stop on (default SIGINT and SIGTERM); tests pass none. */
  signals?: readonly NodeJS.Signals[];
  /** Tests: called after every sequence (core) or iteration (reference) with the iterations done and the position in the batch; true stops as SIGINT would. */
  afterSequence?: (done: number, position: number) => boolean;
}

/** Non-terminal progress: a line at most this often. */
export const PROGRESS_EVERY_MS = 10_000;
/** Exit codes of a run stopped by a signal (128 + the signal's number), its outputs written. */
export const EXIT_SIGNAL: Readonly<Record<string, number>> = { SIGINT: 130, SIGTERM: 143 };

/** A command-line whole number (a usage error's message when it is not one). */
export const wholeNumber = (s: string | undefined, what: string, min: number): number | string | undefined => {
  if (s === undefined) return undefined;
  if (!/^\d+$/.test(s) || Number(s) < min || Number(s) > 4294967295) return `${what} takes a whole number ≥ ${min}; found '${s}'`;
  return Number(s);
};

/** Returns the exit code: 0, 1 (user error), 2 (usage), 130/143 (stopped by a signal, outputs written). */
export async function commandTrain(file: string, opts: TrainOptions, io: TrainIo): Promise<number> {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const backend = opts.backend ?? 'reference';
  if (backend !== 'reference' && backend !== 'core') return usage(`--backend takes reference (the float64 oracle) or core (the emulated chip, learning on chip); found '${backend}'`);
  const onCore = backend === 'core';
  const iterations = wholeNumber(opts.iterations, '--iterations', 1);
  let seed = wholeNumber(opts.seed, '--seed', 0);
  let every = wholeNumber(opts.checkpointEvery, '--checkpoint-every', 1);
  if (typeof iterations === 'string') return usage(iterations);
  if (typeof seed === 'string') return usage(seed);
  if (typeof every === 'string') return usage(every);
  if ((every !== undefined || opts.resume) && !onCore) return usage('checkpoints are of training on the core: --checkpoint-every and --resume go with --backend core (the float reference trains without them)');
  if (every !== undefined && !opts.out && !opts.resume) return usage('--checkpoint-every writes into the run\'s directory: give --out DIR');
  if (opts.force && !opts.out) return usage('--force replaces a previous run\'s --out directory; give --out DIR');
  // --resume DIR: the checkpoint of the run in DIR (of a run killed outright, in DIR.partial), read before DIR is reopened.
  let resumed: { bytes: Uint8Array; path: string; meta: Record<string, unknown> } | null = null;
  if (opts.resume) {
    const candidates = [join(`${resolve(opts.resume)}.partial`, CHECKPOINT_FILE), join(resolve(opts.resume), CHECKPOINT_FILE)];
    const found = candidates.map((p) => ({ p, got: readRegularFile(p, MAX_CHECKPOINT_BYTES, 'checkpoint') })).find((x) => x.got.ok);
    const shownDir = displayPath(resolve(opts.resume));
    const early = (d: Diagnostic) => reporter(!!opts.json, io.out, io.err, () => undefined).fail([d]);
    // A checkpoint that is there but cannot be read is reported, not passed over for an older one.
    const unreadable = candidates.map((p) => ({ p, got: readRegularFile(p, MAX_CHECKPOINT_BYTES, 'checkpoint') })).find((x) => !x.got.ok && existsSync(x.p));
    if (unreadable && !unreadable.got.ok) return early(unusable(unreadable.p, unreadable.got.reason));
    if (!found || !found.got.ok) return early(diag('CheckpointUnusable', shownDir, { start: 0, end: 0 }, `There is no checkpoint to resume in ${shownDir} (nor in ${shownDir}.partial): a run writes ${CHECKPOINT_FILE} with --checkpoint-every K, and when it is stopped by Ctrl-C.`));
    try {
      resumed = { bytes: found.got.bytes, path: found.p, meta: readCheckpoint(found.got.bytes).meta };
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw e;
      return early(unusable(found.p, e.message));
    }
  }

  const root = resolve(file);
  const loaded = loadInputs([file], opts);
  if (!loaded.ok && 'usage' in loaded) return usage(loaded.usage);
  const { show, fail } = reporter(!!opts.json, io.out, io.err, loaded.sourceOf);
  if (!loaded.ok) return fail(loaded.diagnostics);
  if (hasErrors(loaded.diagnostics)) return fail(loaded.diagnostics);
  show(loaded.diagnostics);
  const r = loaded.result;
  const program = r.programs.get(root);
  const picked = selectRun(program, displayPath(root), ['train'], opts.block);
  if (!picked.ok) return fail([picked.diagnostic]);
  const rv = picked.value;
  const lowered = lowerTrain(program!, rv);
  // A resumed run keeps the seed and length it was started with.
  if (resumed) {
    const m = resumed.meta;
    if (seed !== undefined && seed !== m.seed) return usage(`--seed ${seed}: the run in ${opts.resume} was started with seed ${String(m.seed)}; a resumed run keeps its seed (leave --seed out)`);
    if (iterations !== undefined && iterations !== m.iterations) return usage(`--iterations ${iterations}: the run in ${opts.resume} trains for ${String(m.iterations)} iterations; a resumed run finishes the run it continues (leave --iterations out)`);
    if (m.phasecore !== io.version) return fail([unusable(resumed.path, `it was written by phasecore ${String(m.phasecore)}, and this is ${io.version}; finish the run with that version, or start it again`)]);
    seed = typeof m.seed === 'number' ? m.seed : seed;
    // ... and its checkpoints, unless told otherwise.
    if (every === undefined && typeof m.checkpoint_every === 'number') every = m.checkpoint_every;
  }
  const ir: TrainIR = { ...lowered, ...(iterations !== undefined ? { iterations } : resumed && typeof resumed.meta.iterations === 'number' ? { iterations: resumed.meta.iterations } : {}), ...(seed !== undefined ? { seed } : {}) };
  const dataError = (e: unknown): Diagnostic[] | null =>
    e instanceof TaskDataError || e instanceof InstantiationError ? [loaded.place(diag('DataUnusable', rv.file, rv.params.spans.task ?? rv.span, e.message))]
      : isAllocationFailure(e) ? [loaded.place(diag('OutOfMemory', rv.file, rv.params.spans.network ?? rv.span, allocationMessage('this train block', e)))] : null;

  // The core: the train block compiled with its learning unit (a rule the unit cannot run is an error here).
  let compiledProgram: Program | null = null;
  let held: HeldInstance | null = null;
  if (onCore) {
    const c = selectCore(program!, rv);
    if (!c.ok) return fail([c.diagnostic]);
    let compiled: ReturnType<typeof compileRun>;
    try {
      compiled = compileRun(program!, rv, c.value, { position: loaded.position, learning: 'required', seed: ir.seed });
    } catch (e) {
      const ds = dataError(e);
      if (ds) return fail(ds);
      throw e;
    }
    const cds = compiled.diagnostics.map(loaded.place);
    if (hasErrors(cds) || !compiled.program) return fail(cds);
    show(cds);
    compiledProgram = compiled.program;
    held = heldInstance(compiled);
  }

  if (!onCore && ir.learn.kind === 'reckon') return fail([loaded.place(diag('NotOnChip', rv.file, rv.params.spans.learn ?? rv.span, 'ReckOn\'s rule is its chip\'s own (per-neuron traces, int8 weights, stochastic updates from its LFSRs): it has no float reference; train it with --backend core.'))]);
  if (!onCore) {
    if (ir.core !== null) io.err(`note: the float reference ignores core ${ir.core}${ir.learn.update.kind !== 'direct' ? ` and the PCM update scheme (${ir.learn.update.kind})` : ''}; --backend core trains on it.`);
    for (const p of ir.probes.filter((x) => !REFERENCE_PROBES.has(x.variable))) {
      io.err(`note: the float reference does not record probe ${p.variable} (the learning unit's presynaptic trace is a quantity of the core); --backend core does.`);
    }
  }

  // The trainer first: a checkpoint that does not fit is refused before anything is written.
  let trainer: ReferenceTrainer | null = null;
  let ct: CoreTrainer | null = null;
  const runHash = trainHash(ir);
  try {
    if (resumed && resumed.meta.train_sha256 !== runHash) throw new CheckpointError('it is of another run: the learning rule, task, batch, validation or probes differ from those it was written with');
    if (onCore) ct = coreTrainer(ir, compiledProgram!, { ...(resumed ? { resume: resumed.bytes } : {}), held: held! });
    else trainer = referenceTrainer(ir);
  } catch (e) {
    if (e instanceof CheckpointError) return fail([unusable(resumed!.path, e.message)]);
    const ds = dataError(e);
    if (ds) return fail(ds);
    throw e;
  }

  let dir: RunDirectory | null = null;
  const outDir = opts.out ?? opts.resume;
  if (outDir) {
    const opened = RunDirectory.open(outDir, r.inputs, !!opts.force || (!!opts.resume && resolve(outDir) === resolve(opts.resume)));
    if (!(opened instanceof RunDirectory)) return fail([opened]);
    dir = opened;
  }
  const done = () => (ct ? ct.done : trainer!.done);
  const manifest = manifestOf(ir, { file: root, backend, overrides: loaded.overrides.map((o) => o.raw), version: io.version, inputs: r.inputs });
  const writeManifest = (status: string, extra: Record<string, unknown> = {}) => dir?.write('manifest.json', `${JSON.stringify({ ...manifest, status, pid: process.pid, ...extra }, null, 2)}\n`);
  const checkpointMeta = { phasecore: io.version, file: root, seed: ir.seed, iterations: ir.iterations, batch: ir.batch, train_sha256: runHash, ...(every !== undefined ? { checkpoint_every: every } : {}) };
  let checkpointed = false;
  const writeCheckpoint = () => { dir?.write(CHECKPOINT_FILE, ct!.checkpoint(checkpointMeta)); checkpointed = true; };
  let metrics: MetricsWriter | null;
  try {
    writeManifest('running');
    // Opening replaced DIR.partial: the checkpoint being resumed goes into the new one at once (after
    // the manifest that makes it a run's directory), so a run killed before its next checkpoint
    // can still be resumed.
    if (resumed) dir?.write(CHECKPOINT_FILE, resumed.bytes);
    metrics = dir ? metricsWriter(dir, ir) : null;
    // A resumed run's directory holds every iteration's row, those before the resume too.
    if (ct) for (const m of ct.iterations) metrics?.row(m);
  } catch (e) {
    return fail([outputError(outDir as string, e)]);
  }

  // Stop on SIGINT/SIGTERM: the reference after its iteration, the core after its sequence (a
  // checkpoint then holds the batch so far); a second signal ends the process at once.
  let stopped: NodeJS.Signals | null = null;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopped) process.exit(EXIT_SIGNAL[sig] ?? 130);
    stopped = sig;
    const where = ct && ct.sequenceWise ? `the sequence being run (iteration ${ct.done + 1})` : `the iteration being run (iteration ${done() + 1} of ${ir.iterations})`;
    io.err(`${sig}: stopping after ${where} and writing what exists${ct && dir ? ' and a checkpoint' : ''} (${sig === 'SIGINT' ? 'Ctrl-C' : 'the signal'} again stops at once)`);
  };
  const signals = io.signals ?? ['SIGINT', 'SIGTERM'];
  for (const s of signals) process.on(s, onSignal);
  const progress = progressReporter(io, ir.iterations);
  try {
    while (done() < ir.iterations && !stopped) {
      let m: IterationMetrics | null;
      try {
        m = ct ? ct.advance() : trainer!.step();
      } catch (e) {
        const ds = dataError(e);
        if (ds) return fail(ds);
        throw e;
      }
      if (m) {
        metrics?.row(m);
        progress(m);
        if (ct && every !== undefined && done() % every === 0 && done() < ir.iterations) {
          try { writeCheckpoint(); } catch (e) {
            if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
            return fail([outputError(join(dir!.staging, CHECKPOINT_FILE), e)]);
          }
        }
      }
      if (io.afterSequence?.(done(), ct?.position ?? 0)) stopped = 'SIGINT';
      await new Promise<void>((resolveTick) => setImmediate(resolveTick)); // let a signal in
    }
  } finally {
    for (const s of signals) process.off(s, onSignal);
    progress(null);
    metrics?.end(); // the CSV holds every row written, whatever ended the loop
  }

  const result = ct ? ct.result(held!) : trainer!.result();
  const its = result.iterations;
  for (const w of trainingWarnings(ir, its)) io.err(`warning: ${w}`);
  // steps: the time steps trained (iterations × batch × sequence length; validation not counted).
  const counted = ct ? { counters: ct.totals() } : {};
  // The test after training (test_after): after the counters, which are training's.
  const test = ir.testAfter !== null && !stopped ? (ct ? ct.test(ir.testAfter) : trainer!.test(ir.testAfter)) : null;
  const final = { ...summary(its), steps: its.length * ir.batch * taskSteps(ir.task, ir.network.dt), ...counted, ...(test ? { test } : {}) };
  const n = its.length;
  if (opts.json) io.out(JSON.stringify({ backend, seed: ir.seed, iterations: its, final, ...(stopped ? { stopped_by: stopped } : {}) }));
  else io.out(summaryLine(ir, backend, its, final, stopped));
  if (ct && !opts.json) io.out(countersLine(ct.totals()));
  if (test && !opts.json) io.out(`  tested after ${duration(test.after_s)}${ct ? ' of drift' : ' (the float reference does not drift)'}, learning off, on ${plural(test.samples, 'sample')}: loss ${fmt(test.loss)}${test.error !== undefined ? `, accuracy ${((1 - test.error) * 100).toFixed(1)}%` : ''}`);
  if (dir) {
    try {
      const files = writeOutputs(dir, ir, result);
      if (ct) files.push(...writeCoreProbes(dir, compiledProgram!, ct.core, 1));
      // A run that stops early keeps a checkpoint to resume from; one that finishes, the one it had (if any).
      if (ct && (stopped || every !== undefined)) { writeCheckpoint(); files.push(CHECKPOINT_FILE); }
      metrics?.json(its);
      writeManifest(stopped ? 'interrupted' : 'complete', { iterations_done: n, ...(ct ? { sequence_in_batch: ct.position } : {}), outputs: [...files, 'metrics.csv', 'metrics.json', 'manifest.json'] });
      dir.commit();
    } catch (e) {
      if (typeof (e as NodeJS.ErrnoException).code !== 'string') throw e;
      return fail([outputError((e as NodeJS.ErrnoException).path ?? (outDir as string), e)]);
    }
    if (!opts.json) io.out(`wrote weights, ${checkpointed ? 'a checkpoint of the whole core, ' : ''}${ct ? '' : 'trained parameters, '}${ir.probes.length > 0 ? 'probes, ' : ''}metrics and manifest to ${dir}`);
  }
  return stopped ? (EXIT_SIGNAL[stopped] ?? 130) : 0;
}

const pj = (x: number) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} µJ` : x >= 1e3 ? `${(x / 1e3).toFixed(2)} nJ` : `${x.toFixed(1)} pJ`);
function countersLine(c: ReturnType<CoreTrainer['totals']>): string {
  const k = c.reckon;
  // ReckOn's learning unit writes SRAM words, not PCM pulses.
  const writes = k ? `${k.ticks} learning ticks, ${k.words.input + k.words.recurrent + k.words.readout} weight words written, ${k.updates} ±1 weight steps` : `${c.pulses} SET and ${c.resets} RESET pulses, ${c.refreshes} refreshes`;
  return `  on the core: ${writes}, ${c.saturations} saturations; ${c.cycles} cycles (${c.learning_cycles} learning); ${pj(c.energy_pj)} (${pj(c.learning_energy_pj)} learning)`;
}

/** SNN0008 for the checkpoint at `path`. */
const unusable = (path: string, why: string): Diagnostic => diag('CheckpointUnusable', displayPath(path), { start: 0, end: 0 }, `Cannot resume from ${displayPath(path)}: ${why}.`);

/** What a checkpoint must have been written by, beyond the program: the host's side of the run (its learning rule, task, batch, validation, probes). */
function trainHash(ir: TrainIR): string {
  const typed = (_k: string, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v);
  return createHash('sha256').update(JSON.stringify({ learn: ir.learn, task: ir.task, batch: ir.batch, validateEvery: ir.validateEvery, probes: ir.probes }, typed)).digest('hex');
}

/** A duration in the largest unit that keeps it ≥ 1 (`30 day`, `1 h`, `250 ms`). */
export const duration = (s: number): string => {
  const units: Array<[number, string]> = [[86400, 'day'], [3600, 'h'], [60, 'min'], [1, 's'], [1e-3, 'ms']];
  const [k, u] = units.find(([k]) => s >= k) ?? [1, 's'];
  return `${Number((s / k).toPrecision(4))} ${u}`;
};
const fmt = (x: number | undefined) => (x === undefined ? '?' : x.toPrecision(4));
const plural = (n: number, s: string) => `${n} ${s}${n === 1 ? '' : 's'}`;

/** The last iteration's loss and rate, and the accuracy over the last (up to) 10 iterations. */
function summary(its: readonly IterationMetrics[]): { loss: number; accuracy?: number; accuracy_iterations?: number; rate_hz: number } {
  const last = its.slice(-Math.min(10, its.length));
  const mean = (f: (m: IterationMetrics) => number) => last.reduce((a, m) => a + f(m), 0) / Math.max(1, last.length);
  const acc = last[0]?.accuracy !== undefined ? mean((m) => m.accuracy ?? 0) : undefined;
  return { loss: its.at(-1)?.loss ?? NaN, ...(acc !== undefined ? { accuracy: acc, accuracy_iterations: last.length } : {}), rate_hz: its.at(-1)?.rate_hz ?? 0 };
}

function summaryLine(ir: TrainIR, backend: string, its: readonly IterationMetrics[], final: ReturnType<typeof summary>, stopped: string | null): string {
  const acc = final.accuracy !== undefined ? `, accuracy ${(final.accuracy * 100).toFixed(1)}% (mean of the last ${plural(final.accuracy_iterations ?? 0, 'iteration')})` : '';
  const what = stopped ? `${its.length} of ${ir.iterations} iterations (stopped by ${stopped}; seed ${ir.seed}, ${backend})` : `${plural(its.length, 'iteration')} (seed ${ir.seed}, ${backend})`;
  return `trained ${ir.network.name} for ${what}: loss ${fmt(its[0]?.loss)} (first iteration) → ${fmt(final.loss)} (last)${acc}, ${final.rate_hz.toFixed(1)} Hz`;
}

/**
 * What a user should hear about a run that finished: a loss that diverged or rose over the run, a
 * population that fell silent or fires in more than a fifth of the steps it could fire in (the
 * maximum rate is one spike per max(1, refractory) steps), both over the last tenth of the run.
 */
export function trainingWarnings(ir: TrainIR, its: readonly IterationMetrics[]): string[] {
  const out: string[] = [];
  const diverged = its.find((m) => !Number.isFinite(m.loss));
  if (diverged) out.push(`the loss is not a finite number from iteration ${diverged.iteration} on: training diverged (try a smaller learning rate); JSON shows it as null.`);
  const w = Math.max(5, Math.floor(its.length / 10));
  const mean = (ms: readonly IterationMetrics[], f: (m: IterationMetrics) => number) => ms.reduce((a, m) => a + f(m), 0) / ms.length;
  if (!diverged && its.length >= 2 * w) {
    const first = mean(its.slice(0, w), (m) => m.loss);
    const last = mean(its.slice(-w), (m) => m.loss);
    if (last > first) out.push(`the loss rose: its mean over the last ${w} iterations (${fmt(last)}) is above that over the first ${w} (${fmt(first)}); the learning rate may be too large, or the network cannot learn the task as set up.`);
  }
  const tail = its.slice(-w);
  if (tail.length === 0) return out;
  for (const p of ir.network.populations) {
    if (p.role !== 'population') continue;
    const rate = mean(tail, (m) => m.population_hz[p.name] ?? 0);
    const max = 1 / (Math.max(1, p.params.refractorySteps) * ir.network.dt);
    if (rate === 0) out.push(`population ${p.name} is silent over the last ${plural(tail.length, 'iteration')}: no spike, so nothing learns through it (raise its input weights or lower v_th).`);
    else if (rate > max / 5) out.push(`population ${p.name} fires at ${rate.toFixed(1)} Hz over the last ${plural(tail.length, 'iteration')}, ${((rate / max) * 100).toFixed(0)}% of the ${max.toFixed(0)} Hz it can reach: it is saturated, and its spikes carry little information (lower its weights, raise v_th, or add a rate regularizer).`);
  }
  return out;
}

/** Progress on stderr: a bar on a terminal (at most 10 frames a second), a line every PROGRESS_EVERY_MS elsewhere. `null` ends it. */
function progressReporter(io: TrainIo, total: number): (m: IterationMetrics | null) => void {
  if (io.progress === 'none') return () => {};
  const t0 = Date.now();
  let lastAt = 0;
  let drew = false;
  const frame = io.frame ?? ((s: string) => { process.stderr.write(s); });
  const eta = (done: number) => {
    const s = ((Date.now() - t0) / 1000 / done) * (total - done);
    return s < 90 ? `${s.toFixed(0)} s` : s < 5400 ? `${(s / 60).toFixed(0)} min` : `${(s / 3600).toFixed(1)} h`;
  };
  const text = (m: IterationMetrics) => `${m.iteration + 1}/${total} loss ${m.loss.toPrecision(4)}${m.accuracy !== undefined ? ` acc ${(m.accuracy * 100).toFixed(0)}%` : ''} ${m.rate_hz.toFixed(1)} Hz, ETA ${eta(m.iteration + 1)}`;
  return (m) => {
    if (m === null) { if (drew && io.progress === 'bar') frame('\n'); return; }
    const now = Date.now();
    const lastOne = m.iteration + 1 >= total;
    if (io.progress === 'bar') {
      if (now - lastAt < 100 && !lastOne) return;
      lastAt = now;
      const width = 30;
      const filled = Math.round(((m.iteration + 1) / total) * width);
      frame(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${text(m)}  `);
      drew = true;
      return;
    }
    if (lastAt === 0) lastAt = t0;
    if (now - lastAt < PROGRESS_EVERY_MS || lastOne) return;
    lastAt = now;
    io.err(`iteration ${text(m)}`);
  };
}

interface MetricsWriter { row(m: IterationMetrics): void; end(): void; json(its: readonly IterationMetrics[]): void }

/** metrics.csv written a row per iteration as training goes (`end` closes it); metrics.json at the end. */
function metricsWriter(dir: RunDirectory, ir: TrainIR): MetricsWriter {
  const csv = dir.appender('metrics.csv');
  const pops = ir.network.populations.filter((p) => p.role === 'population').map((p) => p.name);
  csv.line(['iteration', 'loss', 'accuracy', 'rate_hz', 'validation_loss', 'validation_error', ...pops.map((p) => `rate_hz_${p}`)].join(','));
  let open = true;
  return {
    row: (m) => csv.line([m.iteration, m.loss, m.accuracy ?? '', m.rate_hz, m.validation_loss ?? '', m.validation_error ?? '', ...pops.map((p) => m.population_hz[p] ?? '')].join(',')),
    end: () => { if (open) { open = false; csv.close(); } },
    json: (its) => dir.write('metrics.json', `${JSON.stringify(its, null, 1)}\n`),
  };
}

function manifestOf(ir: TrainIR, meta: { file: string; backend: string; overrides: string[]; version: string; inputs: readonly string[] }): Record<string, unknown> {
  return {
    phasecore: meta.version,
    file: meta.file,
    // Every file the run reads: the .snn sources and the .npy files they load.
    inputs: Object.fromEntries(meta.inputs.map((p) => [p, sha256File(p)])),
    backend: meta.backend,
    seed: ir.seed,
    iterations: ir.iterations,
    batch: ir.batch,
    overrides: meta.overrides,
    learn: ir.learn,
    task: ir.task,
  };
}

/** Weights, trained per-neuron parameters, feedback matrix and probes; the names written. */
function writeOutputs(dir: RunDirectory, ir: TrainIR, result: TrainResult): string[] {
  const net = ir.network;
  const inst: Instance = result.instance;
  const files: string[] = [];
  const put = (name: string, data: Uint8Array) => { dir.write(name, data); files.push(name); };
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
    put(`w_${p.source.name}_${p.target.name}.npy`, encodeNpy('float64', vector ? [src.indices.length] : [src.indices.length, dst.indices.length], out));
  });
  // Trained intrinsic parameters, per population, in SI units (so `load()` reads them back).
  for (const p of net.populations) {
    if (p.role === 'input') continue;
    const at = inst.layout.offsets.get(p.name)!.offset;
    for (const name of p.params.trainable) {
      const key = trainableArray(p.role, name);
      if (key) put(`${p.name}_${name}.npy`, encodeNpy('float64', [p.size], inst[key].slice(at, at + p.size)));
    }
  }
  if (ir.learn.feedback.kind !== 'symmetric') put('feedback_B.npy', encodeNpy('float64', [inst.layout.nRec, inst.layout.nOut], result.feedback));
  // Probes: the trained network on the first sequence of the last batch, [time][neuron] with the times in seconds.
  if (result.last) {
    const sizeOf = (name: string) => (net.groups[name] ?? [name]).reduce((a, m) => a + (net.populations.find((p) => p.name === m)?.size ?? 0), 0);
    const seen = new Map<string, number>();
    for (const rec of recordProbes(net, inst, ir.learn.loss, result.last.sample, ir.probes)) {
      const base = probeLabel(rec.probe, sizeOf);
      const k = (seen.get(base) ?? 0) + 1;
      seen.set(base, k);
      const label = k === 1 ? base : `${base}.${k}`;
      put(`probe_${label}.npy`, encodeNpy('float64', rec.shape, rec.values));
      put(`probe_${label}_times.npy`, encodeNpy('float64', [rec.times.length], rec.times));
    }
  }
  return files;
}
