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
import { NO_CONVENTIONS, type Conventions, type CoreConfig, type LearningConstants, type PopulationParams, type TileTargets } from '../runtime/program.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import type { LearnIR } from '../ir/training.ts';
import type { Place } from './values.ts';
import { diagnose, type PassContext } from './context.ts';
import type { DeviceIR } from './lower.ts';
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
  const delta = Math.max(-maxDelta, Math.min(maxDelta, w * d.weightScale));
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
      vMin: q.vMin === null ? null : toRaw(q.vMin, R.membrane).raw, graded: false,
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
  const blocks: Record<'inRec' | 'recRec' | 'inOut' | 'recOut', WeightBlock> = { inRec: inst.inRec, recRec: inst.recRec, inOut: inst.inOut, recOut: inst.recOut };
  const held = { inRec: new Float64Array(inst.inRec.w.length), recRec: new Float64Array(inst.recRec.w.length), inOut: new Float64Array(inst.inOut.w.length), recOut: new Float64Array(inst.recOut.w.length) };
  const { nRec, nOut } = inst.layout;
  const stats = net.projections.map(() => ({ n: 0, zero: 0, clipped: 0, worst: 0, worstReal: 0, worstHeld: 0 }));
  const targets: TileTargets[] = map.tiles.map((t) => {
    const gPlus = new Uint16Array(core.rows * core.cols);
    const gMinus = new Uint16Array(core.rows * core.cols);
    for (const piece of t.pieces) {
      for (let r = piece.rowLo; r < piece.rowHi; r++) {
        for (let c = piece.colLo; c < piece.colHi; c++) {
          const { key, index: j, width } = columnTarget(map, piece.source, c, nRec, nOut);
          const at = r * width + j;
          const b = blocks[key];
          if (!b.mask[at]) continue;
          const w = b.w[at] as number;
          const lv = weightToLevels(w, device);
          const cell = (piece.tileRow + r - piece.rowLo) * core.cols + (piece.tileCol + c - piece.colLo);
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
        }
      }
    }
    return { tile: t.index, rows: core.rows, cols: core.cols, gPlus, gMinus };
  });
  // The scale factors, shown rather than hidden: a weight unit in conductance, one device level
  // in weight units, and one ADC step in weight units (a signed conversion over ±adc_range).
  const levelSteps = device.levels > 0 ? device.levels - 1 : 65535;
  const levelWeight = device.gMax / levelSteps / device.weightScale;
  precision.push({ parameter: 'weight scale', real: 1, format: `${(device.weightScale * 1e6).toPrecision(4)} uS per unit, level ${(device.gMax / levelSteps * 1e6).toPrecision(4)} uS`, quantised: levelWeight, error: levelWeight / 2 });
  const adcStep = (2 * device.adcRange) / 2 ** device.adcBits;
  precision.push({ parameter: 'ADC step', real: device.adcRange, format: `${device.adcBits}-bit ADC over ±${device.adcRange}`, quantised: adcStep, error: adcStep / 2 });
  const levelName = device.levels > 0 ? `${device.levels} levels × ${device.devicesPerSide}/side` : `16-bit PCM target × ${device.devicesPerSide}/side`;
  net.projections.forEach((p, k) => {
    const s = stats[k]!;
    const name = `${p.source.name}->${p.target.name}.w`;
    if (s.n > 0) precision.push({ parameter: name, real: s.worstReal, format: levelName, quantised: s.worstHeld, error: s.worstHeld - s.worstReal });
    if (s.zero > 0.1 * s.n) diagnostics.push(diagnose(ctx, { projection: k }, 'WeightsVanish', `${s.zero} of the ${s.n} weights of ${p.source.name} -> ${p.target.name} quantise to zero on ${levelName} (one level is ${(device.gMax / (device.levels > 0 ? device.levels - 1 : 65535) / device.weightScale).toPrecision(3)} in weight units).`));
    if (s.clipped > 0) diagnostics.push(diagnose(ctx, { projection: k }, 'WeightsVanish', `${s.clipped} of the ${s.n} weights of ${p.source.name} -> ${p.target.name} exceed what ${device.devicesPerSide} device(s) of g_max can hold (|w| ≤ ${(device.devicesPerSide * device.gMax / device.weightScale).toPrecision(3)}) and are clipped.`));
  });
  return { value: { populations, targets, precision, weights: held }, diagnostics };
}

