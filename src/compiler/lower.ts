// Pass 1 of the compiler: the checked program → the network IR (and the training IR of a train
// block). Pure: it reads resolved values (SI units, defaults applied) and builds plain data.
import type { CheckedCore, CheckedNetwork, CheckedProgram, CheckedRun, FixedFormat, Resolved, Value } from './values.ts';
import type { CoreConfig, DeviceParams, EnergyTable, RegisterFormat, RegisterName } from '../runtime/program.ts';
import { REGISTERS } from '../runtime/program.ts';
import type { Rounding } from '../runtime/fixed.ts';
import type { InitIR, NetworkIR, PopulationIR, ProjectionIR, ReadoutParamsIR, ResetIR, SpikingParamsIR, SurrogateIR } from '../ir/network.ts';
import type { FeedbackIR, LearnIR, LossIR, OptimizerIR, ProbeIR, RegularizerIR, ScheduleIR, TaskIR, TrainIR, UpdateIR } from '../ir/training.ts';

const fail = (what: string): never => { throw new Error(`internal: lowering ${what}`); };

function num(v: Value | undefined, what: string): number {
  if (v?.t === 'quantity') return v.si;
  if (v?.t === 'int') return v.value;
  return fail(`${what}: expected a number`);
}
const optNum = (v: Value | undefined, what: string): number | null => (v === undefined ? null : num(v, what));
function word(v: Value | undefined, what: string): string {
  if (v?.t === 'enum') return v.value;
  return fail(`${what}: expected a word`);
}
function bool(v: Value | undefined, what: string): boolean {
  if (v?.t === 'bool') return v.value;
  return fail(`${what}: expected on/off`);
}
function choice(v: Value | undefined, what: string): { option: string; params: Readonly<Record<string, Value>> } {
  if (v?.t === 'choice') return v;
  return fail(`${what}: expected an option`);
}
function path(v: Value | undefined, what: string): string {
  if (v?.t === 'data') return v.path;
  return fail(`${what}: expected a file`);
}

export function lowerInit(v: Value | undefined, what: string): InitIR {
  if (v?.t !== 'init') return fail(`${what}: expected an initialiser`);
  const p = v.params;
  switch (v.kind) {
    case 'constant': return { kind: 'constant', value: num(p.value, what) };
    case 'normal': return { kind: 'normal', mean: num(p.mean, what), std: num(p.std, what) };
    case 'uniform': return { kind: 'uniform', low: num(p.low, what), high: num(p.high, what) };
    case 'glorot': case 'kaiming': case 'orthogonal': return { kind: v.kind, gain: num(p.gain, what) };
    case 'load': {
      const d = p.path;
      if (d?.t !== 'data') return fail(what);
      return { kind: 'file', path: d.path, shape: d.header.shape };
    }
    default: return fail(`${what}: initialiser ${v.kind}`);
  }
}

function surrogate(v: Value | undefined): SurrogateIR {
  const c = choice(v, 'surrogate');
  if (c.option === 'multi_gaussian') return { kind: 'multi_gaussian', gamma: num(c.params.gamma, 'gamma'), sigma: num(c.params.sigma, 'sigma'), h: num(c.params.h, 'h'), s: num(c.params.s, 's') };
  return { kind: c.option as 'piecewise_linear', gamma: num(c.params.gamma, 'gamma'), beta: num(c.params.beta, 'beta') };
}

function reset(v: Value | undefined): ResetIR {
  const c = choice(v, 'reset');
  if (c.option === 'subtract') return { kind: 'subtract', threshold: word(c.params.threshold, 'reset threshold') as 'baseline' | 'adaptive' };
  if (c.option === 'zero') return { kind: 'zero' };
  return { kind: 'to', value: num(c.params.value, 'reset value') };
}

const names = (v: Value | undefined): string[] => (v?.t === 'names' ? [...v.names] : []);

