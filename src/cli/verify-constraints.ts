// phasecore verify: a verify block's constraints, measured for each seed (docs/verify.md).
//   static    the compiler's analysis of the program, nothing run: the range proof (over the whole
//             weight range where learning changes weights), quantised weights and decays, tiles,
//             the schedule's cycles per step, the memory the program occupies;
//   dynamic   the inference program on the core against the float reference, on the same task
//             sequences (the data stream of the seed): spike rasters, membranes, outputs, loss,
//             rates, saturations and timing errors;
//   learning  `iterations` of training on the core and on the float reference from the same
//             initial state: their losses and accuracies, the devices' wear, the energy per step;
//   drift     the trained core tested at once and again after drift_after unused.
// A failed overflow proof runs a counterexample: an input that drives the register's population
// as hard as its input weights allow, on the core, with the saturation counters read back.
import type { CheckedConstraint, CheckedNetwork, CheckedProgram, CheckedVerify } from '../compiler/values.ts';
import * as S from '../dsl/schema.ts';
import { compileRun, type CompileResult, type PositionOf } from '../compiler/compile.ts';
import type { RangeRow } from '../compiler/ranges.ts';
import { decayValue } from '../compiler/quantize.ts';
import { lowerTrain } from '../compiler/lower.ts';
import { DIMENSIONS, sameDim } from '../dsl/units.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import { hasErrors } from '../dsl/diagnostics.ts';
import { heldInstance } from './held.ts';
import { coreTrainer } from './core-trainer.ts';
import { scorer } from './run.ts';
import { duration } from './train.ts';
import { referenceTrainer } from '../reference/train.ts';
import { dynamics, simulate } from '../reference/simulate.ts';
import type { Instance } from '../ir/instantiate.ts';
import { feedingProjections } from '../ir/network.ts';
import { disassemble } from '../runtime/isa.ts';
import type { Core } from '../runtime/core.ts';
import { memoryFootprint, runProgram, taskSamples } from '../runtime/run.ts';
import type { Sample } from '../tasks/generate.ts';
import { taskSteps } from '../tasks/generate.ts';
import { showBound } from '../compiler/validate-verify.ts';
import { formatName } from '../runtime/fixed.ts';

/** One constraint measured for one seed. */
export interface SeedOutcome {
  readonly seed: number; readonly value: number | null; readonly shown: string; readonly pass: boolean; readonly evidence: readonly string[];
  /** A failed overflow proof: the inputs that drove a register past its format, (T, channels), to run again (run --input). */
  readonly counterexamples?: readonly Counterexample[];
}

export interface Counterexample { readonly name: string; readonly steps: number; readonly channels: number; readonly x: Float64Array; readonly saturations: number }

/** One constraint over every seed: passes when it passes for each. */
export interface ConstraintOutcome {
  readonly name: string; readonly kind: S.ConstraintSpec['kind']; readonly text: string;
  readonly op: '<=' | '>=' | null; readonly bound: number | null; readonly bound_shown: string;
  /** The SI unit `bound` is in: s or cycles (cycles_per_step), bit, J, Hz, or '' for a plain number. */
  readonly bound_unit: string;
  readonly source: string;
  readonly seeds: readonly SeedOutcome[];
  /** Median, least and largest over the seeds (null for a flag measured as yes/no). */
  readonly measured: { readonly median: number; readonly min: number; readonly max: number } | null;
  readonly pass: boolean;
  readonly evidence: readonly string[];
}

export interface VerifyInput {
  readonly program: CheckedProgram;
  readonly verify: CheckedVerify;
  readonly position: PositionOf;
  /** `file:line:col` of an offset in a file, as the user reads it (an override's in its --set argument). */
  readonly locate: (file: string, offset: number) => string;
}

export type VerifyResult = { readonly ok: true; readonly constraints: ConstraintOutcome[]; readonly pass: boolean } | { readonly ok: false; readonly diagnostics: Diagnostic[] };


