// Losses and the output error they send back (∂E/∂y), in float64.
//   mse(reduce = sum):   E = ½ Σ_t Σ_k (y − y*)²,  err = y − y*          (TF tutorial, NEST)
//   mse(reduce = mean):  both divided by T
//   cross_entropy(window): over the last W steps, E = (1/W) Σ_t −log π_label(t), π = softmax(y^t),
//                        err = (π − onehot)/W inside the window, 0 outside (TF evidence task);
//                        the prediction is argmax of the window's mean output.
import type { LossIR } from '../ir/training.ts';

export interface Target { readonly target?: Float64Array; readonly label?: number }
export interface LossResult { readonly loss: number; readonly err: Float64Array; readonly correct: boolean | null }

export function lossAndError(loss: LossIR, y: Float64Array, T: number, nOut: number, tgt: Target, dt: number): LossResult {
  const err = new Float64Array(T * nOut);
  if (loss.kind === 'mse') {
    const target = tgt.target;
    if (!target) throw new Error('internal: mse needs a target signal');
    const scale = loss.reduce === 'mean' ? 1 / T : 1;
    let e = 0;
    for (let i = 0; i < err.length; i++) {
      const d = (y[i] as number) - (target[i] as number);
      e += d * d;
      err[i] = d * scale;
    }
    return { loss: 0.5 * e * scale, err, correct: null };
  }
  const label = tgt.label;
  if (label === undefined) throw new Error('internal: cross_entropy needs a label');
  const W = loss.window === null ? T : Math.min(T, Math.max(1, Math.round(loss.window / dt)));
  let e = 0;
  const mean = new Float64Array(nOut);
  for (let t = T - W; t < T; t++) {
    const o = t * nOut;
    let max = -Infinity;
    for (let k = 0; k < nOut; k++) max = Math.max(max, y[o + k] as number);
    let sum = 0;
    for (let k = 0; k < nOut; k++) sum += Math.exp((y[o + k] as number) - max);
    for (let k = 0; k < nOut; k++) {
      const p = Math.exp((y[o + k] as number) - max) / sum;
      err[o + k] = (p - (k === label ? 1 : 0)) / W;
      mean[k] = (mean[k] as number) + (y[o + k] as number) / W;
    }
    e += -((y[o + label] as number) - max - Math.log(sum)) / W;
  }
  let best = 0;
  for (let k = 1; k < nOut; k++) if ((mean[k] as number) > (mean[best] as number)) best = k;
  return { loss: e, err, correct: best === label };
}
