// Pass 2: quantise. Real parameters become raw register values and device levels, each with the
// error it costs, shown in the precision report rather than hidden:
//   decays α, ρ, κ → the decay format (multiply, q1.15 by default) or a shift k with α = 1 − 2^−k;
//   thresholds, β, reset values, initial states, biases → the threshold and membrane formats;
//   weights → device levels of the differential pair: ΔG = w·weight_scale, split over the
//   devices_per_side devices of one polarity, each a level of g_max/(levels − 1) (ideal) or a
//   16-bit target over [0, g_max] (PCM: programming is stochastic, the target is what is aimed at).
import type { NetworkIR } from '../ir/network.ts';
import type { Instance, WeightBlock } from '../ir/instantiate.ts';
import { formatName, toRaw, toReal, type QFormat } from '../runtime/fixed.ts';
import { NO_CONVENTIONS, weightOnGrid, type Conventions, type CoreConfig, type LearningConstants, type PopulationParams, type TileTargets } from '../runtime/program.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import type { LearnIR } from '../ir/training.ts';
import type { Place } from './values.ts';
import { diagnose, type PassContext } from './context.ts';
import { quantizeMultiplier, type DeviceIR } from './lower.ts';
import { columnTarget, type TileMap } from './map.ts';

export interface PrecisionRow { readonly parameter: string; readonly real: number; readonly format: string; readonly quantised: number; readonly error: number }

export interface Quantized {
  readonly populations: PopulationParams[];
  readonly targets: TileTargets[];
  readonly precision: PrecisionRow[];
  /** The weights the core will actually hold, as the reference would see them ([pre][post] blocks). */
  readonly weights: Readonly<Record<'inRec' | 'recRec' | 'inOut' | 'recOut', Float64Array>>;
}

/** Values in a register format, and the precision-report row of the worst-rounded one (none when empty). */
export function quantizeArray(parameter: string, values: Float64Array, f: QFormat): { raw: Int32Array; row: PrecisionRow | null } {
  const raw = new Int32Array(values.length);
  let worst = 0; let worstAt = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    raw[i] = toRaw(v, f).raw;
    const e = Math.abs(toReal(raw[i] as number, f) - v);
    if (e >= worst) { worst = e; worstAt = i; }
  }
  if (values.length === 0) return { raw, row: null };
  const real = values[worstAt] as number;
  const quantised = toReal(raw[worstAt] as number, f);
  return { raw, row: { parameter, real, format: formatName(f), quantised, error: quantised - real } };
}

/** Device levels of one synapse weight: per-device level on the positive and negative side, and the weight they make. */
export function weightToLevels(w: number, d: DeviceIR): { plus: number; minus: number; weight: number } {
  const steps = d.levels > 0 ? d.levels - 1 : 65535;
  const gLsb = d.gMax / steps;
  const maxDelta = d.devicesPerSide * d.gMax;
  const delta = Math.max(-maxDelta, Math.min(maxDelta, weightOnGrid(w, d.weightBits, maxDelta / d.weightScale) * d.weightScale));
  const perDevice = Math.abs(delta) / d.devicesPerSide;
  const level = Math.round(perDevice / gLsb);
  const weight = (Math.sign(delta) * d.devicesPerSide * level * gLsb) / d.weightScale + 0;
  return delta >= 0 ? { plus: level, minus: 0, weight } : { plus: 0, minus: level, weight };
}