/** Verify every constraint of the block for each seed. Compile errors are the user's: returned as diagnostics. */
export function verifyBlock(input: VerifyInput, seeds: readonly number[]): VerifyResult {
  const { verify: v } = input;
  const perSeed: SeedOutcome[][] = v.constraints.map(() => []);
  for (const seed of seeds) {
    const got = measureSeed(input, seed);
    if (!got.ok) return got;
    got.outcomes.forEach((o, k) => perSeed[k]!.push(o));
  }
  const constraints = v.constraints.map((c, k): ConstraintOutcome => {
    const outs = perSeed[k]!;
    const values = outs.map((o) => o.value).filter((x): x is number => x !== null && Number.isFinite(x)).sort((a, b) => a - b);
    const measured = values.length === outs.length && values.length > 0 ? { median: median(values), min: values[0]!, max: values.at(-1)! } : null;
    const spec = S.CONSTRAINTS[c.name]!;
    return {
      name: c.name, kind: spec.kind, text: c.text, op: c.op, bound: c.bound, bound_shown: c.bound === null ? '' : `${c.op} ${showConstraintBound(c)}`, bound_unit: siUnit(c),
      source: input.locate(v.file, c.span.start),
      seeds: outs, measured, pass: outs.every((o) => o.pass),
      evidence: outs.filter((o) => !o.pass).flatMap((o) => (seeds.length > 1 ? o.evidence.map((e) => `seed ${o.seed}: ${e}`) : o.evidence)),
    };
  });
  return { ok: true, constraints, pass: constraints.every((c) => c.pass) };
}

/** (a − b)/b, 0 where both are 0 (a loss the reference and the core both drive to nothing). */
const relative = (a: number, b: number): number => (a === b ? 0 : (a - b) / b);

const median = (xs: readonly number[]) => (xs.length % 2 === 1 ? xs[(xs.length - 1) / 2]! : (xs[xs.length / 2 - 1]! + xs[xs.length / 2]!) / 2);

/** The SI unit of a constraint's bound, by the dimension written. */
function siUnit(c: CheckedConstraint): string {
  if (!c.dim) return '';
  const names: Array<[keyof typeof DIMENSIONS, string]> = [['time', 's'], ['cycles', 'cycles'], ['information', 'bit'], ['energy', 'J'], ['frequency', 'Hz']];
  return names.find(([d]) => sameDim(c.dim!, DIMENSIONS[d].dim))?.[1] ?? '';
}

/** A bound as the file wrote it: cycles_per_step in the dimension given (cycles or a time). */
function showConstraintBound(c: CheckedConstraint): string {
  if (c.bound === null) return '';
  if (c.name === 'cycles_per_step' && c.dim && sameDim(c.dim, DIMENSIONS.time.dim)) return `${+(c.bound * 1e3).toPrecision(6)} ms`;
  return showBound(c.name, c.bound);
}

/** A measured value in the constraint's units. */
export function showValue(name: string, x: number): string {
  if (name === 'cycles_per_step') return `${+x.toPrecision(6)} cycles`;
  if (name === 'no_overflow') return `${x === Infinity ? '∞' : x.toFixed(2)} bits of headroom`;
  return showBound(name, x);
}

type Seeded = { ok: true; outcomes: SeedOutcome[] } | { ok: false; diagnostics: Diagnostic[] };

