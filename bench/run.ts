// phasecore's benchmarks (npm run bench), never timed tests:
//  1. front end: parse + check of a generated 1 MB .snn file (target ≤ 1 s);
//  2. reference e-prop: ms per sequence (N = 256, 100 inputs, 20 outputs, T = 1000) and its ratio
//     to a plain NumPy implementation of the same update, run on the same data (bench/eprop.ts);
//  3. the core (bench/core.ts): a forward pass on ideal 8-bit devices with full cycle and energy
//     accounting against the typed-array float forward (target ≤ 2.5×), PCM noise and drift
//     against ideal devices (target ≤ 1.5×), NumPy and Brian2 forwards, cost over input rates,
//     and the heap over a long run;
//  4. on-chip e-prop (bench/learning.ts): ms per training sequence on the core against a PyTorch
//     online e-prop of the same update (Debian's python3-torch, one thread; target ≤ 0.6×), the
//     SIMD kernel against the scalar path, and steps per second with learning on and off.
//  5. sweeps (bench/sweep.ts): a 40-point sweep on 2 worker threads against the same points one
//     after another in one process (target ≤ 0.6×).
// Prints a table and writes bench/results/bench.json.
// `npm run bench -- learning` runs only the fourth, `npm run bench -- sweep` only the fifth.
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateSnn } from './generate.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { parseSource } from '../src/dsl/parse.ts';
import { formatFile } from '../src/dsl/format.ts';
import { SourceFile } from '../src/dsl/span.ts';
import type { Host } from '../src/compiler/workspace.ts';
import { runEpropBench } from './eprop.ts';
import { runCoreBench } from './core.ts';
import { runLearningBench, type LearningBench } from './learning.ts';
import { printSweep, runSweepBench } from './sweep.ts';
import { availableParallelism } from 'node:os';

function printLearning(lb: LearningBench): void {
  const f1 = (x: number) => x.toFixed(1).padStart(8);
  console.log(`\non-chip e-prop training, N = 256 recurrent LIF, 100 inputs, 20 readouts, T = 1000 (${lb.rate_hz.toFixed(1)} Hz), one thread, medians of 9 after 3 warm-up sequences:`);
  console.log(`  core, learning unit${lb.kernel ? (lb.narrow ? ' (narrow SIMD)' : ' (SIMD kernel)') : ' (scalar: no kernel)'} ${f1(lb.ms_per_sequence)} ms per sequence, ${lb.steps_per_s_learning.toFixed(0)} steps/s`);
  console.log(`  core, scalar fast path          ${f1(lb.scalar_ms_per_sequence)} ms per sequence (the kernels are ${(lb.scalar_ms_per_sequence / lb.ms_per_sequence).toFixed(2)}× as fast)`);
  console.log(`  core, inference only            ${f1(lb.inference_ms_per_sequence)} ms per sequence, ${lb.steps_per_s_inference.toFixed(0)} steps/s (learning costs ${(lb.ms_per_sequence / lb.inference_ms_per_sequence).toFixed(1)}×)`);
  if (lb.torch_f32_ms !== null) console.log(`  PyTorch online e-prop, float32  ${f1(lb.torch_f32_ms)} ms per sequence — core / PyTorch ${lb.ratio_f32!.toFixed(2)} (target ≤ 0.6) — ${lb.ratio_f32! <= 0.6 ? 'met' : 'MISSED'}`);
  if (lb.torch_f64_ms !== null) console.log(`  PyTorch online e-prop, float64  ${f1(lb.torch_f64_ms)} ms per sequence — core / PyTorch ${lb.ratio_f64!.toFixed(2)}`);
  console.log('  (the same online update, one thread each, the same weights and inputs; not the same precision: the core computes in its fixed-point formats)');
  for (const n of lb.notes) console.log(`  note: ${n}`);
}

if (process.argv[2] === 'learning') {
  const lb = runLearningBench();
  printLearning(lb);
  const out = join(packageRoot(), 'bench', 'results/');
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}learning.json`, JSON.stringify({ learning: lb, node: process.version }, null, 2));
  process.exit(0);
}

if (process.argv[2] === 'sweep') {
  const sb = runSweepBench(3, availableParallelism());
  printSweep(sb);
  const out = join(packageRoot(), 'bench', 'results/');
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}sweep.json`, JSON.stringify({ sweep: sb, node: process.version }, null, 2));
  process.exit(0);
}

// The core's comparison runs first, in a process the front end's 1 MB file has not yet filled.
const cb = runCoreBench(7);
const lb = runLearningBench();

const TARGET_MS = 1000;
const text = generateSnn(1_000_000);
const bytes = new TextEncoder().encode(text);
const host: Host = { read: (p) => (p === '/bench/big.snn' ? { ok: true, bytes } : { ok: false, reason: 'it does not exist' }) };

function time<T>(f: () => T, runs: number): { median: number; min: number; value: T } {
  const ts: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    value = f();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { median: ts[Math.floor(ts.length / 2)] as number, min: ts[0] as number, value: value as T };
}

