// Pseudo-derivatives ψ of the spike with respect to the membrane potential, in float64.
// x = v − A (distance to the current threshold); vTh is the neuron's baseline threshold.
// Parametrised as in Bellec et al. 2020 (ψ = γ/v_th · f(x / (width·v_th))); NEST's h and w are
// h = γ/v_th and w = width·v_th. Yin et al.'s multi-Gaussian works on x directly.
import type { SurrogateIR } from '../ir/network.ts';

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const gauss = (x: number, mu: number, sigma: number): number => Math.exp(-((x - mu) ** 2) / (2 * sigma * sigma)) / (SQRT_2PI * sigma);

export function psi(s: SurrogateIR, x: number, vTh: number): number {
  switch (s.kind) {
    case 'piecewise_linear': return (s.gamma / vTh) * Math.max(0, 1 - Math.abs(x) / (s.width * vTh));
    case 'exponential': return (s.gamma / vTh) * Math.exp(-Math.abs(x) / (s.width * vTh));
    case 'fast_sigmoid': return (s.gamma / vTh) / (1 + Math.abs(x) / (s.width * vTh)) ** 2;
    case 'arctan': return (s.gamma / vTh) / (1 + (x / (s.width * vTh)) ** 2);
    case 'multi_gaussian':
      return s.gamma * ((1 + s.h) * gauss(x, 0, s.sigma) - s.h * gauss(x, s.sigma, s.s * s.sigma) - s.h * gauss(x, -s.sigma, s.s * s.sigma));
  }
}