export function quantize(net: NetworkIR, inst: Instance, core: CoreConfig, device: DeviceIR, map: TileMap, ctx: PassContext): { value: Quantized; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const precision: PrecisionRow[] = [];
  const R = core.registers;
  const decayF: QFormat = R.decay;
  const dt = net.dt;

  /** Quantise one per-neuron array; one report row (its worst element). */
  const raw = (name: string, values: Float64Array, lo: number, n: number, f: QFormat): Int32Array => {
    const q = quantizeArray(name, values.subarray(lo, lo + n), f);
    if (q.row) precision.push(q.row);
    return q.raw;
  };
  /** A decay exp(−dt/τ) per neuron in the decay implementation (what decayValue reads back); one report row. */
  const decay = (population: string, name: string, taus: Float64Array, lo: number, n: number): Int32Array => {
    const out = new Int32Array(n);
    let worst = -1; let row: PrecisionRow | undefined;
    for (let i = 0; i < n; i++) {
      const real = Math.exp(-dt / (taus[lo + i] as number));
      const q = device.decay === 'shift' ? Math.max(0, Math.round(Math.log2((taus[lo + i] as number) / dt))) : toRaw(real, decayF).raw;
      const qReal = decayValue(q, device.decay, decayF);
      out[i] = q;
      if (Math.abs(qReal - real) > worst) {
        worst = Math.abs(qReal - real);
        row = { parameter: name, real, format: device.decay === 'shift' ? `shift k = ${q}` : formatName(decayF), quantised: qReal, error: qReal - real };
      }
      if (qReal >= 1 || qReal <= 0) {
        diagnostics.push(diagnose(ctx, { population }, 'DecayDegenerate', `${name} = ${real.toPrecision(6)} becomes ${qReal} in ${row?.format}: ${qReal >= 1 ? 'the neuron never leaks' : 'the neuron forgets its input every step'}.`));
        break;
      }
    }
    if (row) precision.push(row);
    return out;
  };

  const populations: PopulationParams[] = [];
  let recAt = 0; let outAt = 0;
  for (const p of net.populations) {
    if (p.role === 'input') { populations.push({ name: p.name, model: 'input', size: p.size, conventions: { ...NO_CONVENTIONS, graded: p.encoding === 'graded' }, arrays: {} }); continue; }
    if (p.role === 'readout') {
      populations.push({
        name: p.name, model: 'LI', size: p.size, conventions: { ...NO_CONVENTIONS, inputFactor: p.params.inputFactor === 'one_minus_kappa' },
        arrays: { kappa: decay(p.name, `${p.name}.kappa`, inst.tauOut, outAt, p.size), bias: raw(`${p.name}.bias`, inst.biasOut, outAt, p.size, R.membrane), v_init: raw(`${p.name}.v_init`, inst.vInitOut, outAt, p.size, R.membrane) },
      });
      outAt += p.size;
      continue;
    }
    const n = p.size;
    const q = p.params;
    const arrays: Record<string, Int32Array> = {
      alpha: decay(p.name, `${p.name}.alpha`, inst.tauM, recAt, n),
      v_th: raw(`${p.name}.v_th`, inst.vTh, recAt, n, R.threshold),
      v_init: raw(`${p.name}.v_init`, inst.vInit, recAt, n, R.membrane),
      bias: raw(`${p.name}.bias`, inst.bias, recAt, n, R.accumulator),
    };
    if (p.model === 'ALIF') {
      arrays.rho = decay(p.name, `${p.name}.rho`, inst.tauA, recAt, n);
      arrays.beta = raw(`${p.name}.beta`, inst.beta, recAt, n, R.threshold);
      arrays.a_init = raw(`${p.name}.a_init`, inst.aInit, recAt, n, R.adaptation);
    }
    if (q.reset.kind === 'to') arrays.reset_value = new Int32Array(n).fill(toRaw(q.reset.value, R.membrane).raw);
    const conventions: Conventions = {
      reset: q.reset.kind, adaptiveTheta: q.reset.kind === 'subtract' && q.reset.threshold === 'adaptive',
      sameStep: q.resetTiming === 'same_step', ge: q.thresholdTest === 'ge', inputFactor: q.inputFactor === 'one_minus_alpha',
      incrementOneMinusRho: p.model === 'ALIF' && q.adaptationIncrement === 'one_minus_rho', refractory: q.refractorySteps,
      vMin: q.vMin === null ? null : toRaw(q.vMin, R.membrane).raw, graded: false, psiZeroBlocked: q.surrogateWhenRefractory === 'zero',
    };
    const memMax = toReal(2 ** (R.membrane.bits - (R.membrane.signed ? 1 : 0)) - 1, R.membrane);
    for (let i = 0; i < n; i++) {
      if ((inst.vTh[recAt + i] as number) > memMax) {
        diagnostics.push(diagnose(ctx, { population: p.name }, 'ThresholdUnreachable', `${p.name}.v_th = ${inst.vTh[recAt + i]} is above the largest membrane value ${memMax} of ${formatName(R.membrane)}: the neurons can never spike.`));
        break;
      }
    }
    populations.push({ name: p.name, model: p.model, size: n, conventions, arrays });
    recAt += n;
  }

  // Weights → device levels, tile by tile; the weights the device really holds.
  const held = { inRec: new Float64Array(inst.inRec.w.length), recRec: new Float64Array(inst.recRec.w.length), inOut: new Float64Array(inst.inOut.w.length), recOut: new Float64Array(inst.recOut.w.length) };
  const stats = net.projections.map(() => ({ n: 0, zero: 0, clipped: 0, worst: 0, worstReal: 0, worstHeld: 0 }));
  const targets: TileTargets[] = map.tiles.map((t) => {
    const gPlus = new Uint16Array(core.rows * core.cols);
    const gMinus = new Uint16Array(core.rows * core.cols);
    forEachSynapse(t, map, inst, core, (key, b, at, cell) => {
          const w = b.w[at] as number;
          const lv = weightToLevels(w, device);
          gPlus[cell] = lv.plus;
          gMinus[cell] = lv.minus;
          held[key][at] = lv.weight;
          const s = stats[b.owner[at] as number];
          if (s) {
            s.n++;
            if (w !== 0 && lv.weight === 0) s.zero++;
            if (Math.abs(w * device.weightScale) > device.devicesPerSide * device.gMax) s.clipped++;
            const e = Math.abs(lv.weight - w);
            if (e >= s.worst) { s.worst = e; s.worstReal = w; s.worstHeld = lv.weight; }
          }
    });
    return { tile: t.index, rows: core.rows, cols: core.cols, gPlus, gMinus, trainable: new Uint8Array(0) };
  });
  // The scale factors, shown rather than hidden: a weight unit in conductance, one device level
  // in weight units, and one ADC step in weight units (a signed conversion over ±adc_range).
  const levelSteps = device.levels > 0 ? device.levels - 1 : 65535;
  const levelWeight = device.gMax / levelSteps / device.weightScale;
  precision.push({ parameter: 'weight scale', real: 1, format: `${(device.weightScale * 1e6).toPrecision(4)} uS per unit, level ${(device.gMax / levelSteps * 1e6).toPrecision(4)} uS`, quantised: levelWeight, error: levelWeight / 2 });
  const adcStep = (2 * device.adcRange) / 2 ** device.adcBits;
  precision.push({ parameter: 'ADC step', real: device.adcRange, format: `${device.adcBits}-bit ADC over ±${device.adcRange}`, quantised: adcStep, error: adcStep / 2 });
  const deviceName = device.levels > 0 ? `${device.levels} levels × ${device.devicesPerSide}/side` : `16-bit PCM target × ${device.devicesPerSide}/side`;
  // With weight_bits, the grid weights are rounded to first: its step is the level that matters.
  const maxW = (device.devicesPerSide * device.gMax) / device.weightScale;
  const gridStep = device.weightBits > 0 ? maxW / (2 ** (device.weightBits - 1) - 1) : 0;
  const levelName = device.weightBits > 0 ? `the ${device.weightBits}-bit weight grid (then ${deviceName})` : deviceName;
  const oneLevel = gridStep > 0 ? `one grid step is ${gridStep.toPrecision(3)}` : `one level is ${(device.gMax / (device.levels > 0 ? device.levels - 1 : 65535) / device.weightScale).toPrecision(3)}`;
  if (gridStep > 0) precision.push({ parameter: 'weight grid', real: maxW, format: `${device.weightBits} bit: ${2 ** device.weightBits - 1} values in ±${maxW.toPrecision(4)}`, quantised: gridStep, error: gridStep / 2 });
  net.projections.forEach((p, k) => {
    const s = stats[k]!;
    const name = `${p.source.name}->${p.target.name}.w`;
    if (s.n > 0) precision.push({ parameter: name, real: s.worstReal, format: levelName, quantised: s.worstHeld, error: s.worstHeld - s.worstReal });
    if (s.zero > 0.1 * s.n) diagnostics.push(diagnose(ctx, { projection: k }, 'WeightsVanish', `${s.zero} of the ${s.n} weights of ${p.source.name} -> ${p.target.name} quantise to zero on ${levelName} (${oneLevel} in weight units).`));
    if (s.clipped > 0) diagnostics.push(diagnose(ctx, { projection: k }, 'WeightsVanish', `${s.clipped} of the ${s.n} weights of ${p.source.name} -> ${p.target.name} exceed what ${device.devicesPerSide} device(s) of g_max can hold (|w| ≤ ${(device.devicesPerSide * device.gMax / device.weightScale).toPrecision(3)}) and are clipped.`));
  });
  return { value: { populations, targets, precision, weights: held }, diagnostics };
}

