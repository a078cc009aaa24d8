// Training on the core (`train --backend core`): the compiled program runs each sequence of a
// batch on the emulated chip, its learning unit updating the devices as the program says; the
// host only supplies inputs and targets, and scores the outputs with the loss (a metric, in
// float64, as `run` scores them). One iteration = one batch, as the reference's.
//
// The trainer advances a sequence at a time, so that a run can stop — and checkpoint — inside a
// batch (a batch-end write has not happened yet: its weight changes are in the core's registers,
// and in the checkpoint). Everything it keeps between sequences lives in `state`, which the
// checkpoint walks together with the core (src/runtime/checkpoint.ts); the batch being run is
// not kept but drawn again from the data stream's state at the batch's start.
//
// Chip in the loop (`placement = chip_in_the_loop`, Bohnstingl et al. 2022): the core runs the
// forward pass on its PCM crossbar and reports every recurrent neuron's spike and distance to
// threshold each step; the host turns them into pseudo-derivatives (the file's surrogate, in
// float64), and the float reference's own learner — the seam in src/reference/train.ts — computes
// the e-prop gradients and runs the optimizer (Adam too) on the host's float64 copy of the
// weights; the change is put into the learning unit's weight-change registers and written with
// the file's scheme. The host holds a batch's forward passes until the batch ends, so this mode
// advances, and checkpoints, a batch at a time.
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { TrainIR } from '../ir/training.ts';
import { instantiate, type Instance } from '../ir/instantiate.ts';
import { referenceLearner, testRng, type ReferenceLearner, type TestResult } from '../reference/train.ts';
import { psi as surrogate } from '../reference/surrogates.ts';
import type { Trace } from '../reference/simulate.ts';
import { nearest } from '../runtime/fixed.ts';
import { MT19937, STREAMS, stream } from '../data/random.ts';
import { VALIDATION_SEQUENCES } from '../ir/memory.ts';
import { heldOut, taskData, type Sample } from '../tasks/generate.ts';
import { lossAndError } from '../reference/loss.ts';
import type { IterationMetrics, TrainResult } from '../reference/train.ts';
import { Core } from '../runtime/core.ts';
import { LEARNING_COUNTED } from '../runtime/learning.ts';
import { hardSigmoid, RECKON_TARGET } from '../runtime/reckon.ts';
import { encodeProgram, type Program } from '../runtime/program.ts';
import { assignInto, CheckpointError, reachable, readCheckpoint, restoreCheckpoint, writeCheckpoint } from '../runtime/checkpoint.ts';

/** What the core did in one iteration (or over the run, in `final`). */
export interface CoreCounters {
  readonly pulses: number; readonly resets: number; readonly refreshes: number;
  readonly saturations: number; readonly learning_saturations: Record<string, number>;
  readonly cycles: number; readonly learning_cycles: number;
  readonly energy_pj: number; readonly learning_energy_pj: number;
  /** program_verify: programming attempts, and devices left outside the tolerance. */
  readonly verify_attempts: number; readonly verify_failures: number;
  /** ReckOn's learning unit: learning ticks run, weight words written, ±1 weight steps taken, and steps refused at the int8 range. */
  readonly reckon?: { readonly ticks: number; readonly words: { readonly input: number; readonly recurrent: number; readonly readout: number }; readonly updates: number; readonly clipped: number };
}
export interface CoreIterationMetrics extends IterationMetrics { readonly counters: CoreCounters }

