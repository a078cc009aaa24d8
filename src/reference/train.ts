// The reference trainer: e-prop or BPTT on the float64 model, batch by batch. One iteration draws a batch
// from the data stream, simulates each sequence, records the loss (before the update, as NEST
// does), accumulates the gradients, averages them over the batch, and applies the optimizer.
import { drawFeedback, instantiate, type Instance, type WeightBlock } from '../ir/instantiate.ts';
import type { TrainIR } from '../ir/training.ts';
import { VALIDATION_SEQUENCES } from '../ir/memory.ts';
import { MT19937, STREAMS, stream } from '../data/random.ts';
import { heldOut, taskData, type Sample } from '../tasks/generate.ts';
import { dynamics, simulate, type Dynamics, type Trace } from './simulate.ts';
import { accumulateEprop, zeroGradients, type Gradients } from './eprop.ts';
import { accumulateBptt, zeroIntrinsic, type IntrinsicGradients } from './bptt.ts';
import { lossAndError, type LossResult } from './loss.ts';
import { Optimizer } from './optimizer.ts';

export interface IterationMetrics {
  readonly iteration: number;
  readonly loss: number;
  readonly accuracy?: number;
  readonly rate_hz: number;
  /** Mean firing rate of each population (recurrent, by name) over the batch. */
  readonly population_hz: Readonly<Record<string, number>>;
  /** On validation iterations (validate_every): the loss, and for classification the error rate, on fresh samples (an npy task's held-out set, when it has one). */
  readonly validation_loss?: number;
  readonly validation_error?: number;
}

/** Samples per validation: fresh ones from the validation stream (the data stream's second key). */
export const VALIDATION_SAMPLES = VALIDATION_SEQUENCES;

export interface TrainResult {
  readonly iterations: IterationMetrics[];
  readonly instance: Instance;
  readonly feedback: Float64Array;
  /** The first sequence of the last iteration run (what probes record): its input, trace and readout error, before that iteration's update. */
  readonly last: { readonly sample: Sample; readonly trace: Trace; readonly err: Float64Array } | null;
}

/** Training one iteration at a time, so a caller can report progress and stop between iterations. */
export interface ReferenceTrainer {
  readonly total: number;
  /** Iterations run so far. */
  readonly done: number;
  /** Run the next iteration (draw a batch, simulate, record, update); its metrics. */
  step(): IterationMetrics;
  /** What training has produced so far. */
  result(): TrainResult;
  /** The test after training (the block's test_after): the trained network on fresh samples. */
  test(after: number): TestResult;
}

/** A test after training: the simulated seconds waited, the loss, and for classification the error rate. */
export interface TestResult { readonly after_s: number; readonly loss: number; readonly error?: number; readonly samples: number }

/** The test's samples: a stream of their own (the data stream's third key), so neither training nor validation data change. */
export const testRng = (seed: number): MT19937 => MT19937.fromArray([seed >>> 0, STREAMS.data, 2]);

type BlockName = 'inRec' | 'recRec' | 'inOut' | 'recOut';
const BLOCKS: readonly BlockName[] = ['inRec', 'recRec', 'inOut', 'recOut'];

/** Intrinsic parameters BPTT can train: the name a population's `trainable` list uses → its per-neuron array. */
type IntrinsicName = 'tauM' | 'vTh' | 'bias' | 'tauA' | 'beta';
const INTRINSIC: ReadonlyArray<{ key: IntrinsicName; dsl: string }> = [
  { key: 'tauM', dsl: 'tau_m' }, { key: 'vTh', dsl: 'v_th' }, { key: 'bias', dsl: 'bias' }, { key: 'tauA', dsl: 'tau_a' }, { key: 'beta', dsl: 'beta' },
];
/** The same for readouts. */
const READOUT_INTRINSIC: ReadonlyArray<{ key: 'tauOut' | 'biasOut'; dsl: string }> = [{ key: 'tauOut', dsl: 'tau' }, { key: 'biasOut', dsl: 'bias' }];

