// How far the core is from the float reference with the formats the examples declare (8-bit
// ADCs, s16.10 membranes, q1.15 decays): each example's network on ideal devices (the program's
// targets held exactly) against the reference run on the values the core holds, on one sequence
// of its task. Reported, not asserted: tests/runtime/ideal.test.ts proves the bound for wide formats.
// Run: node bench/launch.mjs bench/deviation.ts
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import { checkPaths, selectCore } from '../src/compiler/frontend.ts';
import { compileRun } from '../src/compiler/compile.ts';
import { heldInstance } from '../src/cli/held.ts';
import { dynamics, simulate } from '../src/reference/simulate.ts';
import { Core } from '../src/runtime/core.ts';
import { taskSamples } from '../src/runtime/run.ts';
import type { Program } from '../src/runtime/program.ts';
import type { Instruction } from '../src/runtime/isa.ts';

/** The probes the comparison needs, added to the program (every step, all neurons). */
function withProbes(p: Program): Program {
  const code = [...p.code];
  const halt = code.length - 2; // the probes go before LOOP (the step's last instruction) and HALT
  const probes = [...p.probes];
  const spans = [...p.symbols.spans]; const origins = [...p.symbols.origins];
  const add: Instruction[] = [];
  p.populations.forEach((pop, i) => {
    if (pop.model === 'LIF' || pop.model === 'ALIF') { add.push({ op: 'PROBE', fields: { variable: 0, pop: i, lo: 0, count: pop.size } }, { op: 'PROBE', fields: { variable: 1, pop: i, lo: 0, count: pop.size } }); }
    if (pop.model === 'LI') add.push({ op: 'PROBE', fields: { variable: 7, pop: i, lo: 0, count: pop.size } });
  });
  code.splice(halt, 0, ...add);
  const shift = (a: number) => (a >= halt ? a + add.length : a);
  const moved = probes.map((s) => ({ ...s, address: shift(s.address) }));
  add.forEach((_, k) => moved.push({ address: halt + k, every: 1, start: 0, stop: p.run.steps - 1 }));
  spans.splice(halt, 0, ...add.map(() => ({ file: -1, line: 0, column: 0 })));
  origins.splice(halt, 0, ...add.map(() => 'comparison probe'));
  return { ...p, code, probes: moved, symbols: { ...p.symbols, spans, origins } };
}

const dir = join(packageRoot(), 'examples');
console.log('example                     core     steps  neurons  spike agreement  first difference  max |Δv| before it  max |Δy| before it');
for (const f of readdirSync(dir).filter((x) => x.endsWith('.snn')).sort()) {
  const file = join(dir, f);
  const r = checkPaths([file]);
  const checked = r.programs.get(file)!;
  const run = checked.runs[0]!;
  const core = selectCore(checked, run);
  if (!core.ok) continue;
  const compiled = compileRun(checked, run, core.value);
  if (!compiled.program) { console.log(`${f}: does not compile`); continue; }
  const prog = withProbes(compiled.program);
  const held = heldInstance(compiled);
  const sample = taskSamples(prog, 1, prog.run.seed)[0]!;
  const ref = simulate(held, dynamics(held, prog.symbols.dt), sample.x);
  const c = new Core(prog, { seed: prog.run.seed, ideal: true });
  c.runSequence(sample.x, 0);
  const { nRec, nOut } = held.layout;
  const T = prog.run.steps;
  // Gather the core's probes into [t][neuron] arrays in the reference's index spaces.
  const z = new Float64Array(T * nRec); const v = new Float64Array(T * nRec); const y = new Float64Array(T * nOut);
  for (const p of c.probes) {
    if (p.steps.length !== T) continue;
    const off = prog.symbols.layout[p.population]!.offset;
    const into = p.variable === 0 ? z : p.variable === 1 ? v : p.variable === 7 ? y : null;
    const width = p.variable === 7 ? nOut : nRec;
    if (!into) continue;
    for (let t = 0; t < T; t++) for (let i = 0; i < p.count; i++) into[t * width + off + p.lo + i] = p.data[t * p.count + i]!;
  }
  let agree = 0; let first = -1; let dv = 0; let dy = 0;
  for (let t = 0; t < T; t++) {
    let same = true;
    for (let j = 0; j < nRec; j++) { if (z[t * nRec + j] === ref.z[t * nRec + j]) agree++; else same = false; }
    if (first < 0) {
      for (let j = 0; j < nRec; j++) dv = Math.max(dv, Math.abs(v[t * nRec + j]! - ref.v[t * nRec + j]!));
      for (let k = 0; k < nOut; k++) dy = Math.max(dy, Math.abs(y[t * nOut + k]! - ref.y[t * nOut + k]!));
    }
    if (!same && first < 0) first = t;
  }
  console.log(`${f.padEnd(27)} ${core.value.name.padEnd(8)} ${String(T).padStart(5)} ${String(nRec).padStart(8)}  ${((100 * agree) / (T * nRec)).toFixed(2).padStart(14)} %  ${first < 0 ? 'none'.padStart(16) : `step ${first}`.padStart(16)}  ${dv.toPrecision(3).padStart(18)}  ${dy.toPrecision(3).padStart(18)}`);
}
