// The flagship demo: check and format-check every example, train the pattern-generation example
// briefly with the float reference, compile the multi-tile example for its core, run the
// pattern-generation network on its PCM core, cycle-accurate, and train it there, on chip; then
// train ReckOn's released configuration on its own profile with its own rule; end with a small
// design-space sweep (weight precision) whose table and plots it writes, and verify a precision
// budget: the narrowest weight precision with which examples/precision-budget.snn's constraints pass.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths, selectCore } from '../compiler/frontend.ts';
import { formatDiagnostic, hasErrors } from '../dsl/diagnostics.ts';
import { parseSource } from '../dsl/parse.ts';
import { formatFile } from '../dsl/format.ts';
import type { CheckedCore, CheckedNetwork, CheckedProgram } from '../compiler/values.ts';
import type { Program } from '../runtime/program.ts';
import { lowerTrain } from '../compiler/lower.ts';
import { trainReference } from '../reference/train.ts';
import { compileRun, type CompileReport, type CompileResult } from '../compiler/compile.ts';
import { runProgram, taskSamples } from '../runtime/run.ts';
import { renderSummary, scorer } from './run.ts';
import { loadInputs } from './load.ts';
import { coreTrainer } from './core-trainer.ts';
import { commandSweep, finishedRows } from './sweep.ts';
import { commandVerify } from './verify.ts';

/** Iterations of the demo's training run: enough to see the loss fall, short enough to wait for. */
const DEMO_ITERATIONS = 150;
/** Iterations of the demo's training on the PCM core (about 2 s each), and the learning rate it uses there. */
const CORE_ITERATIONS = 8;
const CORE_LR = '3e-3';

import { packageRoot } from '../data/package.ts';

const examplesDir = (): string => join(packageRoot(), 'examples');

export function synapses(net: CheckedNetwork): number {
  let n = 0;
  for (const p of net.projections) {
    const s = p.source.hi - p.source.lo;
    const t = p.target.hi - p.target.lo;
    const conn = p.conn.kind;
    const noSelf = p.conn.params.no_self;
    const dense = conn === 'one_to_one' || conn === 'self' ? s : s * t - (noSelf?.t === 'bool' && noSelf.value ? Math.min(s, t) : 0);
    const prob = p.conn.params.p;
    n += conn === 'sparse' && prob?.t === 'quantity' ? Math.round(dense * prob.si) : dense;
  }
  return n;
}

function describe(program: CheckedProgram): string[] {
  const lines: string[] = [];
  for (const net of program.networks.values()) {
    const parts = net.neurons.map((n) => `${n.name}[${n.size}]${n.role === 'input' ? ' in' : ` ${n.model.kind}`}`);
    lines.push(`  network ${net.name}: ${parts.join(', ')}; ${net.projections.length} projections, ${synapses(net).toLocaleString('en-US')} synapses`);
  }
  for (const core of program.cores.values()) {
    const tile = core.params.params.tile;
    const tiles = core.params.params.tiles;
    const dev = core.params.params.device;
    const adc = core.params.params.adc;
    lines.push(`  core ${core.name}: ${tiles?.t === 'int' ? tiles.value : '?'} tiles of ${tile?.t === 'dims' ? `${tile.rows}x${tile.cols}` : '?'}, ${dev?.t === 'choice' ? dev.option : '?'} devices, ${adc?.t === 'quantity' ? adc.si : '?'}-bit ADC`);
  }
  for (const r of program.runs) {
    const v = (k: string) => { const x = r.params.params[k]; return x?.t === 'ref' ? x.name : x?.t === 'int' ? String(x.value) : undefined; };
    lines.push(`  ${r.keyword}: ${v('network')} on ${v('core') ?? 'the float reference'}${r.keyword === 'train' ? ` with ${v('learn')}` : ''}, task ${v('task')}${r.keyword === 'train' ? `, ${v('iterations')} iterations` : ''}; ${r.probes.length} probe${r.probes.length === 1 ? '' : 's'}`);
  }
  return lines;
}