/**
 * The learning unit's parameters in its registers: the learning rate as a power-of-two shift (as
 * ReckOn applies it) and in the gradient format; a spike's trace increment; the feedback matrix B
 * (e-prop) in the digital weight format; the update scheme's threshold in the gradient format and
 * its pulse in device levels. `at` is where a diagnostic points (the block's learn rule).
 */
export function quantizeLearning(l: LearnIR, B: Float64Array | null, core: CoreConfig, device: DeviceIR, at: Place): { value: { rows: PrecisionRow[]; constants: LearningConstants }; diagnostics: Diagnostic[] } {
  const rows: PrecisionRow[] = [];
  const diagnostics: Diagnostic[] = [];
  const R = core.registers;
  const inFormat = (parameter: string, real: number, f: QFormat) => {
    const q = quantizeArray(parameter, Float64Array.of(real), f);
    rows.push(q.row!);
    return q.raw[0] as number;
  };
  const lr = l.optimizer.lr;
  const k = Math.round(-Math.log2(lr));
  rows.push({ parameter: 'learn.lr', real: lr, format: `shift 2^-${k}`, quantised: 2 ** -k, error: 2 ** -k - lr });
  const lrRaw = inFormat('learn.lr', lr, R.gradient);
  if (lrRaw === 0) diagnostics.push(diag('WeightsVanish', at.file, at.span, `The learning rate ${lr} is 0 in the gradient register ${formatName(R.gradient)}: updates computed there vanish.`));
  const traceIncrement = inFormat('trace increment', 1, R.trace);
  let Braw: Int32Array = new Int32Array(0);
  if (B && B.length > 0) {
    const q = quantizeArray(`learn.B (${l.feedback.kind})`, B, R.weight);
    Braw = q.raw;
    if (q.row) rows.push(q.row);
    let zero = 0;
    for (let i = 0; i < B.length; i++) if (B[i] !== 0 && q.raw[i] === 0) zero++;
    if (zero > 0.1 * B.length) diagnostics.push(diag('WeightsVanish', at.file, at.span, `${zero} of the ${B.length} entries of the feedback matrix B are 0 in the weight register ${formatName(R.weight)}: their neurons get no learning signal.`));
  }
  const u = l.update;
  let threshold = 0; let pulseLevels = 0;
  if (u.kind === 'mixed_precision' || u.kind === 'sign') {
    threshold = inFormat(`update.${u.kind === 'mixed_precision' ? 'epsilon' : 'threshold'}`, u.kind === 'mixed_precision' ? u.epsilon : u.threshold, R.gradient);
  }
  if (u.kind === 'mixed_precision') {
    // A pulse's conductance change, in weight units: on an ideal device a whole number of levels;
    // on PCM the nominal mean increment (programming noise is the core's to model).
    const real = u.pulse / device.weightScale;
    if (device.levels > 0) {
      const level = device.gMax / (device.levels - 1);
      const n = Math.max(1, Math.round(u.pulse / level));
      pulseLevels = n;
      rows.push({ parameter: 'update.pulse', real, format: `${n} level${n === 1 ? '' : 's'} of ${(level * 1e6).toPrecision(3)} uS`, quantised: (n * level) / device.weightScale, error: (n * level) / device.weightScale - real });
    } else {
      rows.push({ parameter: 'update.pulse', real, format: `nominal PCM pulse ${(u.pulse * 1e6).toPrecision(3)} uS`, quantised: real, error: 0 });
    }
  }
  const constants: LearningConstants = {
    lrShift: Math.max(0, Math.min(255, k)), lr: lrRaw, traceIncrement,
    feedback: l.kind !== 'eprop' ? 'none' : l.feedback.kind, B: Braw,
    scheme: u.kind, threshold, pulseLevels, pulse: u.kind === 'mixed_precision' ? u.pulse : 0,
  };
  return { value: { rows, constants }, diagnostics };
}

/** The decay a quantised value stands for on the core: α = 1 − 2^−k for a shift k, else the raw value in the decay format. */
export function decayValue(q: number, mode: DeviceIR['decay'], format: QFormat): number {
  return mode === 'shift' ? 1 - 2 ** -q : toReal(q, format);
}