function measureSeed(input: VerifyInput, seed: number): Seeded {
  const { program, verify: v, position, locate } = input;
  const core = program.cores.get(v.run.params.params.core?.t === 'ref' ? v.run.params.params.core.name : '');
  const net = program.networks.get(v.run.params.params.network?.t === 'ref' ? v.run.params.params.network.name : '');
  if (!core || !net) throw new Error('internal: a checked verify block names a core and a network');
  const learns = v.run.keyword === 'train';
  const kinds = new Set(v.constraints.map((c) => S.CONSTRAINTS[c.name]!.kind));
  const compiled = compileRun(program, v.run, core, { position, learning: learns ? 'required' : 'off', seed });
  if (hasErrors(compiled.diagnostics) || !compiled.program || !compiled.report) return { ok: false, diagnostics: compiled.diagnostics };
  // The dynamic constraints and the counterexamples run the inference program: a trained chip in the field.
  let inference: CompileResult = compiled;
  if (learns && (kinds.has('dynamic') || v.constraints.some((c) => c.name === 'no_overflow'))) {
    inference = compileRun(program, v.run, core, { position, learning: 'off', seed });
    if (hasErrors(inference.diagnostics) || !inference.program) return { ok: false, diagnostics: inference.diagnostics };
  }
  const lazy = <T>(f: () => T): (() => T) => { let done = false; let value: T; return () => { if (!done) { value = f(); done = true; } return value; }; };
  const dynamic = lazy(() => runDynamic(inference, v, seed));
  const learning = lazy(() => runLearning(program, v, compiled, seed));
  const outcomes = v.constraints.map((c): SeedOutcome => {
    const judge = (value: number, evidence: () => string[] = () => []): SeedOutcome => {
      const pass = c.bound === null ? true : c.op === '<=' ? value <= c.bound : value >= c.bound;
      return { seed, value, shown: showValue(c.name, value), pass, evidence: pass ? [] : evidence() };
    };
    const flag = (value: number | null, shown: string, pass: boolean, evidence: string[]): SeedOutcome => ({ seed, value, shown, pass, evidence: pass ? [] : evidence });
    const prog = compiled.program!;
    switch (c.name) {
      case 'no_overflow': return overflow(compiled, inference, net, seed, locate, flag);
      case 'weights_nonzero': {
        const lost = vanishedWeights(compiled, net);
        return flag(lost.count, lost.count === 0 ? 'every weight held' : `${lost.count} weights held as 0`, lost.count === 0, lost.where.map((w) => `${w.count} of ${w.of} nonzero weights of ${w.projection} (${locate(net.file, w.at)}) are held as 0 on the devices`));
      }
      case 'decay_error': {
        const d = decayErrors(compiled);
        return judge(d.worst, () => [`${d.at}: ${d.detail}`]);
      }
      case 'tiles': return judge(compiled.report!.tiles.needed, () => [`the network needs ${compiled.report!.tiles.needed} tiles of ${compiled.report!.tiles.shape}`]);
      case 'cycles_per_step': {
        const cycles = compiled.report!.cycles_per_step;
        const bound = c.dim && sameDim(c.dim, DIMENSIONS.time.dim) ? c.bound! * prog.core.clockHz : c.bound!;
        const pass = cycles <= bound;
        const busiest = Object.entries(compiled.report!.busy).sort((a, b) => b[1] - a[1])[0];
        return { seed, value: cycles, shown: showValue(c.name, cycles), pass, evidence: pass ? [] : [`a step takes ${cycles} cycles (${(cycles / prog.core.clockHz * 1e6).toPrecision(4)} µs at ${prog.core.clockHz / 1e6} MHz), the bound is ${+bound.toPrecision(6)} cycles; the busiest unit is ${busiest?.[0]} (${busiest?.[1]} cycles)`] };
      }
      case 'memory': {
        const bits = memoryFootprint(prog).bytes * 8;
        return judge(bits, () => [`the program's digital state and parameters take ${bits / 8} B`]);
      }
      case 'spike_agreement': case 'membrane_lsb': case 'membrane_error': {
        const d = dynamic();
        if (!d.spiking) return flag(null, 'no spiking population', false, ['the network has no recurrent population whose spikes and membranes could be compared']);
        if (c.name === 'spike_agreement') return judge(d.agreement, () => d.firstDisagreement);
        return judge(c.name === 'membrane_lsb' ? d.membrane / d.lsb : d.membrane, () => d.worstMembrane);
      }
      case 'output_error': { const d = dynamic(); return judge(d.outputError, () => [`the readouts differ from the reference by ${(100 * d.outputError).toPrecision(3)} % RMS`]); }
      case 'loss_error': {
        const d = dynamic();
        if (d.loss === null) return flag(null, 'no loss', false, ['the task has no targets or labels to score the outputs against']);
        return judge(Math.abs(d.loss.relative), () => [`loss on the core ${d.loss!.core.toPrecision(4)}, on the reference ${d.loss!.reference.toPrecision(4)}`]);
      }
      case 'firing_rate': {
        const d = dynamic();
        const rates = Object.entries(d.rates);
        if (rates.length === 0) return flag(null, 'no spiking population', false, ['the network has no recurrent population to measure a rate of']);
        const out = rates.filter(([, r]) => (c.op === '>=' ? !(r.core >= c.bound!) : !(r.core <= c.bound!)));
        const value = c.op === '>=' ? Math.min(...rates.map(([, r]) => r.core)) : Math.max(...rates.map(([, r]) => r.core));
        return { seed, value, shown: showValue(c.name, value), pass: out.length === 0, evidence: out.map(([p, r]) => `${p} fires at ${r.core.toPrecision(3)} Hz on the core (${r.reference.toPrecision(3)} Hz on the reference)`) };
      }
      case 'saturations': { const d = dynamic(); return judge(d.saturations, () => d.saturationWhere); }
      case 'no_timing_errors': { const d = dynamic(); return flag(d.timingErrors, d.timingErrors === 0 ? 'none' : `${d.timingErrors} steps over dt`, d.timingErrors === 0, d.timingWhere); }
      case 'learned_loss_error': {
        const l = learning();
        if (!l.ok) return flag(null, 'not measured', false, [l.why]);
        return judge(relative(l.core.loss, l.reference.loss), () => [`after ${l.iterations} iterations: loss on the core ${l.core.loss.toPrecision(4)}, on the reference ${l.reference.loss.toPrecision(4)} (means of the last ${l.last} iterations)`]);
      }
      case 'learned_accuracy_drop': {
        const l = learning();
        if (!l.ok) return flag(null, 'not measured', false, [l.why]);
        if (l.core.accuracy === null || l.reference.accuracy === null) return flag(null, 'no accuracy', false, ['the task is not a classification: it has no accuracy to compare (use learned_loss_error)']);
        return judge(l.reference.accuracy - l.core.accuracy, () => [`after ${l.iterations} iterations: accuracy on the core ${(100 * l.core.accuracy!).toFixed(1)} %, on the reference ${(100 * l.reference.accuracy!).toFixed(1)} %`]);
      }
      case 'pulses_per_device': {
        const l = learning();
        if (!l.ok) return flag(null, 'not measured', false, [l.why]);
        return judge(l.wear.max, () => [`the most worn device (${l.wear.where}) took ${l.wear.max} pulses; the mean over the trained tiles' devices is ${l.wear.mean.toPrecision(3)}`]);
      }
      case 'energy_per_step': {
        const l = learning();
        if (!l.ok) return flag(null, 'not measured', false, [l.why]);
        return judge(l.energyPerStep, () => [`a training step takes ${showBound('energy_per_step', l.energyPerStep)}, ${(100 * l.learningShare).toFixed(0)} % of it learning`]);
      }
      case 'drift_loss_error': {
        const l = learning();
        if (!l.ok || !l.drift) return flag(null, 'not measured', false, [l.ok ? 'no drift test' : l.why]);
        return judge(relative(l.drift.after.loss, l.drift.at.loss), () => [`test loss ${l.drift!.at.loss.toPrecision(4)} at once, ${l.drift!.after.loss.toPrecision(4)} after ${duration(v.driftAfter!)} unused`]);
      }
      case 'drift_accuracy_drop': {
        const l = learning();
        if (!l.ok || !l.drift) return flag(null, 'not measured', false, [l.ok ? 'no drift test' : l.why]);
        const { at, after } = l.drift;
        if (at.error === undefined || after.error === undefined) return flag(null, 'no accuracy', false, ['the task is not a classification: it has no accuracy to compare (use drift_loss_error)']);
        return judge(after.error - at.error, () => [`test accuracy ${(100 * (1 - at.error!)).toFixed(1)} % at once, ${(100 * (1 - after.error!)).toFixed(1)} % after ${duration(v.driftAfter!)} unused`]);
      }
      default: throw new Error(`internal: no measurement of constraint ${c.name}`);
    }
  });
  return { ok: true, outcomes };
}