/** Train the pattern-generation example briefly with the float reference; print the loss curve. */
function trainDemo(file: string, out: (s: string) => void): boolean {
  const r = checkPaths([file]);
  const program = r.programs.get(file);
  const run = program?.runs.find((x) => x.keyword === 'train');
  if (!program || !run || hasErrors(r.diagnostics)) { out('cannot train the pattern-generation example (see above)'); return true; }
  const ir = { ...lowerTrain(program, run), iterations: DEMO_ITERATIONS };
  out(`\nTraining examples/pattern-generation.snn with e-prop on the float reference (${DEMO_ITERATIONS} of its ${run.params.params.iterations?.t === 'int' ? run.params.params.iterations.value : '?'} iterations, seed ${ir.seed}):`);
  const t0 = performance.now();
  const res = trainReference(ir);
  const its = res.iterations;
  const marks = [0, 1, 2, 24, 49, 74, 99, 124, DEMO_ITERATIONS - 1].filter((i) => i < its.length);
  for (const i of marks) {
    const m = its[i]!;
    const bar = '#'.repeat(Math.max(1, Math.round((m.loss / its[0]!.loss) * 40)));
    out(`  iteration ${String(m.iteration).padStart(4)}  loss ${m.loss.toFixed(2).padStart(7)}  ${m.rate_hz.toFixed(1).padStart(5)} Hz  ${bar}`);
  }
  const first = its[0]!.loss;
  const last = its.at(-1)!.loss;
  out(`  loss ${first.toFixed(2)} → ${last.toFixed(2)} (${((last / first) * 100).toFixed(0)}% of the start) in ${((performance.now() - t0) / 1000).toFixed(1)} s; \`phasecore train examples/pattern-generation.snn\` runs all of it.`);
  return !(last < first);
}

/** Compile the multi-tile example for its core and print what a designer sees first. */
/** An example's first block compiled for its core (`learning` as compileRun takes it), or a line saying why not. */
function compileExample(file: string, what: string, out: (s: string) => void, learning?: 'off'): { res: CompileResult & { program: Program; report: CompileReport }; core: CheckedCore } | null {
  const r = checkPaths([file]);
  const program = r.programs.get(file);
  const run = program?.runs[0];
  const core = program && run ? selectCore(program, run) : undefined;
  if (!program || !run || !core?.ok) { out(`cannot compile the ${what} example`); return null; }
  const res = compileRun(program, run, core.value, learning ? { learning } : {});
  if (!res.report || !res.program) { out(`the ${what} example does not compile`); return null; }
  return { res: res as CompileResult & { program: Program; report: CompileReport }, core: core.value };
}

function compileDemo(file: string, out: (s: string) => void): boolean {
  const c = compileExample(file, 'multi-tile', out);
  if (!c) return true;
  const { res, core } = c;
  const rep = res.report;
  const warnings = res.diagnostics.filter((d) => d.severity === 'warning');
  out(`\nCompiling examples/multi-tile.snn for core ${core.name}: ${rep.tiles.needed} of ${rep.tiles.available} tiles of ${rep.tiles.shape}, ${rep.tiles.partialSums.length} cross-tile sums, ${res.program.code.length} instructions, ~${rep.cycles_per_step} cycles (${rep.time_per_step_us.toFixed(2)} µs) per step; ${warnings.length} precision warnings.`);
  out('  `phasecore compile examples/multi-tile.snn --report` shows them, with the tile map, ranges and precision.');
  return false;
}