/** The per-neuron array of the instance that a population's trainable parameter `name` lives in. */
export function trainableArray(role: 'population' | 'readout', name: string): IntrinsicName | 'tauOut' | 'biasOut' | undefined {
  return (role === 'readout' ? READOUT_INTRINSIC : INTRINSIC).find((x) => x.dsl === name)?.key;
}

/** Train all of `ir`'s iterations; `onIteration` sees each one's metrics once it is done. */
export function trainReference(ir: TrainIR, onIteration?: (m: IterationMetrics) => void): TrainResult {
  const trainer = referenceTrainer(ir);
  while (trainer.done < trainer.total) {
    const m = trainer.step();
    onIteration?.(m);
  }
  return trainer.result();
}

/**
 * The seam between computing gradients and applying them: what the reference trainer does with a
 * batch once its forward passes exist. The reference trainer feeds it its own float64 forward;
 * training chip in the loop (src/cli/core-trainer.ts) feeds it the core's, so the host's e-prop
 * gradients and optimizer are these, not a copy of them.
 */
export interface ReferenceLearner {
  /** The network the gradients are of (its weights the optimizer updates). */
  readonly inst: Instance;
  /** The feedback matrix (symmetric: the readout weights themselves). */
  readonly B: Float64Array;
  /** The batch's gradients so far. */
  readonly g: Gradients;
  /** Clear the gradients for a new batch. */
  zero(): void;
  /** The rate regulariser's r_j = c (f_j − f0)/T for a sequence (f: spikes per step; batch_mean: the batch's mean). */
  rate(spikeCount: Float64Array, T: number, batchRate: Float64Array): Float64Array;
  /** One sequence's loss, and its gradients added (e-prop, or BPTT on a full trace). */
  accumulate(s: Sample, tr: Trace, rate: Float64Array): LossResult;
  /** A batch's gradients from its forward passes (cleared first; the regulariser's batch mean from them): each sequence's loss. */
  accumulateBatch(batch: readonly Sample[], traces: readonly Trace[]): LossResult[];
  /** Average over the batch (and the window when asked), clip, and step the optimizer at iteration `it`. */
  apply(it: number, batchLength: number, T: number): void;
  /** The dynamics after the last step (BPTT changes time constants). */
  readonly dyn: Dynamics;
  /** The optimizers' state (moments, step counts), per weight block, B and the readout biases: what a checkpoint holds. */
  readonly optimizers: { readonly blocks: Readonly<Record<string, Optimizer>>; readonly feedback: Optimizer | null; readonly outBias: Optimizer | null };
}

