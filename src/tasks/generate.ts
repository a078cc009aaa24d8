// Task data: seeded generators of the synthetic tasks, and .npy datasets. A batch is generated in
// one call, in the draw order of the published recipes (research/algorithms.md §3), so that a
// data stream seeded like numpy.random.RandomState reproduces the TF and NEST inputs exactly.
import type { MT19937 } from '../data/random.ts';
import { readNpy, readNpyHeader } from '../data/npy.ts';
import type { TaskIR } from '../ir/training.ts';

export interface Sample {
  readonly T: number;
  /** [t][channel]. */
  readonly x: Float64Array;
  /** Regression target [t][output]. */
  readonly target?: Float64Array;
  /** Classification label. */
  readonly label?: number;
}

export interface TaskData {
  readonly channels: number;
  readonly outputs: number;
  readonly T: number;
  readonly classification: boolean;
  /**
   * The next `n` samples, drawing from `rng`. What a task keeps between calls is in `state` (plain
   * data, which a checkpoint holds), or is what its first call draws (pattern generation's frozen
   * patterns, which a resumed run draws again from the stream's initial state: src/cli/core-trainer.ts).
   */
  batch(n: number, rng: MT19937): Sample[];
  /** The task's position between calls (npy files: the shuffle order and the next sample). */
  readonly state?: Record<string, unknown>;
  /** Its first call draws state kept outside `state` (pattern generation's frozen patterns). */
  readonly drawsOnce?: boolean;
  /** Why `state` (restored from a checkpoint) cannot be this task's, or null. */
  checkState?(): string | null;
}

/** A user-facing problem with task data (a file that changed since `check`). */
export class TaskDataError extends Error {}

const steps = (seconds: number, dt: number): number => Math.round(seconds / dt);

/** numpy.linspace(start, stop, num). */
function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  if (num === 1) { out[0] = start; return out; }
  const step = (stop - start) / (num - 1);
  for (let i = 0; i < num; i++) out[i] = i * step + start;
  out[num - 1] = stop;
  return out;
}

/** Poisson spikes: x = rand < p per (t, channel), row-major; the first step silent (the recipes). */
function spikes(T: number, C: number, p: (t: number, c: number) => number, rng: MT19937, out = new Float64Array(T * C)): Float64Array {
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) out[t * C + c] = rng.random() < p(t, c) ? 1 : 0;
  out.fill(0, 0, C);
  return out;
}

/**
 * Time steps of one sequence of the task at `dt`, computed from its parameters without generating
 * data (the checker holds it to the program's limits before anything is allocated). It may be
 * huge or not finite for hostile parameters: the caller decides.
 */
export function taskSteps(task: TaskIR, dt: number): number {
  switch (task.kind) {
    case 'pattern_generation': return steps(task.duration, dt);
    case 'evidence_accumulation': return steps(task.onset, dt) + task.cues * (steps(task.cueDuration, dt) + steps(task.cueSpacing, dt)) + steps(task.delay, dt) + steps(task.recallDuration, dt);
    case 'delayed_xor': return 2 * steps(task.cueDuration, dt) + steps(task.delay, dt) + steps(task.responseDelay, dt) + steps(task.responseDuration, dt);
    case 'store_recall': return task.steps * steps(task.stepDuration, dt);
    case 'npy': { const h = readNpyHeader(task.inputs); return h.ok ? (h.header.shape[1] ?? 0) : 0; }
  }
}

export function taskData(task: TaskIR, dt: number): TaskData {
  switch (task.kind) {
    case 'pattern_generation': return patternGeneration(task, dt);
    case 'evidence_accumulation': return evidenceAccumulation(task, dt);
    case 'delayed_xor': return delayedXor(task, dt);
    case 'store_recall': return storeRecall(task, dt);
    case 'npy': return npyData(task);
  }
}

