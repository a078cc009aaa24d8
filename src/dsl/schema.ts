// The language's vocabulary as data: every block, model, option and parameter with its type,
// unit, range, default and one line of documentation. The checker, the resolved defaults and
// docs/language.md (the parameter tables) are all driven from this one table. Defaults are
// written in the language itself and checked by a test, so they cannot rot.
import type { DimName } from './units.ts';

/** What a parameter's value may be. */
export type Spec =
  /** A number with a dimension; bounds are in `unit` (e.g. ms). */
  | { readonly t: 'quantity'; readonly dim: DimName; readonly unit?: string; readonly min?: number; readonly minOpen?: boolean; readonly max?: number; readonly maxOpen?: boolean; readonly also?: DimName }
  | { readonly t: 'int'; readonly min?: number; readonly max?: number }
  | { readonly t: 'bool' }
  | { readonly t: 'enum'; readonly values: readonly string[] }
  /** A fixed-point format literal (s16.10, u12, q1.15). */
  | { readonly t: 'format'; readonly maxBits?: number }
  /** A register: a format, optionally wrapped as saturate(FORMAT, round = ...) or wrap(FORMAT, round = ...). */
  | { readonly t: 'register' }
  /** One of several named options, each with its own parameters (`reset = to(-0.1)`, `device = pcm { ... }`). */
  | { readonly t: 'choice'; readonly noun: string; readonly options: Readonly<Record<string, OptionSpec>> }
  /** An initial value: a constant expression, a distribution after `~`, or load("file.npy"). */
  | { readonly t: 'init'; readonly dim: DimName; readonly shape: 'matrix' | 'vector' | 'feedback'; readonly min?: number; readonly minOpen?: boolean }
  | { readonly t: 'list'; readonly of: Spec; readonly minItems?: number; readonly maxItems?: number }
  /** A subset of a fixed set of names, written as a list: `trainable = [tau_m, v_th]`. */
  | { readonly t: 'names'; readonly values: readonly string[] }
  /** A name of a top-level declaration of one kind. */
  | { readonly t: 'ref'; readonly kind: DeclKind }
  /** A shape `rows x cols`. */
  | { readonly t: 'dims'; readonly max: number }
  /** A data file: load("file.npy"). */
  | { readonly t: 'data' };

/** `table[key]` for a key the user wrote: its own entries only (a name such as `toString` or `constructor` is not an entry). */
export const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

export type DeclKind = 'network' | 'core' | 'learn' | 'task' | 'const';

export interface ParamSpec {
  readonly spec: Spec;
  readonly doc: string;
  /** Source text of the default, in the language itself; absent means "none" (or required). */
  readonly default?: string;
  readonly required?: boolean;
}

export interface OptionSpec {
  readonly doc: string;
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /** Parameters that may be given without a name, in this order: `to(-0.1)`, `sparse(0.1)`. */
  readonly positional?: readonly string[];
}

export type Params = Readonly<Record<string, ParamSpec>>;

// ---- shared pieces -------------------------------------------------------------------------
const time = (doc: string, dflt?: string, min = 0, minOpen = true): ParamSpec => ({ spec: { t: 'quantity', dim: 'time', unit: 'ms', min, minOpen }, doc, ...(dflt !== undefined ? { default: dflt } : {}) });
const real = (doc: string, dflt?: string, range: { min?: number; minOpen?: boolean; max?: number; maxOpen?: boolean } = {}): ParamSpec =>
  ({ spec: { t: 'quantity', dim: 'dimensionless', ...range }, doc, ...(dflt !== undefined ? { default: dflt } : {}) });
const int = (doc: string, dflt: string | undefined, min: number, max: number): ParamSpec => ({ spec: { t: 'int', min, max }, doc, ...(dflt !== undefined ? { default: dflt } : {}) });
const bool = (doc: string, dflt: string): ParamSpec => ({ spec: { t: 'bool' }, doc, default: dflt });
const oneOf = (values: readonly string[], doc: string, dflt: string): ParamSpec => ({ spec: { t: 'enum', values }, doc, default: dflt });
const perNeuron = (dim: DimName, doc: string, dflt?: string, min?: number, minOpen?: boolean): ParamSpec =>
  ({ spec: { t: 'init', dim, shape: 'vector', ...(min !== undefined ? { min, minOpen: !!minOpen } : {}) }, doc, ...(dflt !== undefined ? { default: dflt } : {}) });
const reg = (doc: string, dflt: string): ParamSpec => ({ spec: { t: 'register' }, doc, default: dflt });
const cycles = (doc: string, dflt: string): ParamSpec => ({ spec: { t: 'quantity', dim: 'cycles', unit: 'cycles', min: 0, also: 'time' }, doc, default: dflt });
const energy = (doc: string, dflt: string): ParamSpec => ({ spec: { t: 'quantity', dim: 'energy', unit: 'pJ', min: 0 }, doc, default: dflt });

export const ROUNDING = ['nearest', 'nearest_even', 'toward_zero', 'floor', 'stochastic'] as const;

const surrogateShape = (gammaDefault: string): Params => ({
  gamma: real('Height scaling γ (NEST surrogate_gradient_gamma; Bellec et al.\'s dampening factor).', gammaDefault, { min: 0 }),
  beta: real('Width scaling β (NEST surrogate_gradient_beta): larger is narrower; per membrane unit, or per v_th for piecewise_linear.', '1', { min: 0, minOpen: true }),
});

const SURROGATE: Spec = {
  t: 'choice', noun: 'a surrogate derivative',
  options: {
    piecewise_linear: { doc: 'ψ = (γ/v_th)·max(0, 1 − β·|v − A|/v_th) (Bellec et al. 2020; NEST piecewise_linear).', params: surrogateShape('0.3') },
    exponential: { doc: 'ψ = γ·exp(−β·|v − A|) (NEST exponential).', params: surrogateShape('0.3') },
    fast_sigmoid: { doc: 'ψ = γ·(1 + β·|v − A|)^−2 (NEST fast_sigmoid_derivative).', params: surrogateShape('0.3') },
    arctan: { doc: 'ψ = (γ/π)/(1 + (βπ·(v − A))²) (NEST arctan).', params: surrogateShape('0.3') },
    multi_gaussian: {
      doc: 'ψ = γ[(1+h)·N(x;0,σ) − h·N(x;σ,sσ) − h·N(x;−σ,sσ)], x = v − A (Yin et al. 2021).',
      params: {
        gamma: real('Overall scale γ.', '0.5', { min: 0 }),
        sigma: real('Width σ of the central Gaussian (membrane units).', '0.5', { min: 0, minOpen: true }),
        h: real('Weight h of the negative side lobes.', '0.15', { min: 0 }),
        s: real('Width ratio s of the side lobes.', '6', { min: 0, minOpen: true }),
      },
    },
  },
};

