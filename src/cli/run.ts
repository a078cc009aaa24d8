// `phasecore run FILE|PROG.pcx [--block NAME] [--core NAME] [--steps N] [--samples N]
// [--input x.npy] [--seed S] [--ideal] [--vcd FILE] [--out DIR] [--json] [--quiet]`:
// compile the file's run block (or a train block's network, untrained) for its core — or load a
// compiled program — and run it on the cycle-accurate core. Text output is a short summary; --json
// one object; --out a directory with the probes (.npy), the waveforms (run.vcd), run.json and a
// manifest, written whole or not at all. A damaged or mismatched program is its coded PCX error.
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { displayPath } from '../compiler/workspace.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import { encodeNpy, readNpy } from '../data/npy.ts';
import { readRegularFile } from '../data/files.ts';
import type { LossIR } from '../ir/training.ts';
import { lossAndError } from '../reference/loss.ts';
import { ISA } from '../runtime/isa.ts';
import { CoreError, type Core } from '../runtime/core.ts';
import { decodeProgram, spaceSizes, type Program } from '../runtime/program.ts';
import { runProgram, taskSamples, type RunSummary } from '../runtime/run.ts';
import { writeVcd } from '../runtime/vcd.ts';
import type { Sample } from '../tasks/generate.ts';
import { TaskDataError } from '../tasks/generate.ts';
import { tryWriteFileAtomic } from './atomic.ts';
import type { InputOptions } from './load.ts';
import { compileFile } from './compile.ts';
import { RunDirectory } from './rundir.ts';
import { PROGRESS_EVERY_MS, wholeNumber } from './train.ts';

export interface RunOptions extends InputOptions {
  readonly block?: string; readonly core?: string; readonly steps?: string; readonly samples?: string; readonly input?: string; readonly seed?: string;
  readonly ideal?: boolean; readonly vcd?: string; readonly out?: string; readonly force?: boolean; readonly json?: boolean; readonly quiet?: boolean;
}
export interface RunIo { out: (s: string) => void; err: (s: string) => void; version: string; progress: 'bar' | 'lines' | 'none'; frame?: (s: string) => void }

/** The largest program file `run` reads. */
const MAX_PROGRAM_BYTES = 1024 * 1048576;
const at0 = { start: 0, end: 0 };
const coded = (file: string, code: string, message: string): Diagnostic => ({ file, span: at0, code, severity: 'error', message });