function spiking(model: Resolved, dt: number): SpikingParamsIR {
  const p = model.params;
  const isAlif = model.kind === 'ALIF';
  return {
    tauM: lowerInit(p.tau_m, 'tau_m'),
    vTh: lowerInit(p.v_th, 'v_th'),
    vInit: lowerInit(p.v_init, 'v_init'),
    vMin: optNum(p.v_min, 'v_min'),
    bias: p.bias ? lowerInit(p.bias, 'bias') : null,
    reset: reset(p.reset),
    resetTiming: word(p.reset_timing, 'reset_timing') as 'next_step' | 'same_step',
    thresholdTest: word(p.threshold_test, 'threshold_test') as 'gt' | 'ge',
    inputFactor: word(p.input_factor, 'input_factor') as 'none' | 'one_minus_alpha',
    refractorySteps: Math.round(num(p.refractory, 'refractory') / dt),
    surrogate: surrogate(p.surrogate),
    surrogateWhenRefractory: word(p.surrogate_when_refractory, 'surrogate_when_refractory') as 'zero' | 'active',
    tauA: isAlif ? lowerInit(p.tau_a, 'tau_a') : { kind: 'constant', value: 1 },
    beta: isAlif ? lowerInit(p.beta, 'beta') : { kind: 'constant', value: 0 },
    aInit: isAlif ? lowerInit(p.a_init, 'a_init') : { kind: 'constant', value: 0 },
    adaptationIncrement: isAlif ? (word(p.adaptation_increment, 'adaptation_increment') as 'spike' | 'one_minus_rho') : 'spike',
    trainable: names(p.trainable),
  };
}

function readout(model: Resolved): ReadoutParamsIR {
  const p = model.params;
  return {
    tau: lowerInit(p.tau, 'tau'),
    inputFactor: word(p.input_factor, 'input_factor') as 'none' | 'one_minus_kappa',
    bias: p.bias ? lowerInit(p.bias, 'bias') : null,
    vInit: lowerInit(p.v_init, 'v_init'),
    trainable: names(p.trainable),
  };
}

export function lowerNetwork(net: CheckedNetwork): NetworkIR {
  const dt = num(net.params.params.dt, 'dt');
  const populations: PopulationIR[] = net.neurons.map((n) => {
    if (n.role === 'input') return { name: n.name, role: 'input', model: 'input', size: n.size, encoding: word(n.model.params.encoding, 'encoding') as 'spikes' | 'graded' };
    if (n.role === 'readout') return { name: n.name, role: 'readout', model: 'LI', size: n.size, params: readout(n.model) };
    return { name: n.name, role: 'population', model: n.model.kind as 'LIF' | 'ALIF', size: n.size, params: spiking(n.model, dt) };
  });
  const projections: ProjectionIR[] = net.projections.map((pr) => {
    const p = pr.conn.params;
    return {
      source: pr.source, target: pr.target,
      conn: pr.conn.kind as ProjectionIR['conn'],
      p: pr.conn.kind === 'sparse' ? num(p.p, 'p') : 1,
      w: lowerInit(p.w, 'w'),
      noSelf: bool(p.no_self, 'no_self'),
      trainable: bool(p.trainable, 'trainable'),
      wMin: optNum(p.w_min, 'w_min'),
      wMax: optNum(p.w_max, 'w_max'),
    };
  });
  return { name: net.name, dt, populations, groups: net.groups, projections };
}