export interface CoreTrainer {
  readonly total: number;
  /** Iterations finished. */
  readonly done: number;
  /** Sequences of the current iteration's batch run so far (0 between iterations). */
  readonly position: number;
  /** It advances (and can stop and checkpoint) a sequence at a time; chip in the loop, a batch at a time. */
  readonly sequenceWise: boolean;
  readonly core: Core;
  /** Run the next sequence; at a batch's end, the iteration's metrics (else null). */
  advance(): CoreIterationMetrics | null;
  /** Run sequences until the current iteration ends; its metrics. */
  step(): CoreIterationMetrics;
  /** Counters summed over every iteration run. */
  totals(): CoreCounters;
  /** The metrics of every finished iteration (those before a resume included). */
  readonly iterations: readonly CoreIterationMetrics[];
  /** The trained network as the devices hold it (weights read from the devices; the rest as compiled). */
  result(held: Instance): TrainResult;
  /** The whole state, as a checkpoint file's bytes. */
  checkpoint(meta: Record<string, unknown>): Uint8Array;
  /** Chip in the loop: the host's float64 network (its weights the optimizer's, beside the devices'); null on chip. */
  readonly host: Instance | null;
  /**
   * The test after training (the block's test_after): `after` seconds of simulated time pass with
   * the core unused — its devices drift, nothing is rewritten, drift compensation (when the device
   * has it) reads the tiles' gain again — then the trained core runs fresh samples with learning off.
   */
  test(after: number): TestResult;
}

/** The program's identity in a checkpoint: the SHA-256 of its encoding, its files by name (not as paths from wherever it was compiled). */
export const programHash = (p: Program): string => createHash('sha256').update(encodeProgram({ ...p, symbols: { ...p.symbols, files: p.symbols.files.map((f) => basename(f)) } })).digest('hex');

interface Snapshot { reckon: { ticks: number; input: number; recurrent: number; readout: number; updates: number; clipped: number } | null; pulses: number; resets: number; refreshes: number; saturations: number; learning: Float64Array; cycles: number; learningCycles: number; energy: number; learningEnergy: number; attempts: number; failures: number }

/**
 * A trainer for `ir` on `program`'s core; with `resume` (a checkpoint file's bytes) it continues
 * that run exactly where it stopped (a CheckpointError when the checkpoint is of another program
 * or another phasecore).
 */