export async function commandRun(file: string, opts: RunOptions, io: RunIo): Promise<number> {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const parsed = [wholeNumber(opts.steps, '--steps', 1), wholeNumber(opts.samples, '--samples', 1), wholeNumber(opts.seed, '--seed', 0)];
  for (const v of parsed) if (typeof v === 'string') return usage(v);
  const [steps, samplesOpt, seedOpt] = parsed as Array<number | undefined>;
  const shown = displayPath(resolve(file));
  let program: Program;
  let inputs: string[] = [resolve(file)];
  // A .pcx has no source to point into: its errors are one line each (stderr with --json).
  const show = (ds: readonly Diagnostic[]) => { for (const d of ds) (opts.json ? io.err : io.out)(`${d.file}: ${d.severity} ${d.code}: ${d.message}`); };
  let fail = (ds: readonly Diagnostic[]) => { show(ds); if (opts.json) io.out(JSON.stringify({ diagnostics: ds.map((d) => ({ file: d.file, code: d.code, severity: d.severity, message: d.message })) })); return 1; };
  if (file.endsWith('.pcx')) {
    if (opts.block || opts.core || opts.set?.length) return usage('--block, --core and --set apply to a .snn file; a .pcx program is already compiled');
    const got = readRegularFile(resolve(file), MAX_PROGRAM_BYTES, 'program');
    if (!got.ok) return fail([diag('UnreadableFile', shown, at0, `Cannot read ${shown}: ${got.reason}.`)]);
    const loaded = decodeProgram(got.bytes);
    if (!loaded.ok) return fail([coded(shown, loaded.error.code, `${loaded.error.message}.`)]);
    program = loaded.program;
    if (steps !== undefined && steps !== program.run.steps) return usage(`--steps applies when compiling a .snn file; ${shown} runs ${program.run.steps} steps`);
  } else {
    const { steps: _asText, ...rest } = opts;
    const c = compileFile(file, { ...rest, ...(steps !== undefined ? { steps } : {}), learning: 'off' }, io.out, io.err);
    if (!c.ok) return c.exit;
    fail = c.rep.fail; // from here on, with the sources to point into
    program = c.compiled.program;
    inputs = [...c.inputs];
  }
  const samples = samplesOpt ?? program.run.samples;
  const seed = seedOpt ?? program.run.seed;

  // The sequences: a .npy of (samples, T, channels) or (T, channels), or the task's generator.
  let sequences: Sample[];
  try {
    sequences = opts.input ? inputFile(opts.input, program, samplesOpt) : taskSamples(program, samples, seed);
  } catch (e) {
    if (e instanceof CoreError || e instanceof TaskDataError) return fail([coded(opts.input ? displayPath(resolve(opts.input)) : shown, e instanceof CoreError ? e.code : 'PCX2002', `${e.message}.`)]);
    throw e;
  }
  if (opts.input) inputs = [...inputs, resolve(opts.input)];

  const dir = opts.out ? RunDirectory.open(opts.out, inputs, !!opts.force) : null;
  if (dir && !(dir instanceof RunDirectory)) return fail([dir]);
  const hashed = dir ? inputs.map((f) => ({ file: displayPath(f), sha256: sha256(f) })) : [];
  const manifest = (status: string) => `${JSON.stringify({ phasecore: io.version, command: 'run', status, pid: process.pid, seed, ideal: !!opts.ideal, inputs: hashed }, null, 2)}\n`;
  // The staging directory says who is writing it (a second run refuses it while this one lives).
  if (dir instanceof RunDirectory) dir.write('manifest.json', manifest('running'));
  // Progress on stderr once a run has taken a second: a bar on a terminal, a line every 10 s otherwise.
  const began = Date.now();
  let lastLine = began;
  const frame = io.frame ?? ((s: string) => process.stderr.write(s));
  let drawn_ = false;
  const onStep = io.progress === 'none' ? undefined : (done: number, total: number) => {
    if ((done & 63) !== 0 && done !== total) return;
    const now = Date.now();
    if (now - began < 1000) return;
    if (io.progress === 'bar') {
      const w = 30; const k = Math.round((done / total) * w);
      frame(`\r[${'#'.repeat(k)}${'.'.repeat(w - k)}] step ${done}/${total}`);
      drawn_ = true;
    } else if (now - lastLine >= PROGRESS_EVERY_MS || done === total) {
      io.err(`run: step ${done} of ${total} (${((100 * done) / total).toFixed(0)} %)`);
      lastLine = now;
    }
  };
  const score = scorer(program);
  let result: ReturnType<typeof runProgram>;
  try {
    result = runProgram(program, sequences, { seed, ideal: !!opts.ideal, ...(onStep ? { onStep } : {}) }, score);
  } catch (e) {
    if (drawn_) frame('\n');
    if (dir instanceof RunDirectory) dir.abandon();
    if (e instanceof CoreError) return fail([coded(shown, e.code, `${e.message}.`)]);
    throw e;
  }
  if (drawn_) frame('\n');
  const { core, summary } = result;
  const json = JSON.stringify({ file: shown, seed, ...summary });
  const written: Diagnostic[] = [];
  if (opts.vcd) { const d = tryWriteFileAtomic(opts.vcd, writeVcd(program, core, io.version)); if (d) written.push(d); }
  if (dir instanceof RunDirectory) {
    try {
      writeCoreProbes(dir, program, core, sequences.length);
      dir.write('run.vcd', writeVcd(program, core, io.version));
      dir.write('run.json', `${json}\n`);
      dir.write('manifest.json', manifest('finished'));
      dir.commit();
    } catch (e) {
      dir.abandon();
      written.push(diag('OutputUnwritable', opts.out!, at0, `Cannot write the run into ${opts.out}: ${(e as Error).message}.`));
    }
  }
  if (written.length > 0) return fail(written);
  if (opts.json) io.out(json);
  else for (const line of renderSummary(summary, shown)) io.out(line);
  return 0;
}

/** The core's probe buffers as .npy files (sequences × recorded steps × neurons, and the times in seconds); the names written. */
export function writeCoreProbes(dir: RunDirectory, program: Program, core: Core, sequences: number): string[] {
  const names = ISA.PROBE.fields.variable.values;
  const seen = new Map<string, number>();
  const files: string[] = [];
  for (const p of core.probes) {
    const pop = program.populations[p.population]!;
    const base = `${names[p.variable]}_${pop.name}${p.lo === 0 && p.count === pop.size ? '' : `_${p.lo}_${p.lo + p.count}`}`;
    const k = (seen.get(base) ?? 0) + 1;
    seen.set(base, k);
    const label = k === 1 ? base : `${base}.${k}`;
    dir.write(`probe_${label}.npy`, encodeNpy('float64', [sequences, p.steps.length, p.count], p.data));
    dir.write(`probe_${label}_times.npy`, encodeNpy('float64', [p.steps.length], Float64Array.from(p.steps, (t) => t * program.symbols.dt)));
    files.push(`probe_${label}.npy`, `probe_${label}_times.npy`);
  }
  return files;
}

/**
 * How a run's outputs are scored: the train block's loss, else mean squared error (summed over
 * time) against targets or softmax cross-entropy over the sequence against labels — evaluated on
 * the core's real-valued outputs with the reference's loss (a report, not the core's arithmetic).
 */
export function scorer(program: Program): (y: Float64Array, s: Sample) => { loss: number; correct: boolean | null } {
  const loss = program.run.loss as LossIR | null;
  return (y, s) => {
    const l: LossIR = loss ?? (s.label !== undefined ? { kind: 'cross_entropy', window: null } : { kind: 'mse', reduce: 'sum' });
    const r = lossAndError(l, y, program.run.steps, y.length / program.run.steps, s, program.symbols.dt);
    return { loss: r.loss, correct: r.correct };
  };
}