export function lowerLearn(r: Resolved): LearnIR {
  const p = r.params;
  if (r.kind === 'reckon') {
    const ints = (k: string, n: number) => (p[k]?.t === 'list' ? p[k].items.map((x) => num(x, k)) : fail(k)).slice(0, n);
    const window = num(p.window, 'window');
    const reckon = {
      window, weightShift: num(p.weight_shift, 'weight_shift'), traceShift: ints('trace_shift', 3) as [number, number, number],
      signalScale: num(p.signal_scale, 'signal_scale'), hThreshold: num(p.h_threshold, 'h_threshold'),
      lrShift: ints('lr_shift', 3) as [number, number, number], lrRShift: ints('lr_rshift', 3) as [number, number, number],
      regularize: word(p.regularize, 'regularize') as 'none' | 'input' | 'recurrent' | 'both', regF0: num(p.regularize_f0, 'regularize_f0'), regShift: num(p.regularize_shift, 'regularize_shift'),
    };
    // The metric's loss and prediction window; ReckOn has no optimizer, schedule or scheme of phasecore's.
    return {
      kind: 'reckon', reckon, loss: { kind: 'cross_entropy', window }, optimizer: { kind: 'sgd', lr: 0, momentum: 0 }, regularizer: { kind: 'none' },
      schedule: { kind: 'constant' }, gradientClip: null, averageGradient: false, feedback: { kind: 'symmetric' }, update: { kind: 'direct' },
      placement: 'on_chip', write: 'step', truncate: null,
    };
  }
  const loss = choice(p.loss, 'loss');
  const lossIR: LossIR = loss.option === 'mse'
    ? { kind: 'mse', reduce: word(loss.params.reduce, 'reduce') as 'sum' | 'mean' }
    : { kind: 'cross_entropy', window: optNum(loss.params.window, 'window') };
  const opt = choice(p.optimizer, 'optimizer');
  const optimizer: OptimizerIR = opt.option === 'sgd'
    ? { kind: 'sgd', lr: num(opt.params.lr, 'lr'), momentum: num(opt.params.momentum, 'momentum') }
    : { kind: 'adam', lr: num(opt.params.lr, 'lr'), beta1: num(opt.params.beta1, 'beta1'), beta2: num(opt.params.beta2, 'beta2'), epsilon: num(opt.params.epsilon, 'epsilon') };
  const reg = choice(p.regularizer, 'regularizer');
  const regularizer: RegularizerIR = reg.option === 'none'
    ? { kind: 'none' }
    : { kind: 'rate', target: num(reg.params.target, 'target'), strength: num(reg.params.strength, 'strength'), mode: word(reg.params.mode, 'mode') as 'per_sequence' | 'batch_mean' };
  const sch = choice(p.schedule, 'schedule');
  const schedule: ScheduleIR = sch.option === 'constant' ? { kind: 'constant' } : { kind: 'step', every: num(sch.params.every, 'every'), factor: num(sch.params.factor, 'factor') };
  let feedback: FeedbackIR = { kind: 'symmetric' };
  let update: UpdateIR = { kind: 'direct' };
  if (r.kind === 'eprop') {
    const fb = choice(p.feedback, 'feedback');
    feedback = fb.option === 'symmetric' ? { kind: 'symmetric' }
      : fb.option === 'random' ? { kind: 'random', B: lowerInit(fb.params.B, 'B') }
      : { kind: 'adaptive', B: lowerInit(fb.params.B, 'B'), decay: num(fb.params.decay, 'decay') };
    const up = choice(p.update, 'update');
    update = up.option === 'direct' ? { kind: 'direct' }
      : up.option === 'sign' ? { kind: 'sign', threshold: num(up.params.threshold, 'threshold') }
      : up.option === 'stochastic' ? { kind: 'stochastic', probScale: num(up.params.prob_scale, 'prob_scale') }
      : up.option === 'multi' ? { kind: 'multi', n: num(up.params.n, 'n') }
      : up.option === 'program_verify' ? { kind: 'program_verify', tolerance: num(up.params.tolerance, 'tolerance'), iterations: num(up.params.iterations, 'iterations'), epsilon: num(up.params.epsilon, 'epsilon') }
      : { kind: 'mixed_precision', epsilon: num(up.params.epsilon, 'epsilon'), pulse: num(up.params.pulse, 'pulse') };
  }
  return {
    kind: r.kind as 'eprop' | 'bptt', reckon: null, loss: lossIR, optimizer, regularizer, schedule,
    gradientClip: optNum(p.gradient_clip, 'gradient_clip'), averageGradient: bool(p.average_gradient, 'average_gradient'),
    feedback, update,
    placement: r.kind === 'eprop' ? word(p.placement, 'placement') as LearnIR['placement'] : 'on_chip',
    write: r.kind === 'eprop' ? word(p.write, 'write') as LearnIR['write'] : 'batch',
    truncate: r.kind === 'bptt' ? optNum(p.truncate, 'truncate') : null,
  };
}

