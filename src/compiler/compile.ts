// The compiler's passes in order (lower → instantiate → map → quantise → ranges → emit), for one
// train or run block of a checked program and a core. Each pass is a function of its inputs;
// this module only threads them and collects the diagnostics and the report.
import type { CheckedCore, CheckedNetwork, CheckedProgram, CheckedRun } from './values.ts';
import { diagnose, placeOf, type PassContext } from './context.ts';
import { deviceOf, lowerCore, lowerLearn, lowerNetwork, lowerProbes, lowerTask } from './lower.ts';
import { probeEvery, probeSteps } from '../ir/probes.ts';
import type { ProbeIR, ReckonRuleIR } from '../ir/training.ts';
import type { NetworkIR } from '../ir/network.ts';
import { mapTiles, tilesAtLeast, type TileMap } from './map.ts';
import { quantize, quantizeForLearning, trainableCells, quantizeLearning, weightsOverLearning, type PrecisionRow, type Quantized } from './quantize.ts';
import { analyseRanges, type RangeRow } from './ranges.ts';
import { emit, typicalActive, type Emitted } from './emit.ts';
import { drawFeedback, fixedConnectivity, instantiate, InstantiationError, type Instance } from '../ir/instantiate.ts';
import { endPieces } from '../ir/network.ts';
import { stream } from '../data/random.ts';
import { taskSteps } from '../tasks/generate.ts';
import { cycles, disassemble, fieldMax, fieldNames, fieldSpecs, ISA, operand, type Unit } from '../runtime/isa.ts';
import type { LearningConstants, Program, ReckonConstants, Symbols } from '../runtime/program.ts';
import { formatName } from '../runtime/fixed.ts';
import { diag, DIAG, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { TASK_KINDS } from '../dsl/schema.ts';
import type { Span } from '../dsl/span.ts';

export const PROBE_CODES: Record<string, number> = { spikes: 0, v: 1, a: 2, threshold: 3, i: 4, psi: 5, trace: 6, y: 7, error: 8 };

export interface CompileReport {
  readonly precision: PrecisionRow[];
  readonly ranges: RangeRow[];
  readonly tiles: { readonly needed: number; readonly available: number; readonly shape: string; readonly perTile: Array<{ index: number; pieces: number; synapses: number; utilisation: number; holds: string[] }>; readonly partialSums: TileMap['partialSums'] };
  readonly cycles_per_step: number;
  readonly busy: Readonly<Record<Unit, number>>;
  readonly time_per_step_us: number;
}

export interface CompileResult {
  readonly program: Program | null;
  readonly report: CompileReport | null;
  readonly listing: string[];
  readonly diagnostics: Diagnostic[];
  /** The instance the compiler drew and the weights the devices hold (for comparisons with the reference). */
  readonly instance?: Instance;
  readonly held?: Quantized['weights'];
  /**
   * A program that trains weights: the range analysis with every trainable weight at the largest
   * magnitude the devices hold, sound over whatever learning does to them (phasecore verify's
   * no_overflow). Absent when nothing is trained (the ranges are the report's).
   */
  readonly learnedRanges?: RangeRow[];
}

/** 0-based line and column of an offset in a file (the listing names where each instruction comes from). */
export type PositionOf = (file: string, offset: number) => { line: number; character: number } | undefined;

export interface CompileOptions {
  /** Time steps of the program's loop (default: the task's length). */
  readonly steps?: number;
  readonly position?: PositionOf;
  /**
   * A train block's learning: 'required' — a learn rule the core's learning unit cannot run is an
   * error (train --backend core); 'if_possible' (the default, compile) — such a rule compiles for
   * inference with a warning; 'off' — inference only, without the learning unit (run).
   */
  readonly learning?: 'required' | 'if_possible' | 'off';
  /** The seed (init: weights and B; the run's seed), overriding the block's (train --seed). */
  readonly seed?: number;
}

/**
 * The learning unit's presynaptic traces leak by each population's α (a readout's κ) in the decay
 * unit; rounded to nearest, x·c rounds back to x while x·(1 − c) < ½, so a trace stops decaying at
 * ⌈½/(1 − c)⌉ − 1 LSB. Warned when that is a quarter or more of one spike's increment (pcm256's former
 * u12.8 traces with α = κ = e^(−1/30): 179 %, and the pattern example's first on-chip update comes
 * out 1.4–2.2× the host's float64 one from the same forward; u16.12: 11 %, within 4 %).
 */
function traceDeadbands(q: Quantized, core: Program['core'], ctx: PassContext): Diagnostic[] {
  const R = core.registers;
  if (core.decayMode !== 'multiply' || (R.decay.round !== 'nearest' && R.decay.round !== 'nearest_even')) return [];
  const out: Diagnostic[] = [];
  q.populations.forEach((pop) => {
    const raw = pop.model === 'LI' ? pop.arrays.kappa?.[0] : pop.model === 'LIF' || pop.model === 'ALIF' ? pop.arrays.alpha?.[0] : undefined;
    if (raw === undefined) return;
    const c = raw * 2 ** -R.decay.frac;
    if (!(c < 1)) return;
    const stuck = Math.ceil(0.5 / (1 - c)) - 1; // the largest x (LSB) with x·(1 − c) < ½
    const value = stuck * 2 ** -R.trace.frac;
    const inc = pop.conventions.inputFactor ? 1 - c : 1;
    if (stuck < 1 || value < 0.25 * inc) return;
    const name = pop.name;
    out.push(diagnose(ctx, { population: name }, 'LeakDeadband', `The traces of ${name}'s presynaptic sources leak by ${pop.model === 'LI' ? 'κ' : 'α'} = ${c.toPrecision(4)} rounded to nearest: a trace stops decaying at ${stuck} LSB of ${formatName(R.trace)} (${value.toPrecision(3)}), ${(100 * value / inc).toFixed(0)} % of what one spike adds (${inc.toPrecision(3)}), so traces, eligibilities and gradients never return to zero (on chip they then outgrow the float reference's). Round the decay stochastically (decay = multiply(…, round = stochastic)) or give the trace register more fractional bits; rounding toward zero decays them too fast instead.`));
  });
  return out;
}

/**
 * ReckOn's rule on this core: its registers as the program holds them, or the reasons it cannot
 * run here (ReckOn's chip runs one recurrent LIF population with reset by subtraction, up to 16
 * leaky readouts with a 7-bit κ, no more inputs than recurrent neurons, on a split tick).
 */
function reckonConstants(r: ReckonRuleIR, net: NetworkIR, inst: Instance, q: Quantized, core: Program['core'], steps: number, labelled: boolean, refuse: (m: string) => Diagnostic): { value: ReckonConstants; refusals: Diagnostic[] } {
  const refusals: Diagnostic[] = [];
  const no = (m: string) => refusals.push(refuse(m));
  if (!labelled) no('ReckOn\'s rule classifies (its errors are a label\'s one-hot minus the readouts\' hard sigmoid): give it a task with labels; its regression mode is not modelled.');
  if (core.tick !== 'split') no('ReckOn\'s rule runs in the learning phase of a split tick, between its STEP and event phases: give the core tick = split (as examples/cores/reckon.snn does).');
  const recs = q.populations.filter((p) => p.model === 'LIF' || p.model === 'ALIF');
  const outs = q.populations.filter((p) => p.model === 'LI');
  if (recs.length !== 1 || recs[0]!.model !== 'LIF' || recs[0]!.conventions.reset !== 'subtract' || recs[0]!.conventions.sameStep) no('ReckOn\'s learning unit serves one population of LIF neurons that reset by subtraction in the next step.');
  if (outs.length !== 1 || outs[0]!.size > 16) no('ReckOn\'s learning unit serves one readout population of at most 16 neurons.');
  const { nIn, nRec } = inst.layout;
  if (nIn > nRec) no(`ReckOn's learning unit keeps an input's trace in the neuron word of its index: ${nIn} inputs need at least as many recurrent neurons (the network has ${nRec}).`);
  const kappa = outs[0]?.arrays.kappa?.[0] ?? 0;
  if (core.registers.decay.frac !== 15 || kappa % 256 !== 0) no('ReckOn\'s output trace leaks by the readouts\' 7-bit κ: give the core decay = multiply(q1.15, …) and the readout a τ whose κ is a multiple of 2^−7.');
  if (core.device.kind !== 'ideal') no('ReckOn\'s weights are int8 in SRAM: give the core ideal devices (as examples/cores/reckon.snn does).');
  for (const [name, xs] of [['trace_shift', r.traceShift], ['lr_shift', r.lrShift], ['lr_rshift', r.lrRShift]] as const) if (xs.some((x) => !Number.isInteger(x))) no(`${name} holds shifts, whole numbers; it is [${xs.join(', ')}].`);
  // The weights as int8 times 2^weight_shift, in the weight units the devices hold.
  const unit = 2 ** r.weightShift;
  for (const [name, b] of [['input', inst.inRec], ['recurrent', inst.recRec], ['readout', inst.recOut]] as const) {
    const bad = Array.from(b.w).findIndex((w) => !Number.isInteger(w / unit) || w / unit > 127 || w / unit < -128);
    if (bad >= 0) { no(`ReckOn's ${name} weights are int8 times 2^weight_shift = ${unit}; weight ${bad} is ${b.w[bad]}.`); break; }
  }
  const trainable = (role: 'input' | 'population', target: 'population' | 'readout') => net.projections.some((pr) => pr.trainable && net.populations.find((x) => x.name === pr.source.name)?.role === role && (net.groups[pr.target.name] ?? [pr.target.name]).some((m) => net.populations.find((x) => x.name === m)?.role === target));
  const window = Math.min(steps, Math.max(1, Math.round(r.window / net.dt)));
  return {
    refusals,
    value: {
      windowStart: steps - window,
      learn: (trainable('input', 'population') ? 1 : 0) | (trainable('population', 'population') ? 2 : 0) | (trainable('population', 'readout') ? 4 : 0),
      weightShift: r.weightShift, traceShift: r.traceShift, signalScale: r.signalScale, hThreshold: r.hThreshold,
      lrShift: r.lrShift, lrRShift: r.lrRShift,
      regularize: { none: 0, input: 1, recurrent: 2, both: 3 }[r.regularize], regF0: r.regF0, regShift: [r.regShift, r.regShift],
    },
  };
}

/**
 * The initialisation pass: draw (or load) what the init stream gives — the network's weights and
 * parameters, the feedback matrix B — as a pass's `{ value, diagnostics }`. The drawing itself is
 * src/ir's (shared with the float reference), which signals data that changed since the check
 * (SNN4017) by its own error type; here it becomes a diagnostic at `at`.
 */
function initialise<T>(draw: () => T, at: { file: string; span: Span }): { value: T | null; diagnostics: Diagnostic[] } {
  try {
    return { value: draw(), diagnostics: [] };
  } catch (e) {
    if (e instanceof InstantiationError) return { value: null, diagnostics: [diag('DataUnusable', at.file, at.span, e.message)] };
    throw e;
  }
}

export function compileRun(program: CheckedProgram, run: CheckedRun, core: CheckedCore, opts: CompileOptions = {}): CompileResult {
  const p = run.params.params;
  const netName = p.network?.t === 'ref' ? p.network.name : '';
  const checkedNet = program.networks.get(netName);
  if (!checkedNet) throw new Error('internal: compile needs a checked network');
  const net = lowerNetwork(checkedNet);
  const ctx = passContext(run, checkedNet, core);
  const seed = opts.seed ?? (p.seed?.t === 'int' ? p.seed.value : 0);
  const coreConfig = lowerCore(core);
  const device = deviceOf(coreConfig);
  const diagnostics: Diagnostic[] = [];
  const failed = (ds: readonly Diagnostic[]): CompileResult => ({ program: null, report: null, listing: [], diagnostics: [...diagnostics, ...ds] });
  const shape = { rows: coreConfig.rows, cols: coreConfig.cols, tiles: coreConfig.tiles };
  // Cheap checks first: the synapses the declared sizes imply, against what the tiles can hold;
  // then, without sparse projections, the connectivity, known without drawing a weight, so a
  // network too large for the core is refused before its initialisation runs.
  const least = tilesAtLeast(net, shape);
  if (least.tiles > shape.tiles) {
    return failed([diagnose(ctx, { core: 'tiles' }, 'TooFewTiles', `Network ${net.name} needs at least ${least.tiles} tiles of ${shape.rows} x ${shape.cols} for its ${least.synapses} synapses (a tile holds ${shape.rows * shape.cols}); the core has ${shape.tiles}.`)]);
  }
  const exact = !net.projections.some((pr) => pr.conn === 'sparse');
  const early = exact ? mapTiles(net, fixedConnectivity(net), shape, ctx) : null;
  if (early && !early.value) return failed(early.diagnostics);
  const initRng = stream(seed, 'init');
  const drawn = initialise(() => instantiate(net, initRng), { file: run.file, span: run.params.spans.network ?? run.span });
  if (!drawn.value) return failed(drawn.diagnostics);
  const inst: Instance = drawn.value;
  const mapped = early ?? mapTiles(net, inst, shape, ctx);
  diagnostics.push(...mapped.diagnostics);
  if (!mapped.value) return failed([]);
  const map = mapped.value;
  const q = quantize(net, inst, coreConfig, device, map, ctx);
  diagnostics.push(...q.diagnostics);
  const ranges = analyseRanges(net, inst, q.value, coreConfig, device, map, ctx);
  diagnostics.push(...ranges.diagnostics);
  const taskName = p.task?.t === 'ref' ? p.task.name : '';
  const taskIR = program.tasks.get(taskName);
  const steps = opts.steps ?? (taskIR ? taskSteps(lowerTask(taskIR), net.dt) : 1);
  // The PROBE instruction carries what and whom; its schedule (every, start, stop, in steps) goes
  // in the program's PROB section, and the listing says it in words.
  const probes = lowerProbes(run).flatMap((pr, k) => pr.targets.flatMap((t) => endPieces(net, t).map((piece) => {
    const at = probeSteps(pr, steps, net.dt);
    return {
      variable: PROBE_CODES[pr.variable] ?? 0,
      population: net.populations.indexOf(piece.population),
      lo: piece.lo, count: piece.hi - piece.lo,
      every: probeEvery(pr, net.dt), start: at[0] ?? 0, stop: at.at(-1) ?? 0,
      schedule: scheduleText(pr, net.dt, steps), probe: k,
    };
  })));
  // The learning rule (a train block): its constants, and on chip the learning unit's per-neuron
  // constants, trainable cells and per-step instructions. A rule the unit cannot run compiles
  // for inference with a warning that says why — unless the caller requires learning on chip.
  const learnName = p.learn?.t === 'ref' ? p.learn.name : undefined;
  const learn = learnName ? program.learns.get(learnName) : undefined;
  const l = learn ? lowerLearn(learn) : null;
  const batch = p.batch?.t === 'int' ? p.batch.value : 1;
  let learning: LearningConstants | null = null;
  let reckon: ReckonConstants | null = null;
  let onChip = false;
  let trains = false;
  if (learn && l && l.kind === 'reckon' && opts.learning !== 'off') {
    const at = { file: run.file, span: run.params.spans.learn ?? run.span };
    const t = taskIR ? lowerTask(taskIR) : null;
    const labelled = t !== null && (t.kind === 'npy' ? t.labels !== null : TASK_KINDS[t.kind]?.supervision === 'label');
    const k = reckonConstants(l.reckon!, net, inst, q.value, coreConfig, steps, labelled, (m) => diag('NotOnChip', at.file, at.span, m));
    if (k.refusals.length > 0 && opts.learning === 'required') return failed(k.refusals);
    if (k.refusals.length > 0) diagnostics.push(...k.refusals.map((d) => diag('LearningOffChip', d.file, d.span, `${d.message} The program is compiled for inference only.`)));
    else {
      reckon = k.value;
      trains = true;
      const masks = trainableCells(net, inst, q.value, coreConfig, map);
      masks.forEach((mask, i) => { q.value.targets[i] = { ...q.value.targets[i]!, trainable: mask }; });
    }
  } else if (learn && l && opts.learning !== 'off') {
    let B: Float64Array | null = null;
    const feedback = l.kind === 'eprop' ? l.feedback : null;
    if (feedback?.kind === 'symmetric') B = inst.recOut.w;
    else if (feedback) {
      const dist = feedback.B;
      const fb = initialise(() => drawFeedback(dist, inst.layout, initRng), { file: run.file, span: run.params.spans.learn ?? run.span });
      if (!fb.value) return failed(fb.diagnostics);
      B = fb.value;
    }
    const at = { file: run.file, span: run.params.spans.learn ?? run.span };
    const kappas = Int32Array.from(q.value.populations.filter((x) => x.model === 'LI').flatMap((x) => [...x.arrays.kappa!]));
    const learned = quantizeLearning(l, B, coreConfig, device, { steps, batch, dt: net.dt, kappas }, at);
    const arrays = l.kind === 'eprop' && l.placement === 'on_chip' ? quantizeForLearning(net, inst, q.value, coreConfig, map, ctx) : null;
    const found = [...learned.diagnostics, ...(arrays?.diagnostics ?? [])];
    const refusals = found.filter((d) => d.code === DIAG.NotOnChip.code);
    const others = found.filter((d) => d.code !== DIAG.NotOnChip.code);
    diagnostics.push(...others);
    if (hasErrors(others)) return failed([]);
    if (refusals.length > 0 && opts.learning === 'required') return failed(refusals);
    if (refusals.length > 0) {
      diagnostics.push(...refusals.map((d) => diag('LearningOffChip', d.file, d.span, `${d.message} The program is compiled for inference only.`)));
    } else {
      q.value.precision.push(...learned.value.rows);
      learning = learned.value.constants;
      for (const p of net.populations) {
        if (p.role === 'readout' && p.params.trainable.includes('bias')) diagnostics.push(diagnose(ctx, { population: p.name }, 'NotTrainedOnCore', `${p.name}'s bias is declared trainable, but training on the core leaves it as compiled: the chip holds readout biases in its program, not in devices (the float reference trains it).`));
      }
      if (arrays) {
        onChip = true;
        for (const [i, a] of arrays.value.arrays) Object.assign(q.value.populations[i]!.arrays, a);
        diagnostics.push(...traceDeadbands(q.value, coreConfig, ctx));
      }
      // The cells the unit writes: on chip its own changes, chip in the loop the host's.
      const masks = arrays ? arrays.value.trainable : trainableCells(net, inst, q.value, coreConfig, map);
      trains = true;
      masks.forEach((mask, k) => { q.value.targets[k] = { ...q.value.targets[k]!, trainable: mask }; });
    }
  }
  const emitted = emit(net, map, coreConfig, steps, probes, onChip && l ? { loss: l.loss.kind, scheme: l.update.kind, write: l.write, batch: l.write === 'batch' ? batch : 1, regularizer: l.regularizer.kind === 'rate' && l.regularizer.strength > 0 ? l.regularizer.mode : 'none', refresh: coreConfig.device.refresh !== null } : null,
    reckon ? { tiles: map.tiles.filter((t) => t.pieces.length > 0).map((t) => t.index) } : null);
  const overflow = fieldOverflows(emitted, ctx, run);
  if (overflow.length > 0) return failed(overflow);
  // Where each instruction comes from: its populations' and projections' declarations, `file:line:col`.
  const placesOf = (from: Emitted['sources'][number]) => [...from.populations.map((population) => ctx.locate?.({ population })), ...from.projections.map((projection) => ctx.locate?.({ projection })), ...(from.probes ?? []).map((probe) => ctx.locate?.({ probe }))]
    .flatMap((pl) => { const pos = pl && opts.position?.(pl.file, pl.span.start); return pl && pos ? [{ file: pl.file, line: pos.line + 1, column: pos.character + 1 }] : []; });
  const locate = (from: Emitted['sources'][number]): string => {
    const byFile = new Map<string, string[]>();
    for (const pl of placesOf(from)) byFile.set(pl.file, [...(byFile.get(pl.file) ?? []), `${pl.line}:${pl.column}`]);
    return [...byFile].map(([file, at]) => `${file}:${at.join(', ')}`).join('; ');
  };
  // The program's symbols: names, layout, and the first source place of every instruction.
  const files: string[] = [];
  const spans = emitted.sources.map((from) => {
    const first = placesOf(from)[0];
    if (!first) return { file: -1, line: 0, column: 0 };
    if (!files.includes(first.file)) files.push(first.file);
    return { file: files.indexOf(first.file), line: first.line, column: first.column };
  });
  const layout = inst.layout;
  const symbols: Symbols = {
    network: net.name, dt: net.dt, files, spans, origins: emitted.origin,
    layout: net.populations.map((pp) => {
      const o = layout.offsets.get(pp.name)!;
      return { space: o.space, offset: o.offset, accumulator: o.space === 'rec' ? o.offset : o.space === 'out' ? layout.nRec + o.offset : -1 };
    }),
  };
  const samples = p.samples?.t === 'int' ? p.samples.value : 1;
  const prog: Program = {
    core: coreConfig, populations: q.value.populations, targets: q.value.targets, code: emitted.code, probes: emitted.probes,
    learning, reckon, symbols, run: { steps, samples, seed, task: taskIR ? lowerTask(taskIR) : null, loss: l ? l.loss : null },
  };
  const listing = emitted.code.map((ins, addr) => {
    const spec = ISA[ins.op];
    const loc = locate(emitted.sources[addr]!);
    return `${String(addr).padStart(4, '0')}  ${disassemble(ins).padEnd(64)} ${spec.unit.padEnd(11)} ${String(cycles(coreConfig, ins, typicalActive(ins, coreConfig.lanes))).padStart(5)} cy  ; ${emitted.origin[addr]}${loc ? `  (${loc})` : ''}`;
  });
  const report: CompileReport = {
    precision: q.value.precision,
    ranges: ranges.value,
    tiles: {
      needed: map.tiles.length, available: coreConfig.tiles, shape: `${coreConfig.rows} x ${coreConfig.cols}`,
      perTile: map.tiles.map((t) => ({ index: t.index, pieces: t.pieces.length, synapses: t.synapses, utilisation: t.utilisation, holds: t.pieces.map((p) => p.label) })),
      partialSums: map.partialSums,
    },
    cycles_per_step: emitted.cyclesPerStep,
    busy: emitted.busy,
    time_per_step_us: (emitted.cyclesPerStep / coreConfig.clockHz) * 1e6,
  };
  const learnedRanges = trains ? analyseRanges(net, inst, weightsOverLearning(net, inst, q.value, device), coreConfig, device, map, ctx).value : undefined;
  return { program: prog, report, listing, diagnostics, instance: inst, held: q.value.weights, ...(learnedRanges ? { learnedRanges } : {}) };
}

/** `every 5 steps from step 10 to 50` (`every step` for the defaults). */
function scheduleText(p: ProbeIR, dt: number, steps: number): string {
  const at = probeSteps(p, steps, dt);
  const every = probeEvery(p, dt);
  const first = at[0] ?? 0;
  const last = at.at(-1) ?? 0;
  return `${every === 1 ? 'every step' : `every ${every} steps`}${p.start > 0 || p.stop !== null ? ` from step ${first} to ${last}` : ''}`;
}

/**
 * Every operand must fit its field (the ISA table's widths): a network too large for the
 * instruction set is a user error at the declaration the instruction serves, never a program
 * with a truncated field or an encoder's internal error.
 */
function fieldOverflows(emitted: Emitted, ctx: PassContext, run: CheckedRun): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  emitted.code.forEach((ins, addr) => {
    for (const name of fieldNames(ins.op)) {
      const v = operand(ins, name);
      const max = fieldMax(ins.op, name);
      if (v <= max || seen.has(`${ins.op}.${name}`)) continue;
      seen.add(`${ins.op}.${name}`);
      const from = emitted.sources[addr]!;
      const at = from.populations[0] !== undefined ? placeOf(ctx, { population: from.populations[0] })
        : from.projections[0] !== undefined ? placeOf(ctx, { projection: from.projections[0] })
          : from.probes?.[0] !== undefined ? placeOf(ctx, { probe: from.probes[0] })
          : { file: run.file, span: run.params.spans.task ?? run.span };
      out.push(diag('FieldOverflow', at.file, at.span, `${emitted.origin[addr]} needs ${ins.op}.${name} = ${v}, but the instruction set gives ${name} ${fieldSpecs(ins.op)[name]?.bits} bits (at most ${max}); the core cannot run this network as declared.`));
    }
  });
  return out;
}

/** The compiler's context for one block: diagnostics point at the declaration they are about. */
function passContext(run: CheckedRun, net: CheckedNetwork, core: CheckedCore): PassContext {
  return {
    file: run.file, span: run.params.spans.core ?? run.span,
    locate: (s) => {
      if ('population' in s) { const n = net.neurons.find((x) => x.name === s.population); return n ? { file: n.file, span: n.span } : undefined; }
      if ('projection' in s) { const pr = net.projections[s.projection]; return pr ? { file: net.file, span: pr.span } : undefined; }
      if ('probe' in s) { const pr = run.probes[s.probe]; return pr ? { file: run.file, span: pr.span } : undefined; }
      return core.where[s.core] ?? { file: core.file, span: core.span };
    },
  };
}