/** The reference's learner for `ir` on `inst` (from its init stream `initRng`: the feedback matrix). */
export function referenceLearner(ir: TrainIR, inst: Instance, initRng: MT19937): ReferenceLearner {
  const net = ir.network;
  let dyn = dynamics(inst, net.dt);
  const bptt = ir.learn.kind === 'bptt';
  const { nRec, nOut } = inst.layout;
  const fb = ir.learn.feedback;
  const B = fb.kind === 'symmetric' ? inst.recOut.w : drawFeedback(fb.B, inst.layout, initRng);
  const learn = ir.learn;
  const trainable = (b: WeightBlock): Uint8Array => {
    const m = new Uint8Array(b.mask.length);
    for (let i = 0; i < m.length; i++) m[i] = b.mask[i] && net.projections[b.owner[i] as number]?.trainable ? 1 : 0;
    return m;
  };
  const masks = Object.fromEntries(BLOCKS.map((k) => [k, trainable(inst[k])])) as Record<BlockName, Uint8Array>;
  const opts = Object.fromEntries(BLOCKS.map((k) => [k, new Optimizer(learn.optimizer, inst[k].w.length)])) as Record<BlockName, Optimizer>;
  const feedbackOpt = fb.kind === 'adaptive' ? new Optimizer(learn.optimizer, B.length) : null;
  const rate = new Float64Array(nRec);
  // Per-neuron masks of the intrinsic parameters a population declares trainable (BPTT only).
  const intrinsicMasks = new Map<IntrinsicName, Uint8Array>();
  /** Readout neurons whose population declares `name` trainable. */
  const readoutMask = (name: string) => {
    const m = new Uint8Array(nOut);
    let k = 0;
    for (const p of net.populations) if (p.role === 'readout') { m.fill(p.params.trainable.includes(name) ? 1 : 0, k, k + p.size); k += p.size; }
    return m;
  };
  const outTauMask = bptt ? readoutMask('tau') : new Uint8Array(nOut);
  if (bptt) {
    for (const { key, dsl } of INTRINSIC) {
      const m = new Uint8Array(nRec);
      for (let j = 0; j < nRec; j++) m[j] = inst.recParams[inst.recPopulation[j] as number]?.trainable.includes(dsl) ? 1 : 0;
      if (m.some((x) => x)) intrinsicMasks.set(key, m);
    }
  }
  const intrinsicOpts = new Map([...intrinsicMasks.keys()].map((key) => [key, new Optimizer(learn.optimizer, nRec)]));
  const outTauOpt = outTauMask.some((x) => x) ? new Optimizer(learn.optimizer, nOut) : null;
  // Readout biases declared trainable: their gradient is exact under e-prop and BPTT alike.
  const outBiasMask = readoutMask('bias');
  const outBiasOpt = outBiasMask.some((x) => x) ? new Optimizer(learn.optimizer, nOut) : null;
  const truncateSteps = learn.truncate !== null ? Math.max(1, Math.round(learn.truncate / net.dt)) : null;
  let g: Gradients = zeroGradients(inst);
  let gi: IntrinsicGradients = zeroIntrinsic(inst);
  const rateOf = (spikeCount: Float64Array, T: number, batchRate: Float64Array): Float64Array => {
    rate.fill(0);
    if (learn.regularizer.kind === 'rate') {
      const f0 = learn.regularizer.target * net.dt;
      for (let j = 0; j < nRec; j++) {
        const f = learn.regularizer.mode === 'batch_mean' ? (batchRate[j] as number) : (spikeCount[j] as number) / T;
        rate[j] = (learn.regularizer.strength * (f - f0)) / T;
      }
    }
    return rate;
  };
  const accumulate = (s: Sample, tr: Trace, r: Float64Array): LossResult => {
    const res = lossAndError(learn.loss, tr.y, tr.T, nOut, s, net.dt);
    if (bptt) accumulateBptt(inst, dyn, net.dt, s.x, tr, res.err, r, g, gi, { truncate: truncateSteps });
    else accumulateEprop(inst, dyn, s.x, tr, res.err, B, r, g);
    return res;
  };

  return {
    inst, B,
    optimizers: { blocks: opts, feedback: feedbackOpt, outBias: outBiasOpt },
    get g() { return g; },
    get dyn() { return dyn; },
    zero: () => { g = zeroGradients(inst); gi = zeroIntrinsic(inst); },
    rate: rateOf,
    accumulate,
    accumulateBatch: (batch, traces) => {
      g = zeroGradients(inst); gi = zeroIntrinsic(inst);
      const batchRate = new Float64Array(nRec);
      for (const tr of traces) for (let j = 0; j < nRec; j++) batchRate[j] = (batchRate[j] as number) + (tr.spikeCount[j] as number) / (tr.T * traces.length);
      // Rate regulariser r_j = c (f_j − f0)/T, with f in spikes per step (NEST's firing_rate_reg).
      return batch.map((s, b) => accumulate(s, traces[b] as Trace, rateOf((traces[b] as Trace).spikeCount, (traces[b] as Trace).T, batchRate)));
    },
    apply: (it, batchLength, T) => {
      // Average over the batch (and over the loss window when asked), clip, step.
      const lrScale = learn.schedule.kind === 'step' ? learn.schedule.factor ** Math.floor(it / learn.schedule.every) : 1;
      const window = learn.loss.kind === 'cross_entropy' && learn.loss.window !== null ? Math.min(T, Math.round(learn.loss.window / net.dt)) : T;
      const scale = 1 / (batchLength * (learn.averageGradient ? window : 1));
      const clip = learn.gradientClip;
      for (const gk of [...BLOCKS.map((k) => g[k]), g.biasOut]) {
        for (let i = 0; i < gk.length; i++) {
          let v = (gk[i] as number) * scale;
          if (clip !== null) v = Math.max(-clip, Math.min(clip, v));
          gk[i] = v;
        }
      }
      if (feedbackOpt) feedbackOpt.step(B, g.recOut, masks.recOut, lrScale);
      for (const k of BLOCKS) opts[k].step(inst[k].w, g[k], masks[k], lrScale);
      if (outBiasOpt) outBiasOpt.step(inst.biasOut, g.biasOut, outBiasMask, lrScale);
      if (bptt) {
        const prep = (a: Float64Array) => { for (let i = 0; i < a.length; i++) { let v = (a[i] as number) * scale; if (clip !== null) v = Math.max(-clip, Math.min(clip, v)); a[i] = v; } return a; };
        // Time constants are optimised in milliseconds, as Yin et al. train them: an optimizer's
        // step size (Adam's ≈ η) then means the same for τ as in their code, not η seconds.
        const inMs = (key: 'tauM' | 'tauA' | 'tauOut', mask: Uint8Array, opt: Optimizer) => {
          const ms = inst[key].map((v) => v * 1000);
          opt.step(ms, prep(gi[key]).map((v) => v / 1000), mask, lrScale);
          inst[key].set(ms.map((v) => v / 1000));
        };
        for (const [key, mask] of intrinsicMasks) {
          const opt = intrinsicOpts.get(key) as Optimizer;
          if (key === 'tauM' || key === 'tauA') inMs(key, mask, opt);
          else opt.step(inst[key], prep(gi[key]), mask, lrScale);
        }
        if (outTauOpt) inMs('tauOut', outTauMask, outTauOpt);
        keepIntrinsicInRange(inst, net.dt);
        dyn = dynamics(inst, net.dt);
      }
      if (fb.kind === 'adaptive') {
        for (let i = 0; i < B.length; i++) { B[i] = (B[i] as number) * (1 - fb.decay); inst.recOut.w[i] = (inst.recOut.w[i] as number) * (1 - fb.decay); }
      }
      clipWeights(inst, net.projections);
    },
  };
}