// ---- static ---------------------------------------------------------------------------------

type Flag = (value: number | null, shown: string, pass: boolean, evidence: string[]) => SeedOutcome;

/** The range proof: every counted register within its format. A failure's evidence, and a counterexample run on the core. */
function overflow(compiled: CompileResult, inference: CompileResult, net: CheckedNetwork, seed: number, locate: VerifyInput['locate'], flag: Flag): SeedOutcome {
  const rows = (compiled.learnedRanges ?? compiled.report!.ranges).filter((r) => r.beyond !== 'clips');
  const over = rows.filter((r) => r.bound > r.max);
  const headroom = rows.reduce((m, r) => Math.min(m, r.headroomBits), Infinity);
  const learned = compiled.learnedRanges !== undefined;
  const found: Counterexample[] = [];
  const held = over.length > 0 ? heldInstance(inference) : null;
  const evidence = over.flatMap((r) => {
    const feeding = feedingProjections(net, r.where);
    const lines = [`the ${r.register} of ${r.where} can reach ${r.bound.toPrecision(4)}, beyond the ${r.max.toPrecision(6)} of ${r.format} (${(-r.headroomBits).toFixed(1)} bits short; it ${r.beyond})${learned ? ', with every trainable weight at the largest the devices hold' : ''}; fed by ${feeding.map((p) => `${p.source.name} -> ${p.target.name} (${locate(net.file, p.span.start)})`).join(', ') || 'its bias alone'}`];
    const cx = counterexample(inference, held!, r, seed);
    lines.push(cx.text);
    if (cx.input) found.push(cx.input);
    return lines;
  });
  const out = flag(headroom, over.length === 0 ? `proven, ${showValue('no_overflow', headroom)}` : `${over.length} register${over.length === 1 ? '' : 's'} can overflow`, over.length === 0, evidence);
  return found.length > 0 ? { ...out, counterexamples: found } : out;
}

