// Backpropagation through time with surrogate gradients, written out by hand (there is no
// autograd here): the exact adjoint of the forward pass of simulate.ts, with ∂z/∂v = ψ. It trains
// weights and the intrinsic parameters of Yin et al. 2021 and of BIP (Zhang & Li): per-neuron
// τ_m, τ_a, v_th, β and biases, and the readouts' τ and biases.
//
// Per step, backwards (δx = ∂E/∂x):
//   same_step reset  s = v − θz | (z ? R : v):   δv += δs (or (1−z)δs),  δz −= θδs (or += (R−v)δs),  δθ −= zδs
//   spike            z = H(v − A):                δv += ψδz,  δA −= ψδz
//   clamp            v = max(u, v_min):           δu = clamped ? 0 : δv
//   membrane         u = α p + f I − z⁻θ:         δp = αδu, δα += pδu (− Iδu when f = 1−α), δI = fδu, δz⁻ −= θδu, δθ −= z⁻δu
//   threshold        A = v_th + βa, θ = v_th | A:  δv_th += δθ_baseline + δA, δβ += aδA, δa += βδA
//   adaptation       a = ρa⁻ + cz⁻:               δa⁻ += ρδa, δρ += a⁻δa (− z⁻δa when c = 1−ρ), δz⁻ += cδa
//   next-step reset  p = z⁻ ? R : s⁻:             δs⁻ += (1−z⁻)δp, δz⁻ += (R − s⁻)δp
//   input            I = W_in x + W_rec z⁻ + b:    δW_in += x δI, δW_rec += z⁻ δI, δz⁻ += W_rec δI, δb += δI
//   readout          y = κy⁻ + g(W_out z + W_io x) + b:  δy = err + κδy⁺, δz += g W_out δy, δκ += (y⁻ − [g = 1−κ] in) δy
// `stopReset` and `stopRecurrent` cut the reset and recurrent paths: with both, BPTT equals e-prop
// with symmetric feedback (the tests check it), as Bellec et al. 2020 state.
import type { Instance } from '../ir/instantiate.ts';
import type { Dynamics, Trace } from './simulate.ts';
import { accumulateReadout, filteredError, type Gradients } from './eprop.ts';

export interface IntrinsicGradients {
  readonly tauM: Float64Array; readonly vTh: Float64Array; readonly bias: Float64Array;
  readonly tauA: Float64Array; readonly beta: Float64Array;
  readonly tauOut: Float64Array;
}

export function zeroIntrinsic(inst: Instance): IntrinsicGradients {
  const { nRec, nOut } = inst.layout;
  const f = (n: number) => new Float64Array(n);
  return { tauM: f(nRec), vTh: f(nRec), bias: f(nRec), tauA: f(nRec), beta: f(nRec), tauOut: f(nOut) };
}

export interface BpttOptions { readonly stopReset?: boolean; readonly stopRecurrent?: boolean; readonly truncate?: number | null }

