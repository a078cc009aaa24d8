// Pseudo-derivatives ψ of the spike with respect to the membrane potential, in float64.
// x = v − A (distance to the current threshold); vTh is the neuron's baseline threshold.
// Parametrised exactly as NEST's e-prop models (surrogate_gradient_gamma γ and _beta β): the
// piecewise-linear form is Bellec et al.'s, relative to v_th; the others work on x directly, as
// does Yin et al.'s multi-Gaussian.
import type { SurrogateIR } from '../ir/network.ts';

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const gauss = (x: number, mu: number, sigma: number): number => Math.exp(-((x - mu) ** 2) / (2 * sigma * sigma)) / (SQRT_2PI * sigma);

export function psi(s: SurrogateIR, x: number, vTh: number): number {
  switch (s.kind) {
    case 'piecewise_linear': return (s.gamma / vTh) * Math.max(0, 1 - s.beta * Math.abs(x / vTh));
    case 'exponential': return s.gamma * Math.exp(-s.beta * Math.abs(x));
    case 'fast_sigmoid': return s.gamma / (1 + s.beta * Math.abs(x)) ** 2;
    case 'arctan': return (s.gamma / Math.PI) / (1 + (s.beta * Math.PI * x) ** 2);
    case 'multi_gaussian':
      return s.gamma * ((1 + s.h) * gauss(x, 0, s.sigma) - s.h * gauss(x, s.sigma, s.s * s.sigma) - s.h * gauss(x, -s.sigma, s.s * s.sigma));
  }
}
