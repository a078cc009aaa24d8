// Realises a network IR into numbers: per-neuron parameters and weight matrices, drawn from the
// run's init stream in a fixed, documented order, so the float reference and the core start from
// the same values (docs/reference.md, "Initialisation"):
//   1. populations in declaration order; for each, its per-neuron parameters in the order
//      tau_m, v_th, v_init, bias, tau_a, beta, a_init (readouts: tau, bias, v_init), each drawn
//      neuron by neuron (constants and files draw nothing);
//   2. projections in declaration order: the connection mask of a sparse projection (one uniform
//      per (source, target) pair, row-major), then its weights (one draw per pair, row-major
//      over (source, target); one per neuron for one_to_one and self);
//   3. the feedback matrix B, row-major over (recurrent, readout), when the rule has one.
// The neurons are laid out in three index spaces: inputs, recurrent (every LIF/ALIF population,
// in declaration order) and readouts. A weight matrix is stored row-major as [pre][post].
import { readNpy } from '../data/npy.ts';
import type { MT19937 } from '../data/random.ts';
import { endPieces, type EndIR, type InitIR, type NetworkIR, type PopulationIR, type ProjectionIR, type SpikingParamsIR } from './network.ts';

export type Space = 'input' | 'rec' | 'out';

export interface Layout {
  readonly nIn: number;
  readonly nRec: number;
  readonly nOut: number;
  /** For each population: its index space and offset there. */
  readonly offsets: ReadonlyMap<string, { space: Space; offset: number }>;
}

/** One weight block between two index spaces, dense [pre][post] with a connection mask. */
export interface WeightBlock {
  readonly pre: Space;
  readonly post: Space;
  readonly w: Float64Array;
  readonly mask: Uint8Array;
  /** Which projection each synapse belongs to (-1: none). */
  readonly owner: Int16Array;
}

export interface Instance {
  readonly layout: Layout;
  /** Recurrent neurons. */
  readonly tauM: Float64Array; readonly vTh: Float64Array; readonly vInit: Float64Array; readonly bias: Float64Array;
  readonly tauA: Float64Array; readonly beta: Float64Array; readonly aInit: Float64Array;
  /** Recurrent neuron → its population's conventions. */
  readonly recParams: readonly SpikingParamsIR[];
  readonly recPopulation: Int16Array;
  /** Readouts. */
  readonly tauOut: Float64Array; readonly biasOut: Float64Array; readonly vInitOut: Float64Array; readonly outFactorOneMinusKappa: Uint8Array;
  readonly inRec: WeightBlock; readonly recRec: WeightBlock; readonly inOut: WeightBlock; readonly recOut: WeightBlock;
}

export function layoutOf(net: NetworkIR): Layout {
  const offsets = new Map<string, { space: Space; offset: number }>();
  let nIn = 0; let nRec = 0; let nOut = 0;
  for (const p of net.populations) {
    if (p.role === 'input') { offsets.set(p.name, { space: 'input', offset: nIn }); nIn += p.size; }
    else if (p.role === 'population') { offsets.set(p.name, { space: 'rec', offset: nRec }); nRec += p.size; }
    else { offsets.set(p.name, { space: 'out', offset: nOut }); nOut += p.size; }
  }
  return { nIn, nRec, nOut, offsets };
}

/** Global indices (within their space) of the neurons of an end point. */
export function endIndices(net: NetworkIR, layout: Layout, end: EndIR): { space: Space; indices: Int32Array } {
  const pieces = endPieces(net, end);
  const idx: number[] = [];
  let space: Space | undefined;
  for (const piece of pieces) {
    const o = layout.offsets.get(piece.population.name) as { space: Space; offset: number };
    space = o.space;
    for (let i = piece.lo; i < piece.hi; i++) idx.push(o.offset + i);
  }
  return { space: space as Space, indices: Int32Array.from(idx) };
}

function fill(out: Float64Array, at: number, n: number, init: InitIR, rng: MT19937, what: string): void {
  switch (init.kind) {
    case 'constant': for (let i = 0; i < n; i++) out[at + i] = init.value; return;
    case 'normal': for (let i = 0; i < n; i++) out[at + i] = init.mean + init.std * rng.randn(); return;
    case 'uniform': for (let i = 0; i < n; i++) out[at + i] = rng.uniform(init.low, init.high); return;
    case 'file': {
      const r = readNpy(init.path);
      if (!r.ok) throw new InstantiationError(`Cannot read ${init.path} for ${what}: ${r.reason}.`);
      if (r.array.data.length !== n) throw new InstantiationError(`${init.path} has ${r.array.data.length} values; ${what} needs ${n}.`);
      out.set(r.array.data, at);
      return;
    }
    default: throw new Error(`internal: ${init.kind} is not a per-neuron initialiser`);
  }
}

