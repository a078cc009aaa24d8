// The float64 forward pass of a network over one sequence: the oracle of phasecore. Every
// convention is an option of the IR, applied exactly as docs/reference.md states:
//
//   I_j^t  = Σ_i W_in[i,j] x_i^t + Σ_k W_rec[k,j] z_k^{t−1} + b_j          (event-driven sums)
//   a_j^t  = ρ_j a_j^{t−1} + c_j z_j^{t−1},   c = 1 or 1 − ρ                 (ALIF)
//   A_j^t  = v_th,j + β_j a_j^t
//   v_j^t  = α_j ṽ_j^{t−1} + f_j I_j^t − [next_step, subtract] z_j^{t−1} θ_j
//            ṽ = v, or the reset value after a spike for reset = zero | to(v) at next_step;
//            f = 1 − α (input_factor one_minus_alpha) or 1; θ = v_th (baseline) or A^t (adaptive)
//   v_j^t  = max(v_j^t, v_min)                                               (when given)
//   blocked = r_j > 0;  z_j^t = ¬blocked ∧ (v_j^t − A_j^t > 0  |  ≥ 0)
//   ψ_j^t  = 0 if blocked (surrogate_when_refractory = zero) else ψ(v_j^t − A_j^t)
//   r_j    = clip(r_j + n_ref z_j^t − 1, 0, n_ref)                         (n_ref − 1 steps blocked)
//   same_step reset: after the spike test, v −= θ z (subtract), v = 0 or v = value
//   y_k^t  = κ_k y_k^{t−1} + g_k (Σ_j W_out[j,k] z_j^t + Σ_i W_io[i,k] x_i^t) + b_k, g = 1 − κ or 1
//
// It shares no arithmetic with the fixed-point path (src/runtime).
import type { Instance } from '../ir/instantiate.ts';
import { psi as surrogate } from './surrogates.ts';
import type { SurrogateIR } from '../ir/network.ts';

/** What one sequence leaves behind for learning and for probes. Arrays are [t][neuron]. */
export interface Trace {
  readonly T: number;
  readonly z: Uint8Array;
  readonly psi: Float64Array;
  /** The state carried to the next step (after a same-step reset). */
  readonly v: Float64Array;
  readonly a: Float64Array;
  readonly y: Float64Array;
  readonly spikeCount: Float64Array;
  /** Recorded only for BPTT (`full`): what the backward pass needs. */
  readonly full?: FullTrace;
}

/** The intermediate values of each step, for the hand-written backward pass (bptt.ts). */
export interface FullTrace {
  /** The value the leak acts on (the previous state, or the reset value). */
  readonly pre: Float64Array;
  /** The synaptic input I^t. */
  readonly input: Float64Array;
  /** The membrane potential tested against the threshold (before a same-step reset). */
  readonly vTest: Float64Array;
  /** The threshold A^t. */
  readonly thr: Float64Array;
  /** 1 where v was clamped at v_min. */
  readonly clamped: Uint8Array;
}

/** Decays and factors derived once from an instance. */
export interface Dynamics {
  readonly alpha: Float64Array; readonly rho: Float64Array; readonly kappa: Float64Array;
  readonly inFactor: Float64Array; readonly outFactor: Float64Array; readonly incFactor: Float64Array;
}

export function dynamics(inst: Instance, dt: number): Dynamics {
  const { nRec, nOut } = inst.layout;
  const alpha = new Float64Array(nRec); const rho = new Float64Array(nRec);
  const inFactor = new Float64Array(nRec); const incFactor = new Float64Array(nRec);
  for (let j = 0; j < nRec; j++) {
    const p = inst.recParams[inst.recPopulation[j] as number]!;
    alpha[j] = Math.exp(-dt / (inst.tauM[j] as number));
    rho[j] = Math.exp(-dt / (inst.tauA[j] as number));
    inFactor[j] = p.inputFactor === 'one_minus_alpha' ? 1 - (alpha[j] as number) : 1;
    incFactor[j] = p.adaptationIncrement === 'one_minus_rho' ? 1 - (rho[j] as number) : 1;
  }
  const kappa = new Float64Array(nOut); const outFactor = new Float64Array(nOut);
  for (let k = 0; k < nOut; k++) {
    kappa[k] = Math.exp(-dt / (inst.tauOut[k] as number));
    outFactor[k] = inst.outFactorOneMinusKappa[k] ? 1 - (kappa[k] as number) : 1;
  }
  return { alpha, rho, kappa, inFactor, outFactor, incFactor };
}

const SUBTRACT = 0;

/** A population's contiguous range of recurrent neurons, with its conventions as plain values. */
interface Segment {
  readonly lo: number; readonly hi: number;
  readonly resetKind: number; readonly adaptiveTheta: boolean; readonly sameStep: boolean; readonly ge: boolean;
  readonly vMin: number; readonly nRef: number; readonly zeroWhenBlocked: boolean; readonly resetValue: number;
  readonly sur: SurrogateIR;
}

function segmentsOf(inst: Instance): Segment[] {
  const out: Segment[] = [];
  const pop = inst.recPopulation;
  for (let j = 0; j < pop.length;) {
    let hi = j;
    while (hi < pop.length && pop[hi] === pop[j]) hi++;
    const p = inst.recParams[pop[j] as number]!;
    out.push({
      lo: j, hi,
      resetKind: p.reset.kind === 'subtract' ? SUBTRACT : p.reset.kind === 'zero' ? 1 : 2,
      adaptiveTheta: p.reset.kind === 'subtract' && p.reset.threshold === 'adaptive',
      sameStep: p.resetTiming === 'same_step', ge: p.thresholdTest === 'ge',
      vMin: p.vMin ?? -Infinity, nRef: p.refractorySteps, zeroWhenBlocked: p.surrogateWhenRefractory === 'zero',
      resetValue: p.reset.kind === 'to' ? p.reset.value : 0, sur: p.surrogate,
    });
    j = hi;
  }
  return out;
}