export function coreTrainer(ir: TrainIR, program: Program, opts: { readonly resume?: Uint8Array; readonly held?: Instance } = {}): CoreTrainer {
  const { resume } = opts;
  const net = ir.network;
  const core = new Core(program, { seed: ir.seed, samples: 1 });
  const loop = program.learning?.placement === 'chip_in_the_loop';
  if (loop && !opts.held) throw new Error('internal: chip-in-the-loop training needs the network as the core holds it');
  const host = loop ? hostLearner(ir, opts.held!, core) : null;
  const task = taskData(ir.task, net.dt);
  // An npy task's held-out set, run whole in file order; else fresh samples of the task.
  const held = heldOut(ir.task);
  const validationTask = held ? held.data : ir.task.kind === 'pattern_generation' ? task : taskData(ir.task, net.dt);
  const validationSize = held ? held.size : VALIDATION_SEQUENCES;
  const reckon = core.reckonLearn;
  const { nRec, nOut } = { nRec: core.nRec, nOut: core.nOut };
  const recPops = program.populations.map((p, i) => ({ p, at: program.symbols.layout[i]!.offset })).filter(({ p }) => p.model === 'LIF' || p.model === 'ALIF');
  const lrBase = core.learn ? { ...program.learning!.lr } : null;
  const state = {
    /** Iterations finished, and sequences of the current batch run. */
    it: 0, pos: 0,
    dataRng: stream(ir.seed, 'data'),
    validationRng: MT19937.fromArray([ir.seed >>> 0, STREAMS.data, 1]),
    /** The data stream, and the task's state, as they were when the current batch was drawn (the batch is drawn again from them on resume). */
    batchRng: stream(ir.seed, 'data'),
    taskAtBatch: null as unknown,
    loss: 0, correct: 0, spikes0: new Float64Array(nRec),
    before: snapshot(core), start: snapshot(core),
    iterations: [] as CoreIterationMetrics[],
  };
  const hash = programHash(program);
  const skip = reachable(program, core.options);
  const roots = {
    core: core as unknown, trainer: state as unknown,
    tasks: { train: task.state ?? null, validation: validationTask !== task ? (validationTask.state ?? null) : null } as unknown,
    ...(host ? { host: { inst: host.learner.inst, B: host.learner.B, optimizers: host.learner.optimizers } as unknown } : {}),
  };
  if (resume) {
    // What a task's first batch draws is out of the walk's reach (pattern generation's frozen
    // patterns, drawn from the data stream at the run's start): draw it as the run did; the data
    // stream itself is then restored.
    if (task.drawsOnce) task.batch(1, stream(ir.seed, 'data'));
    const cp = readCheckpoint(resume);
    if (cp.meta.program_sha256 !== hash) throw new CheckpointError('it is of another program: the file, its --set overrides or the core it compiles for differ from the run that wrote it');
    try {
      restoreCheckpoint(cp, roots, skip);
    } catch (e) {
      if (e instanceof CheckpointError) throw e;
      throw new CheckpointError(`it is damaged (${(e as Error).message})`);
    }
    // The position it resumes from must be one of this run's.
    const whole = (x: unknown, lo: number, hi: number) => Number.isInteger(x) && (x as number) >= lo && (x as number) <= hi;
    if (!whole(state.it, 0, ir.iterations) || state.iterations.length !== state.it) throw new CheckpointError(`it is damaged (it stands at iteration ${String(state.it)} of ${ir.iterations}, with ${state.iterations.length} iterations' metrics)`);
    if (!whole(state.pos, 0, ir.batch - 1) || (state.pos > 0 && state.it >= ir.iterations)) throw new CheckpointError(`it is damaged (it stands at sequence ${String(state.pos)} of a batch of ${ir.batch})`);
    for (const t of [task, validationTask]) { const why = t.checkState?.(); if (why) throw new CheckpointError(`it is damaged (${why})`); }
    if (state.taskAtBatch !== null && task.state) {
      const probe = structuredClone(task.state);
      assignInto(task.state, structuredClone(state.taskAtBatch));
      const why = task.checkState?.();
      assignInto(task.state, probe);
      if (why) throw new CheckpointError(`it is damaged (at the batch's start ${why})`);
    }
  }
  let batch: Sample[] | null = null;
  if (state.pos > 0) {
    // Inside a batch: draw it again as it was drawn (the task then stands where it stood).
    if (task.state && state.taskAtBatch) assignInto(task.state, structuredClone(state.taskAtBatch));
    batch = task.batch(ir.batch, state.batchRng.clone());
  }

  const run = (s: Sample) => {
    core.runSequence(s.x, 0, undefined, { ...(s.target ? { target: s.target } : {}), ...(s.label !== undefined ? { label: s.label } : {}) });
    if (reckon) return reckonScore(core.outputs, core.steps, nOut, program.reckon!.windowStart, s.label!);
    return lossAndError(ir.learn.loss, core.outputs, core.steps, nOut, s, net.dt);
  };
  /** Chip in the loop: a whole batch — the core's forward passes, then the host's gradients, optimizer step and write. */
  const loopBatch = (b: Sample[]): void => {
    const traces: Trace[] = [];
    for (const s of b) {
      const res = run(s);
      state.loss += res.loss / b.length;
      if (res.correct) state.correct++;
      traces.push(host!.trace());
    }
    host!.learn(b, traces, state.it);
    state.pos = b.length;
  };
  const finish = (n: number): CoreIterationMetrics => {
    let total = 0;
    const population_hz: Record<string, number> = {};
    for (const { p, at } of recPops) {
      let k = 0;
      for (let j = at; j < at + p.size; j++) k += (core.spikeCount[j] as number) - (state.spikes0[j] as number);
      total += k;
      population_hz[p.name] = k / (p.size * core.steps * n * net.dt);
    }
    const it = state.it;
    const validate = ir.validateEvery > 0 && ((it + 1) % ir.validateEvery === 0 || it === ir.iterations - 1);
    let validation = {};
    if (validate) {
      // Validation runs the same core. ReckOn's learning unit is switched off for it, as its
      // testbench does (DO_EPROP = 0: no updates, no trace increments; the LFSRs run on); phasecore's
      // keeps learning (it has no inference-only mode here), so its figure is on-line, as a chip
      // in the field would give it.
      let vl = 0; let wrong = 0;
      const vs = validationTask.batch(validationSize, state.validationRng);
      if (reckon) reckon.enabled = 0;
      for (const s of vs) { const r = run(s); vl += r.loss / vs.length; if (r.correct === false) wrong++; }
      if (reckon) reckon.enabled = program.reckon!.learn;
      validation = { validation_loss: vl, ...(task.classification ? { validation_error: wrong / vs.length } : {}) };
    }
    const now = snapshot(core);
    const counters = diff(now, state.before);
    state.before = now;
    const m: CoreIterationMetrics = {
      iteration: it, loss: state.loss, ...(task.classification ? { accuracy: state.correct / n } : {}),
      rate_hz: nRec > 0 ? total / (nRec * core.steps * n * net.dt) : 0, population_hz, ...validation, counters,
    };
    state.iterations.push(m);
    state.it++; state.pos = 0; batch = null;
    return m;
  };
  const advance = (): CoreIterationMetrics | null => {
    if (state.it >= ir.iterations) throw new Error('internal: training is finished');
    if (state.pos === 0) {
      // The schedule: the host rewrites the learning-rate register between iterations.
      if (lrBase && ir.learn.schedule.kind === 'step') core.learning.setLearningRate(lrBase, ir.learn.schedule.factor ** Math.floor(state.it / ir.learn.schedule.every));
      state.batchRng = state.dataRng.clone();
      state.taskAtBatch = task.state ? structuredClone(task.state) : null;
      batch = task.batch(ir.batch, state.dataRng);
      state.loss = 0; state.correct = 0;
      state.spikes0.set(core.spikeCount);
    }
    const b = batch!;
    if (loop) { loopBatch(b); return finish(b.length); }
    const res = run(b[state.pos]!);
    state.loss += res.loss / b.length;
    if (res.correct) state.correct++;
    state.pos++;
    return state.pos === b.length ? finish(b.length) : null;
  };
  return {
    total: ir.iterations,
    get done() { return state.it; },
    get position() { return state.pos; },
    sequenceWise: !loop,
    host: host ? host.learner.inst : null,
    core,
    advance,
    step: () => { for (;;) { const m = advance(); if (m) return m; } },
    test: (after) => {
      core.wait(after);
      core.frozen = true;
      if (reckon) reckon.enabled = 0;
      const samples = validationTask.batch(validationSize, testRng(ir.seed));
      let loss = 0; let wrong = 0;
      for (const s of samples) { const r = run(s); loss += r.loss / samples.length; if (r.correct === false) wrong++; }
      core.frozen = false;
      if (reckon) reckon.enabled = program.reckon!.learn;
      return { after_s: after, loss, ...(task.classification ? { error: wrong / samples.length } : {}), samples: samples.length };
    },
    totals: () => diff(snapshot(core), state.start),
    get iterations() { return state.iterations; },
    result: (held) => {
      const w = core.deviceWeights();
      const block = (b: Instance['inRec'], x: Float64Array) => ({ ...b, w: x });
      const instance: Instance = { ...held, inRec: block(held.inRec, w.inRec), recRec: block(held.recRec, w.recRec), inOut: block(held.inOut, w.inOut), recOut: block(held.recOut, w.recOut) };
      const L = program.learning;
      // B: the host's (chip in the loop: adaptive feedback trains it), the program's, or the readout weights (symmetric).
      const B = host && L?.feedback !== 'symmetric' ? Float64Array.from(host.learner.B)
        : L && L.feedback !== 'symmetric' ? Float64Array.from(L.B, (b) => b * 2 ** -program.core.registers.weight.frac) : w.recOut;
      return { iterations: state.iterations, instance, feedback: B, last: null };
    },
    checkpoint: (meta) => writeCheckpoint(roots as Record<string, unknown>, skip, { ...meta, program_sha256: hash, iterations_done: state.it, sequence_in_batch: state.pos }),
  };
}