/**
 * An input that drives population `r.where` as hard as its input weights allow: the neuron with the
 * largest sum of same-signed input weights, and every input channel of that sign spiking every
 * step. Run on the core (inference, the seed's noise); the register's saturations read back, or
 * the worst value seen when there are none (then the bound is not tight for this input).
 */
function counterexample(c: CompileResult, held: Instance, r: RangeRow, seed: number): { text: string; input?: Counterexample } {
  const prog = c.program!;
  const { nIn, nRec, nOut } = held.layout;
  const pi = prog.populations.findIndex((p) => p.name === r.where);
  if (pi < 0) return { text: `no counterexample: ${r.where} is not a population of the program` };
  const pop = prog.populations[pi]!;
  const readout = pop.model === 'LI';
  const offset = prog.symbols.layout[pi]!.offset;
  const block = readout ? held.inOut : held.inRec;
  const width = readout ? nOut : nRec;
  let best = { j: -1, sign: 1, sum: 0 };
  for (let j = offset; j < offset + pop.size; j++) {
    let pos = 0; let neg = 0;
    for (let i = 0; i < nIn; i++) { const w = block.w[i * width + j] as number; if (w > 0) pos += w; else neg -= w; }
    if (Math.max(pos, neg) > best.sum) best = { j, sign: pos >= neg ? 1 : -1, sum: Math.max(pos, neg) };
  }
  if (best.j < 0) return { text: `no counterexample from the inputs: no input projects onto ${r.where}; the bound comes from its other inputs` };
  const T = prog.run.steps;
  const x = new Float64Array(T * nIn);
  const channels: number[] = [];
  for (let i = 0; i < nIn; i++) if (Math.sign(block.w[i * width + best.j] as number) === best.sign) channels.push(i);
  for (let t = 0; t < T; t++) for (const i of channels) x[t * nIn + i] = 1;
  let worst = 0; let first = -1;
  const register = r.register;
  // What the testbench sees of the register: a recurrent neuron's membrane and accumulated input, a readout's output (its membrane).
  const observed = readout ? register === 'membrane' : register === 'accumulator' || register === 'membrane';
  const limit = r.max;
  const { core } = runProgram(prog, [{ T, x }], {
    seed,
    onSequence: (k: Core) => {
      if (!observed) return;
      const obs = k.observed!;
      for (let t = 0; t < T; t++) {
        for (let j = offset; j < offset + pop.size; j++) {
          const value = readout ? Math.abs(k.outputs[t * nOut + j] as number) : Math.abs((register === 'accumulator' ? obs.i : obs.v)[t * nRec + j] as number);
          if (value > worst) worst = value;
          if (first < 0 && value >= limit * (1 - 1e-12)) first = t;
        }
      }
    },
  });
  const sat = core.saturationsByRegister().byPopulation[r.where]?.[register] ?? 0;
  const what = `input channels ${ranges(channels)} (${channels.length} of ${nIn}, the ${best.sign > 0 ? 'positive' : 'negative'} weights onto ${r.where}[${best.j - offset}]) spiking every step for ${T} steps`;
  const name = `${r.where}-${register}`;
  if (sat > 0) return { text: `counterexample: ${what}; the core counted ${sat} saturation${sat === 1 ? '' : 's'} of ${r.where}'s ${register}${first >= 0 ? `, the first at step ${first}` : ''} (verify --counterexamples DIR writes this input as DIR/${name}.npy, for run --input)`, input: { name, steps: T, channels: nIn, x, saturations: sat } };
  const seen = observed ? `; the largest |${register}| seen was ${worst.toPrecision(4)} of ${limit.toPrecision(6)}` : '';
  return { text: `no counterexample found: ${what} saturated nothing${seen}. The bound is not tight for this input: it assumes every row at its largest weight in the same step${c.learnedRanges ? ', and weights learning may reach' : ''}` };
}

