// Training on the core (`train --backend core`): the compiled program runs each sequence of a
// batch on the emulated chip, its learning unit updating the devices as the program says; the
// host only supplies inputs and targets, and scores the outputs with the loss (a metric, in
// float64, as `run` scores them). One iteration = one batch, as the reference's.
import type { TrainIR } from '../ir/training.ts';
import { MT19937, STREAMS, stream } from '../data/random.ts';
import { VALIDATION_SEQUENCES } from '../ir/memory.ts';
import { taskData, type Sample } from '../tasks/generate.ts';
import { lossAndError } from '../reference/loss.ts';
import type { IterationMetrics } from '../reference/train.ts';
import { Core } from '../runtime/core.ts';
import { LEARNING_COUNTED } from '../runtime/learning.ts';
import type { Program } from '../runtime/program.ts';

/** What the core did in one iteration (or over the run, in `final`). */
export interface CoreCounters {
  readonly pulses: number; readonly resets: number; readonly refreshes: number;
  readonly saturations: number; readonly learning_saturations: Record<string, number>;
  readonly cycles: number; readonly learning_cycles: number;
  readonly energy_pj: number; readonly learning_energy_pj: number;
}
export interface CoreIterationMetrics extends IterationMetrics { readonly counters: CoreCounters }

export interface CoreTrainer {
  readonly total: number;
  readonly done: number;
  readonly core: Core;
  step(): CoreIterationMetrics;
  /** Counters summed over every iteration run. */
  totals(): CoreCounters;
}

export function coreTrainer(ir: TrainIR, program: Program): CoreTrainer {
  const net = ir.network;
  const core = new Core(program, { seed: ir.seed, samples: 1 });
  const dataRng = stream(ir.seed, 'data');
  const validationRng = MT19937.fromArray([ir.seed >>> 0, STREAMS.data, 1]);
  const task = taskData(ir.task, net.dt);
  const validationTask = ir.task.kind === 'pattern_generation' ? task : taskData(ir.task, net.dt);
  const { nRec, nOut } = { nRec: core.nRec, nOut: core.nOut };
  const recPops = program.populations.map((p, i) => ({ p, at: program.symbols.layout[i]!.offset })).filter(({ p }) => p.model === 'LIF' || p.model === 'ALIF');
  let it = 0;
  let before = snapshot(core);
  const start = before;
  const lrBase = core.learn ? { ...program.learning!.lr } : null;

  const run = (s: Sample) => {
    core.runSequence(s.x, 0, undefined, { ...(s.target ? { target: s.target } : {}), ...(s.label !== undefined ? { label: s.label } : {}) });
    return lossAndError(ir.learn.loss, core.outputs, core.steps, nOut, s, net.dt);
  };
  const step = (): CoreIterationMetrics => {
    // The schedule: the host rewrites the learning-rate register between iterations.
    if (lrBase && ir.learn.schedule.kind === 'step') core.learning.setLearningRate(lrBase, ir.learn.schedule.factor ** Math.floor(it / ir.learn.schedule.every));
    const batch = task.batch(ir.batch, dataRng);
    let loss = 0; let correct = 0;
    const spikes0 = Float64Array.from(core.spikeCount);
    for (const s of batch) {
      const res = run(s);
      loss += res.loss / batch.length;
      if (res.correct) correct++;
    }
    let total = 0;
    const population_hz: Record<string, number> = {};
    for (const { p, at } of recPops) {
      let n = 0;
      for (let j = at; j < at + p.size; j++) n += (core.spikeCount[j] as number) - (spikes0[j] as number);
      total += n;
      population_hz[p.name] = n / (p.size * core.steps * batch.length * net.dt);
    }
    const validate = ir.validateEvery > 0 && (it % ir.validateEvery === 0 || it === ir.iterations - 1);
    let validation = {};
    if (validate) {
      // Validation runs the same core: its learning unit keeps learning (an on-chip learner has no
      // inference-only mode here), so the figure is on-line, as a chip in the field would give it.
      let vl = 0; let wrong = 0;
      const vs = validationTask.batch(VALIDATION_SEQUENCES, validationRng);
      for (const s of vs) { const r = run(s); vl += r.loss / vs.length; if (r.correct === false) wrong++; }
      validation = { validation_loss: vl, ...(task.classification ? { validation_error: wrong / vs.length } : {}) };
    }
    const now = snapshot(core);
    const counters = diff(now, before);
    before = now;
    const m: CoreIterationMetrics = {
      iteration: it, loss, ...(task.classification ? { accuracy: correct / batch.length } : {}),
      rate_hz: nRec > 0 ? total / (nRec * core.steps * batch.length * net.dt) : 0, population_hz, ...validation, counters,
    };
    it++;
    return m;
  };
  return {
    total: ir.iterations,
    get done() { return it; },
    core,
    step: () => { if (it >= ir.iterations) throw new Error('internal: training is finished'); return step(); },
    totals: () => diff(snapshot(core), start),
  };
}

interface Snapshot { pulses: number; resets: number; refreshes: number; saturations: number; learning: Float64Array; cycles: number; learningCycles: number; energy: number; learningEnergy: number }

function snapshot(core: Core): Snapshot {
  const l = core.learn;
  const sum = (r: Record<string, number>) => Object.values(r).reduce((a, x) => a + x, 0);
  const sat = core.saturationsByRegister().total;
  return {
    pulses: l?.counts.setPulses ?? 0, resets: l?.counts.resetPulses ?? 0, refreshes: l?.counts.refreshes ?? 0,
    saturations: sum(sat) + (l ? l.saturations.reduce((a, x) => a + x, 0) : 0), learning: Float64Array.from(l?.saturations ?? []),
    cycles: core.board.end, learningCycles: core.board.busy.learning,
    energy: sum(core.energy()) + sum(core.learningEnergy()), learningEnergy: sum(core.learningEnergy()),
  };
}

function diff(a: Snapshot, b: Snapshot): CoreCounters {
  return {
    pulses: a.pulses - b.pulses, resets: a.resets - b.resets, refreshes: a.refreshes - b.refreshes,
    saturations: a.saturations - b.saturations,
    learning_saturations: Object.fromEntries(LEARNING_COUNTED.map((r, i) => [r, (a.learning[i] ?? 0) - (b.learning[i] ?? 0)]).filter(([, v]) => (v as number) > 0)),
    cycles: a.cycles - b.cycles, learning_cycles: a.learningCycles - b.learningCycles,
    energy_pj: a.energy - b.energy, learning_energy_pj: a.learningEnergy - b.learningEnergy,
  };
}
