// The long fuzz runs (not part of `npm test`). First the front end: N hostile inputs (default
// 100 000) through decode → parse → check, and, for those that parse, fmt → parse → fmt. Any
// exception, invalid span, non-idempotent format, changed AST, or input slower than 2 s is a
// failure. Then the whole pipeline (bench/fuzz-pipeline.ts): N mutants (default 2000) through
// check → compile → train --iterations 1 in worker processes with a deadline and a memory ceiling.
// Run: npm run fuzz -- 10000 [seed] [--front-only | --pipeline-only] [--deadline 30] [--memory 2048] [--workers 2] [--out /tmp/phasecore-fuzz]
import fc from 'fast-check';
import { checkPaths } from '../src/compiler/frontend.ts';
import { parseSource } from '../src/dsl/parse.ts';
import { formatFile } from '../src/dsl/format.ts';
import { SourceFile } from '../src/dsl/span.ts';
import type { Host } from '../src/compiler/workspace.ts';
import { anyBytes, anyText, coreText, mutatedExample, tokenSoup } from './fuzz-inputs.ts';
import { parsePipelineArgs, runPipelineFuzz } from './fuzz-pipeline.ts';

const args = process.argv.slice(2);
const only = { front: args.includes('--front-only'), pipeline: args.includes('--pipeline-only') };
const rest = args.filter((a) => a !== '--front-only' && a !== '--pipeline-only');
const positional = rest.filter((a, i) => !a.startsWith('--') && !(rest[i - 1] ?? '').startsWith('--'));
const total = Number(positional[0] ?? 100_000);
const seed = Number(positional[1] ?? 20261125);
const SLOW_MS = 2000;

const encoder = new TextEncoder();
const strip = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'span' || k === 'comments' ? undefined : v));
const kinds = [
  ['mutated example', mutatedExample.map((t) => encoder.encode(t))],
  ['token soup', tokenSoup.map((t) => encoder.encode(t))],
  ['arbitrary text', anyText.map((t) => encoder.encode(t))],
  ['arbitrary bytes', anyBytes],
] as const;

function frontEnd(): number {
const failures: string[] = [];
const stats = { inputs: 0, parsed: 0, clean: 0, diagnostics: 0, maxMs: 0, totalMs: 0 };
const t0 = performance.now();
for (let k = 0; k < kinds.length; k++) {
  const [name, arb] = kinds[k] as (typeof kinds)[number];
  const n = Math.round(total * (k === 0 ? 0.55 : 0.15));
  const batch = 5000;
  for (let done = 0; done < n; done += batch) {
    const inputs = fc.sample(arb as fc.Arbitrary<Uint8Array>, { numRuns: Math.min(batch, n - done), seed: seed + k * 1_000_003 + done });
    for (const bytes of inputs) {
      stats.inputs++;
      const host: Host = { read: (p) => (p === '/f/main.snn' ? { ok: true, bytes } : p === '/f/cores/pcm256.snn' ? { ok: true, bytes: encoder.encode(coreText) } : { ok: false, reason: 'it does not exist' }) };
      const s = performance.now();
      try {
        const r = checkPaths(['/f/main.snn'], host);
        stats.diagnostics += r.diagnostics.length;
        for (const d of r.diagnostics) {
          const src = r.sources.get(d.file);
          if (!src || d.span.start < 0 || d.span.end < d.span.start || d.span.end > src.text.length) failures.push(`${name}: invalid span ${JSON.stringify(d)}`);
        }
        const root = r.workspace.roots[0];
        if (root?.ast) {
          stats.parsed++;
          if (r.diagnostics.length === 0) stats.clean++;
          const out = formatFile(root.ast, root.source);
          const again = parseSource(new SourceFile('fmt', out));
          if (!again.file) failures.push(`${name}: formatted text does not parse: ${JSON.stringify(out.slice(0, 200))}`);
          else {
            if (strip(again.file) !== strip(root.ast)) failures.push(`${name}: fmt changed the AST of ${JSON.stringify(new TextDecoder().decode(bytes).slice(0, 200))}`);
            if (formatFile(again.file, new SourceFile('fmt', out)) !== out) failures.push(`${name}: fmt not idempotent on ${JSON.stringify(out.slice(0, 200))}`);
          }
        }
      } catch (e) {
        failures.push(`${name}: threw ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')} on ${JSON.stringify(new TextDecoder().decode(bytes).slice(0, 200))}`);
      }
      const ms = performance.now() - s;
      stats.totalMs += ms;
      stats.maxMs = Math.max(stats.maxMs, ms);
      if (ms > SLOW_MS) failures.push(`${name}: took ${ms.toFixed(0)} ms`);
    }
  }
}
const secs = (performance.now() - t0) / 1000;
console.log(`fuzzed ${stats.inputs} inputs (seed ${seed}) in ${secs.toFixed(1)} s: ${stats.parsed} parsed (${stats.clean} clean), ${stats.diagnostics} diagnostics, mean ${(stats.totalMs / stats.inputs).toFixed(2)} ms, max ${stats.maxMs.toFixed(0)} ms per input`);
console.log(failures.length === 0 ? 'no failures' : `${failures.length} FAILURES:\n${failures.slice(0, 20).join('\n')}`);
return failures.length === 0 ? 0 : 1;
}

const front = only.pipeline ? 0 : frontEnd();
// The pipeline fuzz takes about a second per input: N defaults to 2000 there.
const pipelineOpts = { ...parsePipelineArgs(rest), total: positional[0] === undefined ? 2000 : total, seed };
const pipeline = only.front ? 0 : await runPipelineFuzz(pipelineOpts);
process.exitCode = front || pipeline;