/** Compile the pattern-generation example for its PCM core and run it there (untrained): the chip's summary. */
function coreDemo(file: string, out: (s: string) => void): boolean {
  // Inference only: the untrained network, without the learning unit its train block could run.
  const c = compileExample(file, 'pattern-generation', out, 'off');
  if (!c) return true;
  const { res, core } = c;
  const samples = taskSamples(res.program, 1, res.program.run.seed);
  out(`\nRunning examples/pattern-generation.snn on core ${core.name} (cycle-accurate, PCM devices with programming and read noise and drift; the network untrained):`);
  const t0 = performance.now();
  const pcm = runProgram(res.program, samples, { seed: res.program.run.seed }, scorer(res.program)).summary;
  const ms = performance.now() - t0;
  for (const line of renderSummary(pcm, 'examples/pattern-generation.snn').slice(1)) out(line);
  const ideal = runProgram(res.program, samples, { seed: res.program.run.seed, ideal: true }, scorer(res.program)).summary;
  const spikes = (s: typeof pcm) => Object.values(s.spikes).reduce((a, x) => a + x, 0);
  out(`  the same program on ideal devices: ${spikes(ideal)} spikes against ${spikes(pcm)}, loss ${ideal.outputs?.loss?.toPrecision(4) ?? '—'} against ${pcm.outputs?.loss?.toPrecision(4) ?? '—'}.`);
  out(`  ${pcm.steps} steps in ${ms.toFixed(0)} ms; \`phasecore run examples/pattern-generation.snn --vcd run.vcd\` writes its waveforms for GTKWave.`);
  return pcm.timing_errors.count > 0;
}

/**
 * Train the pattern-generation example on its PCM core for a few iterations: the learning unit
 * updates the devices online, and the loss curve comes with what the chip did. The file's η
 * (1e-4, the reference's) moves no weight by a whole transfer quantum ε = 0.125 in a few
 * iterations, so the demo raises it, and says so.
 */
function coreTrainDemo(file: string, out: (s: string) => void): boolean {
  const override = `eprop_pcm.optimizer=sgd(lr = ${CORE_LR})`;
  const loaded = loadInputs([file], { set: [override] });
  if (!loaded.ok || hasErrors(loaded.diagnostics)) { out('cannot load the pattern-generation example with the demo\'s learning rate'); return true; }
  const program = loaded.result.programs.get(file);
  const run = program?.runs.find((x) => x.keyword === 'train');
  const core = program && run ? selectCore(program, run) : undefined;
  if (!program || !run || !core?.ok) { out('cannot compile the pattern-generation example for its core'); return true; }
  const compiled = compileRun(program, run, core.value, { position: loaded.position, learning: 'required' });
  if (!compiled.program || hasErrors(compiled.diagnostics)) { out('the pattern-generation example does not compile with its learning unit'); return true; }
  const ir = { ...lowerTrain(program, run), iterations: CORE_ITERATIONS };
  out(`\nTraining examples/pattern-generation.snn on core ${core.value.name}, on chip: e-prop in the learning unit, mixed-precision PCM updates (${CORE_ITERATIONS} iterations, --set ${override}):`);
  const t0 = performance.now();
  const tr = coreTrainer(ir, compiled.program);
  const its = [];
  while (tr.done < tr.total) {
    const m = tr.step();
    its.push(m);
    const c = m.counters;
    const bar = '#'.repeat(Math.max(1, Math.round((m.loss / its[0]!.loss) * 40)));
    out(`  iteration ${String(m.iteration).padStart(2)}  loss ${m.loss.toFixed(2).padStart(6)}  ${m.rate_hz.toFixed(1).padStart(4)} Hz  ${String(c.pulses).padStart(4)} pulses  ${(c.learning_energy_pj / 1e6).toFixed(1).padStart(5)} µJ learning  ${bar}`);
  }
  const c = tr.totals();
  const first = its[0]!.loss; const last = its.at(-1)!.loss;
  out(`  loss ${first.toFixed(2)} → ${last.toFixed(2)} in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${c.pulses} SET pulses, ${c.refreshes} refreshes, ${c.saturations} saturations; ${(c.cycles / ir.iterations / ir.batch / tr.core.steps).toFixed(0)} cycles per step (${((100 * c.learning_cycles) / c.cycles).toFixed(0)} % learning), ${(c.energy_pj / 1e6).toFixed(1)} µJ (${((100 * c.learning_energy_pj) / c.energy_pj).toFixed(0)} % learning).`);
  out('  `phasecore train examples/pattern-generation.snn --backend core --out DIR --checkpoint-every 10` trains longer, resumably.');
  return !(last < first);
}