/**
 * How ReckOn's host scores a sample (its testbench): over the window's outputs (each leaked by the
 * next STEP phase, as the chip's winner logic reads them), the class predicted is the argmax (strict >:
 * ties to the lower class) at the most steps, ties again to the lower; the loss is the rule's own
 * objective, ½ Σ_k (y*_k − hs(vo_k))² with the hard sigmoid hs and y* = 1 for the label, 0 else
 * (vo in units of its 2048), averaged over the window.
 */
export function reckonScore(y: Float64Array, T: number, nOut: number, start: number, label: number): { loss: number; correct: boolean; predicted: number } {
  const votes = new Float64Array(nOut);
  let loss = 0;
  for (let t = start; t < T; t++) {
    let best = 0;
    for (let k = 0; k < nOut; k++) {
      const vo = y[t * nOut + k] as number;
      if (vo > (y[t * nOut + best] as number)) best = k;
      const d = (k === label ? 1 : 0) - hardSigmoid(vo) / RECKON_TARGET;
      loss += (0.5 * d * d) / (T - start);
    }
    votes[best] = (votes[best] as number) + 1;
  }
  let win = 0;
  for (let k = 1; k < nOut; k++) if ((votes[k] as number) > (votes[win] as number)) win = k;
  return { loss, correct: win === label, predicted: win };
}