/** `0–3, 7, 9–12`: a sorted list of indices in runs. */
function ranges(xs: readonly number[]): string {
  const out: string[] = [];
  for (let k = 0; k < xs.length;) {
    let e = k;
    while (e + 1 < xs.length && xs[e + 1] === xs[e]! + 1) e++;
    out.push(e === k ? `${xs[k]}` : `${xs[k]}–${xs[e]}`);
    k = e + 1;
  }
  return out.length > 12 ? `${out.slice(0, 12).join(', ')}, …` : out.join(', ');
}

/** Nonzero declared weights the devices hold as 0, by projection. */
function vanishedWeights(c: CompileResult, net: CheckedNetwork): { count: number; where: Array<{ projection: string; count: number; of: number; at: number }> } {
  const inst = c.instance!; const held = c.held!;
  const by = new Map<number, { count: number; of: number }>();
  for (const key of ['inRec', 'recRec', 'inOut', 'recOut'] as const) {
    const b = inst[key]; const h = held[key];
    for (let at = 0; at < b.w.length; at++) {
      if (!b.mask[at] || b.w[at] === 0) continue;
      const k = b.owner[at] as number;
      const e = by.get(k) ?? { count: 0, of: 0 };
      e.of++;
      if (h[at] === 0) e.count++;
      by.set(k, e);
    }
  }
  const where = [...by].filter(([, e]) => e.count > 0).map(([k, e]) => {
    const p = net.projections[k]!;
    return { projection: `${p.source.name} -> ${p.target.name}`, count: e.count, of: e.of, at: p.span.start };
  });
  return { count: where.reduce((a, w) => a + w.count, 0), where };
}

/** The largest relative error of a decay the core holds against e^(−dt/τ), and where. */
function decayErrors(c: CompileResult): { worst: number; at: string; detail: string } {
  const prog = c.program!; const inst = c.instance!;
  const dt = prog.symbols.dt;
  let worst = 0; let at = 'no decays'; let detail = '';
  prog.populations.forEach((p, pi) => {
    const off = prog.symbols.layout[pi]!.offset;
    const arrays: Array<[string, Float64Array]> = p.model === 'LI' ? [['kappa', inst.tauOut]] : p.model === 'LIF' ? [['alpha', inst.tauM]] : p.model === 'ALIF' ? [['alpha', inst.tauM], ['rho', inst.tauA]] : [];
    for (const [name, taus] of arrays) {
      const raw = p.arrays[name];
      if (!raw) continue;
      for (let i = 0; i < p.size; i++) {
        const exact = Math.exp(-dt / (taus[off + i] as number));
        const held = decayValue(raw[i] as number, prog.core.decayMode, prog.core.registers.decay);
        const e = Math.abs(held - exact) / exact;
        if (e > worst) { worst = e; at = `${p.name}[${i}].${name}`; detail = `e^(−dt/τ) = ${exact.toPrecision(6)} is held as ${held.toPrecision(6)} (${(100 * e).toPrecision(3)} %)`; }
      }
    }
  });
  return { worst, at, detail };
}

// ---- dynamic ---------------------------------------------------------------------------------

interface Dynamic {
  /** Whether the network has recurrent neurons to compare. */
  spiking: boolean;
  agreement: number; firstDisagreement: string[];
  membrane: number; lsb: number; worstMembrane: string[];
  outputError: number;
  loss: { core: number; reference: number; relative: number } | null;
  rates: Record<string, { core: number; reference: number }>;
  saturations: number; saturationWhere: string[];
  timingErrors: number; timingWhere: string[];
}