function sha256(path: string): string | null {
  const got = readRegularFile(path, 4 * 1024 * 1048576);
  return got.ok ? createHash('sha256').update(got.bytes).digest('hex') : null;
}

/** Sequences from a .npy file: (samples, T, channels) or (T, channels), T and channels as the program runs. */
function inputFile(path: string, program: Program, samples: number | undefined): Sample[] {
  const r = readNpy(resolve(path));
  if (!r.ok) throw new CoreError('PCX2002', `cannot use ${path}: ${r.reason}`);
  const shape = r.array.shape;
  const { nIn } = spaceSizes(program);
  const [S, T, C] = shape.length === 3 ? shape : shape.length === 2 ? [1, shape[0]!, shape[1]!] : [0, 0, 0];
  if (shape.length < 2 || shape.length > 3) throw new CoreError('PCX2002', `${path} has shape (${shape.join(', ')}); inputs are (samples, steps, channels) or (steps, channels)`);
  if (T !== program.run.steps || C !== nIn) throw new CoreError('PCX2002', `${path} has sequences of ${T} steps × ${C} channels; the program runs ${program.run.steps} steps of ${nIn} input channels`);
  const n = Math.min(S!, samples ?? S!);
  const d = r.array.data;
  const graded = program.populations.some((p) => p.model === 'input' && p.conventions.graded);
  for (let i = 0; i < n * T * C; i++) {
    const v = d[i] as number;
    if (!Number.isFinite(v)) throw new CoreError('PCX2002', `${path} holds ${v} at element ${i}; inputs must be finite`);
    if (!graded && v !== 0 && v !== 1) throw new CoreError('PCX2002', `${path} holds ${v} at element ${i}; spiking inputs are 0 or 1 (declare the input encoding = graded for values through the DAC)`);
  }
  return Array.from({ length: n }, (_, k) => ({ T, x: d.slice(k * T * C, (k + 1) * T * C) }));
}

const fixed = (x: number, d = 1) => x.toFixed(d);
const si = (pj: number) => (pj >= 1e6 ? `${fixed(pj / 1e6, 2)} µJ` : pj >= 1e3 ? `${fixed(pj / 1e3, 2)} nJ` : `${fixed(pj, 1)} pJ`);

export function renderSummary(s: RunSummary, file: string): string[] {
  const lines: string[] = [];
  lines.push(`ran ${file}: ${s.samples} sequence${s.samples === 1 ? '' : 's'} of ${s.steps} steps on ${s.devices}`);
  lines.push(`  spikes: ${Object.entries(s.spikes).map(([p, n]) => `${p} ${n} (${fixed(s.rates_hz[p] ?? 0)} Hz)`).join(', ') || 'no spiking populations'}`);
  const util = Object.entries(s.units).filter(([, u]) => u.busy > 0).map(([u, x]) => `${u} ${fixed(100 * x.utilisation, 0)} %${x.stalls > 0 ? ` (${x.stalls} stalled)` : ''}`).join(', ');
  lines.push(`  cycles: ${fixed(s.cycles_per_step)} per step (max ${s.max_cycles_per_step}, budget ${s.budget_cycles_per_step} at ${s.clock_hz / 1e6} MHz), ${fixed(s.time_per_step_us, 2)} µs; utilisation ${util}`);
  const kinds = Object.entries(s.energy_by_kind).filter(([k, v]) => v > 0 && k !== 'program').sort((a, b) => b[1] - a[1]);
  lines.push(`  energy: ${si(s.energy_per_step_pj)} per step — ${kinds.map(([k, v]) => `${k} ${fixed((100 * v) / (s.energy_pj || 1), 0)} %`).join(', ')} (ADC priced by ${s.adc_law})`);
  lines.push(`  synaptic operations: ${fixed(s.activity.synops_per_step)} per step; activation sparsity ${fixed(100 * s.activity.activation_sparsity)} %`);
  const sat = Object.entries(s.saturations).filter(([, v]) => v > 0);
  lines.push(`  saturations: ${sat.length === 0 ? 'none' : sat.map(([r, v]) => `${r} ${v}`).join(', ')}`);
  const te = s.timing_errors;
  lines.push(`  timing errors: ${te.count === 0 ? 'none' : `${te.count} steps over budget; first at step ${te.first!.step} of sequence ${te.first!.sample}, instruction ${te.first!.instruction} (${te.first!.disassembly}; ${te.first!.serves}${te.first!.source ? `, ${te.first!.source}` : ''})`}`);
  if (s.outputs) lines.push(`  outputs: loss ${s.outputs.loss === null ? '—' : s.outputs.loss.toPrecision(4)}${s.outputs.accuracy === null ? '' : `, accuracy ${fixed(100 * s.outputs.accuracy)} %`}`);
  return lines;
}