const RESET: Spec = {
  t: 'choice', noun: 'a reset mode',
  options: {
    subtract: {
      doc: 'v −= threshold after a spike (Bellec et al., NEST).',
      params: { threshold: oneOf(['baseline', 'adaptive'], 'Subtract the baseline v_th (TF, NEST) or the current adaptive threshold A (Yin et al.).', 'baseline') },
    },
    zero: { doc: 'v = 0 after a spike.' },
    to: { doc: 'v = value after a spike.', params: { value: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'The reset potential (membrane units).', required: true } }, positional: ['value'] },
  },
};

const neuronCommon = (defaultTau: string): Params => ({
  tau_m: perNeuron('time', 'Membrane time constant; α = exp(−dt/τ_m).', defaultTau, 0, true),
  v_th: perNeuron('dimensionless', 'Firing threshold (baseline), in membrane units.', '1', 0, true),
  v_init: perNeuron('dimensionless', 'Initial membrane potential (a constant or a distribution).', '0'),
  v_min: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'Lower clamp of the membrane potential (NEST V_min); none by default.' },
  bias: perNeuron('dimensionless', 'Constant input current added every step; none by default.'),
  reset: { spec: RESET, doc: 'What a spike does to the membrane.', default: 'subtract' },
  reset_timing: oneOf(['next_step', 'same_step'], 'Apply the reset at the next step (TF tutorials, NEST *_bsshslm_2020) or in the spiking step (NEST eprop_iaf).', 'next_step'),
  threshold_test: oneOf(['gt', 'ge'], 'Spike when v > A (TF) or v ≥ A (NEST).', 'gt'),
  input_factor: oneOf(['none', 'one_minus_alpha'], 'Scale the input by (1 − α) (TF LightLIF; NEST regular_spike_arrival = false) or not.', 'none'),
  refractory: time('Refractory period: no spikes, and ψ = 0, for round(t_ref/dt) − 1 steps after a spike (TF n_ref, NEST t_ref).', '0 ms', 0, false),
  surrogate: { spec: SURROGATE, doc: 'Pseudo-derivative ψ used by e-prop and BPTT.', default: 'piecewise_linear' },
  surrogate_when_refractory: oneOf(['zero', 'active'], 'ψ is 0 while refractory (Bellec, NEST) or computed as usual.', 'zero'),
});

export const NEURON_MODELS: Readonly<Record<string, { doc: string; role: 'population' | 'readout'; params: Params }>> = {
  LIF: {
    doc: 'Leaky integrate-and-fire neuron (Bellec et al. 2020 eq. for LIF).', role: 'population',
    params: { ...neuronCommon('20 ms'), trainable: { spec: { t: 'names', values: ['tau_m', 'v_th', 'bias'] }, doc: 'Intrinsic parameters trained per neuron by BPTT (Yin et al., BIP).', default: '[]' } },
  },
  ALIF: {
    doc: 'Adaptive LIF: threshold A = v_th + β·a, a = ρ·a + increment·z (Bellec et al. 2020; Yin et al. 2021).', role: 'population',
    params: {
      ...neuronCommon('20 ms'),
      tau_a: perNeuron('time', 'Adaptation time constant; ρ = exp(−dt/τ_a).', '200 ms', 0, true),
      beta: perNeuron('dimensionless', 'Adaptation strength β.', '1.8', 0, false),
      a_init: perNeuron('dimensionless', 'Initial adaptation variable.', '0'),
      adaptation_increment: oneOf(['spike', 'one_minus_rho'], 'a grows by z (TF EligALIF, NEST) or by (1 − ρ)·z (TF LightALIF, Yin et al.).', 'spike'),
      trainable: { spec: { t: 'names', values: ['tau_m', 'tau_a', 'v_th', 'beta', 'bias'] }, doc: 'Intrinsic parameters trained per neuron by BPTT (Yin et al., BIP).', default: '[]' },
    },
  },
  LI: {
    doc: 'Leaky integrator readout: y = κ·y + factor·Σ W z + b, κ = exp(−dt/τ).', role: 'readout',
    params: {
      tau: perNeuron('time', 'Readout time constant; κ = exp(−dt/τ).', '20 ms', 0, true),
      input_factor: oneOf(['none', 'one_minus_kappa'], 'Scale the input by (1 − κ) (TF tutorials) or not (NEST).', 'none'),
      bias: perNeuron('dimensionless', 'Constant added every step; none by default.'),
      v_init: perNeuron('dimensionless', 'Initial value.', '0'),
      trainable: { spec: { t: 'names', values: ['tau', 'bias'] }, doc: 'Intrinsic parameters trained per neuron by BPTT.', default: '[]' },
    },
  },
};

export const INPUT_PARAMS: Params = {
  encoding: oneOf(['spikes', 'graded'], 'Binary spikes drive crossbar rows directly; graded values go through the DAC.', 'spikes'),
};

export const NETWORK_PARAMS: Params = {
  dt: time('Simulation time step: one frame of the core.', '1 ms'),
};

// ---- projections ---------------------------------------------------------------------------
export const CONNECTIVITY: Readonly<Record<string, OptionSpec & { weights: 'matrix' | 'vector' }>> = {
  dense: { doc: 'All-to-all: a weight for every (source, target) pair.', weights: 'matrix' },
  sparse: { doc: 'Each pair is connected with probability p (drawn from the init stream).', weights: 'matrix', params: { p: real('Connection probability.', undefined, { min: 0, minOpen: true, max: 1 }) }, positional: ['p'] },
  one_to_one: { doc: 'Neuron i to neuron i; source and target have the same size.', weights: 'vector' },
  self: { doc: 'Each neuron to itself (the diagonal; ScSr-SNN self-recurrence); source and target are the same population.', weights: 'vector' },
};