/** The inference program on the core and the float reference on the same sequences. */
function runDynamic(c: CompileResult, v: CheckedVerify, seed: number): Dynamic {
  const prog = c.program!;
  const samples: Sample[] = taskSamples(prog, v.samples, seed);
  const inst: Instance = v.reference === 'held' ? heldInstance(c) : c.instance!;
  const dyn = dynamics(inst, prog.symbols.dt);
  const { nRec, nOut } = inst.layout;
  const T = prog.run.steps;
  const score = scorer(prog);
  const recPops = prog.populations.map((p, i) => ({ p, off: prog.symbols.layout[i]!.offset })).filter(({ p }) => p.model === 'LIF' || p.model === 'ALIF');
  const nameOf = (j: number) => { const r = recPops.find(({ p, off }) => j >= off && j < off + p.size)!; return `${r.p.name}[${j - r.off}]`; };
  let same = 0; let total = 0; let firstAt: { k: number; t: number; who: number[] } | null = null;
  let membrane = 0; let worstAt = '';
  let dy2 = 0; let y2 = 0;
  let lossCore = 0; let lossRef = 0; let scored = 0;
  const refSpikes = new Float64Array(nRec);
  // The first sequence (and, in the first, the step — the core logs steps of its first sequence) where something saturated.
  const counted = (k: Core) => k.saturations.reduce((a, x) => a + x, 0) + k.adcClips.reduce((a, x) => a + x, 0);
  let before = 0; let firstSat: { k: number; t: number | null } | null = null;
  const { core } = runProgram(prog, samples, {
    seed,
    onSequence: (k: Core, index: number, s: Sample) => {
      const now = counted(k);
      if (!firstSat && now > before) { const t = index === 0 ? k.log.saturated.indexOf(1) : -1; firstSat = { k: index, t: t >= 0 ? t : null }; }
      before = now;
      const obs = k.observed!;
      const ref = simulate(inst, dyn, s.x);
      let diverged = false;
      for (let t = 0; t < T; t++) {
        const who: number[] = [];
        for (let j = 0; j < nRec; j++) {
          const o = t * nRec + j;
          total++;
          if (obs.z[o] === ref.z[o]) same++; else who.push(j);
          if (ref.z[o]) refSpikes[j] = (refSpikes[j] as number) + 1;
        }
        if (who.length > 0) { diverged = true; if (!firstAt) firstAt = { k: index, t, who }; }
        // Membranes of the steps before the first raster difference only (at it, a reset on one side alone differs by a threshold).
        if (!diverged) {
          for (let j = 0; j < nRec; j++) {
            const o = t * nRec + j;
            const e = Math.abs((obs.v[o] as number) - (ref.v[o] as number));
            if (e > membrane) { membrane = e; worstAt = `${nameOf(j)} at step ${t} of sequence ${index}`; }
          }
        }
      }
      for (let q = 0; q < T * nOut; q++) { const d = (k.outputs[q] as number) - (ref.y[q] as number); dy2 += d * d; y2 += (ref.y[q] as number) ** 2; }
      if (s.target || s.label !== undefined) { lossCore += score(k.outputs, s).loss; lossRef += score(ref.y, s).loss; scored++; }
    },
  });
  const dt = prog.symbols.dt;
  const rates: Dynamic['rates'] = {};
  for (const { p, off } of recPops) {
    let nc = 0; let nr = 0;
    for (let j = off; j < off + p.size; j++) { nc += core.spikeCount[j] as number; nr += refSpikes[j] as number; }
    const denom = p.size * T * samples.length * dt;
    rates[p.name] = { core: nc / denom, reference: nr / denom };
  }
  const sat = core.saturationsByRegister();
  const saturations = Object.values(sat.total).reduce((a, x) => a + x, 0);
  const saturationWhere = Object.entries(sat.byPopulation).flatMap(([p, regs]) => Object.entries(regs).filter(([, n]) => n > 0).map(([r, n]) => `${p}'s ${r}: ${n}`));
  if ((sat.total.adc ?? 0) > 0) saturationWhere.push(`ADC clips: ${sat.total.adc}`);
  const fs = firstSat as { k: number; t: number | null } | null;
  if (fs) saturationWhere.push(`the first in sequence ${fs.k} of the task (the data stream of seed ${seed})${fs.t !== null ? `, at step ${fs.t}` : ''}`);
  const te = core.timingErrors[0];
  const fa = firstAt as { k: number; t: number; who: number[] } | null;
  return {
    spiking: nRec > 0,
    agreement: total > 0 ? same / total : 1,
    firstDisagreement: fa ? [`the rasters first differ at step ${fa.t} of sequence ${fa.k}, in ${fa.who.length} neuron${fa.who.length === 1 ? '' : 's'}: ${fa.who.slice(0, 8).map(nameOf).join(', ')}${fa.who.length > 8 ? ', …' : ''}`] : [],
    membrane, lsb: 2 ** -prog.core.registers.membrane.frac,
    worstMembrane: [`the largest membrane difference, ${membrane.toPrecision(4)} (${(membrane / 2 ** -prog.core.registers.membrane.frac).toPrecision(4)} LSB of ${formatName(prog.core.registers.membrane)}), is at ${worstAt || 'no step'}${fa ? `, before the rasters first differ (step ${fa.t} of sequence ${fa.k})` : ''}`],
    outputError: y2 > 0 ? Math.sqrt(dy2 / y2) : (dy2 > 0 ? Infinity : 0),
    loss: scored > 0 ? { core: lossCore / scored, reference: lossRef / scored, relative: relative(lossCore, lossRef) } : null,
    rates, saturations, saturationWhere,
    timingErrors: core.timingErrorCount,
    timingWhere: te ? [`step ${te.step} of sequence ${te.sample} took ${te.cycles} cycles, over the ${core.budget} of dt; it ran long at instruction ${te.address} (${disassemble(prog.code[te.address]!)}; ${prog.symbols.origins[te.address] ?? ''})`] : [],
  };
}