const warm = checkPaths(['/bench/big.snn'], host);
if (warm.diagnostics.length > 0) throw new Error(`generated file has diagnostics: ${warm.diagnostics[0]?.message}`);
const parse = time(() => parseSource(new SourceFile('big.snn', text)), 5);
const check = time(() => checkPaths(['/bench/big.snn'], host), 5);
const fmt = time(() => formatFile(parse.value.file!, new SourceFile('big.snn', text)), 5);

const mb = bytes.length / 1e6;
const rows = [
  ['parse', parse.median],
  ['parse + check', check.median],
  ['format', fmt.median],
] as const;
console.log(`front end on a generated ${mb.toFixed(2)} MB .snn file (${text.split('\n').length} lines), median of 5 runs:`);
for (const [name, ms] of rows) console.log(`  ${name.padEnd(14)} ${ms.toFixed(0).padStart(6)} ms   ${(mb / (ms / 1000)).toFixed(2)} MB/s`);
const ok = check.median <= TARGET_MS;
console.log(`target: parse + check ≤ ${TARGET_MS} ms — ${ok ? 'met' : 'MISSED'} (${(check.median / TARGET_MS).toFixed(2)} of the budget)`);

const ep = runEpropBench(5);
console.log(`\nreference e-prop, N = 256 recurrent LIF, 100 inputs, 20 outputs, T = 1000 (${ep.rate_hz.toFixed(1)} Hz), forward + gradient, median of 5:`);
console.log(`  phasecore reference ${ep.ms_per_sequence.toFixed(1).padStart(8)} ms per sequence`);
if (ep.numpy_ms_per_sequence !== null) {
  console.log(`  plain NumPy         ${ep.numpy_ms_per_sequence.toFixed(1).padStart(8)} ms per sequence (same update; gradients agree to ${ep.max_rel_diff?.toExponential(1)})`);
  console.log(`  ratio (phasecore / NumPy) ${ep.ratio?.toFixed(2)}`);
} else console.log(`  NumPy comparison skipped: ${ep.note}`);

const f1 = (x: number) => x.toFixed(1).padStart(8);
console.log(`\nthe core, forward only: N = 256 recurrent LIF, 100 inputs at ${cb.input_rate_hz} Hz, 20 readouts, T = 1000 (${cb.rate_hz.toFixed(1)} Hz), one thread, median of 7 after a warm-up:`);
console.log(`  float forward (typed arrays, float64) ${f1(cb.float_ms)} ms per sequence`);
console.log(`  core, ideal 8-bit devices            ${f1(cb.ideal_ms)} ms   ${cb.ideal_over_float.toFixed(2)}× the float forward (target ≤ 2.5×) — ${cb.ideal_over_float <= 2.5 ? 'met' : 'MISSED'}`);
console.log(`  core, PCM read noise + drift         ${f1(cb.pcm_ms)} ms   ${cb.pcm_over_ideal.toFixed(2)}× ideal devices (target ≤ 1.5×) — ${cb.pcm_over_ideal <= 1.5 ? 'met' : 'MISSED'}`);
console.log(`  core, the same PCM devices, no noise/drift ${f1(cb.pcm_quiet_ms).trim()} ms   noise + drift cost ${cb.pcm_over_quiet.toFixed(2)}× (like for like: the same programmed devices)`);
console.log(`  spikes per sequence: float ${cb.spikes.float}, ideal ${cb.spikes.ideal}, PCM ${cb.spikes.pcm}, PCM quiet ${cb.spikes.pcm_quiet} (PCM programming moves the weights, so its activity differs from the ideal devices')`);
if (cb.numpy_ms !== null) console.log(`  NumPy forward (float64)              ${f1(cb.numpy_ms)} ms   core ideal is ${(cb.numpy_ms / cb.ideal_ms).toFixed(2)}× as fast`);
if (cb.brian_ms !== null) console.log(`  Brian2 runtime mode (numpy target)   ${f1(cb.brian_ms)} ms   core ideal is ${(cb.brian_ms / cb.ideal_ms).toFixed(2)}× as fast`);
for (const n of cb.notes) console.log(`  note: ${n}`);
console.log('  cost against synaptic events (ideal devices):');
for (const r of cb.scaling) console.log(`    inputs ${String(r.input_rate_hz).padStart(3)} Hz: ${r.synaptic_events_per_step.toFixed(0).padStart(6)} synaptic events per step, ${r.ms.toFixed(1).padStart(6)} ms per sequence`);
console.log(`  heap after ${cb.heap.sequences} sequences: ${cb.heap.first_mb.toFixed(2)} → ${cb.heap.last_mb.toFixed(2)} MB (${cb.heap.growth_kb_per_sequence.toFixed(2)} KB per sequence)`);
console.log(`  allocated per step between collections: ideal devices ${cb.allocation.ideal_bytes_per_step.toFixed(1)} B, PCM with read noise ${cb.allocation.pcm_bytes_per_step.toFixed(1)} B`);

printLearning(lb);
const sb = runSweepBench(3, availableParallelism());
printSweep(sb);

const out = join(packageRoot(), 'bench', 'results/');
mkdirSync(out, { recursive: true });
writeFileSync(`${out}bench.json`, JSON.stringify({
  frontend: { bytes: bytes.length, parse_ms: parse.median, check_ms: check.median, format_ms: fmt.median, target_ms: TARGET_MS },
  eprop: ep, core: cb, learning: lb, sweep: sb, node: process.version,
}, null, 2));
