// The acceptance runs of the float reference (issue 3), reported as figures, not asserted in CI
// (they take minutes): npm run acceptance [-- pattern|evidence|srnn ...]
//  - pattern-generation.snn: loss below 10 % of its first value within 2000 iterations;
//  - evidence-accumulation.snn: validation error below 10 % within 2000 iterations;
//  - srnn-adaptive.snn: clearly better than chance, with τ values that moved.
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { lowerTrain } from '../src/compiler/lower.ts';
import { trainReference, type IterationMetrics } from '../src/reference/train.ts';
import type { TrainIR } from '../src/ir/training.ts';

const EXAMPLES = join(packageRoot(), 'examples/');

function load(name: string): TrainIR {
  const file = `${EXAMPLES}${name}`;
  const r = checkPaths([file]);
  if (r.diagnostics.some((d) => d.severity === 'error')) throw new Error(`${name} does not check`);
  const program = r.programs.get(file)!;
  return lowerTrain(program, program.runs.find((x) => x.keyword === 'train')!);
}

const which = process.argv.slice(2);
const want = (k: string) => which.length === 0 || which.includes(k);
const t0 = () => performance.now();
const secs = (t: number) => ((performance.now() - t) / 1000).toFixed(0);

if (want('pattern')) {
  const ir = load('pattern-generation.snn');
  const t = t0();
  const its = trainReference(ir).iterations;
  const first = its[0]!.loss;
  const hit = its.find((m) => m.loss < 0.1 * first);
  const last = its.at(-1)!.loss;
  console.log(`pattern-generation: loss ${first.toFixed(2)} → ${last.toFixed(2)} (${((100 * last) / first).toFixed(1)} % of the first) after ${its.length} iterations; below 10 % first at iteration ${hit?.iteration ?? 'never'}; ${secs(t)} s`);
}

if (want('evidence')) {
  const ir = load('evidence-accumulation.snn');
  const t = t0();
  let reached: IterationMetrics | undefined;
  const seen: string[] = [];
  // Stop at the first validation below 10 %: the criterion is "within 2000 iterations".
  class Done extends Error {}
  try {
    trainReference(ir, (m) => {
      if (m.validation_error !== undefined) seen.push(`${m.iteration}:${(100 * m.validation_error).toFixed(1)}%`);
      if (m.validation_error !== undefined && m.validation_error < 0.1) { reached = m; throw new Done(); }
    });
  } catch (e) { if (!(e instanceof Done)) throw e; }
  console.log(`evidence-accumulation (batch ${ir.batch}): validation error ${seen.join(', ')}; below 10 % at iteration ${reached?.iteration ?? 'never (within 2000)'}; ${secs(t)} s`);
}

if (want('srnn')) {
  const ir = load('srnn-adaptive.snn');
  const t = t0();
  const before = trainReference({ ...ir, iterations: 1 }).instance;
  const res = trainReference(ir);
  const vals = res.iterations.filter((m) => m.validation_error !== undefined).map((m) => `${m.iteration}:${(100 * (1 - m.validation_error!)).toFixed(1)}%`);
  const dTau = res.instance.tauM.map((v, i) => Math.abs(v - before.tauM[i]!) * 1000);
  const dTauA = res.instance.tauA.map((v, i) => Math.abs(v - before.tauA[i]!) * 1000);
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  console.log(`srnn-adaptive (BPTT): validation accuracy ${vals.join(', ')} (chance 50 %); mean |Δτ_m| ${mean(dTau).toFixed(2)} ms (max ${Math.max(...dTau).toFixed(2)}), mean |Δτ_a| ${mean(dTauA).toFixed(2)} ms; ${secs(t)} s`);
}