/** What the learning constants depend on besides the rule: the run's shape and the readouts' κ. */
export interface LearningContext {
  readonly steps: number; readonly batch: number; readonly dt: number;
  /** The readouts' κ in the decay format (the program's LI arrays). */
  readonly kappas: Int32Array;
}

/**
 * The learning unit's constants in its registers (docs/core.md, "The learning unit"): η scaled by
 * the gradient's averaging as a multiplier from the learning signal's format to the gradient's;
 * the feedback matrix B in the digital weight format; the loss window; the scheme's threshold,
 * pulse and clip in the gradient format; the regulariser's factor. What the unit cannot run
 * where the file places it is an error naming the placement that can. `at` is where a
 * diagnostic points (the block's learn rule).
 */
export function quantizeLearning(l: LearnIR, B: Float64Array | null, core: CoreConfig, device: DeviceIR, run: LearningContext, at: Place): { value: { rows: PrecisionRow[]; constants: LearningConstants }; diagnostics: Diagnostic[] } {
  const rows: PrecisionRow[] = [];
  const diagnostics: Diagnostic[] = [];
  const R = core.registers;
  const refuse = (message: string) => diagnostics.push(diag('NotOnChip', at.file, at.span, message));
  const onChip = l.kind === 'eprop' && l.placement === 'on_chip';
  if (l.kind === 'eprop' && core.tick === 'split') refuse('phasecore\'s e-prop unit (on chip and in the loop) works on a fused tick; this core\'s tick is split, as ReckOn\'s: train it with ReckOn\'s own rule (learn … : reckon), or give the core tick = fused.');
  if (l.kind === 'bptt') refuse('BPTT needs the whole sequence stored and run backwards: it is the float reference\'s (train --backend reference), not a core\'s; use e-prop to learn on the core.');
  if (onChip) {
    if (l.optimizer.kind === 'adam') refuse('Adam keeps two moments per synapse and divides by a square root, which the core\'s learning unit does not: run it with placement = chip_in_the_loop (the host runs the optimizer in float64), or use sgd on chip.');
    if (l.optimizer.kind === 'sgd' && l.optimizer.momentum > 0) refuse('SGD with momentum keeps a velocity per synapse the core\'s learning unit does not have: use placement = chip_in_the_loop, or momentum = 0 on chip.');
    if (l.feedback.kind === 'adaptive') refuse('adaptive feedback updates B with the readout weights\' gradient, which the core\'s learning unit does not: use placement = chip_in_the_loop, or random or symmetric feedback on chip.');
    if (run.kappas.some((k) => k !== run.kappas[0])) refuse('the readouts have different κ: the learning unit filters every eligibility with one κ; give the readouts one τ, or use placement = chip_in_the_loop.');
  }
  const inFormat = (parameter: string, real: number, f: QFormat) => {
    const q = quantizeArray(parameter, Float64Array.of(real), f);
    rows.push(q.row!);
    return q.raw[0] as number;
  };
  const steps = run.steps;
  const window = l.loss.kind === 'cross_entropy' && l.loss.window !== null ? Math.min(steps, Math.max(1, Math.round(l.loss.window / run.dt))) : steps;
  // The gradient's scale: 1/batch, 1/window with average_gradient; the losses' own 1/W and 1/T
  // (the error register holds y − y* and π − π* unscaled).
  const scale = 1 / (run.batch * (l.averageGradient ? window : 1));
  const errScale = l.loss.kind === 'cross_entropy' ? 1 / window : l.loss.reduce === 'mean' ? 1 / steps : 1;
  const eta = l.optimizer.lr * scale * errScale;
  const lr = quantizeMultiplier(eta * 2 ** (R.gradient.frac - R.learning_signal.frac));
  const lrHeld = (lr.multiplier * 2 ** -lr.shift) / 2 ** (R.gradient.frac - R.learning_signal.frac);
  rows.push({ parameter: 'learn.lr (scaled)', real: eta, format: `multiplier ${lr.multiplier} >> ${lr.shift}`, quantised: lrHeld, error: lrHeld - eta });
  let Braw: Int32Array = new Int32Array(0);
  if (B && B.length > 0 && l.feedback.kind !== 'symmetric') {
    const q = quantizeArray(`learn.B (${l.feedback.kind})`, B, R.weight);
    Braw = q.raw;
    if (q.row) rows.push(q.row);
    let zero = 0;
    for (let i = 0; i < B.length; i++) if (B[i] !== 0 && q.raw[i] === 0) zero++;
    if (zero > 0.1 * B.length) diagnostics.push(diag('WeightsVanish', at.file, at.span, `${zero} of the ${B.length} entries of the feedback matrix B are 0 in the weight register ${formatName(R.weight)}: their neurons get no learning signal.`));
  }
  const G = R.gradient;
  const gRaw = (real: number) => Math.round(real * 2 ** G.frac);
  const u = l.update;
  let threshold = 0; let pulseLevels = 1; let pulse = 0;
  if (u.kind === 'sign') threshold = gRaw(u.threshold * l.optimizer.lr * scale);
  if (u.kind === 'mixed_precision') {
    threshold = inFormat('update.epsilon', u.epsilon, G);
    if (threshold === 0) diagnostics.push(diag('WeightsVanish', at.file, at.span, `The transfer quantum ε = ${u.epsilon} is 0 in the gradient register ${formatName(G)}: nothing would ever transfer.`));
  }
  if (u.kind === 'stochastic') pulse = u.probScale;
  if (device.weightBits > 0 && u.kind !== 'program_verify') diagnostics.push(diag('WeightBitsUnenforced', at.file, at.span, `weight_bits = ${device.weightBits} bit rounds the weights the core programs — its initial weights and program_verify's writes — but update = ${u.kind} moves them by pulses, which it does not constrain: the trained weights are finer than ${device.weightBits} bits (update = program_verify keeps them on the grid).`));
  // Program-and-verify: ε in the gradient format; the tolerance and attempts as given.
  let verifyTolerance = 0; let verifyIterations = 0;
  if (u.kind === 'program_verify') { threshold = gRaw(u.epsilon); verifyTolerance = u.tolerance; verifyIterations = u.iterations; }
  if (u.kind === 'multi') {
    // Demirag et al.'s multi-memristive scheme: n pulses of ε/N, ε = 0.75 µS, round-robin over the N devices of a side.
    pulse = 0.75e-6 / u.n;
    if (u.n !== device.devicesPerSide) diagnostics.push(diag('IncompatibleOptions', at.file, at.span, `update = multi(${u.n}) spreads pulses over ${u.n} devices per side, but the core has devices_per_side = ${device.devicesPerSide}: make them equal.`));
  }
  if (u.kind === 'mixed_precision') pulse = u.pulse;
  if (pulse > 0 && u.kind !== 'stochastic') {
    // A pulse's conductance change in weight units: on an ideal device a whole number of levels;
    // on PCM the nominal mean increment (programming noise is the core's to model).
    const real = pulse / device.weightScale;
    if (device.levels > 0) {
      const level = device.gMax / (device.levels - 1);
      pulseLevels = Math.max(1, Math.round(pulse / level));
      rows.push({ parameter: 'update.pulse', real, format: `${pulseLevels} level${pulseLevels === 1 ? '' : 's'} of ${(level * 1e6).toPrecision(3)} uS`, quantised: (pulseLevels * level) / device.weightScale, error: (pulseLevels * level) / device.weightScale - real });
    } else rows.push({ parameter: 'update.pulse', real, format: `nominal PCM pulse ${(pulse * 1e6).toPrecision(3)} uS`, quantised: real, error: 0 });
  }
  const clip = l.gradientClip === null ? 0 : gRaw(l.gradientClip * l.optimizer.lr * scale);
  // The regulariser: Δ −= η·scale·(c/T²)·(n_j − f0·dt·T)·Σe (reference: r_j = c·(n_j/T − f0·dt)/T).
  const reg = l.regularizer;
  let regK = { multiplier: 0, shift: 0 }; let regN0 = 0;
  if (reg.kind === 'rate' && reg.strength > 0) {
    const K = (l.optimizer.lr * scale * reg.strength) / (steps * steps);
    regK = quantizeMultiplier(K * 2 ** (G.frac - 8));
    regN0 = Math.round(reg.target * run.dt * steps * 256);
    rows.push({ parameter: 'regularizer factor', real: K, format: `multiplier ${regK.multiplier} >> ${regK.shift}`, quantised: (regK.multiplier * 2 ** -regK.shift) / 2 ** (G.frac - 8), error: (regK.multiplier * 2 ** -regK.shift) / 2 ** (G.frac - 8) - K });
  }
  const constants: LearningConstants = {
    placement: l.kind === 'eprop' ? l.placement : 'chip_in_the_loop', loss: l.loss.kind, windowStart: steps - window, lr,
    feedback: l.kind !== 'eprop' ? 'none' : l.feedback.kind, B: Braw, feedbackDecay: 0, kappa: run.kappas[0] ?? 0,
    scheme: u.kind, write: l.write, batch: l.write === 'batch' ? run.batch : 1,
    threshold, pulse, pulseLevels, clip, verifyTolerance, verifyIterations,
    regularizer: reg.kind === 'rate' && reg.strength > 0 ? reg.mode : 'none', regK, regN0,
  };
  return { value: { rows, constants }, diagnostics };
}