/** Add one sequence's BPTT gradient. `trace` must have been recorded with `full`. */
export function accumulateBptt(inst: Instance, dyn: Dynamics, dt: number, x: Float64Array, trace: Trace, err: Float64Array, rate: Float64Array, g: Gradients, gi: IntrinsicGradients, opts: BpttOptions = {}): void {
  const full = trace.full;
  if (!full) throw new Error('internal: BPTT needs a full trace');
  const { nIn, nRec, nOut } = inst.layout;
  const T = trace.T;
  const { alpha, rho, kappa, inFactor, outFactor, incFactor } = dyn;
  const Wrr = inst.recRec.w;
  const Wro = inst.recOut.w;
  const stopReset = opts.stopReset === true;
  const stopRec = opts.stopRecurrent === true;
  const truncate = opts.truncate ?? null;

  // δy^t = err^t + κ δy^{t+1}: the readout's filtered error; its weights' gradients are e-prop's.
  const Bf = filteredError(err, kappa, T, nOut);
  accumulateReadout(inst, dyn, x, trace, Bf, g);
  const dz = new Float64Array(nRec);       // δz^t accumulated from later steps
  const ds = new Float64Array(nRec);       // δs^t from step t+1
  const da = new Float64Array(nRec);       // δa^t from step t+1
  const dzPrev = new Float64Array(nRec);   // δz^{t−1} being built
  const dsPrev = new Float64Array(nRec);
  const daPrev = new Float64Array(nRec);
  const dI = new Float64Array(nRec);
  const dAlpha = new Float64Array(nRec);
  const dRho = new Float64Array(nRec);
  const dKappa = new Float64Array(nOut);
  const inOut = new Float64Array(nOut);

  for (let t = T - 1; t >= 0; t--) {
    if (truncate !== null && (T - 1 - t) % truncate === 0 && t !== T - 1) { ds.fill(0); da.fill(0); dz.fill(0); }
    // Readout.
    const yo = t * nOut;
    inOut.fill(0);
    const zo = t * nRec;
    for (let j = 0; j < nRec; j++) if (trace.z[zo + j]) for (let k = 0; k < nOut; k++) inOut[k] = (inOut[k] as number) + (Wro[j * nOut + k] as number);
    const xo = t * nIn;
    for (let i = 0; i < nIn; i++) { const xi = x[xo + i] as number; if (xi !== 0) for (let k = 0; k < nOut; k++) inOut[k] = (inOut[k] as number) + xi * (inst.inOut.w[i * nOut + k] as number); }
    for (let k = 0; k < nOut; k++) {
      const d = Bf[yo + k] as number;
      const yPrev = t > 0 ? (trace.y[yo - nOut + k] as number) : (inst.vInitOut[k] as number);
      dKappa[k] = (dKappa[k] as number) + (yPrev - (inst.outFactorOneMinusKappa[k] ? (inOut[k] as number) : 0)) * d;
    }
    for (let j = 0; j < nRec; j++) {
      let v = 0;
      for (let k = 0; k < nOut; k++) v += (outFactor[k] as number) * (Wro[j * nOut + k] as number) * (Bf[yo + k] as number);
      dz[j] = (dz[j] as number) + v + (rate[j] as number);
    }

    // Neurons.
    dzPrev.fill(0); dsPrev.fill(0); daPrev.fill(0);
    for (let j = 0; j < nRec; j++) {
      const o = zo + j;
      const p = inst.recParams[inst.recPopulation[j] as number]!;
      const z = trace.z[o] as number;
      const zPrev = t > 0 ? (trace.z[o - nRec] as number) : 0;
      const vTest = full.vTest[o] as number;
      const A = full.thr[o] as number;
      const adaptive = p.reset.kind === 'subtract' && p.reset.threshold === 'adaptive';
      const theta = adaptive ? A : (inst.vTh[j] as number);
      const R = p.reset.kind === 'to' ? p.reset.value : 0;
      let dv = 0; let dA = 0; let dTheta = 0;
      let dzj = dz[j] as number;
      const dsj = ds[j] as number;
      if (p.resetTiming === 'same_step') {
        if (p.reset.kind === 'subtract') {
          dv += dsj;
          if (!stopReset) { dzj -= theta * dsj; dTheta -= z * dsj; }
        } else {
          dv += (1 - z) * dsj;
          if (!stopReset) dzj += (R - vTest) * dsj;
        }
      } else dv += dsj;
      const psi = trace.psi[o] as number;
      dv += psi * dzj;
      dA -= psi * dzj;
      const du = full.clamped[o] ? 0 : dv;
      const pre = full.pre[o] as number;
      const Ij = full.input[o] as number;
      dAlpha[j] = (dAlpha[j] as number) + pre * du - (p.inputFactor === 'one_minus_alpha' ? Ij * du : 0);
      const dp = (alpha[j] as number) * du;
      dI[j] = (inFactor[j] as number) * du;
      if (p.resetTiming === 'next_step' && p.reset.kind === 'subtract' && zPrev && !stopReset) dTheta -= du;
      if (p.resetTiming === 'next_step' && p.reset.kind === 'subtract' && !stopReset) dzPrev[j] = (dzPrev[j] as number) - theta * du;
      if (adaptive) dA += dTheta; else gi.vTh[j] = (gi.vTh[j] as number) + dTheta;
      gi.vTh[j] = (gi.vTh[j] as number) + dA;
      const aNow = trace.a[o] as number;
      const aPrev = t > 0 ? (trace.a[o - nRec] as number) : (inst.aInit[j] as number);
      const beta = inst.beta[j] as number;
      gi.beta[j] = (gi.beta[j] as number) + aNow * dA;
      const daj = (da[j] as number) + beta * dA;
      const c = incFactor[j] as number;
      daPrev[j] = (rho[j] as number) * daj;
      dRho[j] = (dRho[j] as number) + aPrev * daj - (p.adaptationIncrement === 'one_minus_rho' ? zPrev * daj : 0);
      dzPrev[j] = (dzPrev[j] as number) + c * daj;
      // The value the leak acted on, p = z⁻R + (1 − z⁻)s⁻ for a next-step reset to a value.
      if (p.resetTiming === 'next_step' && p.reset.kind !== 'subtract') {
        dsPrev[j] = (dsPrev[j] as number) + (1 - zPrev) * dp;
        if (!stopReset) dzPrev[j] = (dzPrev[j] as number) + (R - (t > 0 ? (trace.v[o - nRec] as number) : (inst.vInit[j] as number))) * dp;
      } else dsPrev[j] = (dsPrev[j] as number) + dp;
      gi.bias[j] = (gi.bias[j] as number) + (dI[j] as number);
    }
    // Synaptic input: weights, and the recurrent path to the previous spikes.
    for (let i = 0; i < nIn; i++) {
      const xi = x[xo + i] as number;
      if (xi === 0) continue;
      const row = i * nRec;
      for (let j = 0; j < nRec; j++) g.inRec[row + j] = (g.inRec[row + j] as number) + xi * (dI[j] as number);
    }
    if (t > 0) {
      const zp = zo - nRec;
      for (let k = 0; k < nRec; k++) {
        const row = k * nRec;
        if (trace.z[zp + k]) for (let j = 0; j < nRec; j++) g.recRec[row + j] = (g.recRec[row + j] as number) + (dI[j] as number);
        if (!stopRec) {
          let v = 0;
          for (let j = 0; j < nRec; j++) v += (Wrr[row + j] as number) * (dI[j] as number);
          dzPrev[k] = (dzPrev[k] as number) + v;
        }
      }
    }
    dz.set(dzPrev); ds.set(dsPrev); da.set(daPrev);
  }
  // Chain rule to the time constants: α = exp(−dt/τ) ⇒ dα/dτ = α dt/τ².
  for (let j = 0; j < nRec; j++) {
    const tm = inst.tauM[j] as number;
    gi.tauM[j] = (gi.tauM[j] as number) + (dAlpha[j] as number) * (alpha[j] as number) * dt / (tm * tm);
    const ta = inst.tauA[j] as number;
    gi.tauA[j] = (gi.tauA[j] as number) + (dRho[j] as number) * (rho[j] as number) * dt / (ta * ta);
  }
  for (let k = 0; k < nOut; k++) {
    const to = inst.tauOut[k] as number;
    gi.tauOut[k] = (gi.tauOut[k] as number) + (dKappa[k] as number) * (kappa[k] as number) * dt / (to * to);
  }
}
