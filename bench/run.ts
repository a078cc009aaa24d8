// phasecore's benchmarks (npm run bench), never timed tests:
//  1. front end: parse + check of a generated 1 MB .snn file (target ≤ 1 s);
//  2. reference e-prop: ms per sequence (N = 256, 100 inputs, 20 outputs, T = 1000) and its ratio
//     to a plain NumPy implementation of the same update, run on the same data (bench/eprop.ts).
// Prints a table and writes bench/results/bench.json.
import { join } from 'node:path';
import { packageRoot } from '../src/cli/paths.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { generateSnn } from './generate.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { parseSource } from '../src/dsl/parse.ts';
import { formatFile } from '../src/dsl/format.ts';
import { SourceFile } from '../src/dsl/span.ts';
import type { Host } from '../src/compiler/workspace.ts';
import { runEpropBench } from './eprop.ts';

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

const out = join(packageRoot(), 'bench', 'results/');
mkdirSync(out, { recursive: true });
writeFileSync(`${out}bench.json`, JSON.stringify({
  frontend: { bytes: bytes.length, parse_ms: parse.median, check_ms: check.median, format_ms: fmt.median, target_ms: TARGET_MS },
  eprop: ep, node: process.version,
}, null, 2));