/** Samples of the demo's ReckOn run (about 0.7 s each). */
const RECKON_SAMPLES = 5;

/**
 * ReckOn on its own profile: the first training samples of its cue-accumulation set, learning
 * with its own rule in each sample's last 149 ticks, as its testbench does; the online
 * predictions are those its RTL made (bench/reckon.ts compares all 1000 of ten epochs).
 */
function reckonDemo(file: string, out: (s: string) => void): boolean {
  const r = checkPaths([file]);
  const program = r.programs.get(file);
  const run = program?.runs.find((x) => x.keyword === 'train');
  const core = program && run ? selectCore(program, run) : undefined;
  if (!program || !run || !core?.ok || hasErrors(r.diagnostics)) { out('cannot load the ReckOn example'); return true; }
  const compiled = compileRun(program, run, core.value, { learning: 'required' });
  if (!compiled.program) { out('the ReckOn example does not compile with ReckOn\'s learning unit'); return true; }
  const ir = { ...lowerTrain(program, run), iterations: RECKON_SAMPLES, validateEvery: 0 };
  out(`\nTraining examples/reckon-cue.snn on core ${core.value.name} with ReckOn's own rule (learn … : reckon), bit for bit as its RTL (${RECKON_SAMPLES} of the 50 training samples of an epoch):`);
  const t0 = performance.now();
  const tr = coreTrainer(ir, compiled.program);
  while (tr.done < tr.total) {
    const m = tr.step();
    const c = m.counters;
    const k = c.reckon!;
    out(`  sample ${m.iteration}  ${m.accuracy === 1 ? 'right' : 'wrong'}  loss ${m.loss.toFixed(3)}  ${k.ticks} learning ticks × ${(c.learning_cycles / k.ticks).toFixed(0)} cycles  ${k.words.input + k.words.recurrent + k.words.readout} words written  ${k.updates} weight steps  ${(c.learning_energy_pj / 1e6).toFixed(2)} µJ learning`);
  }
  out(`  ${((performance.now() - t0) / 1000).toFixed(1)} s; \`phasecore train examples/reckon-cue.snn --backend core --iterations 500\` runs the testbench's 10 epochs (scores in docs/results.md).`);
  return false;
}

/**
 * A small design-space sweep: the pattern-generation example trained on its PCM core at three
 * weight precisions (program-and-verify keeps them on the grid), two iterations each, in worker
 * threads; the table and plots go to a new temporary directory, which it names.
 */
async function sweepDemo(file: string, out: (s: string) => void, version: string): Promise<boolean> {
  const dir = join(mkdtempSync(join(tmpdir(), 'phasecore-demo-')), 'sweep');
  const args = ['pcm256.weight_bits=3 bit,5 bit,8 bit', 'eprop_pcm.placement=chip_in_the_loop', 'eprop_pcm.update=program_verify(epsilon = 0)', 'eprop_pcm.optimizer=sgd(lr = 3e-3)'];
  out(`\nA design-space sweep: ${file.replace(/^.*examples/, 'examples')} on its PCM core at 3, 5 and 8 bits of weight precision, chip in the loop, 2 iterations each:`);
  out(`  phasecore sweep examples/pattern-generation.snn --backend core --iterations 2 ${args.map((a) => `--set '${a}'`).join(' ')}`);
  const t0 = performance.now();
  const lines: string[] = [];
  const code = await commandSweep(file, { set: args, backend: 'core', iterations: '2', out: dir, quiet: true }, { out: (s) => lines.push(s), err: (s) => lines.push(s), version, progress: 'none', signals: [] });
  for (const l of lines) out(`  ${l}`);
  if (code !== 0) return true;
  const rows = finishedRows(dir, 3).map((r) => r.row);
  for (const r of rows) out(`  ${r.values['pcm256.weight_bits']}: loss ${r.final_loss?.toFixed(2)} (best ${r.best_loss?.toFixed(2)}), ${r.pulses} pulses, ${((r.energy_per_step_pj ?? 0) / 1000).toFixed(1)} nJ per step`);
  out(`  ${((performance.now() - t0) / 1000).toFixed(1)} s; \`phasecore plot ${dir}\` redraws its plots; docs/results.md has the full sweeps.`);
  return false;
}