function snapshot(core: Core): Snapshot {
  const l = core.learn;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, x) => a + x, 0);
  const sat = core.saturationsByRegister().total;
  const rk = core.reckonLearn?.counts;
  // ReckOn's unit counts its own registers' saturations: its traces and learning signals.
  const learning = l ? Float64Array.from(l.saturations) : rk ? Float64Array.from(LEARNING_COUNTED, (r) => (r === 'trace' ? rk.traceSaturations : r === 'learning_signal' ? rk.signalSaturations : 0)) : new Float64Array(0);
  return {
    reckon: rk ? { ticks: rk.ticks, input: rk.wordsIn, recurrent: rk.wordsRec, readout: rk.wordsOut, updates: rk.updates, clipped: rk.clipped } : null,
    pulses: l?.counts.setPulses ?? 0, resets: l?.counts.resetPulses ?? 0, refreshes: l?.counts.refreshes ?? 0,
    saturations: sum(sat) + learning.reduce((a, x) => a + x, 0), learning,
    cycles: core.board.end, learningCycles: core.board.busy.learning,
    energy: sum(core.energy()) + sum(core.learningEnergy()), learningEnergy: sum(core.learningEnergy()),
    attempts: l?.counts.verifyAttempts ?? 0, failures: l?.counts.verifyFailures ?? 0,
  };
}

function diff(a: Snapshot, b: Snapshot): CoreCounters {
  return {
    pulses: a.pulses - b.pulses, resets: a.resets - b.resets, refreshes: a.refreshes - b.refreshes,
    saturations: a.saturations - b.saturations,
    learning_saturations: Object.fromEntries(LEARNING_COUNTED.map((r, i) => [r, (a.learning[i] ?? 0) - (b.learning[i] ?? 0)]).filter(([, v]) => (v as number) > 0)),
    cycles: a.cycles - b.cycles, learning_cycles: a.learningCycles - b.learningCycles,
    energy_pj: a.energy - b.energy, learning_energy_pj: a.learningEnergy - b.learningEnergy,
    verify_attempts: a.attempts - b.attempts, verify_failures: a.failures - b.failures,
    ...(a.reckon && b.reckon ? { reckon: { ticks: a.reckon.ticks - b.reckon.ticks, words: { input: a.reckon.input - b.reckon.input, recurrent: a.reckon.recurrent - b.reckon.recurrent, readout: a.reckon.readout - b.reckon.readout }, updates: a.reckon.updates - b.reckon.updates, clipped: a.reckon.clipped - b.reckon.clipped } } : {}),
  };
}