/** Bellec et al. 2020 / NEST regression test: frozen Poisson input, sum-of-sines target (§3.2). */
function patternGeneration(task: Extract<TaskIR, { kind: 'pattern_generation' }>, dt: number): TaskData {
  const T = taskSteps(task, dt);
  const C = task.channels;
  const O = task.outputs;
  let frozen: Sample[] | null = null;
  const make = (rng: MT19937): Sample[] => {
    const out: Sample[] = [];
    for (let p = 0; p < task.patterns; p++) {
      const x = spikes(T, C, () => task.rate * dt, rng);
      const target = new Float64Array(T * O);
      for (let o = 0; o < O; o++) {
        const amps = task.freqs.map(() => rng.uniform(task.amplitude[0], task.amplitude[1]));
        const phases = task.freqs.map(() => rng.uniform(0, 2 * Math.PI));
        const y = new Float64Array(T);
        task.freqs.forEach((f, i) => {
          const period = Math.floor(1 / (f * dt) + 1e-9);
          const cycles = Math.floor(T / period);
          const ph = phases[i] as number;
          const lin = linspace(ph, ph + 2 * Math.PI * cycles, T);
          for (let t = 0; t < T; t++) y[t] = (y[t] as number) + (amps[i] as number) * Math.sin(lin[t] as number);
        });
        const y0 = y[0] as number;
        let max = 0;
        for (let t = 0; t < T; t++) { y[t] = (y[t] as number) - y0; max = Math.max(max, Math.abs(y[t] as number)); }
        for (let t = 0; t < T; t++) target[t * O + o] = max > 0 ? (y[t] as number) / max : 0;
      }
      out.push({ T, x, target });
    }
    return out;
  };
  return {
    channels: C, outputs: O, T, classification: false, drawsOnce: true,
    batch(n, rng) {
      // The patterns are drawn once (frozen, as in the recipes) and cycled through.
      frozen ??= make(rng);
      const f = frozen;
      return Array.from({ length: n }, (_, i) => f[i % f.length] as Sample);
    },
  };
}

/** Bellec et al. 2020 Fig. 3 / NEST classification test: cue accumulation (§3.3). */
function evidenceAccumulation(task: Extract<TaskIR, { kind: 'evidence_accumulation' }>, dt: number): TaskData {
  const g = task.channelsPerGroup;
  const C = 4 * g;
  const onset = steps(task.onset, dt);
  const cueLen = steps(task.cueDuration, dt);
  const period = cueLen + steps(task.cueSpacing, dt);
  const recall = steps(task.recallDuration, dt);
  const T = taskSteps(task, dt);
  const pActive = task.rate * dt;
  const pBackground = task.backgroundRate * dt;
  // NumPy's choice(p=...) receives float32 probabilities in the recipe.
  const major = Math.fround(task.majority);
  const minor = Math.fround(1 - task.majority);
  return {
    channels: C, outputs: 2, T, classification: true,
    batch(n, rng) {
      // The recipe's order: all sides (choice([0, 1], batch)), then each item's cues, then spikes.
      const sides = Array.from({ length: n }, () => rng.bit());
      const cues = sides.map((side) => {
        const [p0, p1] = side === 0 ? [minor, major] : [major, minor];
        return Array.from({ length: task.cues }, () => rng.choice01(p0, p1));
      });
      return cues.map((cs) => {
        const prob = (t: number, c: number): number => {
          const group = Math.floor(c / g);
          if (group === 3) return pBackground;
          if (group === 2) return t >= T - recall ? pActive : 0;
          const k = Math.floor((t - onset) / period);
          if (t < onset || k >= task.cues || (t - onset) % period >= cueLen) return 0;
          return cs[k] === group ? pActive : 0;
        };
        const x = spikes(T, C, prob, rng);
        const right = cs.reduce((a, b) => a + b, 0);
        return { T, x, label: right > Math.floor(task.cues / 2) ? 1 : 0 };
      });
    },
  };
}

/** Two cues separated by a delay; after a go cue, answer their XOR. Groups: A=0, A=1, B=0, B=1, go. */
function delayedXor(task: Extract<TaskIR, { kind: 'delayed_xor' }>, dt: number): TaskData {
  const g = task.channelsPerGroup;
  const C = 5 * g;
  const cue = steps(task.cueDuration, dt);
  const bStart = cue + steps(task.delay, dt);
  const goStart = bStart + cue + steps(task.responseDelay, dt);
  const T = taskSteps(task, dt);
  const p = task.rate * dt;
  return {
    channels: C, outputs: 2, T, classification: true,
    batch(n, rng) {
      return Array.from({ length: n }, () => {
        const a = rng.bit();
        const b = rng.bit();
        const x = spikes(T, C, (t, c) => {
          const group = Math.floor(c / g);
          if (t < cue) return group === a ? p : 0;
          if (t >= bStart && t < bStart + cue) return group === 2 + b ? p : 0;
          if (t >= goStart) return group === 4 ? p : 0;
          return 0;
        }, rng);
        return { T, x, label: a ^ b };
      });
    },
  };
}

