// e-prop gradients (Bellec et al. 2020) of one sequence, computed exactly in the offline form of
// research/algorithms.md §1.4: no per-synapse state, O(T·N) recursions plus one event-driven pass
// over the spikes. It equals the online eligibility-trace form (eqs. 24–25, κ-filtered traces,
// learning signal L = B·err) to rounding; tests/reference/eprop.test.ts checks it against a
// direct per-synapse implementation.
//
// With Bf_k^t = err_k^t + κ_k Bf_k^{t+1} (the readout's κ-filter run backwards):
//   L̃_j^t = Σ_k B_jk (1 − κ_k) Bf_k^t                      (learning signal, κ-filtered)
//   C_j^t = ψ_j^t (L̃_j^t + r_j)                              (r_j: rate regulariser, unfiltered)
//   H_j^s = C_j^{s+1} + (ρ_j − c_j β_j ψ_j^{s+1}) H_j^{s+1},  P_j^s = C_j^s − β_j c_j ψ_j^s H_j^s
//   D_j^u = f_j Σ_{s≥u} α_j^{s−u} P_j^s                      (f: input factor; c: adaptation increment)
//   ∂E/∂W_in[i,j]  = Σ_u x_i^u D_j^u,   ∂E/∂W_rec[k,j] = Σ_u z_k^{u−1} D_j^u
//   ∂E/∂W_out[j,k] = Σ_t z_j^t g_k Bf_k^t,  ∂E/∂b_k = Σ_t Bf_k^t     (exact for the readout)
import type { Instance } from '../ir/instantiate.ts';
import type { Dynamics, Trace } from './simulate.ts';

export interface Gradients {
  readonly inRec: Float64Array;
  readonly recRec: Float64Array;
  readonly inOut: Float64Array;
  readonly recOut: Float64Array;
  readonly biasOut: Float64Array;
}

/** Bf_k^t = err_k^t + κ_k Bf_k^{t+1}: the readout's error filtered backwards (= ∂E/∂y_k^t through y's leak). */
export function filteredError(err: Float64Array, kappa: Float64Array, T: number, nOut: number): Float64Array {
  const Bf = new Float64Array(T * nOut);
  for (let t = T - 1; t >= 0; t--) {
    for (let k = 0; k < nOut; k++) {
      const next = t + 1 < T ? (Bf[(t + 1) * nOut + k] as number) : 0;
      Bf[t * nOut + k] = (err[t * nOut + k] as number) + (kappa[k] as number) * next;
    }
  }
  return Bf;
}

/** The exact gradients of the readout weights and biases (shared by e-prop and BPTT), event-driven over spikes and inputs. */
export function accumulateReadout(inst: Instance, dyn: Dynamics, x: Float64Array, trace: Trace, Bf: Float64Array, g: Gradients): void {
  const { nIn, nRec, nOut } = inst.layout;
  const { outFactor } = dyn;
  for (let t = 0; t < trace.T; t++) {
    const bo = t * nOut;
    for (let k = 0; k < nOut; k++) g.biasOut[k] = (g.biasOut[k] as number) + (Bf[bo + k] as number);
    const zo = t * nRec;
    for (let j = 0; j < nRec; j++) {
      if (!trace.z[zo + j]) continue;
      for (let k = 0; k < nOut; k++) g.recOut[j * nOut + k] = (g.recOut[j * nOut + k] as number) + (outFactor[k] as number) * (Bf[bo + k] as number);
    }
    const xo = t * nIn;
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      for (let k = 0; k < nOut; k++) g.inOut[i * nOut + k] = (g.inOut[i * nOut + k] as number) + xi * (outFactor[k] as number) * (Bf[bo + k] as number);
    }
  }
}

export function zeroGradients(inst: Instance): Gradients {
  return {
    inRec: new Float64Array(inst.inRec.w.length), recRec: new Float64Array(inst.recRec.w.length),
    inOut: new Float64Array(inst.inOut.w.length), recOut: new Float64Array(inst.recOut.w.length),
    biasOut: new Float64Array(inst.layout.nOut),
  };
}

/**
 * Add one sequence's e-prop gradient to `g`. `err` is ∂E/∂y ([t][k]); `B` is the feedback matrix
 * [j][k]; `rate` is the regulariser's per-neuron factor r_j (zeros for none).
 */
export function accumulateEprop(inst: Instance, dyn: Dynamics, x: Float64Array, trace: Trace, err: Float64Array, B: Float64Array, rate: Float64Array, g: Gradients): void {
  const { nIn, nRec, nOut } = inst.layout;
  const T = trace.T;
  const { alpha, rho, kappa, inFactor, incFactor } = dyn;
  const Bf = filteredError(err, kappa, T, nOut);
  accumulateReadout(inst, dyn, x, trace, Bf, g);
  // Per-neuron factors, backwards in time: C, H, P, then D by the α-filter.
  const D = new Float64Array(T * nRec);
  const H = new Float64Array(nRec);
  const Q = new Float64Array(nRec);
  const Cnext = new Float64Array(nRec);
  const psiNext = new Float64Array(nRec);
  const filtered = new Float64Array(nOut);
  for (let t = T - 1; t >= 0; t--) {
    const o = t * nRec;
    const bo = t * nOut;
    for (let k = 0; k < nOut; k++) filtered[k] = (1 - (kappa[k] as number)) * (Bf[bo + k] as number);
    for (let j = 0; j < nRec; j++) {
      const ps = trace.psi[o + j] as number;
      // The learning signal matters only where ψ ≠ 0 (C = ψ·(L + r)); far from threshold it is skipped.
      let L = 0;
      if (ps !== 0) for (let k = 0; k < nOut; k++) L += (B[j * nOut + k] as number) * (filtered[k] as number);
      const C = ps * (L + (rate[j] as number));
      const beta = inst.beta[j] as number;
      const c = incFactor[j] as number;
      let h = 0;
      if (beta !== 0 && t + 1 < T) h = (Cnext[j] as number) + ((rho[j] as number) - c * beta * (psiNext[j] as number)) * (H[j] as number);
      H[j] = h;
      const P = C - beta * c * ps * h;
      const q = P + (t + 1 < T ? (alpha[j] as number) * (Q[j] as number) : 0);
      Q[j] = q;
      D[o + j] = (inFactor[j] as number) * q;
      Cnext[j] = C;
      psiNext[j] = ps;
    }
  }
  // Input and recurrent weights, event-driven over presynaptic activity.
  for (let t = 0; t < T; t++) {
    const o = t * nRec;
    const xo = t * nIn;
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      const row = i * nRec;
      for (let j = 0; j < nRec; j++) g.inRec[row + j] = (g.inRec[row + j] as number) + xi * (D[o + j] as number);
    }
    if (t === 0) continue;
    const zo = (t - 1) * nRec;
    for (let k = 0; k < nRec; k++) {
      if (!trace.z[zo + k]) continue;
      const row = k * nRec;
      for (let j = 0; j < nRec; j++) g.recRec[row + j] = (g.recRec[row + j] as number) + (D[o + j] as number);
    }
  }
}