/** A data file changed between check and run. A user error, reported by the CLI. */
export class InstantiationError extends Error {}

function drawMatrix(init: InitIR, rows: number, cols: number, rng: MT19937, what: string): Float64Array {
  const out = new Float64Array(rows * cols);
  switch (init.kind) {
    case 'glorot': {
      const lim = init.gain * Math.sqrt(6 / (rows + cols));
      for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-lim, lim);
      return out;
    }
    case 'kaiming': {
      const std = init.gain / Math.sqrt(rows);
      for (let i = 0; i < out.length; i++) out[i] = std * rng.randn();
      return out;
    }
    case 'orthogonal': return orthogonal(rows, init.gain, rng);
    default: fill(out, 0, out.length, init, rng, what); return out;
  }
}

/** A random orthogonal matrix (Gram–Schmidt on a Gaussian matrix, sign-corrected), times gain. */
function orthogonal(n: number, gain: number, rng: MT19937): Float64Array {
  const q = new Float64Array(n * n);
  for (let i = 0; i < q.length; i++) q[i] = rng.randn();
  for (let c = 0; c < n; c++) {
    for (let p = 0; p < c; p++) {
      let dot = 0;
      for (let r = 0; r < n; r++) dot += (q[r * n + c] as number) * (q[r * n + p] as number);
      for (let r = 0; r < n; r++) q[r * n + c] = (q[r * n + c] as number) - dot * (q[r * n + p] as number);
    }
    let norm = 0;
    for (let r = 0; r < n; r++) norm += (q[r * n + c] as number) ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < n; r++) q[r * n + c] = ((q[r * n + c] as number) / norm) * gain;
  }
  return q;
}

/** A recurrent neuron's synapse onto itself, which `no_self` leaves out. */
const selfPair = (pr: ProjectionIR, b: WeightBlock, si: number, dj: number): boolean => pr.noSelf && b.pre === 'rec' && b.post === 'rec' && si === dj;

function block(pre: Space, post: Space, layout: Layout, weights = true): WeightBlock {
  const n = (s: Space) => (s === 'input' ? layout.nIn : s === 'rec' ? layout.nRec : layout.nOut);
  const size = n(pre) * n(post);
  return { pre, post, w: new Float64Array(weights ? size : 0), mask: new Uint8Array(size), owner: new Int16Array(size).fill(-1) };
}