export function lowerTask(r: Resolved): TaskIR {
  const p = r.params;
  const n = (k: string) => num(p[k], k);
  switch (r.kind) {
    case 'pattern_generation': {
      const freqs = p.freqs?.t === 'list' ? p.freqs.items.map((x) => num(x, 'freq')) : fail('freqs');
      const amp = p.amplitude?.t === 'list' ? p.amplitude.items.map((x) => num(x, 'amplitude')) : fail('amplitude');
      return { kind: 'pattern_generation', duration: n('duration'), channels: n('channels'), rate: n('rate'), freqs, amplitude: [amp[0] as number, amp[1] as number], outputs: n('outputs'), patterns: n('patterns') };
    }
    case 'evidence_accumulation':
      return { kind: 'evidence_accumulation', cues: n('cues'), cueDuration: n('cue_duration'), cueSpacing: n('cue_spacing'), onset: n('onset'), delay: n('delay'), recallDuration: n('recall_duration'), rate: n('rate'), backgroundRate: n('background_rate'), channelsPerGroup: n('channels_per_group'), majority: n('majority') };
    case 'store_recall':
      return { kind: 'store_recall', steps: n('steps'), stepDuration: n('step_duration'), storeProbability: n('store_probability'), recallProbability: n('recall_probability'), rate: n('rate'), channelsPerGroup: n('channels_per_group') };
    case 'delayed_xor':
      return { kind: 'delayed_xor', cueDuration: n('cue_duration'), delay: n('delay'), responseDelay: n('response_delay'), responseDuration: n('response_duration'), rate: n('rate'), channelsPerGroup: n('channels_per_group') };
    case 'npy':
      return {
        kind: 'npy', inputs: path(p.inputs, 'inputs'), targets: p.targets ? path(p.targets, 'targets') : null, labels: p.labels ? path(p.labels, 'labels') : null, shuffle: bool(p.shuffle, 'shuffle'),
        validation: p.validation_inputs ? { inputs: path(p.validation_inputs, 'validation_inputs'), targets: p.validation_targets ? path(p.validation_targets, 'validation_targets') : null, labels: p.validation_labels ? path(p.validation_labels, 'validation_labels') : null } : null,
      };
    default: return fail(`task ${r.kind}`);
  }
}

/** A checked train block → the training IR. The block must have passed the checker. */
export function lowerTrain(program: CheckedProgram, run: CheckedRun): TrainIR {
  const p = run.params.params;
  const ref = (k: string): string => (p[k]?.t === 'ref' ? (p[k] as { name: string }).name : fail(`train ${k}`));
  const net = program.networks.get(ref('network')) ?? fail('network');
  const learn = program.learns.get(ref('learn')) ?? fail('learn');
  const task = program.tasks.get(ref('task')) ?? fail('task');
  return {
    network: lowerNetwork(net),
    learn: lowerLearn(learn),
    task: lowerTask(task),
    iterations: num(p.iterations, 'iterations'),
    batch: num(p.batch, 'batch'),
    seed: num(p.seed, 'seed'),
    validateEvery: num(p.validate_every, 'validate_every'),
    testAfter: p.test_after?.t === 'quantity' ? p.test_after.si : null,
    core: p.core?.t === 'ref' ? p.core.name : null,
    probes: lowerProbes(run),
  };
}