// ---- learning and drift ------------------------------------------------------------------------

type Learning = { ok: false; why: string } | {
  ok: true; iterations: number; last: number;
  core: { loss: number; accuracy: number | null }; reference: { loss: number; accuracy: number | null };
  wear: { max: number; mean: number; where: string };
  energyPerStep: number; learningShare: number;
  drift: { at: { loss: number; error?: number }; after: { loss: number; error?: number } } | null;
};

/** Train on the core and on the float reference from the same initial state; then the drift test. */
function runLearning(program: CheckedProgram, v: CheckedVerify, compiled: CompileResult, seed: number): Learning {
  const ir = { ...lowerTrain(program, v.run), seed };
  if (ir.learn.kind === 'reckon') return { ok: false, why: 'ReckOn\'s rule has no float reference to train the same way (it is its chip\'s own)' };
  const held = heldInstance(compiled);
  const ct = coreTrainer(ir, compiled.program!, { held });
  while (ct.done < ir.iterations) ct.advance();
  const rt = referenceTrainer(ir);
  while (rt.done < ir.iterations) rt.step();
  const last = Math.min(10, ir.iterations);
  const tail = (its: ReadonlyArray<{ loss: number; accuracy?: number }>) => {
    const xs = its.slice(-last);
    const acc = xs.every((m) => m.accuracy !== undefined) ? xs.reduce((a, m) => a + (m.accuracy ?? 0), 0) / xs.length : null;
    return { loss: xs.reduce((a, m) => a + m.loss, 0) / xs.length, accuracy: acc };
  };
  const totals = ct.totals();
  const steps = ir.iterations * ir.batch * taskSteps(ir.task, ir.network.dt);
  // Wear: over the devices of the tiles that hold trainable cells.
  let max = 0; let sum = 0; let n = 0; let at = '';
  const trained = new Set(compiled.program!.targets.filter((t) => t.trainable?.some((x) => x !== 0)).map((t) => t.tile));
  ct.core.tiles.forEach((tile, k) => {
    if (!tile || !trained.has(k)) return;
    const w = tile.dev.wear; const N = tile.perSide;
    for (let i = 0; i < w.length; i++) {
      const x = w[i] as number; sum += x; n++;
      if (x > max) { max = x; const cell = Math.floor(i / (2 * N)); at = `tile ${k}, row ${Math.floor(cell / tile.cols)}, column ${cell % tile.cols}, ${Math.floor(i / N) % 2 === 0 ? 'G+' : 'G−'} device ${i % N}`; }
    }
  });
  const drift = v.driftAfter !== null ? (() => { const a = ct.test(0); const b = ct.test(v.driftAfter!); return { at: a, after: b }; })() : null;
  return {
    ok: true, iterations: ir.iterations, last,
    core: tail(ct.iterations), reference: tail(rt.result().iterations),
    wear: { max, mean: n > 0 ? sum / n : 0, where: at || 'no trained devices' },
    energyPerStep: steps > 0 ? (totals.energy_pj * 1e-12) / steps : 0, learningShare: totals.energy_pj > 0 ? totals.learning_energy_pj / totals.energy_pj : 0,
    drift,
  };
}
