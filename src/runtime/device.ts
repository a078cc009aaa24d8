// The synaptic devices of a crossbar tile, in one module with their equations (docs/device.md
// states them with their sources). Conductances here are in µS and times in seconds, as the
// published models write them.
//
// PCM, profile demirag2021 — the Nandakumar et al. 2018 statistical model as Demirag et al. 2021
// coded it (srnn-pcm xbar.py; research/device.md §1):
//   SET pulse   P ← P·e^{−1/a};  μ = m1·G + c1 + A1·P;  σ = m2·G + c2 + A2·P
//               G ← clamp(G + μ + σ·ξ, g_min, g_max)          (ξ ~ N(0, 1); σ = 0 without prog_noise)
//   RESET       P ← 1;  G ~ N(G0, (0.1·G0)²) clamped to [0.01, g_max], G0 = g_min
//   drift       G_d = G·((t − t_p)/t0)^{−ν}                     (t_p: the device's last pulse)
//   read noise  G_read = G_d + (m3·G_d + c3)·ξ                   (white, a fresh draw every read)
//   program to a target G*: RESET, then n = ⌊P(G*) − P(G)⌋ SET pulses with the inverse pulse
//               polynomial P(G) = 0.027·G³ − 0.15·G² + 0.81·G (srnn-pcm's G_to_numpulse); the
//               pulses are stochastic, so the device lands near the target, not on it.
// PCM, profiles aihwkit and hermes — IBM aihwkit's inference models (research/device.md §2):
// programming after closed-loop program-and-verify lands within N(0, σ_prog(g)) of the target,
// g = G*/g_max; each device draws its drift exponent ν ~ |N(μν(g), σν(g))| when programmed and
// drifts as G_prog·((t + t0)/t0)^{−ν}; a read adds 1/f noise accumulated up to t,
// σ = G_d·Qs(g)·√ln((t + t_read)/(2·t_read)). `aihwkit` is PCMLikeNoiseModel (Nandakumar et al.,
// ICECS 2019), `hermes` the fit to the HERMES chip (one or two devices per polarity).
// Ideal devices hold level·g_max/(levels − 1) exactly: no noise, no drift.
import type { MT19937 } from '../data/random.ts';
import type { DeviceParams } from './program.ts';

/** The demirag2021 constants (µS; research/device.md §1, srnn-pcm xbar.py). */
export const DEMIRAG = {
  a: 2.6, m1: -0.084, c1: 0.88, A1: 1.4, m2: 0.091, c2: 0.26, A2: 2.15,
  m3: 0.03, c3: 0.13, resetFloor: 0.01,
  pulsePoly: [0.81, -0.15, 0.027] as const,
} as const;

/** A profile of aihwkit's inference models: functions of the normalised target g = G* / g_max. */
export interface InferenceFit {
  readonly name: string;
  /** Programming noise (µS) for a device of g_max `gMax` µS. */
  sigmaProg(g: number, gMax: number): number;
  muNu(g: number): number;
  sigmaNu(g: number): number;
  qs(g: number): number;
  /** Drift reference time and read duration, seconds. */
  readonly t0: number; readonly tRead: number;
}

const clip = (x: number, lo: number, hi: number) => (x < lo ? lo : x > hi ? hi : x);
const ln = (g: number) => Math.log(Math.max(g, 1e-12));
const cubic = (c: readonly number[], g: number) => ((((c[3] as number) * g + (c[2] as number)) * g + (c[1] as number)) * g + (c[0] as number));

/** aihwkit PCMLikeNoiseModel (snapshot 4545f11; research/device.md §2.1). */
export const AIHWKIT: InferenceFit = {
  name: 'aihwkit PCMLikeNoiseModel',
  sigmaProg: (g, gMax) => Math.max(0, (0.26348 + 1.965 * g - 1.1731 * g * g) * (gMax / 25)),
  muNu: (g) => clip(-0.0155 * ln(g) + 0.0244, 0.049, 0.1),
  sigmaNu: (g) => clip(-0.0125 * ln(g) - 0.0059, 0.008, 0.045),
  qs: (g) => Math.min(0.0088 / Math.max(g, 1e-3) ** 0.65, 0.2),
  t0: 20, tRead: 250e-9,
};