/** The probes of a train or run block, times in seconds. */
export function lowerProbes(run: CheckedRun): ProbeIR[] {
  return run.probes.map((pr) => {
    const t = (k: string): number | null => { const v = pr.options.params[k]; return v?.t === 'quantity' ? v.si : null; };
    return { variable: pr.variable, targets: pr.targets.map((e) => ({ name: e.name, lo: e.lo, hi: e.hi })), every: t('every'), start: t('start') ?? 0, stop: t('stop') };
  });
}

/**
 * A real scale as TFLite's QuantizeMultiplier does it: m = q·2^e with q in [0.5, 1), multiplier
 * round(q·2^31) and a right shift of 31 − e, so x·m ≈ (x · multiplier) >> shift.
 */
export function quantizeMultiplier(m: number): { multiplier: number; shift: number } {
  if (!(m > 0) || !Number.isFinite(m)) throw new Error(`internal: a multiplier of ${m}`);
  let e = Math.floor(Math.log2(m)) + 1;
  let q = m / 2 ** e;
  if (q >= 1) { q /= 2; e++; }
  if (q < 0.5) { q *= 2; e--; }
  let multiplier = Math.round(q * 2 ** 31);
  if (multiplier === 2 ** 31) { multiplier /= 2; e++; }
  return { multiplier, shift: 31 - e };
}

