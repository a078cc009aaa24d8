// An independent oracle for the hand-written BPTT: the same dynamics written again on a tiny
// tape-based reverse-mode differentiator (the spike's backward is the surrogate ψ), then
// differentiated mechanically. Covers the reset and recurrent paths that e-prop leaves out.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildNetwork } from './build.ts';
import { MT19937 } from '../../src/data/random.ts';
import { simulate } from '../../src/reference/simulate.ts';
import { zeroGradients } from '../../src/reference/eprop.ts';
import { accumulateBptt, zeroIntrinsic } from '../../src/reference/bptt.ts';
import { lossAndError } from '../../src/reference/loss.ts';

class Tape {
  readonly val: number[] = [];
  readonly parents: Array<Array<[number, number]>> = [];
  leaf(v: number): number { this.val.push(v); this.parents.push([]); return this.val.length - 1; }
  private node(v: number, ps: Array<[number, number]>): number { this.val.push(v); this.parents.push(ps); return this.val.length - 1; }
  add(a: number, b: number) { return this.node(this.val[a]! + this.val[b]!, [[a, 1], [b, 1]]); }
  sub(a: number, b: number) { return this.node(this.val[a]! - this.val[b]!, [[a, 1], [b, -1]]); }
  mul(a: number, b: number) { return this.node(this.val[a]! * this.val[b]!, [[a, this.val[b]!], [b, this.val[a]!]]); }
  exp(a: number) { const e = Math.exp(this.val[a]!); return this.node(e, [[a, e]]); }
  div(a: number, b: number) { const vb = this.val[b]!; return this.node(this.val[a]! / vb, [[a, 1 / vb], [b, -this.val[a]! / (vb * vb)]]); }
  /** A value with a chosen derivative: the spike (value z, derivative ψ wrt its argument). */
  custom(a: number, value: number, d: number) { return this.node(value, [[a, d]]); }
  grad(out: number): Float64Array {
    const g = new Float64Array(this.val.length);
    g[out] = 1;
    for (let i = out; i >= 0; i--) for (const [p, d] of this.parents[i]!) g[p] = g[p]! + g[i]! * d;
    return g;
  }
}

type Conv = { timing: 'next_step' | 'same_step'; reset: 'subtract' | 'zero' | 'to'; adaptive: boolean; model: 'LIF' | 'ALIF'; inc: 'spike' | 'one_minus_rho'; factor: 'none' | 'one_minus_alpha'; vmin: boolean };

function source(c: Conv): string {
  const reset = c.reset === 'subtract' ? `subtract(threshold = ${c.adaptive ? 'adaptive' : 'baseline'})` : c.reset === 'zero' ? 'zero' : 'to(-0.1)';
  const alif = c.model === 'ALIF' ? `; tau_a = 50 ms; beta = 0.4; adaptation_increment = ${c.inc}` : '';
  return `
network n {
  input x[3]
  population h[4] : ${c.model} { tau_m = 20 ms; v_th = 0.3; refractory = 2 ms; reset = ${reset}; reset_timing = ${c.timing}; input_factor = ${c.factor}${c.vmin ? '; v_min = -0.2' : ''}${alif} }
  readout o[2] : LI { tau = 10 ms; input_factor = one_minus_kappa }
  x -> h : dense { w ~ normal(0, 0.8) }
  h -> h : dense { w ~ normal(0, 0.5); no_self }
  h -> o : dense { w ~ normal(0, 0.5) }
}`;
}