export const PROJECTION_PARAMS: Params = {
  w: { spec: { t: 'init', dim: 'dimensionless', shape: 'matrix' }, doc: 'Initial weights: a constant, a distribution after `~`, or load("w.npy") of shape (source, target) — (size,) for one_to_one and self.', default: 'kaiming()' },
  no_self: bool('Mask the diagonal of a recurrent projection (no autapses); only where source is target.', 'off'),
  skip: bool('Marks a skip connection between non-adjacent layers (ScSr-SNN); checked to really skip one.', 'off'),
  trainable: bool('Whether learning updates these weights.', 'on'),
  w_min: real('Lower weight clip (none by default).'),
  w_max: real('Upper weight clip (none by default).'),
};

/** Initialisers after `~` (distributions) or `=` (load, constant). */
export const INITIALISERS: Readonly<Record<string, OptionSpec & { distribution: boolean }>> = {
  normal: { doc: 'Gaussian with mean and standard deviation.', distribution: true, params: { mean: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'Mean.', default: '0' }, std: { spec: { t: 'quantity', dim: 'dimensionless', min: 0 }, doc: 'Standard deviation.', default: '1' } }, positional: ['mean', 'std'] },
  uniform: { doc: 'Uniform on [low, high).', distribution: true, params: { low: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'Lower bound.', default: '0' }, high: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'Upper bound.', default: '1' } }, positional: ['low', 'high'] },
  glorot: { doc: 'Uniform ±gain·sqrt(6/(fan_in + fan_out)) (Glorot & Bengio; Xavier-uniform).', distribution: true, params: { gain: real('Scale.', '1', { min: 0 }) }, positional: ['gain'] },
  kaiming: { doc: 'Gaussian with std gain/sqrt(fan_in) (He et al.; Bellec\'s initialisation).', distribution: true, params: { gain: real('Scale.', '1', { min: 0 }) }, positional: ['gain'] },
  orthogonal: { doc: 'A random orthogonal matrix times gain (square projections only).', distribution: true, params: { gain: real('Scale.', '1', { min: 0 }) }, positional: ['gain'] },
  constant: { doc: 'Every element equal to value.', distribution: false, params: { value: { spec: { t: 'quantity', dim: 'dimensionless' }, doc: 'The value.', required: true } }, positional: ['value'] },
  load: { doc: 'Values from a .npy file (path relative to this .snn file).', distribution: false, params: { path: { spec: { t: 'data' }, doc: 'Path of the .npy file.', required: true } }, positional: ['path'] },
};

// ---- the core ------------------------------------------------------------------------------
const REFRESH: Spec = {
  t: 'choice', noun: 'a refresh policy',
  options: {
    off: { doc: 'Never refresh.' },
    threshold: {
      doc: 'RESET both devices of a pair and re-program the difference when one side exceeds g_high and the pair differs by less than min_diff (Demirag et al.).',
      params: {
        g_high: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'Conductance that triggers a refresh.', default: '9 uS' },
        min_diff: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0 }, doc: 'Refresh only pairs closer than this.', default: '2.25 uS' },
      },
    },
  },
};

const deviceCommon: Params = {
  g_max: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'Largest conductance of one device.', default: '12 uS' },
  devices_per_side: int('Devices per polarity (N > 1: multi-memristive synapse).', '1', 1, 16),
  weight_scale: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'Conductance per unit weight: W = (ΣG⁺ − ΣG⁻)/weight_scale.', default: '12 uS' },
};

export const DEVICE: Spec = {
  t: 'choice', noun: 'a device model',
  options: {
    pcm: {
      doc: 'Phase-change memory (Nandakumar et al. 2018 statistical model, as in Demirag et al. 2021).',
      params: {
        ...deviceCommon,
        profile: oneOf(['demirag2021', 'aihwkit', 'hermes'], 'The device model (docs/device.md): Demirag et al. 2021\'s Nandakumar et al. model (SET pulses, one drift exponent, white read noise), aihwkit\'s PCMLikeNoiseModel (programming noise after program-and-verify, a drift exponent per device, 1/f read noise), or aihwkit\'s fit to the HERMES chip.', 'demirag2021'),
        g_min: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0 }, doc: 'Smallest conductance (after RESET).', default: '0.1 uS' },
        prog_noise: bool('Programming noise on SET pulses.', 'on'),
        read_noise: bool('Read noise on every crossbar read.', 'on'),
        drift: bool('Power-law conductance drift G·((t − t_p)/t0)^−ν.', 'on'),
        drift_nu: real('Drift exponent ν (demirag2021; the other profiles draw one per device).', '0.04', { min: 0, max: 1 }),
        drift_t0: { spec: { t: 'quantity', dim: 'time', unit: 's', min: 0, minOpen: true }, doc: 'Drift reference time t0 (demirag2021; the other profiles have their own).', default: '38.6 s' },
        drift_compensation: bool('Global drift compensation of the read-out.', 'off'),
        update_period: { spec: { t: 'quantity', dim: 'time', unit: 's', min: 0, minOpen: true }, doc: 'Wall-clock time between weight updates (drift clock; 38.6 s in Demirag et al.).', default: '38.6 s' },
        refresh: { spec: REFRESH, doc: 'Refresh of saturated pairs.', default: 'off' },
      },
    },
    ideal: {
      doc: 'Noise-free, drift-free devices with a fixed number of evenly spaced levels (for verification).',
      params: { ...deviceCommon, levels: int('Conductance levels per device.', '256', 2, 65536) },
    },
  },
};

export const DECAY: Spec = {
  t: 'choice', noun: 'a decay implementation',
  options: {
    multiply: { doc: 'v·α with α stored in a fixed-point format (ReckOn: Q1.15).', params: { format: { spec: { t: 'format', maxBits: 32 }, doc: 'Format of α, κ, ρ.', default: 'q1.15' }, round: oneOf(ROUNDING, 'Rounding of the product.', 'nearest') }, positional: ['format'] },
    shift: { doc: 'v − (v >> k) with k = round(log2(τ/dt)) (Xylo); exact only for τ/dt a power of two.', params: { round: oneOf(ROUNDING, 'Rounding of the shift.', 'toward_zero') } },
  },
};

