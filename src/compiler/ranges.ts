// Pass 3: range analysis. From the held weights, the tile map, the ADC and the formats, bound the
// registers of one time step and prove they cannot overflow — or say which register, where, and by
// how much (an error where the format wraps, a warning where it saturates):
//   ADC:          a column's current is at most Σ_rows |w| (every row active); the ADC clips at
//                 adc_range. Typical current: 5 % of the rows active (about 50 Hz at 1 ms).
//   accumulator:  a neuron sums, per read that feeds it, at most the ADC's rounding of Σ|w|
//                 (⌊Σ|w|/step + ½⌋ codes, at most full scale; full scale for PCM, whose reads are
//                 noisy) plus an LSB of scaling, plus |bias|.
//   membrane:     |v| ≤ f·I_max/(1 − α) + θ + |reset| (the leaky sum of the largest input, plus a
//                 subtracted threshold), with f = 1 − α or 1 as the input factor says.
//   adaptation:   a ≤ max(|a_init|, c/(1 − ρ)) (ALIF, c = 1 or 1 − ρ); threshold ≤ |v_th| + |β|·a_max.
import { feedingProjections, type NetworkIR } from '../ir/network.ts';
import type { Instance } from '../ir/instantiate.ts';
import { formatName, rawMax, toReal, type QFormat } from '../runtime/fixed.ts';
import type { CoreConfig, RegisterFormat } from '../runtime/program.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import { diagnose, type PassContext } from './context.ts';
import type { DeviceIR } from './lower.ts';
import { columnTarget, type TileMap } from './map.ts';
import { decayValue, type Quantized } from './quantize.ts';

export interface RangeRow {
  readonly register: string; readonly where: string; readonly bound: number; readonly format: string; readonly max: number; readonly headroomBits: number;
  /** What happens beyond `max`: the ADC clips, a register saturates or wraps. */
  readonly beyond: 'clips' | 'saturates' | 'wraps';
}

export const TYPICAL_ACTIVITY = 0.05;

const maxOf = (f: QFormat) => toReal(rawMax(f), f);