/**
 * Store-recall: slots of equal length; every slot shows a random bit on the value channels; the
 * first slot is a STORE, later slots are STOREs with store_probability (overwriting) or RECALLs
 * with recall_probability (distractors); the last slot is a RECALL whose answer is the stored bit.
 * Groups: store, recall, value 0, value 1.
 */
function storeRecall(task: Extract<TaskIR, { kind: 'store_recall' }>, dt: number): TaskData {
  const g = task.channelsPerGroup;
  const C = 4 * g;
  const slot = steps(task.stepDuration, dt);
  const T = taskSteps(task, dt);
  const p = task.rate * dt;
  return {
    channels: C, outputs: 2, T, classification: true,
    batch(n, rng) {
      return Array.from({ length: n }, () => {
        const bits: number[] = [];
        const cmd: number[] = [];
        let stored = 0;
        for (let s = 0; s < task.steps; s++) {
          const bit = rng.bit();
          bits.push(bit);
          let c = -1;
          if (s === 0) c = 0;
          else if (s === task.steps - 1) c = 1;
          else if (rng.random() < task.storeProbability) c = 0;
          else if (rng.random() < task.recallProbability) c = 1;
          cmd.push(c);
          if (c === 0) stored = bit;
        }
        const x = spikes(T, C, (t, c) => {
          const s = Math.floor(t / slot);
          const group = Math.floor(c / g);
          if (group === 0) return cmd[s] === 0 ? p : 0;
          if (group === 1) return cmd[s] === 1 ? p : 0;
          return bits[s] === group - 2 ? p : 0;
        }, rng);
        return { T, x, label: stored };
      });
    },
  };
}

/**
 * An npy task's held-out set, or null: its samples in file order, each validation running them all
 * (`size` of them).
 */
export function heldOut(task: TaskIR): { readonly data: TaskData; readonly size: number } | null {
  if (task.kind !== 'npy' || !task.validation) return null;
  const data = npyData({ ...task, ...task.validation, shuffle: false, validation: null });
  const h = readNpyHeader(task.validation.inputs);
  return { data, size: h.ok ? (h.header.shape[0] ?? 0) : 0 };
}

/** Samples from .npy files, in file order batch by batch (shuffled per epoch when asked). */
function npyData(task: Extract<TaskIR, { kind: 'npy' }>): TaskData {
  const load = (path: string) => {
    const r = readNpy(path);
    if (!r.ok) throw new TaskDataError(`Cannot read ${path}: ${r.reason}.`);
    return r.array;
  };
  const inputs = load(task.inputs);
  const targets = task.targets ? load(task.targets) : null;
  const labels = task.labels ? load(task.labels) : null;
  const [S, T, C] = inputs.shape as [number, number, number];
  let O = 2; // classes: at least two, and one past the largest label (the checker holds labels to the readouts)
  if (targets) O = targets.shape[2] as number;
  else for (const v of labels?.data ?? []) O = Math.max(O, v + 1);
  const state = { order: Array.from({ length: S }, (_, i) => i), next: 0 };
  return {
    channels: C, outputs: O, T, classification: labels !== null, state,
    checkState: () => {
      const seen = new Set(state.order);
      const perm = Array.isArray(state.order) && state.order.length === S && seen.size === S && state.order.every((i) => Number.isInteger(i) && i >= 0 && i < S);
      return !perm ? `its sample order is not an order of the ${S} samples` : !(Number.isInteger(state.next) && state.next >= 0 && state.next < S) ? `its next sample ${String(state.next)} is not one of the ${S}` : null;
    },
    batch(n, rng) {
      const out: Sample[] = [];
      const order = state.order;
      for (let b = 0; b < n; b++) {
        if (state.next === 0 && task.shuffle) {
          for (let i = S - 1; i > 0; i--) { const j = Math.floor(rng.random() * (i + 1)); [order[i], order[j]] = [order[j] as number, order[i] as number]; }
        }
        const s = order[state.next] as number;
        state.next = (state.next + 1) % S;
        const x = inputs.data.slice(s * T * C, (s + 1) * T * C);
        if (targets) out.push({ T, x, target: targets.data.slice(s * T * O, (s + 1) * T * O) });
        else out.push({ T, x, label: (labels as { data: Float64Array }).data[s] as number });
      }
      return out;
    },
  };
}