export const CORE_PARAMS: Params = {
  clock: { spec: { t: 'quantity', dim: 'frequency', unit: 'MHz', min: 0, minOpen: true }, doc: 'Core clock.', default: '500 MHz' },
  tile: { spec: { t: 'dims', max: 4096 }, doc: 'Crossbar rows x columns of one tile (HERMES: 256 x 256).', default: '256 x 256' },
  tiles: int('Number of crossbar tiles on the core.', '64', 1, 4096),
  lanes: int('Parallel lanes of the neuron unit.', '16', 1, 1024),
  device: { spec: DEVICE, doc: 'The synaptic device.', default: 'pcm' },
  dac: { spec: { t: 'quantity', dim: 'information', unit: 'bit', min: 1, max: 16 }, doc: 'Resolution of the pulse-width DAC for graded inputs.', default: '8 bit' },
  adc: { spec: { t: 'quantity', dim: 'information', unit: 'bit', min: 1, max: 16 }, doc: 'Resolution of the column ADCs.', default: '8 bit' },
  weight_bits: { spec: { t: 'quantity', dim: 'information', unit: 'bit', min: 2, max: 16 }, doc: 'Weight precision of the crossbar (absent: as finely as the devices hold weights): every weight programmed — the initial weights, and program_verify\'s writes — is first rounded to one of 2^b − 1 evenly spaced values in ±devices_per_side·g_max/weight_scale (a sign and b − 1 bits of magnitude; Bohnstingl et al. 2022 train at 4 bits). Pulse-based updates move weights by pulses, which it does not constrain (SNN5014).' },
  adc_range: real('Full-scale column sum of the ADC, in weight units (sums beyond it clip).', '16', { min: 0, minOpen: true }),
  adc_columns: int('Columns sharing one ADC (time-multiplexed).', '8', 1, 4096),
  adc_noise: real('Additive output noise of the ADC, in LSB (standard deviation).', '0', { min: 0 }),
  rounding: oneOf(ROUNDING, 'Default rounding of registers that do not say.', 'nearest'),
  tick: oneOf(['fused', 'split'], 'The order of a time step: one neuron update that leaks, integrates and fires (fused), or a digital event-driven core\'s two phases, as ReckOn\'s (split): a STEP phase that leaks and resets, then an event phase that integrates this step\'s inputs and the last step\'s spikes — readouts too, so they see a spike one step later — with the learning phase between them. A split sequence\'s first step has only its event phase and its last only its STEP phase, as a ReckOn sample\'s first and last ticks.', 'fused'),
  lfsr: oneOf(['phasecore', 'reckon'], 'The source of stochastic rounding: phasecore\'s 32-bit LFSR, or ReckOn\'s two 15-bit LFSRs per neuron word with its rule for the membrane\'s leak (up when the remainder reaches the draw; never up from 0), seeded as its release\'s testbench.', 'phasecore'),
  accumulator: reg('Per-neuron partial-sum register.', 'saturate(s24.10)'),
  membrane: reg('Membrane potential register.', 'saturate(s16.10)'),
  threshold: reg('Threshold register.', 's16.10'),
  adaptation: reg('Adaptation variable register (ALIF).', 'saturate(u16.10)'),
  weight: reg('Digital weight register of the learning unit: the feedback matrix B (every synaptic weight, readouts included, lives on the crossbar).', 'saturate(s8.6)'),
  trace: reg('Presynaptic trace register (z̄, filtered by the postsynaptic α; a readout\'s by its κ).', 'saturate(u12.8)'),
  psi: reg('Pseudo-derivative ψ register, one per recurrent neuron.', 'saturate(u16.10)'),
  error: reg('Readout error register (y − y*, or softmax − one-hot), one per readout.', 'saturate(s16.12)'),
  eligibility: reg('Per-synapse eligibility register: the κ-filtered trace ē and the ALIF adaptation eligibility ε_a.', 'saturate(s24.16)'),
  eligibility_sum: reg('Per-synapse Σ_t e of a sequence (or batch), for the firing-rate regulariser.', 'saturate(s32.16)'),
  learning_signal: reg('Learning signal register L = B·err, one per recurrent neuron.', 'saturate(s16.10)'),
  gradient: reg('Per-synapse weight-change register: −η·(scaled gradient) accumulated until the write; the mixed-precision χ keeps its remainder there.', 'saturate(s32.28)'),
  decay: { spec: DECAY, doc: 'How α, κ and ρ are applied.', default: 'multiply' },
};

export const LATENCY_PARAMS: Params = {
  crossbar_read: cycles('Read one active row of a tile into the column currents.', '4 cycles'),
  adc: cycles('One ADC conversion.', '1 cycle'),
  accumulate: cycles('Add one partial sum into an accumulator.', '1 cycle'),
  neuron_update: cycles('Update one lane of neurons (leak, threshold, reset).', '2 cycles'),
  readout: cycles('Update one readout neuron.', '1 cycle'),
  trace_update: cycles('Update one trace.', '1 cycle'),
  learning_signal: cycles('Compute one learning signal.', '2 cycles'),
  gradient: cycles('Accumulate one gradient element.', '1 cycle'),
  program_pulse: cycles('Apply one programming pulse (SET or RESET).', '50 cycles'),
  step_overhead: cycles('Fixed cost of a time step (control, synchronisation).', '8 cycles'),
  load_input: cycles('Load one lane-group of input channels into the row-drive buffer.', '1 cycle'),
  event_scan: cycles('Visit one index of the event buffers (a digital event-driven core\'s scan, as ReckOn\'s; 0: no scan).', '0 cycles'),
  event: cycles('Update one lane-group of target neurons for one active index (a digital core\'s event cost; 0: none).', '0 cycles'),
};

const ADC_ENERGY: Spec = {
  t: 'choice', noun: 'an ADC energy law',
  options: {
    neurosim: { doc: 'NeuroSim\'s SAR ADC at 22 nm: E = (b + 1)·(0.538·b + 4.375) fJ for b bits (78 fJ at 8 bits).' },
    isaac: { doc: 'ISAAC\'s ADC (32 nm, 1.2 GS/s): E = 1.667 pJ · 2^(b − 8).' },
    constant: { doc: 'The same price for every conversion, whatever its bits.', params: { energy: { spec: { t: 'quantity', dim: 'energy', unit: 'pJ', min: 0 }, doc: 'Energy of one conversion.', default: '1 pJ' } }, positional: ['energy'] },
  },
};