/**
 * With on-chip learning, the learning unit's per-neuron constants: ψ = max(0, h − s·|v − A|) for
 * the piecewise-linear surrogate (h = γ/v_th in the psi format; s = h·β/v_th per raw unit of the
 * finer of the membrane and threshold formats, as a multiplier and shift), and ALIF's c·β
 * (c = 1 or 1 − ρ) in Q7.24; and per tile which cells the unit may change (the synapses of
 * trainable projections). Other surrogates and heterogeneous α within a population are refused.
 */
export interface LearningArrays { readonly arrays: ReadonlyMap<number, Record<string, Int32Array>>; readonly trainable: readonly Uint8Array[] }
export function quantizeForLearning(net: NetworkIR, inst: Instance, q: Quantized, core: CoreConfig, map: TileMap, ctx: PassContext): { value: LearningArrays; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const perPop = new Map<number, Record<string, Int32Array>>();
  const R = core.registers;
  const F = Math.max(R.membrane.frac, R.threshold.frac);
  let recAt = 0;
  net.populations.forEach((p, i) => {
    if (p.role !== 'population') return;
    const pop = q.populations[i]!;
    const arrays: Record<string, Int32Array> = {};
    perPop.set(i, arrays);
    const n = p.size;
    const sur = p.params.surrogate;
    if (sur.kind !== 'piecewise_linear') diagnostics.push(diagnose(ctx, { population: p.name }, 'NotOnChip', `The learning unit computes the piecewise_linear pseudo-derivative; ${p.name}'s surrogate is ${sur.kind}: use piecewise_linear to learn on chip, or placement = chip_in_the_loop.`));
    const alpha = pop.arrays.alpha!;
    if (alpha.some((a) => a !== alpha[0])) diagnostics.push(diagnose(ctx, { population: p.name }, 'NotOnChip', `The learning unit filters presynaptic traces with one α per population; ${p.name}'s neurons have different τ_m: give them one τ_m to learn on chip, or use placement = chip_in_the_loop.`));
    const h = new Int32Array(n); const sM = new Int32Array(n); const sS = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const vth = inst.vTh[recAt + j] as number;
      const gamma = sur.kind === 'piecewise_linear' ? sur.gamma : 0;
      const beta = sur.kind === 'piecewise_linear' ? sur.beta : 1;
      const hr = gamma / vth;
      h[j] = toRaw(hr, R.psi).raw;
      const slope = (hr * beta / vth) * 2 ** (R.psi.frac - F);
      const m = slope > 0 ? quantizeMultiplier(slope) : { multiplier: 0, shift: 0 };
      sM[j] = m.multiplier; sS[j] = m.shift;
    }
    arrays.psi_h = h; arrays.psi_s = sM; arrays.psi_shift = sS;
    if (p.model === 'ALIF') {
      const cb = new Int32Array(n);
      for (let j = 0; j < n; j++) {
        const rho = Math.exp(-net.dt / (inst.tauA[recAt + j] as number));
        const c = p.params.adaptationIncrement === 'one_minus_rho' ? 1 - rho : 1;
        cb[j] = toRaw(c * (inst.beta[recAt + j] as number), { signed: true, bits: 32, frac: 24 }).raw;
      }
      arrays.cbeta = cb;
    }
    recAt += n;
  });
  return { value: { arrays: perPop, trainable: trainableCells(net, inst, q, core, map) }, diagnostics };
}

