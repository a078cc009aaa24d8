// The weight-update schemes: how the learning unit turns a synapse's weight change Δ (its
// gradient register, weight units) into programming pulses on the devices of its differential
// pair, as Demirag et al. 2021 coded them (srnn-pcm; research/device.md §3.2), and the refresh of
// saturated pairs. docs/core.md states each rule; the tests check their statistics.
//
// A positive Δ is applied as SET pulses on the G⁺ side, a negative one on G⁻ (PCM is programmed
// upward only; RESET is the refresh's). A pulse on an ideal device adds `pulseLevels` levels
// (Demirag's "perf" mode: a deterministic step), on PCM it is one stochastic SET (device.ts).
import type { MT19937 } from '../data/random.ts';
import type { DeviceArrays, DeviceModel } from './device.ts';
import type { LearningConstants } from './program.ts';

/** The pulses a scheme asks for, given Δ; the register's remainder is the caller's (mixed precision keeps it). */
export interface SchemeContext {
  readonly device: DeviceModel;
  readonly learning: LearningConstants;
  /** 2^−frac of the gradient register: a raw Δ in weight units. */
  readonly unit: number;
  /** Devices per side. */
  readonly perSide: number;
}

/**
 * How many pulses Δ (raw, gradient format) asks for under the scheme, and what stays in the
 * register. `g` is the conductance of the device the pulses go to (µS; direct's polynomial).
 *   direct           n = ⌊P(G + |ΔG|) − P(G)⌋ (PCM, the inverse pulse polynomial) or round(|ΔG|/level) (ideal); cleared
 *   sign             n = 1 if |Δ| > threshold; cleared
 *   stochastic       n = 1 with probability min(1, |ΔG|/prob_scale); cleared
 *   multi            n = trunc((|ΔG|/N) / (0.75 µS / N)); cleared — Demirag's ΔG is the change of the
 *                    pair's mean conductance, a weight being the sum over the N devices over weight_scale
 *   mixed_precision  q = trunc(Δ/ε)·ε transfers as n = ⌈|q·scale| / pulse⌉; Δ − q stays
 * (program_verify writes targets, not pulse counts: LearningUnit.write.)
 */
export function pulsesFor(ctx: SchemeContext, delta: number, g: number, rng: MT19937): { n: number; keep: number } {
  const L = ctx.learning;
  const dG = Math.abs(delta) * ctx.unit * ctx.device.weightScale; // µS
  const ideal = ctx.device.ideal;
  const step = ctx.device.level * L.pulseLevels; // µS per ideal pulse
  switch (L.scheme) {
    case 'direct': {
      if (ideal) return { n: Math.round(dG / ctx.device.level), keep: 0 };
      // A device holds at most g_max: pulses past it are not asked for.
      return { n: Math.max(0, Math.floor(polynomial(Math.min(ctx.device.gMax, g + dG)) - polynomial(g))), keep: 0 };
    }
    case 'sign': return { n: Math.abs(delta) > L.threshold ? 1 : 0, keep: 0 };
    case 'stochastic': {
      const p = Math.min(1, (dG * 1e-6) / L.pulse);
      return { n: rng.random() < p ? 1 : 0, keep: 0 };
    }
    case 'multi': {
      // PCM: 0.75 µS / N per pulse for the mean's change (a pulse moves one device by ~0.75 µS,
      // the mean by 0.75 µS / N); ideal devices: a pulse's levels, for the sum.
      if (ideal) return { n: Math.trunc(dG / step), keep: 0 };
      return { n: Math.trunc(dG / ctx.perSide / (L.pulse * 1e6)), keep: 0 };
    }
    case 'mixed_precision': {
      const q = Math.trunc(delta / L.threshold) * L.threshold;
      if (q === 0) return { n: 0, keep: delta };
      const per = ideal ? step : L.pulse * 1e6;
      return { n: Math.ceil((Math.abs(q) * ctx.unit * ctx.device.weightScale) / per - 1e-9), keep: delta - q };
    }
    case 'program_verify': throw new Error('internal: program-and-verify programs targets (LearningUnit.write), not a pulse count');
  }
}

/** The inverse pulse-count polynomial P(G) = 0.027·G³ − 0.15·G² + 0.81·G (µS; srnn-pcm's G_to_numpulse). */
function polynomial(g: number): number { return ((0.027 * g - 0.15) * g + 0.81) * g; }

/** One SET pulse on device i: an ideal device's levels, or the PCM model's stochastic increment. */
export function pulse(device: DeviceModel, d: DeviceArrays, i: number, levels: number, t: number, rng: MT19937): void {
  if (device.ideal) {
    d.g[i] = Math.min(device.gMax, (d.g[i] as number) + levels * device.level);
    d.count[i] = (d.count[i] as number) + 1; d.wear[i] = (d.wear[i] as number) + 1; d.tp[i] = t;
    return;
  }
  device.set(d, i, t, rng);
}
