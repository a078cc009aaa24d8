// How much memory a train or run block's state needs, estimated from sizes alone before anything is
// allocated, so that the checker can refuse a network no command could build (issue 7) instead of
// letting `Invalid typed array length` or an out-of-memory kill end the run.
//
// The model counts the typed arrays the float reference and the compiler allocate (src/ir/
// instantiate.ts, src/reference/*, src/compiler/quantize.ts), per element:
//   - weights: the four weight blocks (input→rec, rec→rec, input→out, rec→out) are dense
//     matrices whatever the projections: value 8 B, mask 1 B, owner 2 B; training adds its mask
//     (1 B), a gradient (8 B) and the optimizer's moments (8 B, Adam 16 B); compiling adds the
//     quantised levels (4 B). Drawing a projection's initial weights needs 8 B (+1 B for a sparse
//     mask) per synapse of the largest projection, for a moment.
//   - the peak is that of the largest phase (drawing, compiling, training): what a phase frees,
//     the next one reuses.
//   - per time step and sequence: the traces the reference keeps of every sequence in a batch
//     (spikes 1 B, ψ, v, a 8 B each per recurrent neuron; BPTT 33 B more; readout outputs 8 B)
//     and the sample itself (8 B per input channel, 8 B per target); e-prop's per-sequence work
//     (8 B per recurrent neuron, 24 B per readout).
// A test measures the reference's and compiler's allocations against it.

export interface MemoryShape {
  readonly nIn: number;
  readonly nRec: number;
  readonly nOut: number;
  /** Synapses of the largest projection (its initial weights are drawn as one matrix). */
  readonly largestProjection: number;
  readonly sparse: boolean;
  /** Time steps of one sequence, and sequences per batch (1 for a run block). */
  readonly steps: number;
  readonly batch: number;
  /** Sequences drawn at once for a validation (0 without): their inputs and targets are held together. */
  readonly validation: number;
  /** The learning rule of a train block (null: a run block, which is only compiled). */
  readonly learn: { readonly kind: 'eprop' | 'bptt'; readonly adam: boolean } | null;
}

export interface MemoryEstimate {
  readonly bytes: number;
  /** The terms, largest first, for the diagnostic: `weight matrices (rec → rec: 10000 × 10000)`. */
  readonly parts: ReadonlyArray<{ readonly what: string; readonly bytes: number }>;
}

/** Sequences a validation draws at once (the reference's VALIDATION_SAMPLES). */
export const VALIDATION_SEQUENCES = 64;

/** The default budget (4 GiB): overridden by --max-memory or PHASECORE_MAX_MEMORY. */
export const DEFAULT_MEMORY_BUDGET = 4 * 1024 ** 3;

export function estimateMemory(s: MemoryShape): MemoryEstimate {
  const { nIn, nRec, nOut } = s;
  const entries = nIn * nRec + nRec * nRec + nIn * nOut + nRec * nOut;
  const matrices = (perWeight: number) => ({ what: `weight matrices (${shapeText(s)})`, bytes: entries * perWeight });
  // The phases follow each other, and what one frees the next reuses: the peak is the largest.
  const phases = [
    // Drawing the initial weights.
    [matrices(11), { what: `initial weights of the largest projection (${s.largestProjection} synapses)`, bytes: s.largestProjection * (8 + (s.sparse ? 1 : 0)) }],
    // Compiling: the quantised levels beside the weights.
    [matrices(11 + 4)],
  ];
  if (s.learn) {
    const perStep = s.batch * (nRec * (25 + (s.learn.kind === 'bptt' ? 33 : 0)) + nOut * 8 + nIn * 8 + nOut * 8) + (s.learn.kind === 'eprop' ? nRec * 8 + nOut * 24 : 0);
    phases.push([
      matrices(11 + 1 + 8 + (s.learn.adam ? 16 : 8)),
      { what: `state over ${s.steps} time steps × ${s.batch} sequence${s.batch === 1 ? '' : 's'}`, bytes: s.steps * perStep },
      ...(s.validation > 0 ? [{ what: `${s.validation} validation sequences`, bytes: s.validation * s.steps * (nIn + nOut) * 8 }] : []),
    ]);
  }
  const sum = (ps: ReadonlyArray<{ bytes: number }>) => ps.reduce((a, p) => a + p.bytes, 0);
  const peak = phases.reduce((best, ps) => (sum(ps) > sum(best) ? ps : best));
  return { bytes: sum(peak), parts: [...peak].sort((a, b) => b.bytes - a.bytes) };
}

/** The weight blocks that matter (a twentieth of the entries or more). */
function shapeText(s: MemoryShape): string {
  const total = s.nIn * s.nRec + s.nRec * s.nRec + s.nIn * s.nOut + s.nRec * s.nOut;
  const m = (a: string, b: string, x: number, y: number) => (x * y > 0 && x * y >= total / 20 ? [`${a} → ${b}: ${x} × ${y}`] : []);
  return [...m('input', 'rec', s.nIn, s.nRec), ...m('rec', 'rec', s.nRec, s.nRec), ...m('input', 'out', s.nIn, s.nOut), ...m('rec', 'out', s.nRec, s.nOut)].join(', ');
}

/** `8GiB`, `512 MB`, `16g`, `2e9` (bytes) → bytes; null when it is not a size of at least 1 KiB. */
export function parseBytes(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*([kmgt]i?b?|b)?\s*$/i.exec(text);
  if (!m) return null;
  // KB, MB, ... are powers of 1000; KiB, MiB, ... and the bare K, M, G, T powers of 1024.
  const unit = (m[2] ?? 'b').toLowerCase();
  const power = 'bkmgt'.indexOf(unit[0] as string);
  const base = unit.length === 2 && unit[1] === 'b' ? 1000 : 1024;
  const n = Number(m[1]) * base ** power;
  return Number.isFinite(n) && n >= 1024 ? Math.round(n) : null;
}

/** An allocation the machine refused (a typed array or buffer too large for what is free). */
export function isAllocationFailure(e: unknown): e is RangeError {
  return e instanceof RangeError && /Array buffer allocation failed|Invalid typed array length|Invalid array length/.test(e.message);
}

/** What a command says when an allocation failed: a user error (the budget was raised past what the machine has). */
export function allocationMessage(what: string, e: RangeError): string {
  return `The machine could not give ${what} the memory its state needs (${e.message}): the check's estimate is within --max-memory, but more than is free. Make the network or the task smaller, or lower --max-memory to what the machine has.`;
}