/**
 * The host's side of chip-in-the-loop training: the reference's learner on the network as the
 * core holds it (the host's float64 copy of its weights starts from the programmed targets), the
 * core's forward read as the reference's Trace, and the write of the optimizer's change.
 */
function hostLearner(ir: TrainIR, held: Instance, core: Core): { learner: ReferenceLearner; trace(): Trace; learn(batch: Sample[], traces: Trace[], it: number): void } {
  const copy = (b: Instance['inRec']) => ({ ...b, w: Float64Array.from(b.w) });
  const inst: Instance = { ...held, inRec: copy(held.inRec), recRec: copy(held.recRec), inOut: copy(held.inOut), recOut: copy(held.recOut), biasOut: Float64Array.from(held.biasOut) };
  // B as the compiler drew it: the init stream after the network's initialisation.
  const initRng = stream(ir.seed, 'init');
  instantiate(ir.network, initRng);
  const learner = referenceLearner(ir, inst, initRng);
  const { nRec, nOut } = inst.layout;
  const T = core.steps;
  core.observe(true);
  const cells = core.synapseCells().filter((s) => core.learning.registers[s.tile]?.mask[s.cell] === 1);
  const G = core.program.core.registers.gradient;
  const dev = core.program.core.device;
  // What a pair of devices holds, in weight units: the host's weights stay inside it.
  const maxW = (dev.devicesPerSide * dev.gMax) / dev.weightScale;
  const verify = core.program.learning?.scheme === 'program_verify';
  const before = { inRec: new Float64Array(0), recRec: new Float64Array(0), inOut: new Float64Array(0), recOut: new Float64Array(0) };
  return {
    learner,
    trace: () => {
      const o = core.observed!;
      const psi = new Float64Array(T * nRec);
      const spikeCount = new Float64Array(nRec);
      for (let j = 0; j < nRec; j++) {
        const p = inst.recParams[inst.recPopulation[j] as number]!;
        const zero = p.surrogateWhenRefractory === 'zero';
        const vth = inst.vTh[j] as number;
        for (let t = 0; t < T; t++) {
          const k = t * nRec + j;
          psi[k] = o.blocked[k] && zero ? 0 : surrogate(p.surrogate, o.d[k] as number, vth);
          spikeCount[j] = (spikeCount[j] as number) + (o.z[k] as number);
        }
      }
      return { T, z: Uint8Array.from(o.z), psi, v: new Float64Array(0), a: new Float64Array(0), y: Float64Array.from(core.outputs.subarray(0, T * nOut)), spikeCount };
    },
    learn: (batch, traces, it) => {
      learner.accumulateBatch(batch, traces);
      for (const k of ['inRec', 'recRec', 'inOut', 'recOut'] as const) before[k] = Float64Array.from(inst[k].w);
      learner.apply(it, batch.length, T);
      // The readout biases stay as compiled: the chip holds them in its program, not in devices.
      inst.biasOut.set(held.biasOut);
      // The change, clipped to what the devices hold, into the weight-change registers (a scheme
      // that keeps a remainder keeps it; saturations counted), and written. Program-and-verify
      // writes weights, not changes: its register holds the host's weight less the programmed one,
      // so changes too small to move a device (or the weight_bits grid) add up on the host until
      // they do, as a host holding the weights of a chip in the loop programs them.
      const L = core.learning;
      const programmed = verify ? core.deviceWeights() : null;
      for (const s of cells) {
        const w = inst[s.block].w;
        w[s.index] = Math.max(-maxW, Math.min(maxW, w[s.index] as number));
        if (programmed) { L.setChange(s.tile, s.cell, nearest(((w[s.index] as number) - (programmed[s.block][s.index] as number)) * 2 ** G.frac)); continue; }
        const dw = (w[s.index] as number) - (before[s.block][s.index] as number);
        if (dw !== 0) L.addChange(s.tile, s.cell, nearest(dw * 2 ** G.frac));
      }
      core.hostWrite();
    },
  };
}