/**
 * Run one sequence. `x` is [t][input] (spikes 0/1 or graded values), T = x.length / nIn.
 * Allocates its outputs; the inner loop allocates nothing.
 */
export function simulate(inst: Instance, dyn: Dynamics, x: Float64Array, recordFull = false): Trace {
  const { nIn, nRec, nOut } = inst.layout;
  const T = nIn > 0 ? x.length / nIn : 0;
  const z = new Uint8Array(T * nRec);
  const psiT = new Float64Array(T * nRec);
  const vT = new Float64Array(T * nRec);
  const aT = new Float64Array(T * nRec);
  const y = new Float64Array(T * nOut);
  const spikeCount = new Float64Array(nRec);
  const full: FullTrace | undefined = recordFull
    ? { pre: new Float64Array(T * nRec), input: new Float64Array(T * nRec), vTest: new Float64Array(T * nRec), thr: new Float64Array(T * nRec), clamped: new Uint8Array(T * nRec) }
    : undefined;
  const v = Float64Array.from(inst.vInit);
  const a = Float64Array.from(inst.aInit);
  const r = new Int32Array(nRec);
  const I = new Float64Array(nRec);
  const yo = Float64Array.from(inst.vInitOut);
  const zin = new Float64Array(nOut);
  const Wir = inst.inRec.w; const Wrr = inst.recRec.w; const Wio = inst.inOut.w; const Wro = inst.recOut.w;
  const { alpha, rho, kappa, inFactor, outFactor, incFactor } = dyn;
  const segments = segmentsOf(inst);
  const prevSpikes = new Int32Array(nRec);
  let nPrev = 0;
  const curSpikes = new Int32Array(nRec);

  for (let t = 0; t < T; t++) {
    I.set(inst.bias);
    zin.fill(0);
    const xo = t * nIn;
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      const row = i * nRec;
      for (let j = 0; j < nRec; j++) I[j] = (I[j] as number) + xi * (Wir[row + j] as number);
      const rowo = i * nOut;
      for (let k = 0; k < nOut; k++) zin[k] = (zin[k] as number) + xi * (Wio[rowo + k] as number);
    }
    for (let s = 0; s < nPrev; s++) {
      const row = (prevSpikes[s] as number) * nRec;
      for (let j = 0; j < nRec; j++) I[j] = (I[j] as number) + (Wrr[row + j] as number);
    }
    let nCur = 0;
    const o = t * nRec;
    // Neurons, population by population: the conventions are hoisted out of the inner loop.
    for (const seg of segments) {
      const { lo, hi, resetKind, adaptiveTheta, sameStep, ge, vMin, nRef, zeroWhenBlocked, resetValue, sur } = seg;
      for (let j = lo; j < hi; j++) {
        const zPrev = t > 0 ? (z[o - nRec + j] as number) : 0;
        a[j] = (rho[j] as number) * (a[j] as number) + (incFactor[j] as number) * zPrev;
        const vth = inst.vTh[j] as number;
        const A = vth + (inst.beta[j] as number) * (a[j] as number);
        const theta = adaptiveTheta ? A : vth;
        let vPrev = v[j] as number;
        if (zPrev && !sameStep && resetKind !== SUBTRACT) vPrev = resetValue;
        let vj = (alpha[j] as number) * vPrev + (inFactor[j] as number) * (I[j] as number);
        if (zPrev && !sameStep && resetKind === SUBTRACT) vj -= theta;
        if (vj < vMin) { vj = vMin; if (full) full.clamped[o + j] = 1; }
        if (full) { full.pre[o + j] = vPrev; full.input[o + j] = I[j] as number; full.vTest[o + j] = vj; full.thr[o + j] = A; }
        const blocked = (r[j] as number) > 0;
        const d = vj - A;
        const spike = !blocked && (ge ? d >= 0 : d > 0);
        psiT[o + j] = blocked && zeroWhenBlocked ? 0 : surrogate(sur, d, vth);
        r[j] = Math.min(nRef, Math.max(0, (r[j] as number) + (spike ? nRef : 0) - 1));
        if (spike) {
          z[o + j] = 1;
          curSpikes[nCur++] = j;
          spikeCount[j] = (spikeCount[j] as number) + 1;
          if (sameStep) vj = resetKind === SUBTRACT ? vj - theta : resetValue;
        }
        v[j] = vj;
        vT[o + j] = vj;
        aT[o + j] = a[j] as number;
      }
    }
    for (let s = 0; s < nCur; s++) {
      const row = (curSpikes[s] as number) * nOut;
      for (let k = 0; k < nOut; k++) zin[k] = (zin[k] as number) + (Wro[row + k] as number);
    }
    const yoff = t * nOut;
    for (let k = 0; k < nOut; k++) {
      const yk = (kappa[k] as number) * (yo[k] as number) + (outFactor[k] as number) * (zin[k] as number) + (inst.biasOut[k] as number);
      yo[k] = yk;
      y[yoff + k] = yk;
    }
    prevSpikes.set(curSpikes.subarray(0, nCur));
    nPrev = nCur;
  }
  return { T, z, psi: psiT, v: vT, a: aT, y, spikeCount, ...(full ? { full } : {}) };
}