// Defaults and their sources: docs/energy.md.
export const ENERGY_PARAMS: Params = {
  adc: { spec: ADC_ENERGY, doc: 'The law that prices one ADC conversion (published tools disagree by 10–100×).', default: 'neurosim' },
  dac_pulse: energy('One row-drive pulse of the input DAC (a spike, or a graded input at full scale; shorter pulses in proportion).', '0.417 pJ'),
  read_voltage: { spec: { t: 'quantity', dim: 'voltage', unit: 'V', min: 0 }, doc: 'Read voltage across a device: a read costs V²·G·t.', default: '0.2 V' },
  read_time: time('Duration of one read pulse.', '100 ns'),
  add_per_bit: energy('A digital addition, per bit of its width.', '0.0022 pJ'),
  multiply_per_bit2: energy('A digital multiplication, per product of its operand widths.', '0.0042 pJ'),
  sram_per_bit: energy('An SRAM access (neuron state, read or written), per bit.', '0.05 pJ'),
  set_pulse: energy('One PCM SET (programming) pulse.', '13.5 pJ'),
  reset_pulse: energy('One PCM RESET pulse.', '19.2 pJ'),
};

// ---- learning ------------------------------------------------------------------------------
const lr = (dflt: string): ParamSpec => real('Learning rate η.', dflt, { min: 0, minOpen: true });
const feedbackB: Params = { B: { spec: { t: 'init', dim: 'dimensionless', shape: 'feedback' }, doc: 'Initial feedback matrix, shape (recurrent, outputs).', default: 'normal(0, 1)' } };

const LOSS: Spec = {
  t: 'choice', noun: 'a loss',
  options: {
    mse: { doc: 'E = ½ Σ_t Σ_k (y − y*)² (reduce = sum, TF and NEST) or its mean over time.', params: { reduce: oneOf(['sum', 'mean'], 'Sum or average over time steps.', 'sum') } },
    cross_entropy: { doc: 'Softmax cross-entropy of the readouts, averaged over the last `window` of each sequence.', params: { window: time('Time window at the end of a sequence where the loss counts; the whole sequence when absent.') } },
  },
};

const OPTIMIZER: Spec = {
  t: 'choice', noun: 'an optimizer',
  options: {
    sgd: { doc: 'w −= η·g.', params: { lr: lr('1e-4'), momentum: real('Momentum.', '0', { min: 0, max: 1, maxOpen: true }) } },
    adam: { doc: 'Adam (Kingma & Ba; TF1/NEST ε-hat form).', params: { lr: lr('1e-3'), beta1: real('β1.', '0.9', { min: 0, max: 1, maxOpen: true }), beta2: real('β2.', '0.999', { min: 0, max: 1, maxOpen: true }), epsilon: real('ε.', '1e-8', { min: 0, minOpen: true }) } },
  },
};

const REGULARIZER: Spec = {
  t: 'choice', noun: 'a regulariser',
  options: {
    none: { doc: 'No regularisation.' },
    rate: {
      doc: 'Firing-rate regulariser: E_reg = (strength/2)·Σ_j (f_j − target)².',
      params: {
        target: { spec: { t: 'quantity', dim: 'frequency', unit: 'Hz', min: 0 }, doc: 'Target rate.', default: '10 Hz' },
        strength: real('Strength c_reg.', '1', { min: 0 }),
        mode: oneOf(['per_sequence', 'batch_mean'], 'Rate of each sequence (NEST) or of the whole batch (TF).', 'per_sequence'),
      },
    },
  },
};

const SCHEDULE: Spec = {
  t: 'choice', noun: 'a learning-rate schedule',
  options: {
    constant: { doc: 'The same η throughout.' },
    step: { doc: 'Multiply η by factor every `every` iterations.', params: { every: int('Iterations between steps.', '100', 1, 1e9), factor: real('Multiplier.', '0.5', { min: 0, minOpen: true }) } },
  },
};

const commonLearn: Params = {
  loss: { spec: LOSS, doc: 'The loss.', default: 'mse' },
  optimizer: { spec: OPTIMIZER, doc: 'The optimizer.', default: 'sgd' },
  regularizer: { spec: REGULARIZER, doc: 'Firing-rate regularisation.', default: 'none' },
  schedule: { spec: SCHEDULE, doc: 'Learning-rate schedule.', default: 'constant' },
  gradient_clip: real('Clip each gradient element to ±this (none by default).', undefined, { min: 0, minOpen: true }),
  average_gradient: bool('Divide the gradient by the number of steps in the loss window (NEST average_gradient).', 'off'),
};