/** aihwkit HermesNoiseModel, fitted on IBM's HERMES chip (research/device.md §2.2): one device per polarity, or two. */
export function hermes(devicesPerSide: number): InferenceFit {
  const two = devicesPerSide >= 2;
  const prog = two ? [0.16603222, 4.71806468, -8.48101252, 4.68961419] : [0.15781817, 2.32443916, -2.16310839, 0.68841818];
  const ref = two ? 20.7 : 10.35;
  return {
    name: `HERMES fit, ${two ? 2 : 1} device${two ? 's' : ''} per polarity`,
    sigmaProg: (g, gMax) => Math.max(0, cubic(prog, g) * (gMax / ref)),
    muNu: (g) => (g < 0.0945 ? clip(-0.0387 * ln(g) - 0.0182, 0.072, 0.13) : -0.0436 * g * g - 0.0126 * g + 0.0736),
    sigmaNu: (g) => (two
      ? (g < 0.3055 ? clip(-0.0117 * ln(g) - 0.0057, 0.0091, 0.04) : -0.0118 * g * g + 0.0093 * g + 0.0073)
      : (g < 0.3039 ? clip(-0.012 * ln(g) - 0.0023, 0.0124, 0.04) : -0.0165 * g * g + 0.0116 * g + 0.0104)),
    qs: (g) => (two
      ? (g < 0.16 ? clip(-0.0117 * ln(g) - 0.0069, 0.015, 0.04) : 0.0069 * g ** 3 - 0.028 * g * g + 0.0211 * g + 0.0123)
      : (g < 0.1591 ? clip(-0.0078 * ln(g) + 0.0038, 0.0179, 0.04) : 0.0664 * g ** 3 - 0.1352 * g * g + 0.0768 * g + 0.0088)),
    t0: two ? 300 : 200, tRead: 512e-9,
  };
}

/** Conductances of one tile's devices and their programming history, in typed arrays. Device d of cell k, side s: index (k·2 + s)·N + d. */
export interface DeviceArrays {
  readonly g: Float64Array;
  /** Pulse-history memory P (PCM). */
  readonly pmem: Float64Array;
  /** Time of the last pulse (drift clock), seconds. */
  readonly tp: Float64Array;
  /** Pulses since the last RESET. */
  readonly count: Uint32Array;
  /** Pulses over the device's life, SET and RESET (its wear, against an endurance budget). */
  readonly wear: Float64Array;
  /** Per device (the inference profiles): its drift exponent ν and its 1/f noise factor Qs. */
  readonly nu: Float64Array;
  readonly qs: Float64Array;
}

export function deviceArrays(cells: number, perSide: number): DeviceArrays {
  const n = cells * 2 * perSide;
  return { g: new Float64Array(n), pmem: new Float64Array(n), tp: new Float64Array(n), count: new Uint32Array(n), wear: new Float64Array(n), nu: new Float64Array(n), qs: new Float64Array(n) };
}

/** The device model of a core (PCM or ideal), with its constants in µS. */
export class DeviceModel {
  readonly gMax: number; readonly gMin: number; readonly weightScale: number;
  readonly ideal: boolean;
  /** One level of an ideal device (µS). */
  readonly level: number;

  /** The inference fit of the aihwkit and hermes profiles; null for demirag2021 (and ideal devices). */
  readonly fit: InferenceFit | null;

  constructor(readonly params: DeviceParams, ideal: boolean) {
    this.gMax = params.gMax * 1e6; this.gMin = params.gMin * 1e6; this.weightScale = params.weightScale * 1e6;
    this.ideal = ideal || params.kind === 'ideal';
    this.fit = this.ideal ? null : params.profile === 'aihwkit' ? AIHWKIT : params.profile === 'hermes' ? hermes(params.devicesPerSide) : null;
    // With --ideal a PCM program's 16-bit targets are held exactly.
    this.level = this.gMax / ((params.kind === 'ideal' ? params.levels : 65536) - 1);
  }