/** A precision budget verified: the narrowest weight precision with which every constraint of precision-budget.snn passes. */
async function verifyDemo(file: string, out: (s: string) => void): Promise<boolean> {
  const key = 'edge.weight_bits=2..8 bit';
  out('\nVerifying a precision budget: examples/precision-budget.snn states what its chip must do — no register can overflow, every weight held, spikes and outputs within bounds of the float reference — and phasecore searches for the narrowest weight precision that still meets it:');
  out(`  phasecore verify examples/precision-budget.snn --narrowest '${key}'`);
  const t0 = performance.now();
  const code = await commandVerify(file, { narrowest: key }, { out: (s) => out(`  ${s}`), err: (s) => out(`  ${s}`) });
  out(`  ${((performance.now() - t0) / 1000).toFixed(1)} s; \`phasecore verify examples/precision-budget.snn --set 'edge.weight_bits=3 bit'\` shows the failures and their evidence (docs/verify.md).`);
  return code !== 0;
}

export async function runDemo(out: (s: string) => void, version = ''): Promise<number> {
  const dir = examplesDir();
  const files = readdirSync(dir).filter((f) => f.endsWith('.snn')).sort().map((f) => join(dir, f));
  out('phasecore demo: checking and formatting the examples\n');
  let failed = false;
  for (const f of files) {
    const t0 = performance.now();
    const r = checkPaths([f]);
    const ms = performance.now() - t0;
    const root = r.workspace.roots[0];
    const ast = root ? parseSource(root.source).file : null;
    const formatted = ast && root ? formatFile(ast, root.source) === root.source.text : false;
    const errs = hasErrors(r.diagnostics);
    failed ||= errs || !formatted;
    out(`${root?.display ?? f}: ${errs ? 'ERRORS' : 'ok'}, ${formatted ? 'formatted' : 'NOT formatted'} (${r.workspace.modules.size} file${r.workspace.modules.size === 1 ? '' : 's'}, ${ms.toFixed(0)} ms)`);
    for (const d of r.diagnostics) out(formatDiagnostic(d, r.sources.get(d.file)).replace(/^/gm, '    '));
    const program = root ? r.programs.get(root.path) : undefined;
    if (program) for (const l of describe(program)) out(l);
  }
  out(`\n${files.length} examples: ${failed ? 'some need attention (see above)' : 'all check clean and are canonically formatted'}.`);
  failed = trainDemo(join(dir, 'pattern-generation.snn'), out) || failed;
  failed = compileDemo(join(dir, 'multi-tile.snn'), out) || failed;
  failed = coreDemo(join(dir, 'pattern-generation.snn'), out) || failed;
  failed = coreTrainDemo(join(dir, 'pattern-generation.snn'), out) || failed;
  failed = reckonDemo(join(dir, 'reckon-cue.snn'), out) || failed;
  failed = (await sweepDemo(join(dir, 'pattern-generation.snn'), out, version)) || failed;
  failed = (await verifyDemo(join(dir, 'precision-budget.snn'), out)) || failed;
  out('Next: `phasecore check FILE` to check your own network, `phasecore fmt --write FILE` to format it.');
  return failed ? 1 : 0;
}