export const LEARN_KINDS: Readonly<Record<string, { doc: string; params: Params }>> = {
  eprop: {
    doc: 'e-prop (Bellec et al. 2020): eligibility traces × learning signals, online.',
    params: {
      ...commonLearn,
      feedback: {
        spec: {
          t: 'choice', noun: 'a feedback kind',
          options: {
            symmetric: { doc: 'B = W_outᵀ.' },
            random: { doc: 'B fixed and random.', params: feedbackB },
            adaptive: { doc: 'B receives the update of W_outᵀ and both decay (Kolen–Pollack style).', params: { ...feedbackB, decay: real('Decay per update.', '0.01', { min: 0, max: 1 }) } },
          },
        },
        doc: 'Feedback matrix carrying the error to the recurrent neurons.', default: 'random',
      },
      update: {
        spec: {
          t: 'choice', noun: 'a weight-update scheme',
          options: {
            direct: { doc: 'Quantised SGD: ΔG = −η·g·weight_scale applied as pulses.' },
            sign: { doc: 'One SET pulse on G⁺ or G⁻ when |g| exceeds threshold.', params: { threshold: real('Gradient threshold.', '0.9', { min: 0 }) } },
            stochastic: { doc: 'One pulse with probability |ΔG|/prob_scale.', params: { prob_scale: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'Conductance change that makes a pulse certain.', default: '780 uS' } } },
            multi: { doc: 'Multi-memristive: pulses spread round-robin over n devices per side.', params: { n: int('Devices per side.', '4', 1, 16) }, positional: ['n'] },
            mixed_precision: {
              doc: 'Accumulate η·g in χ; transfer trunc(χ/ε)·ε as pulses (Nandakumar et al. 2020; best in Demirag et al.).',
              params: {
                epsilon: real('Transfer quantum ε (weight units).', '0.125', { min: 0, minOpen: true }),
                pulse: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'Conductance change of one SET pulse assumed when converting ΔG to pulses.', default: '0.75 uS' },
              },
            },
            program_verify: {
              doc: 'Closed-loop program-and-verify (as aihwkit and the HERMES chip write weights; Bohnstingl et al. 2022): once |Δ| reaches epsilon, both sides of the pair are re-programmed to the new weight, each device until a verify read is within tolerance of its target or iterations are spent; smaller changes accumulate.',
              params: {
                tolerance: { spec: { t: 'quantity', dim: 'conductance', unit: 'uS', min: 0, minOpen: true }, doc: 'How close to its target a device must read (σ_prog).', default: '0.5 uS' },
                iterations: int('Programming attempts per device (k).', '5', 1, 100),
                epsilon: real('The weight change (weight units) below which a pair is not re-programmed yet.', '0.0625', { min: 0 }),
              },
            },
          },
        },
        doc: 'How gradients become device programming pulses on a PCM core.', default: 'direct',
      },
      placement: oneOf(['on_chip', 'chip_in_the_loop'], 'Where the learning computation runs: on the core\'s fixed-point learning unit, every step (on_chip), or on the host in float64 from the core\'s forward pass, the weights then written to the devices (chip_in_the_loop, as Bohnstingl et al. 2022).', 'on_chip'),
      write: oneOf(['step', 'sequence', 'batch'], 'When the learning unit writes the weights: every time step (online), at the end of each sequence, or at the end of each batch.', 'batch'),
    },
  },
  reckon: {
    doc: 'ReckOn\'s on-chip learning rule (Frenkel & Indiveri, ISSCC 2022), bit for bit as its RTL runs it: e-prop approximated with per-neuron traces, hard-sigmoid errors, learning signals through the readout weights, stochastic ±1 updates of int8 weights from its LFSRs, and an additive firing-rate regulariser. It runs on a core with tick = split; the defaults are its released testbench\'s registers (docs/core.md, "ReckOn\'s learning unit").',
    params: {
      window: time('The last part of a sequence in which the label is known: the host votes there (per-step argmax, majority; ties to the lower class), and the chip learns on the steps that leak it (the testbench: 150 ticks).', '150 ms'),
      weight_shift: int('FP_LOC_W: a weight enters the membrane shifted left by this (the weights are int8 times 2^shift).', '3', 0, 7),
      trace_shift: { spec: { t: 'list', of: { t: 'quantity', dim: 'dimensionless', min: 0, max: 10 }, minItems: 3, maxItems: 3 }, doc: 'FP_LOC_TINP, TREC, TOUT: the input and recurrent traces grow by 8 << shift per event, the output trace by 2 << shift, and each is read shifted right by it.', default: '[3, 4, 6]' },
      signal_scale: int('LEARN_SIG_SCALE: L = sat16((Σ_k e_k·w_out,jk · 2^scale) >> 12).', '5', 0, 31),
      h_threshold: int('THR_H: the pseudo-derivative is 1 where the membrane after the STEP phase is at least this (raw membrane units), else 0.', '205', -32768, 32767),
      lr_shift: { spec: { t: 'list', of: { t: 'quantity', dim: 'dimensionless', min: 0, max: 31 }, minItems: 3, maxItems: 3 }, doc: 'LR_P of the input, recurrent and readout weights: an update fires when |p|·2^LR_P reaches the draw.', default: '[8, 8, 14]' },
      lr_rshift: { spec: { t: 'list', of: { t: 'quantity', dim: 'dimensionless', min: 0, max: 31 }, minItems: 3, maxItems: 3 }, doc: 'LR_R of the input, recurrent and readout weights (a right shift after LR_P).', default: '[0, 0, 0]' },
      regularize: oneOf(['none', 'input', 'recurrent', 'both'], 'Additive firing-rate regularisation (REGUL_W) of the input weights, the recurrent weights, or both.', 'both'),
      regularize_f0: int('REGUL_F0: a post neuron is regularised by max(0, (trec >> FP_TREC) − F0).', '160', 0, 4095),
      regularize_shift: int('K_INP_P and K_REC_P: the regulariser enters p shifted left by this.', '10', 0, 31),
    },
  },
  bptt: {
    doc: 'Backpropagation through time with surrogate gradients (offline; trains intrinsic parameters too).',
    params: { ...commonLearn, truncate: time('Truncate the backward pass to this window (none: full sequence).') },
  },
};

// ---- tasks ---------------------------------------------------------------------------------
const rate = (doc: string, dflt: string): ParamSpec => ({ spec: { t: 'quantity', dim: 'frequency', unit: 'Hz', min: 0 }, doc, default: dflt });

/** What a task supervises with: a target signal per step (regression) or a class label per sample. */
export type Supervision = 'signal' | 'label';