export function referenceTrainer(ir: TrainIR): ReferenceTrainer {
  const net = ir.network;
  const initRng = stream(ir.seed, 'init');
  const dataRng = stream(ir.seed, 'data');
  const validationRng = MT19937.fromArray([ir.seed >>> 0, STREAMS.data, 1]);
  const inst = instantiate(net, initRng);
  const learner = referenceLearner(ir, inst, initRng);
  const bptt = ir.learn.kind === 'bptt';
  const { nRec, nOut } = inst.layout;
  const task = taskData(ir.task, net.dt);
  // Validation draws its own samples: a separate generator (so training data are unchanged), except
  // for pattern generation, whose frozen patterns are what the network learns.
  // An npy task's held-out set, run whole in file order; else fresh samples of the task.
  const held = heldOut(ir.task);
  const validationTask = held ? held.data : ir.task.kind === 'pattern_generation' ? task : taskData(ir.task, net.dt);
  const validationSize = held ? held.size : VALIDATION_SAMPLES;
  const learn = ir.learn;
  const history: IterationMetrics[] = [];

  const validation = (samples: Sample[], classification: boolean): { validation_loss: number; validation_error?: number } => {
    let vl = 0;
    let wrong = 0;
    for (const s of samples) {
      const tr = simulate(inst, learner.dyn, s.x);
      const res = lossAndError(learn.loss, tr.y, tr.T, nOut, s, net.dt);
      vl += res.loss / samples.length;
      if (res.correct === false) wrong++;
    }
    return { validation_loss: vl, ...(classification ? { validation_error: wrong / samples.length } : {}) };
  };

  // batchRate is spikes per step per neuron; the populations' means in Hz.
  const recPopulations = net.populations.filter((p) => p.role === 'population').map((p) => ({ name: p.name, at: inst.layout.offsets.get(p.name)!.offset, size: p.size }));
  const populationRates = (perStep: Float64Array): Record<string, number> => Object.fromEntries(recPopulations.map((p) => {
    let sum = 0;
    for (let j = p.at; j < p.at + p.size; j++) sum += perStep[j] as number;
    return [p.name, sum / (p.size * net.dt)];
  }));
  let it = 0;
  let last: TrainResult['last'] = null;
  const step = (): IterationMetrics => {
    const batch: Sample[] = task.batch(ir.batch, dataRng);
    const traces: Trace[] = batch.map((s) => simulate(inst, learner.dyn, s.x, bptt));
    const results = learner.accumulateBatch(batch, traces);
    let loss = 0;
    let correct = 0;
    let spikes = 0;
    let steps = 0;
    const batchRate = new Float64Array(nRec);
    for (const tr of traces) for (let j = 0; j < nRec; j++) batchRate[j] = (batchRate[j] as number) + (tr.spikeCount[j] as number) / (tr.T * traces.length);
    batch.forEach((s, b) => {
      const tr = traces[b] as Trace;
      const res = results[b]!;
      if (b === 0) last = { sample: s, trace: tr, err: res.err };
      loss += res.loss / batch.length;
      if (res.correct) correct++;
      for (let j = 0; j < nRec; j++) spikes += tr.spikeCount[j] as number;
      steps += tr.T;
    });
    const validate = ir.validateEvery > 0 && ((it + 1) % ir.validateEvery === 0 || it === ir.iterations - 1);
    const metrics: IterationMetrics = {
      iteration: it,
      loss,
      ...(task.classification ? { accuracy: correct / batch.length } : {}),
      rate_hz: nRec > 0 ? spikes / (nRec * steps * net.dt) : 0,
      population_hz: populationRates(batchRate),
      ...(validate ? validation(validationTask.batch(validationSize, validationRng), task.classification) : {}),
    };
    history.push(metrics);
    learner.apply(it, batch.length, traces[0]?.T ?? 1);
    it++;
    return metrics;
  };
  return {
    total: ir.iterations,
    get done() { return it; },
    step: () => { if (it >= ir.iterations) throw new Error('internal: training is finished'); return step(); },
    result: () => ({ iterations: history, instance: inst, feedback: learner.B, last }),
    // The float network does not drift: its test after any wait is the test now.
    test: (after) => {
      const samples = validationTask.batch(validationSize, testRng(ir.seed));
      const v = validation(samples, task.classification);
      return { after_s: after, loss: v.validation_loss, ...(v.validation_error !== undefined ? { error: v.validation_error } : {}), samples: samples.length };
    },
  };
}

