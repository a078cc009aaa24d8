// The network IR: plain, readonly data that the float reference and the compiler both consume
// (DESIGN.md §1). Times are in seconds, rates in Hz, everything else in the network's own units.
// Per-neuron parameters and weights are initialiser specs; `instantiate.ts` realises them with
// the run's init stream, so the reference and the core start from the same numbers.

export type InitIR =
  | { readonly kind: 'constant'; readonly value: number }
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'glorot'; readonly gain: number }
  | { readonly kind: 'kaiming'; readonly gain: number }
  | { readonly kind: 'orthogonal'; readonly gain: number }
  | { readonly kind: 'file'; readonly path: string; readonly shape: readonly number[] };

export type SurrogateIR =
  | { readonly kind: 'piecewise_linear' | 'exponential' | 'fast_sigmoid' | 'arctan'; readonly gamma: number; readonly beta: number }
  | { readonly kind: 'multi_gaussian'; readonly gamma: number; readonly sigma: number; readonly h: number; readonly s: number };

export type ResetIR =
  | { readonly kind: 'subtract'; readonly threshold: 'baseline' | 'adaptive' }
  | { readonly kind: 'zero' }
  | { readonly kind: 'to'; readonly value: number };

/** The conventions and parameters of a spiking neuron (LIF is ALIF with β = 0). */
export interface SpikingParamsIR {
  readonly tauM: InitIR;
  readonly vTh: InitIR;
  readonly vInit: InitIR;
  readonly vMin: number | null;
  readonly bias: InitIR | null;
  readonly reset: ResetIR;
  readonly resetTiming: 'next_step' | 'same_step';
  readonly thresholdTest: 'gt' | 'ge';
  readonly inputFactor: 'none' | 'one_minus_alpha';
  /** Refractory period in steps: round(t_ref / dt); n blocks n − 1 steps after a spike. */
  readonly refractorySteps: number;
  readonly surrogate: SurrogateIR;
  readonly surrogateWhenRefractory: 'zero' | 'active';
  /** ALIF only (LIF: tauA unused, beta 0). */
  readonly tauA: InitIR;
  readonly beta: InitIR;
  readonly aInit: InitIR;
  readonly adaptationIncrement: 'spike' | 'one_minus_rho';
  readonly trainable: readonly string[];
}

export interface ReadoutParamsIR {
  readonly tau: InitIR;
  readonly inputFactor: 'none' | 'one_minus_kappa';
  readonly bias: InitIR | null;
  readonly vInit: InitIR;
  readonly trainable: readonly string[];
}

export type PopulationIR =
  | { readonly name: string; readonly role: 'input'; readonly model: 'input'; readonly size: number; readonly encoding: 'spikes' | 'graded' }
  | { readonly name: string; readonly role: 'population'; readonly model: 'LIF' | 'ALIF'; readonly size: number; readonly params: SpikingParamsIR }
  | { readonly name: string; readonly role: 'readout'; readonly model: 'LI'; readonly size: number; readonly params: ReadoutParamsIR };

/** A range of neurons of a population or group: [lo, hi). */
export interface EndIR { readonly name: string; readonly lo: number; readonly hi: number }

export interface ProjectionIR {
  readonly source: EndIR;
  readonly target: EndIR;
  readonly conn: 'dense' | 'sparse' | 'one_to_one' | 'self';
  /** Connection probability (sparse); 1 otherwise. */
  readonly p: number;
  readonly w: InitIR;
  readonly noSelf: boolean;
  readonly trainable: boolean;
  readonly wMin: number | null;
  readonly wMax: number | null;
}

export interface NetworkIR {
  readonly name: string;
  readonly dt: number;
  readonly populations: readonly PopulationIR[];
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly projections: readonly ProjectionIR[];
}

/** The projections into population `name`, directly or through a group it belongs to (the checked network and its IR alike). */
export function feedingProjections<P extends { readonly target: { readonly name: string } }>(net: { readonly projections: readonly P[]; readonly groups: Readonly<Record<string, readonly string[]>> }, name: string): P[] {
  return net.projections.filter((pr) => pr.target.name === name || (net.groups[pr.target.name] ?? []).includes(name));
}

/** The neurons an end point covers, as (population, lo, hi) pieces in order (groups expand). */
export function endPieces(net: NetworkIR, end: EndIR): Array<{ population: PopulationIR; lo: number; hi: number }> {
  const members = net.groups[end.name] ?? [end.name];
  const out: Array<{ population: PopulationIR; lo: number; hi: number }> = [];
  let offset = 0;
  for (const m of members) {
    const pop = net.populations.find((p) => p.name === m);
    if (!pop) throw new Error(`internal: unknown population ${m}`);
    const lo = Math.max(end.lo, offset);
    const hi = Math.min(end.hi, offset + pop.size);
    if (lo < hi) out.push({ population: pop, lo: lo - offset, hi: hi - offset });
    offset += pop.size;
  }
  return out;
}
