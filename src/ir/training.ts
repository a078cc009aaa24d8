// The IR of learning rules, tasks and train blocks (plain data; times in seconds, rates in Hz).
import type { EndIR, InitIR, NetworkIR } from './network.ts';

export type LossIR = { readonly kind: 'mse'; readonly reduce: 'sum' | 'mean' } | { readonly kind: 'cross_entropy'; readonly window: number | null };
export type OptimizerIR =
  | { readonly kind: 'sgd'; readonly lr: number; readonly momentum: number }
  | { readonly kind: 'adam'; readonly lr: number; readonly beta1: number; readonly beta2: number; readonly epsilon: number };
export type RegularizerIR = { readonly kind: 'none' } | { readonly kind: 'rate'; readonly target: number; readonly strength: number; readonly mode: 'per_sequence' | 'batch_mean' };
export type FeedbackIR = { readonly kind: 'symmetric' } | { readonly kind: 'random'; readonly B: InitIR } | { readonly kind: 'adaptive'; readonly B: InitIR; readonly decay: number };
export type UpdateIR =
  | { readonly kind: 'direct' }
  | { readonly kind: 'sign'; readonly threshold: number }
  | { readonly kind: 'stochastic'; readonly probScale: number }
  | { readonly kind: 'multi'; readonly n: number }
  | { readonly kind: 'mixed_precision'; readonly epsilon: number; readonly pulse: number }
  | { readonly kind: 'program_verify'; readonly tolerance: number; readonly iterations: number; readonly epsilon: number };
export type ScheduleIR = { readonly kind: 'constant' } | { readonly kind: 'step'; readonly every: number; readonly factor: number };

/** ReckOn's rule: its registers (raw integers; the window in seconds). */
export interface ReckonRuleIR {
  readonly window: number; readonly weightShift: number; readonly traceShift: readonly [number, number, number];
  readonly signalScale: number; readonly hThreshold: number;
  readonly lrShift: readonly [number, number, number]; readonly lrRShift: readonly [number, number, number];
  readonly regularize: 'none' | 'input' | 'recurrent' | 'both'; readonly regF0: number; readonly regShift: number;
}

export interface LearnIR {
  readonly kind: 'eprop' | 'bptt' | 'reckon';
  /** ReckOn's rule's registers (kind reckon), else null. */
  readonly reckon: ReckonRuleIR | null;
  readonly loss: LossIR;
  readonly optimizer: OptimizerIR;
  readonly regularizer: RegularizerIR;
  readonly schedule: ScheduleIR;
  readonly gradientClip: number | null;
  readonly averageGradient: boolean;
  readonly feedback: FeedbackIR;
  readonly update: UpdateIR;
  /** e-prop: where the learning computation runs, and when the weights are written. */
  readonly placement: 'on_chip' | 'chip_in_the_loop';
  readonly write: 'step' | 'sequence' | 'batch';
  /** BPTT truncation window in seconds, or null for the whole sequence. */
  readonly truncate: number | null;
}

export type TaskIR =
  | { readonly kind: 'pattern_generation'; readonly duration: number; readonly channels: number; readonly rate: number; readonly freqs: readonly number[]; readonly amplitude: readonly [number, number]; readonly outputs: number; readonly patterns: number }
  | { readonly kind: 'evidence_accumulation'; readonly cues: number; readonly cueDuration: number; readonly cueSpacing: number; readonly onset: number; readonly delay: number; readonly recallDuration: number; readonly rate: number; readonly backgroundRate: number; readonly channelsPerGroup: number; readonly majority: number }
  | { readonly kind: 'store_recall'; readonly steps: number; readonly stepDuration: number; readonly storeProbability: number; readonly recallProbability: number; readonly rate: number; readonly channelsPerGroup: number }
  | { readonly kind: 'delayed_xor'; readonly cueDuration: number; readonly delay: number; readonly responseDelay: number; readonly responseDuration: number; readonly rate: number; readonly channelsPerGroup: number }
  | { readonly kind: 'npy'; readonly inputs: string; readonly targets: string | null; readonly labels: string | null; readonly shuffle: boolean; readonly validation: { readonly inputs: string; readonly targets: string | null; readonly labels: string | null } | null };

/** A probe: a variable of some neurons, sampled every `every` s from `start` to `stop` (null: the sequence's end). */
export interface ProbeIR {
  readonly variable: string;
  readonly targets: readonly EndIR[];
  readonly every: number | null;
  readonly start: number;
  readonly stop: number | null;
}

export interface TrainIR {
  readonly network: NetworkIR;
  readonly learn: LearnIR;
  readonly task: TaskIR;
  readonly iterations: number;
  readonly batch: number;
  readonly seed: number;
  readonly validateEvery: number;
  /** After training: the simulated seconds to wait before the test (learning off), or null for no test. */
  readonly testAfter: number | null;
  /** The core to train on, or null for the float reference. */
  readonly core: string | null;
  readonly probes: readonly ProbeIR[];
}