describe('BPTT against a tape-based reverse-mode oracle', () => {
  it('property: the gradients of every weight and intrinsic parameter agree, for every reset convention', () => {
    fc.assert(fc.property(
      fc.record({
        seed: fc.nat({ max: 1e6 }), T: fc.integer({ min: 1, max: 25 }),
        timing: fc.constantFrom('next_step', 'same_step'), reset: fc.constantFrom('subtract', 'zero', 'to'), adaptive: fc.boolean(),
        model: fc.constantFrom('LIF', 'ALIF'), inc: fc.constantFrom('spike', 'one_minus_rho'), factor: fc.constantFrom('none', 'one_minus_alpha'), vmin: fc.boolean(),
      }),
      (c) => {
        const { inst, dyn, dt } = buildNetwork(source(c as Conv), c.seed);
        const rng = MT19937.legacy(c.seed + 3);
        const T = c.T; const nIn = 3; const N = 4; const K = 2;
        const x = Float64Array.from({ length: T * nIn }, () => (rng.random() < 0.4 ? 1 : 0));
        const target = Float64Array.from({ length: T * K }, () => rng.randn());
        const trace = simulate(inst, dyn, x, true);
        const { err } = lossAndError({ kind: 'mse', reduce: 'sum' }, trace.y, T, K, { target }, dt);
        const g = zeroGradients(inst);
        const gi = zeroIntrinsic(inst);
        accumulateBptt(inst, dyn, dt, x, trace, err, new Float64Array(N), g, gi);

        // The same dynamics on the tape.
        const tp = new Tape();
        const Win = Array.from(inst.inRec.w, (w) => tp.leaf(w));
        const Wrec = Array.from(inst.recRec.w, (w) => tp.leaf(w));
        const Wout = Array.from(inst.recOut.w, (w) => tp.leaf(w));
        const tauM = Array.from(inst.tauM, (v) => tp.leaf(v));
        const vTh = Array.from(inst.vTh, (v) => tp.leaf(v));
        const tauA = Array.from(inst.tauA, (v) => tp.leaf(v));
        const beta = Array.from(inst.beta, (v) => tp.leaf(v));
        const tauO = Array.from(inst.tauOut, (v) => tp.leaf(v));
        const bO = Array.from(inst.biasOut, (v) => tp.leaf(v));
        const one = tp.leaf(1); const zero = tp.leaf(0); const mdt = tp.leaf(-dt);
        const R = tp.leaf(c.reset === 'to' ? -0.1 : 0);
        const alpha = tauM.map((t) => tp.exp(tp.div(mdt, t)));
        const rho = tauA.map((t) => tp.exp(tp.div(mdt, t)));
        const kap = tauO.map((t) => tp.exp(tp.div(mdt, t)));
        let s = Array.from({ length: N }, () => zero);
        let a = Array.from({ length: N }, () => zero);
        let z = Array.from({ length: N }, () => zero);
        let y = Array.from({ length: K }, () => zero);
        const refr = new Int32Array(N);
        let loss = zero;
        for (let t = 0; t < T; t++) {
          const zNew: number[] = [];
          const sNew: number[] = [];
          const aNew: number[] = [];
          for (let j = 0; j < N; j++) {
            let I = zero;
            for (let i = 0; i < nIn; i++) if (x[t * nIn + i]) I = tp.add(I, Win[i * N + j]!);
            for (let k = 0; k < N; k++) if (k !== j) I = tp.add(I, tp.mul(Wrec[k * N + j]!, z[k]!));
            const inc = c.model === 'ALIF' && c.inc === 'one_minus_rho' ? tp.sub(one, rho[j]!) : one;
            const aj = c.model === 'ALIF' ? tp.add(tp.mul(rho[j]!, a[j]!), tp.mul(inc, z[j]!)) : zero;
            const A = tp.add(vTh[j]!, tp.mul(c.model === 'ALIF' ? beta[j]! : zero, aj));
            const theta = c.reset === 'subtract' && c.adaptive ? A : vTh[j]!;
            const zp = z[j]!;
            let pre = s[j]!;
            if (c.timing === 'next_step' && c.reset !== 'subtract') pre = tp.add(tp.mul(zp, R), tp.mul(tp.sub(one, zp), s[j]!));
            const f = c.factor === 'one_minus_alpha' ? tp.sub(one, alpha[j]!) : one;
            let u = tp.add(tp.mul(alpha[j]!, pre), tp.mul(f, I));
            if (c.timing === 'next_step' && c.reset === 'subtract') u = tp.sub(u, tp.mul(zp, theta));
            const vmin = -0.2;
            const v = c.vmin && tp.val[u]! < vmin ? tp.custom(u, vmin, 0) : u;
            const d = tp.val[v]! - tp.val[A]!;
            const blocked = refr[j]! > 0;
            const spike = !blocked && d >= 0 ? 1 : 0;
            const vt = tp.val[vTh[j]!]!;
            const psi = blocked ? 0 : (0.3 / vt) * Math.max(0, 1 - Math.abs(d) / vt);
            const zj = tp.custom(tp.sub(v, A), spike, psi);
            refr[j] = Math.min(2, Math.max(0, refr[j]! + (spike ? 2 : 0) - 1));
            let sj = v;
            if (c.timing === 'same_step') sj = c.reset === 'subtract' ? tp.sub(v, tp.mul(zj, theta)) : tp.add(tp.mul(zj, R), tp.mul(tp.sub(one, zj), v));
            zNew.push(zj); sNew.push(sj); aNew.push(aj);
          }
          const yNew: number[] = [];
          for (let k = 0; k < K; k++) {
            let inp = zero;
            for (let j = 0; j < N; j++) inp = tp.add(inp, tp.mul(Wout[j * K + k]!, zNew[j]!));
            const yk = tp.add(tp.add(tp.mul(kap[k]!, y[k]!), tp.mul(tp.sub(one, kap[k]!), inp)), bO[k]!);
            yNew.push(yk);
            const dk = tp.sub(yk, tp.leaf(target[t * K + k]!));
            loss = tp.add(loss, tp.mul(tp.leaf(0.5), tp.mul(dk, dk)));
          }
          z = zNew; s = sNew; a = aNew; y = yNew;
        }
        // Same spikes as the reference (else the two forward passes differ and nothing is compared).
        fc.pre(z.every((zj, j) => tp.val[zj] === trace.z[(T - 1) * N + j]));
        const G = tp.grad(loss);
        const close = (ours: ArrayLike<number>, leaves: number[], what: string, mask?: Uint8Array) => leaves.forEach((l, i) => {
          if (mask && !mask[i]) return; // no synapse: the optimizer never applies its gradient
          const want = G[l]!;
          expect(Math.abs(ours[i]! - want), `${what}[${i}] ${ours[i]} vs ${want}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(want)));
        });
        close(g.inRec, Win, 'W_in'); close(g.recRec, Wrec, 'W_rec', inst.recRec.mask);
        close(g.recOut, Wout, 'W_out'); close(g.biasOut, bO, 'b_out');
        close(gi.tauM, tauM, 'tau_m'); close(gi.vTh, vTh, 'v_th'); close(gi.tauOut, tauO, 'tau_out');
        if (c.model === 'ALIF') { close(gi.tauA, tauA, 'tau_a'); close(gi.beta, beta, 'beta'); }
      },
    ), { numRuns: 150 });
  });
});