export const TASK_KINDS: Readonly<Record<string, { doc: string; params: Params; channels: (p: Record<string, number>) => number; outputs: (p: Record<string, number>) => number; supervision: Supervision | null }>> = {
  pattern_generation: {
    supervision: 'signal',
    doc: 'Regress a sum of sines from frozen Poisson input (Bellec et al. 2020 Fig. 2; Demirag et al. 2021).',
    params: {
      duration: time('Sequence length.', '1000 ms'),
      channels: int('Input channels.', '100', 1, 1e6),
      rate: rate('Poisson rate of each input channel.', '50 Hz'),
      freqs: { spec: { t: 'list', of: { t: 'quantity', dim: 'frequency', unit: 'Hz', min: 0, minOpen: true }, minItems: 1 }, doc: 'Frequencies of the summed sines.', default: '[1, 2, 3, 5] Hz' },
      amplitude: { spec: { t: 'list', of: { t: 'quantity', dim: 'dimensionless', min: 0 }, minItems: 2, maxItems: 2 }, doc: 'Range [low, high] of the random amplitudes.', default: '[0.5, 2]' },
      outputs: int('Target channels (one pattern each).', '1', 1, 1e4),
      patterns: int('Distinct input/target pairs (training cycles through them).', '1', 1, 1e6),
    },
    channels: (p) => p.channels ?? 100, outputs: (p) => p.outputs ?? 1,
  },
  evidence_accumulation: {
    supervision: 'label',
    doc: 'Count left/right cues, answer after a delay (Bellec et al. 2020 Fig. 3; NEST classification test).',
    params: {
      cues: int('Number of cues per trial.', '7', 1, 1000),
      cue_duration: time('Duration of one cue.', '100 ms'),
      cue_spacing: time('Silence between cues.', '50 ms', 0, false),
      onset: time('Silence before the first cue.', '50 ms', 0, false),
      delay: time('Delay between the last cue and the recall cue.', '1000 ms', 0, false),
      recall_duration: time('Duration of the recall cue (the decision window).', '150 ms'),
      rate: rate('Rate of an active channel.', '40 Hz'),
      background_rate: rate('Rate of the background channels.', '10 Hz'),
      channels_per_group: int('Channels per group (left, right, recall, background).', '10', 1, 10000),
      majority: real('Probability that a cue is on the majority side.', '0.7', { min: 0.5, max: 1 }),
    },
    channels: (p) => 4 * (p.channels_per_group ?? 10), outputs: () => 2,
  },
  store_recall: {
    supervision: 'label',
    doc: 'Store a bit on a STORE command, report it on RECALL (Bellec et al. 2018/2020).',
    params: {
      steps: int('Command slots per sequence.', '10', 2, 100000),
      step_duration: time('Duration of one slot.', '200 ms'),
      store_probability: real('Probability of a STORE in a slot.', '0.2', { min: 0, max: 1 }),
      recall_probability: real('Probability of a RECALL in a slot after a STORE.', '0.2', { min: 0, max: 1 }),
      rate: rate('Rate of an active channel.', '50 Hz'),
      channels_per_group: int('Channels per group (store, recall, value 0, value 1).', '25', 1, 10000),
    },
    channels: (p) => 4 * (p.channels_per_group ?? 25), outputs: () => 2,
  },
  delayed_xor: {
    supervision: 'label',
    doc: 'Two cues separated by a delay; answer their XOR after a go cue.',
    params: {
      cue_duration: time('Duration of each cue.', '100 ms'),
      delay: time('Delay between the cues.', '500 ms', 0, false),
      response_delay: time('Delay between the second cue and the go cue.', '200 ms', 0, false),
      response_duration: time('Duration of the go cue (the decision window).', '150 ms'),
      rate: rate('Rate of an active channel.', '50 Hz'),
      channels_per_group: int('Channels per group (cue A=0, A=1, B=0, B=1, go).', '10', 1, 10000),
    },
    channels: (p) => 5 * (p.channels_per_group ?? 10), outputs: () => 2,
  },
  npy: {
    supervision: null, // targets or labels, as the block says
    doc: 'Data from .npy files: inputs (samples, T, channels) with targets (samples, T, outputs) or labels (samples,).',
    params: {
      inputs: { spec: { t: 'data' }, doc: 'load("inputs.npy"), shape (samples, T, channels).', required: true },
      targets: { spec: { t: 'data' }, doc: 'load("targets.npy"), shape (samples, T, outputs), for regression.' },
      labels: { spec: { t: 'data' }, doc: 'load("labels.npy"), shape (samples,), integer classes, for classification.' },
      shuffle: bool('Shuffle samples each epoch (data stream); file order otherwise.', 'off'),
      validation_inputs: { spec: { t: 'data' }, doc: 'load("test_inputs.npy"): a held-out set (samples, T, channels) that validation runs whole, in file order, instead of drawing from the training samples.' },
      validation_targets: { spec: { t: 'data' }, doc: 'The held-out set\'s targets (samples, T, outputs), with targets.' },
      validation_labels: { spec: { t: 'data' }, doc: 'The held-out set\'s labels (samples,), with labels.' },
    },
    channels: (p) => p.channels ?? 0, outputs: (p) => p.outputs ?? 0,
  },
};

// ---- train / run ---------------------------------------------------------------------------
const seed: ParamSpec = int('Seed of the PRNG; streams for init, data, noise and learning derive from it.', '0', 0, 4294967295);

export const TRAIN_PARAMS: Params = {
  network: { spec: { t: 'ref', kind: 'network' }, doc: 'The network to train.', required: true },
  core: { spec: { t: 'ref', kind: 'core' }, doc: 'The core to train on; the float reference only when absent.' },
  learn: { spec: { t: 'ref', kind: 'learn' }, doc: 'The learning rule.', required: true },
  task: { spec: { t: 'ref', kind: 'task' }, doc: 'The task.', required: true },
  iterations: int('Training iterations (one batch each).', '1000', 1, 1e9),
  batch: int('Sequences per iteration.', '1', 1, 1e6),
  seed,
  validate_every: int('Validate every this many iterations (0: never).', '0', 0, 1e9),
  test_after: { spec: { t: 'quantity', dim: 'time', unit: 's', min: 0 }, doc: 'After training, let this much simulated time pass with the core unused (its devices drift; nothing is rewritten), then test it, learning off, on fresh samples (an npy task\'s held-out set): the accuracy after drift without retraining (`1 h`, `30 day`). The float reference tests at once (it does not drift).' },
};

export const RUN_PARAMS: Params = {
  network: { spec: { t: 'ref', kind: 'network' }, doc: 'The network to run.', required: true },
  core: { spec: { t: 'ref', kind: 'core' }, doc: 'The core to run on; the float reference only when absent.' },
  task: { spec: { t: 'ref', kind: 'task' }, doc: 'The task that supplies inputs.', required: true },
  samples: int('Sequences to run.', '1', 1, 1e9),
  seed,
};

// ---- verify --------------------------------------------------------------------------------
export const VERIFY_PARAMS: Params = {
  network: { spec: { t: 'ref', kind: 'network' }, doc: 'The network to verify.', required: true },
  core: { spec: { t: 'ref', kind: 'core' }, doc: 'The core it must run on.', required: true },
  task: { spec: { t: 'ref', kind: 'task' }, doc: 'The task whose inputs the dynamic, learning and drift constraints run.', required: true },
  learn: { spec: { t: 'ref', kind: 'learn' }, doc: 'The learning rule of the learning and drift constraints (and of the static proofs: weights it can change are bounded over the whole weight range).' },
  seed: int('The seed verified when `phasecore verify` is given no --seeds.', '1', 0, 4294967295),
  samples: int('Sequences of the task the dynamic constraints run on the core and on the float reference.', '4', 1, 1e6),
  reference: oneOf(['declared', 'held'], 'What the dynamic constraints compare the core with: the float reference of the network as declared (quantisation and the core\'s arithmetic both measured), or of the values the core holds (its arithmetic alone, as the ideal-core test does).', 'declared'),
  iterations: int('Training iterations of the learning and drift constraints, on the core and on the float reference.', '20', 1, 1e9),
  batch: int('Sequences per training iteration.', '1', 1, 1e6),
  drift_after: { spec: { t: 'quantity', dim: 'time', unit: 's', min: 0, minOpen: true }, doc: 'The simulated time the drift constraints let pass, the trained core unused, before testing it again (`1 day`).' },
};