export function instantiate(net: NetworkIR, rng: MT19937): Instance {
  const layout = layoutOf(net);
  const { nRec, nOut } = layout;
  const f = (n: number) => new Float64Array(n);
  const inst = {
    layout,
    tauM: f(nRec), vTh: f(nRec), vInit: f(nRec), bias: f(nRec), tauA: f(nRec), beta: f(nRec), aInit: f(nRec),
    recParams: [] as SpikingParamsIR[], recPopulation: new Int16Array(nRec),
    tauOut: f(nOut), biasOut: f(nOut), vInitOut: f(nOut), outFactorOneMinusKappa: new Uint8Array(nOut),
    inRec: block('input', 'rec', layout), recRec: block('rec', 'rec', layout), inOut: block('input', 'out', layout), recOut: block('rec', 'out', layout),
  };
  net.populations.forEach((p: PopulationIR) => {
    const o = layout.offsets.get(p.name) as { offset: number };
    const at = o.offset;
    if (p.role === 'population') {
      const q = p.params;
      const popIndex = inst.recParams.push(q) - 1;
      inst.recPopulation.fill(popIndex, at, at + p.size);
      fill(inst.tauM, at, p.size, q.tauM, rng, `${p.name}.tau_m`);
      fill(inst.vTh, at, p.size, q.vTh, rng, `${p.name}.v_th`);
      fill(inst.vInit, at, p.size, q.vInit, rng, `${p.name}.v_init`);
      if (q.bias) fill(inst.bias, at, p.size, q.bias, rng, `${p.name}.bias`);
      fill(inst.tauA, at, p.size, q.tauA, rng, `${p.name}.tau_a`);
      fill(inst.beta, at, p.size, q.beta, rng, `${p.name}.beta`);
      fill(inst.aInit, at, p.size, q.aInit, rng, `${p.name}.a_init`);
    } else if (p.role === 'readout') {
      const q = p.params;
      fill(inst.tauOut, at, p.size, q.tau, rng, `${p.name}.tau`);
      if (q.bias) fill(inst.biasOut, at, p.size, q.bias, rng, `${p.name}.bias`);
      fill(inst.vInitOut, at, p.size, q.vInit, rng, `${p.name}.v_init`);
      inst.outFactorOneMinusKappa.fill(q.inputFactor === 'one_minus_kappa' ? 1 : 0, at, at + p.size);
    }
  });
  net.projections.forEach((pr, k) => {
    const src = endIndices(net, layout, pr.source);
    const dst = endIndices(net, layout, pr.target);
    const b = src.space === 'input' ? (dst.space === 'rec' ? inst.inRec : inst.inOut) : dst.space === 'rec' ? inst.recRec : inst.recOut;
    const nPost = dst.space === 'rec' ? nRec : nOut;
    const ns = src.indices.length;
    const nt = dst.indices.length;
    const what = `the weights of ${pr.source.name} -> ${pr.target.name}`;
    if (pr.conn === 'one_to_one' || pr.conn === 'self') {
      const w = drawMatrix(pr.w, ns, 1, rng, what);
      for (let i = 0; i < ns; i++) {
        const at = (src.indices[i] as number) * nPost + (dst.indices[i] as number);
        b.w[at] = w[i] as number; b.mask[at] = 1; b.owner[at] = k;
      }
      return;
    }
    let keep: Uint8Array | null = null;
    if (pr.conn === 'sparse') {
      keep = new Uint8Array(ns * nt);
      for (let i = 0; i < keep.length; i++) keep[i] = rng.random() < pr.p ? 1 : 0;
    }
    const w = drawMatrix(pr.w, ns, nt, rng, what);
    for (let i = 0; i < ns; i++) {
      for (let j = 0; j < nt; j++) {
        const si = src.indices[i] as number;
        const dj = dst.indices[j] as number;
        if (keep && !keep[i * nt + j]) continue;
        if (selfPair(pr, b, si, dj)) continue;
        const at = si * nPost + dj;
        b.w[at] = w[i * nt + j] as number; b.mask[at] = 1; b.owner[at] = k;
      }
    }
  });
  return inst;
}

/** The weight blocks of an instance: what the tile mapper reads. */
export type Connectivity = Pick<Instance, 'layout' | 'inRec' | 'recRec' | 'inOut' | 'recOut'>;

/**
 * The connectivity that needs no random draw: every projection except the sparse ones (whose
 * masks are drawn with the weights), without weights. For a network without sparse projections
 * it is the whole connectivity, known before any expensive initialisation (an orthogonal matrix
 * is O(n³)): the compiler maps it first, and refuses a network too large for its core at once.
 */
export function fixedConnectivity(net: NetworkIR): Connectivity {
  const layout = layoutOf(net);
  const { nRec, nOut } = layout;
  const empty = (pre: Space, post: Space): WeightBlock => block(pre, post, layout, false);
  const c = { layout, inRec: empty('input', 'rec'), recRec: empty('rec', 'rec'), inOut: empty('input', 'out'), recOut: empty('rec', 'out') };
  net.projections.forEach((pr, k) => {
    if (pr.conn === 'sparse') return;
    const src = endIndices(net, layout, pr.source);
    const dst = endIndices(net, layout, pr.target);
    const b = src.space === 'input' ? (dst.space === 'rec' ? c.inRec : c.inOut) : dst.space === 'rec' ? c.recRec : c.recOut;
    const nPost = dst.space === 'rec' ? nRec : nOut;
    const vector = pr.conn === 'one_to_one' || pr.conn === 'self';
    for (let i = 0; i < src.indices.length; i++) {
      const si = src.indices[i] as number;
      for (let j = vector ? i : 0; j < (vector ? i + 1 : dst.indices.length); j++) {
        const dj = dst.indices[j] as number;
        if (!vector && selfPair(pr, b, si, dj)) continue;
        b.mask[si * nPost + dj] = 1; b.owner[si * nPost + dj] = k;
      }
    }
  });
  return c;
}

/** Draw a feedback matrix (recurrent × readout) after the weights, from the same stream. */
export function drawFeedback(init: InitIR, layout: Layout, rng: MT19937): Float64Array {
  return drawMatrix(init, layout.nRec, layout.nOut, rng, 'the feedback matrix B');
}