  get readNoise(): boolean { return !this.ideal && this.params.readNoise; }
  get drifts(): boolean { return !this.ideal && this.params.drift; }

  /** The drift factor ((t − t_p)/t0)^{−ν} of a device last pulsed at t_p, read at t. */
  driftFactor(t: number, tp: number): number {
    if (!this.drifts) return 1;
    const age = Math.max(t - tp, 1e-9);
    return (age / this.params.driftT0) ** -this.params.driftNu;
  }

  /** Standard deviation of one device's read (µS) at drifted conductance gd. */
  readSigma(gd: number): number { return DEMIRAG.m3 * gd + DEMIRAG.c3; }

  /** RESET device i at time t. */
  reset(d: DeviceArrays, i: number, t: number, rng: MT19937): void {
    d.pmem[i] = 1; d.count[i] = 0; d.tp[i] = t; d.wear[i] = (d.wear[i] as number) + 1;
    if (this.ideal) { d.g[i] = 0; return; }
    const g0 = this.gMin;
    d.g[i] = Math.min(this.gMax, Math.max(DEMIRAG.resetFloor, g0 + 0.1 * g0 * rng.randn()));
  }

  /** One SET pulse on device i at time t. */
  set(d: DeviceArrays, i: number, t: number, rng: MT19937): void {
    const K = DEMIRAG;
    const p = (d.pmem[i] as number) * Math.exp(-1 / K.a);
    const g = d.g[i] as number;
    const mu = K.m1 * g + K.c1 + K.A1 * p;
    const sigma = this.params.progNoise ? K.m2 * g + K.c2 + K.A2 * p : 0;
    d.pmem[i] = p;
    d.g[i] = Math.min(this.gMax, Math.max(this.gMin, g + mu + (sigma > 0 ? sigma * rng.randn() : 0)));
    d.count[i] = (d.count[i] as number) + 1;
    d.wear[i] = (d.wear[i] as number) + 1;
    d.tp[i] = t;
  }

  /** The inverse pulse-count polynomial P(G) (µS). */
  static pulses(g: number): number {
    const [a, b, c] = DEMIRAG.pulsePoly;
    return ((c * g + b) * g + a) * g;
  }

  /**
   * Program device i to `level` (a target level of the program) at time t; returns the pulses
   * applied (one RESET and the SETs).
   */
  program(d: DeviceArrays, i: number, level: number, t: number, rng: MT19937): { sets: number; resets: number } {
    const target = level * this.level;
    if (this.ideal) { d.g[i] = target; d.tp[i] = t; d.pmem[i] = 1; d.count[i] = 0; return { sets: 0, resets: 0 }; }
    const fit = this.fit;
    if (fit) {
      // The result of program-and-verify (aihwkit models it, not its pulses): the ledger counts a
      // RESET and, for a nonzero target, one SET — a lower bound of the pulses it takes.
      const g = target / this.gMax;
      const prog = this.params.progNoise ? target + fit.sigmaProg(g, this.gMax) * rng.randn() : target;
      d.g[i] = Math.max(0, prog); d.tp[i] = t; d.pmem[i] = 1; d.count[i] = target > 0 ? 1 : 0; d.wear[i] = (d.wear[i] as number) + 1 + (target > 0 ? 1 : 0);
      d.nu[i] = this.params.drift ? Math.abs(fit.muNu(g) + fit.sigmaNu(g) * rng.randn()) : 0;
      d.qs[i] = fit.qs(g);
      return { sets: target > 0 ? 1 : 0, resets: 1 };
    }
    this.reset(d, i, t, rng);
    const n = Math.max(0, Math.floor(DeviceModel.pulses(target) - DeviceModel.pulses(d.g[i] as number)));
    for (let k = 0; k < n; k++) this.set(d, i, t, rng);
    return { sets: n, resets: 1 };
  }
}
