// Optimizers in float64 (NEST models/weight_optimizer.cpp; TF1's Adam, ε-hat form):
//   sgd:  m = μ m + g;  w −= η m                     (μ = 0: plain gradient descent)
//   adam: m = β1 m + (1−β1) g;  v = β2 v + (1−β2) g²;  η_t = η √(1−β2^t)/(1−β1^t);  w −= η_t m/(√v + ε)
import type { OptimizerIR } from '../ir/training.ts';

export class Optimizer {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  constructor(private readonly spec: OptimizerIR, size: number) {
    this.m = new Float64Array(size);
    this.v = new Float64Array(spec.kind === 'adam' ? size : 0);
  }

  /** Apply gradient g to w where mask is set; lrScale multiplies η (schedules). */
  step(w: Float64Array, g: Float64Array, mask: Uint8Array | null, lrScale: number): void {
    this.t++;
    const s = this.spec;
    if (s.kind === 'sgd') {
      const lr = s.lr * lrScale;
      for (let i = 0; i < w.length; i++) {
        if (mask && !mask[i]) continue;
        const m = s.momentum * (this.m[i] as number) + (g[i] as number);
        this.m[i] = m;
        w[i] = (w[i] as number) - lr * m;
      }
      return;
    }
    const lrT = s.lr * lrScale * Math.sqrt(1 - s.beta2 ** this.t) / (1 - s.beta1 ** this.t);
    for (let i = 0; i < w.length; i++) {
      if (mask && !mask[i]) continue;
      const gi = g[i] as number;
      const m = s.beta1 * (this.m[i] as number) + (1 - s.beta1) * gi;
      const v = s.beta2 * (this.v[i] as number) + (1 - s.beta2) * gi * gi;
      this.m[i] = m;
      this.v[i] = v;
      w[i] = (w[i] as number) - (lrT * m) / (Math.sqrt(v) + s.epsilon);
    }
  }
}