export function analyseRanges(net: NetworkIR, inst: Instance, q: Quantized, core: CoreConfig, device: DeviceIR, map: TileMap, ctx: PassContext): { value: RangeRow[]; diagnostics: Diagnostic[] } {
  const rows: RangeRow[] = [];
  const diagnostics: Diagnostic[] = [];
  const { nRec, nOut } = inst.layout;
  const accIn = new Float64Array(nRec + nOut);
  /** The projections that feed population `name` (directly or through a group). */
  const feeding = (name: string) => feedingProjections(net, name).map((pr) => `${pr.source.name} -> ${pr.target.name}`);
  const row = (register: string, where: string, bound: number, f: QFormat | null, max: number, reg?: RegisterFormat, cause?: string) => {
    const headroomBits = bound > 0 ? Math.log2(max / bound) : Infinity;
    const beyond = !reg ? 'clips' : reg.overflow === 'wrap' ? 'wraps' : 'saturates';
    rows.push({ register, where, bound, format: f ? formatName(f) : `±${max}`, max, headroomBits, beyond });
    if (reg && bound > max) {
      const from = feeding(where);
      diagnostics.push(diagnose(ctx, { population: where }, reg.overflow === 'wrap' ? 'RegisterWraps' : 'RegisterSaturates',
        `The ${register} of ${where} can reach ${bound.toPrecision(4)} (${cause ?? `worst case over ${from.length > 0 ? from.join(', ') : 'its inputs'}`}), beyond the ${max.toPrecision(6)} of ${formatName(reg)} (${(-headroomBits).toFixed(1)} bits short); ${reg.overflow === 'wrap' ? 'it wraps, corrupting the value: widen it or make it saturate' : 'it saturates (counted at run time)'}.`));
    }
  };
  // ADC columns, tile by tile; the lints name every tile they concern in one diagnostic.
  const step = (2 * device.adcRange) / 2 ** device.adcBits;
  // What one read adds to an accumulator, at most: the ADC rounds a column of |I| ≤ sum to at most
  // ⌊sum/step + ½⌋ codes, and never more than full scale (2^(bits−1) codes); the scaling into
  // accumulator units rounds by up to one LSB more. PCM devices read with noise, carry programming
  // error and drift, so their columns are bounded by the converter's full scale alone.
  const fullScale = 2 ** (device.adcBits - 1);
  const noisy = core.device.kind === 'pcm' || core.converter.noise > 0;
  const accLsb = 2 ** -core.registers.accumulator.frac;
  const perRead = (sum: number) => Math.min(noisy ? fullScale : Math.floor(sum / step + 0.5), fullScale) * step * (1 + 2 ** -30) + accLsb;
  const belowStep: Array<{ tile: number; typical: number }> = [];
  const clipping: Array<{ tile: number; typical: number }> = [];
  for (const t of map.tiles) {
    let worst = 0; let typicalWorst = 0; let typicalSum = 0; let columns = 0;
    for (const piece of t.pieces) {
      for (let c = piece.colLo; c < piece.colHi; c++) {
        const { key, index: j, width, accumulator: dst } = columnTarget(map, piece.source, c, nRec, nOut);
        const w = q.weights[key];
        let sum = 0;
        for (let r = piece.rowLo; r < piece.rowHi; r++) sum += Math.abs(w[r * width + j] as number);
        worst = Math.max(worst, sum);
        typicalWorst = Math.max(typicalWorst, sum * TYPICAL_ACTIVITY);
        typicalSum += sum * TYPICAL_ACTIVITY;
        columns++;
        accIn[dst] = (accIn[dst] as number) + perRead(sum);
      }
    }
    row('ADC input', `tile ${t.index}`, worst, null, device.adcRange);
    const typical = columns > 0 ? typicalSum / columns : 0;
    if (typical > 0 && typical < step / 2) belowStep.push({ tile: t.index, typical });
    if (typicalWorst > device.adcRange) clipping.push({ tile: t.index, typical: typicalWorst });
  }
  const tilesOf = (xs: Array<{ tile: number; typical: number }>) => {
    const lo = Math.min(...xs.map((x) => x.typical)); const hi = Math.max(...xs.map((x) => x.typical));
    return { which: `${xs.length === 1 ? 'Tile' : 'Tiles'} ${xs.map((x) => x.tile).join(', ')}`, value: lo === hi ? lo.toPrecision(3) : `${lo.toPrecision(3)}–${hi.toPrecision(3)}` };
  };
  if (belowStep.length > 0) {
    const { which, value } = tilesOf(belowStep);
    diagnostics.push(diagnose(ctx, { core: 'adc_range' }, 'AdcClips', `${which}: a typical column current (${value}, ${TYPICAL_ACTIVITY * 100} % of rows active) is below half an ADC step (${step.toPrecision(3)} = 2·${device.adcRange}/2^${device.adcBits}): most columns read as 0. Lower adc_range or add ADC bits.`));
  }
  if (clipping.length > 0) {
    const { which, value } = tilesOf(clipping);
    diagnostics.push(diagnose(ctx, { core: 'adc_range' }, 'AdcClips', `${which}: with ${TYPICAL_ACTIVITY * 100} % of the rows active a column reaches ${value}, beyond the ADC range ${device.adcRange}: typical currents clip. Raise adc_range or lower the weights.`));
  }
  // Accumulators and membranes, population by population, with the decays the core uses (the
  // quantised α and κ: with decay = shift, α = 1 − 2^−k can sit closer to 1 than e^{−dt/τ}, and the
  // membrane bound grows with 1/(1 − α)).
  let at = 0; let outAt = 0;
  for (const [pi, p] of net.populations.entries()) {
    if (p.role === 'input') continue;
    const decays = q.populations[pi]?.arrays[p.role === 'readout' ? 'kappa' : 'alpha'];
    if (!decays) throw new Error(`internal: no quantised decays for ${p.name}`);
    const decayOf = (i: number) => decayValue(decays[i] as number, device.decay, core.registers.decay);
    const lo = p.role === 'readout' ? nRec + outAt : at;
    // A recurrent neuron's bias is part of its accumulated input; a readout's is added after the
    // input factor (y = κ·y + g·I + b), so it is bounded apart.
    const biasOf = (i: number) => Math.abs(p.role === 'readout' ? (inst.biasOut[outAt + i] as number) : (inst.bias[at + i] as number));
    let imax = 0;
    for (let i = 0; i < p.size; i++) imax = Math.max(imax, (accIn[lo + i] as number) + (p.role === 'readout' ? 0 : biasOf(i)));
    row('accumulator', p.name, imax, core.registers.accumulator, maxOf(core.registers.accumulator), core.registers.accumulator);
    // ALIF: a ← ρ·a + c·z with z ≤ 1 stays below max(|a_init|, c/(1 − ρ)) (c = 1, or 1 − ρ), and the
    // threshold A = v_th + β·a below v_th + |β|·a_max — the ρ the core holds.
    const rhos = p.role === 'population' && p.model === 'ALIF' ? q.populations[pi]?.arrays.rho : undefined;
    const aMax = (i: number): number => {
      if (!rhos || p.role !== 'population') return 0;
      const r = decayValue(rhos[i] as number, device.decay, core.registers.decay);
      const c = p.params.adaptationIncrement === 'one_minus_rho' ? 1 - r : 1;
      return Math.max(Math.abs(inst.aInit[at + i] as number), leakyBound(c, r));
    };
    if (rhos) {
      let am = 0; let thm = 0;
      for (let i = 0; i < p.size; i++) { am = Math.max(am, aMax(i)); thm = Math.max(thm, Math.abs(inst.vTh[at + i] as number) + Math.abs(inst.beta[at + i] as number) * aMax(i)); }
      row('adaptation', p.name, am, core.registers.adaptation, maxOf(core.registers.adaptation), core.registers.adaptation, 'a spike every step, with the ρ the core holds');
      row('threshold', p.name, thm, core.registers.threshold, maxOf(core.registers.threshold), core.registers.threshold, 'v_th + β·a at the largest adaptation');
    }
    let vmax = 0;
    for (let i = 0; i < p.size; i++) {
      if (p.role === 'readout') {
        const k = decayOf(i);
        const g = p.params.inputFactor === 'one_minus_kappa' ? 1 - k : 1;
        vmax = Math.max(vmax, leakyBound(g * (accIn[lo + i] as number) + biasOf(i), k));
      } else {
        const a = decayOf(i);
        const f = p.params.inputFactor === 'one_minus_alpha' ? 1 - a : 1;
        const reset = p.params.reset.kind === 'to' ? Math.abs(p.params.reset.value) : 0;
        vmax = Math.max(vmax, leakyBound(f * imax, a) + Math.abs(inst.vTh[at + i] as number) + Math.abs(inst.beta[at + i] as number) * Math.max(1, aMax(i)) + reset);
      }
    }
    row('membrane', p.name, vmax, core.registers.membrane, maxOf(core.registers.membrane), core.registers.membrane);
    if (p.role === 'readout') outAt += p.size; else at += p.size;
  }
  return { value: rows, diagnostics };
}

/** The bound of x ← decay·x + input for |input| ≤ `input`: input / (1 − decay); without a leak, unbounded (none with no input). */
function leakyBound(input: number, decay: number): number {
  if (decay < 1) return input / (1 - decay);
  return input === 0 ? 0 : Infinity;
}