/** Per tile, the cells the learning unit may change: the synapses of projections declared trainable. */
export function trainableCells(net: NetworkIR, inst: Instance, q: Quantized, core: CoreConfig, map: TileMap): Uint8Array[] {
  return q.targets.map((tg, k) => {
    const mask = new Uint8Array(tg.rows * tg.cols);
    forEachSynapse(map.tiles[k]!, map, inst, core, (_key, b, at, cell) => { if (net.projections[b.owner[at] as number]?.trainable) mask[cell] = 1; });
    return mask;
  });
}

/**
 * The weights as learning could leave them: every synapse of a trainable projection at the largest
 * magnitude the devices hold (devices_per_side·g_max/weight_scale), the others as held. What a
 * sound range analysis of a program that trains its weights starts from.
 */
export function weightsOverLearning(net: NetworkIR, inst: Instance, q: Quantized, device: DeviceIR): Quantized {
  const maxW = (device.devicesPerSide * device.gMax) / device.weightScale;
  const over = (key: BlockName): Float64Array => {
    const b = inst[key]; const w = Float64Array.from(q.weights[key]);
    for (let at = 0; at < w.length; at++) if (b.mask[at] && net.projections[b.owner[at] as number]?.trainable) w[at] = maxW;
    return w;
  };
  return { ...q, weights: { inRec: over('inRec'), recRec: over('recRec'), inOut: over('inOut'), recOut: over('recOut') } };
}

type BlockName = 'inRec' | 'recRec' | 'inOut' | 'recOut';
/** Every synapse (a set mask bit) of a tile's pieces: its block, index in the block, and cell of the tile. */
function forEachSynapse(t: TileMap['tiles'][number], map: TileMap, inst: Instance, core: CoreConfig, f: (key: BlockName, b: WeightBlock, at: number, cell: number) => void): void {
  const { nRec, nOut } = inst.layout;
  for (const piece of t.pieces) {
    for (let r = piece.rowLo; r < piece.rowHi; r++) {
      for (let c = piece.colLo; c < piece.colHi; c++) {
        const { key, index: j, width } = columnTarget(map, piece.source, c, nRec, nOut);
        const at = r * width + j;
        const b = inst[key];
        if (b.mask[at]) f(key, b, at, (piece.tileRow + r - piece.rowLo) * core.cols + (piece.tileCol + c - piece.colLo));
      }
    }
  }
}

/** The decay a quantised value stands for on the core: α = 1 − 2^−k for a shift k, else the raw value in the decay format. */
export function decayValue(q: number, mode: DeviceIR['decay'], format: QFormat): number {
  return mode === 'shift' ? 1 - 2 ** -q : toReal(q, format);
}