/** What a constraint's bound is and which way it points. */
export interface ConstraintSpec {
  /** static: the compiler's analysis, no run; dynamic: the core against the float reference on the task's inputs; learning: after training on both; drift: the trained core after drift_after. */
  readonly kind: 'static' | 'dynamic' | 'learning' | 'drift';
  /** flag: written alone (`no_overflow`); else `name <= bound` (at_most), `name >= bound` (at_least), or either (a band: written twice). */
  readonly form: 'flag' | 'at_most' | 'at_least' | 'band';
  /** The bound's dimension (quantity constraints); `percent`: a plain number shown as a percentage. */
  readonly bound?: { readonly dim: DimName; readonly unit?: string; readonly also?: DimName; readonly percent?: boolean };
  readonly doc: string;
}

export const CONSTRAINTS: Readonly<Record<string, ConstraintSpec>> = {
  no_overflow: { kind: 'static', form: 'flag', doc: 'No accumulator, membrane, adaptation or threshold register can leave its format, for any input (the range analysis, sound on the quantised values; with a learning rule, every weight it trains is bounded over the whole weight range). A failure names the register, the population, the projections feeding it and their line, and runs a counterexample input on the core.' },
  weights_nonzero: { kind: 'static', form: 'flag', doc: 'Every nonzero weight the network declares is held as a nonzero level on the devices (none is quantised away).' },
  decay_error: { kind: 'static', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The largest relative error of a decay the core holds (α, κ, ρ) against e^(−dt/τ), over every neuron (`1 %`).' },
  tiles: { kind: 'static', form: 'at_most', bound: { dim: 'dimensionless' }, doc: 'Crossbar tiles the network maps onto.' },
  cycles_per_step: { kind: 'static', form: 'at_most', bound: { dim: 'cycles', unit: 'cycles', also: 'time' }, doc: 'Cycles of one time step in the compiler\'s schedule (learning included where a learning rule runs on chip), in cycles or as a time at the core\'s clock (`1 ms`: the step finishes within dt).' },
  memory: { kind: 'static', form: 'at_most', bound: { dim: 'information', unit: 'B' }, doc: 'Bytes of digital memory the program occupies: every neuron\'s parameters and state and its accumulator, as `run` reports it (`64 kB`; the crossbar\'s devices are counted by `tiles`).' },
  spike_agreement: { kind: 'dynamic', form: 'at_least', bound: { dim: 'dimensionless', percent: true }, doc: 'Of every (neuron, step) of the recurrent populations, the share where the core spikes exactly when the float reference does (`95 %`).' },
  membrane_lsb: { kind: 'dynamic', form: 'at_most', bound: { dim: 'dimensionless' }, doc: 'The largest |v_core − v_ref| of a recurrent neuron, in LSBs of the membrane register, up to the first step where the spike rasters differ (ideal devices).' },
  membrane_error: { kind: 'dynamic', form: 'at_most', bound: { dim: 'dimensionless' }, doc: 'The same in membrane units (for PCM noise, where LSBs are too fine a measure).' },
  output_error: { kind: 'dynamic', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The readouts\' RMS difference from the reference, relative to the reference\'s RMS output (`5 %`).' },
  loss_error: { kind: 'dynamic', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The task\'s loss on the core against the reference\'s: |L_core − L_ref|/L_ref (`10 %`).' },
  firing_rate: { kind: 'dynamic', form: 'band', bound: { dim: 'frequency', unit: 'Hz' }, doc: 'Every recurrent population\'s mean rate on the core, within a band written as two constraints (`firing_rate >= 1 Hz`, `firing_rate <= 100 Hz`): no population silent or saturated after quantisation.' },
  saturations: { kind: 'dynamic', form: 'at_most', bound: { dim: 'dimensionless' }, doc: 'Register saturations and ADC clips on the task\'s inputs.' },
  no_timing_errors: { kind: 'dynamic', form: 'flag', doc: 'No step of the run takes more cycles than dt at the core\'s clock.' },
  learned_loss_error: { kind: 'learning', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'After `iterations` of training on the core, its loss (mean of the last 10 iterations) relative to the float reference trained the same way: (L_core − L_ref)/L_ref, a degradation budget (a core that learns better passes).' },
  learned_accuracy_drop: { kind: 'learning', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The same for accuracy (classification): the reference\'s minus the core\'s, in points (`5 %`).' },
  pulses_per_device: { kind: 'learning', form: 'at_most', bound: { dim: 'dimensionless' }, doc: 'The most programming pulses (SET and RESET, the initial programming included) any one device took while training: an endurance budget.' },
  energy_per_step: { kind: 'learning', form: 'at_most', bound: { dim: 'energy', unit: 'pJ' }, doc: 'Energy of a training time step on the core, learning included (`10 nJ`).' },
  drift_loss_error: { kind: 'drift', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The trained core\'s test loss after drift_after of drift without retraining, relative to its test loss at once.' },
  drift_accuracy_drop: { kind: 'drift', form: 'at_most', bound: { dim: 'dimensionless', percent: true }, doc: 'The same for accuracy, in points.' },
};

export const PROBE_VARIABLES: Readonly<Record<string, { doc: string; models: readonly string[] }>> = {
  spikes: { doc: 'Spikes z (0/1).', models: ['input', 'LIF', 'ALIF'] },
  v: { doc: 'Membrane potential.', models: ['LIF', 'ALIF', 'LI'] },
  a: { doc: 'Adaptation variable.', models: ['ALIF'] },
  threshold: { doc: 'Current threshold A = v_th + β·a.', models: ['LIF', 'ALIF'] },
  i: { doc: 'Synaptic input current of the step.', models: ['LIF', 'ALIF', 'LI'] },
  psi: { doc: 'Pseudo-derivative ψ.', models: ['LIF', 'ALIF'] },
  trace: { doc: 'Presynaptic (low-pass filtered) trace.', models: ['input', 'LIF', 'ALIF'] },
  y: { doc: 'Readout output.', models: ['LI'] },
  error: { doc: 'Readout error y − y* (or π − π*).', models: ['LI'] },
};

export const PROBE_PARAMS: Params = {
  every: time('Sampling interval (every step by default).'),
  start: time('First time recorded.', '0 ms', 0, false),
  stop: time('Last time recorded (the end of the sequence by default).', undefined, 0, false),
};