/** The checked core → the configuration a program carries (latencies in whole cycles, SI units). */
export function lowerCore(core: CheckedCore): CoreConfig {
  const p = core.params.params;
  const clockHz = num(p.clock, 'clock');
  const cycles = (k: string): number => {
    const v = core.latency.params[k];
    if (v?.t !== 'quantity') return fail(`latency ${k}`);
    // A latency is cycles, or a time converted with the clock (rounded up: hardware waits whole cycles).
    return v.dim[9] === 1 ? Math.round(v.si) : Math.ceil(v.si * clockHz - 1e-9);
  };
  const tile = p.tile?.t === 'dims' ? p.tile : fail('tile');
  const dev = choice(p.device, 'device');
  const defaultRound = word(p.rounding, 'rounding') as Rounding;
  const reg = (name: string): RegisterFormat => {
    const v = p[name];
    if (v?.t === 'register') return { signed: v.format.signed, bits: v.format.bits, frac: v.format.frac, overflow: v.overflow, round: (v.round ?? defaultRound) as Rounding };
    return fail(`register ${name}`);
  };
  const decay = choice(p.decay, 'decay');
  const decayFormat: FixedFormat = decay.option === 'multiply' && decay.params.format?.t === 'format' ? decay.params.format.format : { signed: false, bits: 16, frac: 15, text: 'q1.15' };
  const registers = {} as Record<RegisterName, RegisterFormat>;
  for (const r of REGISTERS) {
    registers[r] = r === 'decay'
      ? { signed: decayFormat.signed, bits: decayFormat.bits, frac: decayFormat.frac, overflow: 'saturate', round: word(decay.params.round, 'round') as Rounding }
      : reg(r);
  }
  const pcm = dev.option === 'pcm';
  const flag = (k: string) => pcm && bool(dev.params[k], k);
  const refresh = pcm ? choice(dev.params.refresh, 'refresh') : { option: 'off', params: {} };
  const device: DeviceParams = {
    kind: pcm ? 'pcm' : 'ideal',
    profile: pcm ? (word(dev.params.profile, 'profile') as DeviceParams['profile']) : 'demirag2021',
    levels: pcm ? 0 : num(dev.params.levels, 'levels'),
    devicesPerSide: num(dev.params.devices_per_side, 'devices_per_side'),
    gMax: num(dev.params.g_max, 'g_max'), gMin: pcm ? num(dev.params.g_min, 'g_min') : 0, weightScale: num(dev.params.weight_scale, 'weight_scale'),
    progNoise: flag('prog_noise'), readNoise: flag('read_noise'), drift: flag('drift'), driftCompensation: flag('drift_compensation'),
    driftNu: pcm ? num(dev.params.drift_nu, 'drift_nu') : 0, driftT0: pcm ? num(dev.params.drift_t0, 'drift_t0') : 1, updatePeriod: pcm ? num(dev.params.update_period, 'update_period') : 1,
    refresh: refresh.option === 'threshold' ? { gHigh: num(refresh.params.g_high, 'g_high'), minDiff: num(refresh.params.min_diff, 'min_diff') } : null,
    weightBits: p.weight_bits?.t === 'quantity' ? p.weight_bits.si : 0,
  };
  const adcBits = num(p.adc, 'adc');
  const adcRange = num(p.adc_range, 'adc_range');
  // One ADC code, 2·range/2^bits in weight units, in raw accumulator units.
  const scale = quantizeMultiplier(((2 * adcRange) / 2 ** adcBits) * 2 ** registers.accumulator.frac);
  const e = core.energy.params;
  const adcLaw = choice(e.adc, 'energy adc');
  const pj = (k: string) => num(e[k], k) * 1e12;
  const energy: EnergyTable = {
    adcLaw: adcLaw.option as EnergyTable['adcLaw'], adcConstant: adcLaw.option === 'constant' ? num(adcLaw.params.energy, 'energy') * 1e12 : 0,
    dacPulse: pj('dac_pulse'), readVoltage: num(e.read_voltage, 'read_voltage'), readTime: num(e.read_time, 'read_time'),
    addPerBit: pj('add_per_bit'), multiplyPerBit2: pj('multiply_per_bit2'), sramPerBit: pj('sram_per_bit'), setPulse: pj('set_pulse'), resetPulse: pj('reset_pulse'),
  };
  return {
    rows: tile.rows, cols: tile.cols, tiles: num(p.tiles, 'tiles'), lanes: num(p.lanes, 'lanes'), adcColumns: num(p.adc_columns, 'adc_columns'),
    crossbarRead: cycles('crossbar_read'), adc: cycles('adc'), accumulate: cycles('accumulate'), neuronUpdate: cycles('neuron_update'),
    readout: cycles('readout'), traceUpdate: cycles('trace_update'), learningSignal: cycles('learning_signal'), gradient: cycles('gradient'),
    programPulse: cycles('program_pulse'), stepOverhead: cycles('step_overhead'),
    loadInput: cycles('load_input'), eventScan: cycles('event_scan'), event: cycles('event'),
    clockHz, dacBits: num(p.dac, 'dac'),
    converter: { bits: adcBits, range: adcRange, noise: num(p.adc_noise, 'adc_noise'), ...scale },
    decayMode: decay.option as 'multiply' | 'shift',
    lfsr: word(p.lfsr, 'lfsr') as 'phasecore' | 'reckon',
    tick: word(p.tick, 'tick') as 'fused' | 'split',
    device, energy, registers,
  };
}

/** What the quantiser needs of the device and converters, in SI units (a view of the program's core). */
export interface DeviceIR {
  readonly kind: 'pcm' | 'ideal';
  readonly gMax: number; readonly gMin: number; readonly weightScale: number; readonly devicesPerSide: number;
  /** Levels per device (ideal), or 0 (PCM: targets kept at 16 bits over [g_min, g_max]). */
  readonly levels: number;
  /** The core's weight_bits, or 0. */
  readonly weightBits: number;
  readonly adcBits: number; readonly adcRange: number; readonly decay: 'multiply' | 'shift';
}

export function deviceOf(c: CoreConfig): DeviceIR {
  const d = c.device;
  return { kind: d.kind, gMax: d.gMax, gMin: d.gMin, weightScale: d.weightScale, devicesPerSide: d.devicesPerSide, levels: d.levels, weightBits: d.weightBits, adcBits: c.converter.bits, adcRange: c.converter.range, decay: c.decayMode };
}