/** Trained time constants stay ≥ dt/10, thresholds > 0, adaptation strengths ≥ 0. */
function keepIntrinsicInRange(inst: Instance, dt: number): void {
  const floor = dt / 10;
  for (let j = 0; j < inst.tauM.length; j++) {
    inst.tauM[j] = Math.max(floor, inst.tauM[j] as number);
    inst.tauA[j] = Math.max(floor, inst.tauA[j] as number);
    inst.vTh[j] = Math.max(1e-6, inst.vTh[j] as number);
    inst.beta[j] = Math.max(0, inst.beta[j] as number);
  }
  for (let k = 0; k < inst.tauOut.length; k++) inst.tauOut[k] = Math.max(floor, inst.tauOut[k] as number);
}

function clipWeights(inst: Instance, projections: TrainIR['network']['projections']): void {
  for (const k of BLOCKS) {
    const b = inst[k];
    for (let i = 0; i < b.w.length; i++) {
      const owner = b.owner[i] as number;
      if (owner < 0) continue;
      const p = projections[owner];
      if (!p) continue;
      if (p.wMin !== null && (b.w[i] as number) < p.wMin) b.w[i] = p.wMin;
      if (p.wMax !== null && (b.w[i] as number) > p.wMax) b.w[i] = p.wMax;
    }
  }
}
