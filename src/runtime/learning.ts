// The core's e-prop learning unit (docs/core.md, "The learning unit"): online e-prop (Bellec et
// al. 2020) in fixed point, per time step, with per-synapse eligibility — the exact form of
// research/algorithms.md §1.4 that the float reference computes offline:
//   ψ_j^t                       pseudo-derivative (NEURON_UPDATE writes it)
//   z̄_i^t = α z̄_i^{t−1} + f·pre_i^t                        (TRACE_UPDATE; a readout's: κ, g)
//   e_ji^t = ψ_j^t (z̄_i^t − cβ_j ε_ji)                      (ALIF; LIF: ψ z̄)
//   ε_ji  ← ψ_j^t z̄_i^t + (ρ_j − cβ_j ψ_j^t) ε_ji            (ALIF adaptation eligibility)
//   ē_ji^t = κ ē_ji^{t−1} + (1 − κ) e_ji^t
//   err_k^t = y_k − y*_k  or  π_k − π*_k   inside the loss window, else 0   (ERROR)
//   L_j^t = Σ_k B_jk err_k^t                                                 (LEARN_SIGNAL)
//   Δ_ji −= ηL_j^t ē_ji^t;  Σe_ji += e_ji^t;  Δ_kj −= η err_k^t z̃_j^t          (GRAD_ACC)
//   at a sequence's (batch's) end: Δ_ji −= η (c/T²)(n_j − f0·dt·T) Σe_ji      (SEQ_END, BATCH_END)
// Σ_t L_j^t ē_ji^t is the reference's gradient (the κ-filter moved from the error onto the
// eligibility); η carries the gradient's averaging. Every quantity lives in the register format
// the core block declares; saturations are counted per register.
import type { MT19937 } from '../data/random.ts';
import { mulShift, nearest, overflow, pow2, rawMax, rawMin, roundingShiftRight } from './fixed.ts';
import type { Instruction } from './isa.ts';
import { synapseCells, type LearningConstants, type Multiplier, type Program, type RegisterFormat, weightOnGrid } from './program.ts';
import type { DeviceModel } from './device.ts';
import { pulse, pulsesFor, type SchemeContext } from './update.ts';
import type { Tile } from './core.ts';
import { loadKernel, type GradKernel } from './wasm/kernel.ts';

/** Registers of the learning unit whose saturations are counted. */
export const LEARNING_COUNTED = ['trace', 'psi', 'error', 'learning_signal', 'eligibility', 'eligibility_sum', 'gradient'] as const;
export type LearningCounted = (typeof LEARNING_COUNTED)[number];

/** A GRAD_ACC prepared: its rows (the read's sources) and columns (the add's neurons). */
interface Pair { readonly tile: number; readonly input: boolean; readonly srcLo: number; readonly rowLo: number; readonly rows: number; readonly colLo: number; readonly cols: number; readonly dst: number }

/** The per-synapse registers of a tile: ē, ε_a, Σe and Δ per cell. */
export interface TileRegisters {
  /** ē and Δ: raw values in doubles, or — with the narrow kernel — in i16 and i32 (their formats fit). */
  readonly ebar: Float64Array | Int16Array; readonly eps: Float64Array; readonly esum: Float64Array; readonly delta: Float64Array | Int32Array; readonly mask: Uint8Array; readonly tracker: Uint8Array;
  /** The trainable mask for the SIMD kernels: 0/1 doubles (grad), 0/−1 in i16 (grad16); empty without a kernel. */
  readonly maskF: Float64Array; readonly mask16: Int16Array;
  /**
   * Whether a LIF synapse of the tile may hold a negative ē (a negative trace or ψ was seen this
   * sequence: graded inputs): the narrow kernel, whose rounding is exact for ē ≥ 0 only, leaves
   * such a tile to the scalar path until SEQ_END clears ē.
   */
  signed: boolean;
}

/** The operations of the learning unit the ledger prices. */
export interface LearningCounts {
  multiplies: number; multiplyBits2: number; adds: number; addBits: number; sramBits: number; setPulses: number; resetPulses: number; refreshes: number; writes: number;
  /** program_verify: programming attempts, and devices still outside the tolerance after the last one. */
  verifyAttempts: number; verifyFailures: number;
}

/**
 * GRAD_ACC's fast path's constants — the κ leak and (1 − κ) as exact multipliers κ·2^−D and
 * (2^D − κ)·2^−D — when every rounding it does is to nearest and every product fits 53 bits; null
 * otherwise (the general path runs).
 */
function fastConstants(program: Program): { readonly kD: number; readonly omk: number } | null {
  const Rg = program.core.registers; const Df = Rg.decay; const kappa = program.learning!.kappa;
  const nearestAll = [Rg.eligibility, Rg.gradient, Rg.eligibility_sum, Df].every((f) => f.round === 'nearest');
  // Products below 2^52 and shifts of at most 52 bits: every rounded quantity q ± ½ is exact.
  const shifts = [Df.frac, Rg.psi.frac, Rg.eligibility.frac, Rg.eligibility.frac - Rg.trace.frac, Rg.eligibility.frac - Rg.eligibility_sum.frac].every((k) => Math.abs(k) <= 52);
  // ψ·z̄·2^(E−T): ψ's bits, the trace's and the shift up into the eligibility format.
  const zBits = Rg.trace.bits + Math.max(0, Rg.eligibility.frac - Rg.trace.frac);
  return program.core.decayMode === 'multiply' && nearestAll && shifts && Df.frac >= 1 && Rg.eligibility.bits + Df.bits <= 52 && Rg.psi.bits + Rg.eligibility.bits <= 52 && Rg.psi.bits + zBits <= 52
    ? { kD: kappa * 2 ** -Df.frac, omk: (2 ** Df.frac - kappa) * 2 ** -Df.frac } : null;
}

export class LearningUnit {
  readonly L: LearningConstants;
  /** Per recurrent neuron: ψ (psi format), L (learning-signal format), ηL (gradient format), spikes this sequence and this batch. */
  readonly psi: Float64Array; readonly signal: Float64Array; readonly etaL: Float64Array;
  readonly spikes: Float64Array; readonly batchSpikes: Float64Array;
  /** Per readout: the target (membrane format), the error (error format), η·err (gradient format). */
  readonly target: Float64Array; readonly err: Float64Array; readonly etaErr: Float64Array;
  /** Per population: its presynaptic traces of the inputs and of the recurrent neurons (trace format). */
  readonly traces: ReadonlyArray<{ readonly input: Float64Array; readonly rec: Float64Array } | undefined>;
  readonly registers: ReadonlyArray<TileRegisters | undefined>;
  /** The feedback matrix B [rec][out] in the weight format (symmetric: the readout weights as last written). */
  readonly B: Float64Array;
  readonly saturations = new Float64Array(LEARNING_COUNTED.length);
  readonly counts: LearningCounts = { multiplies: 0, multiplyBits2: 0, adds: 0, addBits: 0, sramBits: 0, setPulses: 0, resetPulses: 0, refreshes: 0, writes: 0, verifyAttempts: 0, verifyFailures: 0 };
  /** Sequences since the last write (BATCH_END). */
  sequences = 0;
  /** Run GRAD_ACC by its general path only (tests and benchmarks hold the fast paths to it). */
  generalOnly = false;
  /** Run the learning unit's fast paths in scalar JavaScript, not the SIMD kernels (tests and benchmarks compare them). */
  scalarOnly = false;
  /** The WebAssembly SIMD kernels, whose memory holds the per-synapse registers ē, Δ, Σe; null: the scalar paths only (not state: defined unenumerable). */
  declare readonly kernel: GradKernel | null;
  /** The kernel's scratch: a pair's presynaptic traces, ψ, ηL and column flags. */
  private readonly kZb: Float64Array; private readonly kPsi: Float64Array; private readonly kEta: Float64Array; private readonly kValid: Float64Array;
  /**
   * Whether the formats fit the narrow kernel (grad16) — ē a signed register of at most 16 bits,
   * Δ one of at most 32, ψ with at most 15 fractional bits, the decay in q1.15, no regulariser,
   * on chip — and so ē and Δ are held in i16 and i32 (with the kernels or without).
   */
  readonly narrowRegisters: boolean;
  /** Whether the narrow kernel runs (its registers, and the kernels loaded). */
  get narrow(): boolean { return this.kernel !== null && this.narrowRegisters; }
  /** The narrow kernel's scratch: a pair's traces in the eligibility format, ψ·2^(15−P), ηL (in i32 lanes: the kernel's dot products read them so) and the rounding bias. */
  private readonly nZ: Int16Array; private readonly nPsi: Int16Array; private readonly nEta: Int32Array; private readonly nBias: Int32Array;
  /** outer32's (readout columns): η·err by column (its bias: nBias; the traces it reads where they live). */
  private readonly oEta: Int32Array;
  /**
   * signal32's (LEARN_SIGNAL), with a kernel and the weight and error formats small enough that
   * every Σ B·err fits 31 bits: B transposed (nOut rows of bStride neurons), err, and the sums; empty otherwise.
   */
  private readonly bT: Int32Array; private readonly errI: Int32Array; private readonly sums: Int32Array; private readonly bStride: number;
  /** The largest |Σ_k B_jk·err_k| the formats allow. */
  private readonly signalBound: number;
  /** trace64's scratch: a range's events. */
  private readonly preBuf: Float64Array;
  /** The learning-rate register (the host may rewrite it between iterations: a schedule). */
  private lr: Multiplier;
  private readonly pairs: Array<Pair | undefined>;
  /** The population of each recurrent neuron and of each readout; the regulariser's per-neuron factor (scratch). */
  private readonly recPop: Int16Array; private readonly outPop: Int16Array; private readonly rK: Float64Array;
  private readonly R: Program['core']['registers'];
  private readonly scheme: SchemeContext;
  /** Where symmetric feedback reads each readout weight: tile, cell, and B's index. */
  private readonly readoutCells: Array<{ tile: number; cell: number; at: number }> = [];
  private readonly alif: Uint8Array;
  /** Per recurrent neuron this step: ρ − cβψ in Q2.30 (ALIF); ρ in Q2.30 and c·β in Q7.24 (0 for LIF). */
  private readonly coef: Float64Array;
  private readonly rhoQ: Float64Array | null;
  private readonly cbeta: Int32Array;
  /**
   * The fast path of GRAD_ACC (gradientsFast): when every rounding it does is to nearest and every
   * product fits 53 bits, the κ leak and (1 − κ) as exact multipliers (κ·2^−D, (2^D − κ)·2^−D);
   * null otherwise (the general path runs).
   */
  private readonly fast: { readonly kD: number; readonly omk: number } | null;
  /** Per recurrent neuron of a fast pair this step: ψ and ηL gathered by column (scratch). */
  private readonly colPsi: Float64Array; private readonly colEtaL: Float64Array;
  /** Per GRAD_ACC: 1 where its pair is one the fast path can take (fastPair; constant). */
  private readonly fastPairs: Uint8Array;
  /** Per narrow GRAD_ACC: its block's cells out of the mask, as (row, column) pairs, when there are at most a row's worth (no_self's diagonal); else null. */
  private readonly untrained: ReadonlyArray<Int32Array | null>;
  /** Per GRAD_ACC: its trainable cells (constant: the energy ledger's count), and per column of it. */
  private readonly trainableOf: Int32Array; private readonly trainableCols: ReadonlyArray<Int32Array | undefined>;

  constructor(private readonly program: Program, private readonly tiles: ReadonlyArray<Tile | undefined>, private readonly device: DeviceModel, private readonly rng: MT19937, sizes: { nIn: number; nRec: number; nOut: number }) {
    const L = program.learning!;
    this.L = L;
    this.lr = { ...L.lr }; // the unit's own register (a program-owned object is not state: checkpoints skip it)
    this.R = program.core.registers;
    this.psiHi = rawMax(this.R.psi);
    const { nIn, nRec, nOut } = sizes;
    this.psi = new Float64Array(nRec); this.signal = new Float64Array(nRec); this.etaL = new Float64Array(nRec);
    this.spikes = new Float64Array(nRec); this.batchSpikes = new Float64Array(nRec); this.coef = new Float64Array(nRec);
    this.target = new Float64Array(nOut); this.err = new Float64Array(nOut); this.etaErr = new Float64Array(nOut);
    this.recPop = new Int16Array(nRec); this.outPop = new Int16Array(nOut); this.rK = new Float64Array(nRec);
    this.alif = new Uint8Array(nRec);
    const layout = program.symbols.layout;
    this.psiH = new Float64Array(nRec); this.psiM = new Int32Array(nRec); this.psiS = new Int32Array(nRec); this.psiMul = new Float64Array(nRec);
    this.psiInline = this.R.psi.round === 'nearest';
    program.populations.forEach((p, i) => {
      const a = p.arrays as Record<string, Int32Array | undefined>;
      if ((p.model !== 'LIF' && p.model !== 'ALIF') || !a.psi_h) return;
      const at = layout[i]!.offset;
      this.psiH.set(a.psi_h, at); this.psiM.set(a.psi_s!, at); this.psiS.set(a.psi_shift!, at);
      for (let k = 0; k < p.size; k++) this.psiMul[at + k] = (a.psi_s![k] as number) * pow2(-(a.psi_shift![k] as number));
    });
    program.populations.forEach((p, i) => {
      if (p.model === 'LI') this.outPop.fill(i, layout[i]!.offset, layout[i]!.offset + p.size);
      if (p.model === 'LIF' || p.model === 'ALIF') { this.recPop.fill(i, layout[i]!.offset, layout[i]!.offset + p.size); if (p.model === 'ALIF') this.alif.fill(1, layout[i]!.offset, layout[i]!.offset + p.size); }
    });
    this.cbeta = new Int32Array(nRec);
    const rhoQ = new Float64Array(nRec);
    const D = program.core.registers.decay.frac;
    program.populations.forEach((p, i) => {
      if (p.model !== 'ALIF' || !p.arrays.cbeta) return; // chip in the loop: the host computes ε
      const at = layout[i]!.offset;
      this.cbeta.set(p.arrays.cbeta!, at);
      // ρ in Q2.30: a multiply's raw coefficient, or 1 − 2^−k for a shift k.
      p.arrays.rho!.forEach((r, j) => { rhoQ[at + j] = program.core.decayMode === 'shift' ? 2 ** 30 - 2 ** (30 - r) : r * 2 ** (30 - D); });
    });
    this.rhoQ = this.alif.some((x) => x === 1) ? rhoQ : null;
    const traced = new Set(program.code.filter((x) => x.op === 'TRACE_UPDATE').map((x) => (x.fields as { pop: number }).pop));
    const byTile = new Map(program.targets.map((t) => [t.tile, t]));
    const reg = this.L.regularizer !== 'none';
    const alifAny = this.alif.some((x) => x === 1);
    // The SIMD kernel, when on chip and its fast path's conditions hold: the registers live in its memory.
    const learnedTiles = tiles.map((tile, k) => (tile && (byTile.get(k)?.trainable.length ?? 0) > 0 ? tile.rows * tile.cols : 0));
    const widestRows = Math.max(1, program.core.rows); const widestCols = program.core.cols + 2;
    const R0 = program.core.registers;
    const fast = fastConstants(program);
    const kernelOk = L.placement === 'on_chip' && [R0.eligibility, R0.gradient, R0.eligibility_sum].every((f) => f.overflow === 'saturate');
    const narrowOk = kernelOk && !reg && fast !== null && R0.decay.frac === 15 && L.kappa >= 1 && L.kappa < 2 ** 15
      && R0.eligibility.signed && R0.eligibility.bits <= 16 && R0.eligibility.frac >= 1 && R0.gradient.signed && R0.gradient.bits <= 32 && R0.psi.frac <= 15;
    // ē, Δ and the mask per cell (16-aligned views, 16 bytes of padding each), then the scratch.
    const pad = (bytes: number) => Math.ceil((bytes + 16) / 16) * 16;
    const big = (f: RegisterFormat) => Math.max(-rawMin(f), rawMax(f));
    this.signalBound = big(R0.weight) * big(R0.error) * nOut;
    const signalOk = this.signalBound < 2 ** 31;
    this.bStride = Math.ceil(nRec / 4) * 4 + 4;
    const signalBytes = signalOk ? pad(4 * nOut * this.bStride) + pad(4 * nOut) + pad(4 * this.bStride) : 0;
    // (narrow: and each block's list of cells out of the mask, at most a row's worth of (row, column) pairs)
    const fixBytes = program.code.reduce((a, ins) => a + (ins.op === 'GRAD_ACC' ? pad(8 * ins.fields.rows) : 0), 0);
    // The traces (trace64 updates them in place) and its scratch for a range's events.
    const traceBytes = traced.size * (pad(8 * nIn) + pad(8 * nRec)) + pad(8 * (Math.max(nIn, nRec) + 2));
    const kernelBytes = traceBytes + (narrowOk
      ? learnedTiles.reduce((a, n) => a + pad(2 * n) + pad(4 * n) + pad(2 * n), 0) + pad(2 * widestRows) + pad(2 * widestCols) + 3 * pad(4 * widestCols) + fixBytes
      : learnedTiles.reduce((a, n) => a + pad(8 * n) * (reg ? 4 : 3), 0) + pad(8 * widestRows) + 3 * pad(8 * widestCols));
    // The kernels run where the module loads; what the unit holds is decided by the program alone —
    // its registers' types, its scratch — so a checkpoint resumes on a machine with or without them.
    const kernels = kernelOk && learnedTiles.some((n) => n > 0);
    // (and L, ηL when signal32r writes them; ψ, its d, flags, h and m·2^−s when psi64 runs)
    const inPlaceBytes = (signalOk ? 2 * pad(8 * this.bStride) : 0) + 5 * pad(8 * (nRec + 2));
    const kf = kernels ? loadKernel(kernelBytes + signalBytes + inPlaceBytes) : null;
    // Not state: which machine runs the unit (nor how often each path ran) is no part of what it computes.
    Object.defineProperty(this, 'kernel', { value: kf, enumerable: false });
    Object.defineProperty(this, 'paths', { value: { general: 0, fast: 0, kernel: 0, unchecked: 0, readouts: 0, outer: 0, clamp: 0 }, enumerable: false });
    Object.defineProperty(this, 'cols', { value: { version: -1, dst: 0, n: 0, nk: 0, fits: false, signed: false, etaMax: 0, psiMax: 0, anyBig: false }, enumerable: false });
    this.narrowRegisters = narrowOk;
    const wide = kernels && fast !== null && !narrowOk;
    const view = <K extends 'f64' | 'i32' | 'i16'>(kind: K, n: number) => (kf ? kf.view(kind, n) : new ({ f64: Float64Array, i32: Int32Array, i16: Int16Array } as const)[kind](n)) as K extends 'f64' ? Float64Array : K extends 'i32' ? Int32Array : Int16Array;
    this.traces = program.populations.map((_, i) => (traced.has(i) ? { input: view('f64', nIn), rec: view('f64', nRec) } : undefined));
    this.preBuf = view('f64', kernels ? Math.max(nIn, nRec) + 2 : 0);
    this.kZb = view('f64', wide ? widestRows : 0); this.kPsi = view('f64', wide ? widestCols : 0);
    this.kEta = view('f64', wide ? widestCols : 0); this.kValid = view('f64', wide ? widestCols : 0);
    this.nZ = view('i16', narrowOk ? widestRows : 0);
    this.nPsi = view('i16', narrowOk ? widestCols : 0);
    this.nEta = view('i32', narrowOk ? widestCols : 0);
    this.nBias = view('i32', narrowOk ? widestCols : 0);
    this.oEta = view('i32', narrowOk ? widestCols : 0);
    const signal = kernels && signalOk;
    this.bT = view('i32', signal ? nOut * this.bStride : 0);
    this.errI = view('i32', signal ? nOut : 0);
    this.sums = view('i32', signal ? this.bStride : 0);
    // signal32r writes L and ηL in place: with it, they live in the kernel's memory (room for a last group's padding lanes).
    if (signal) { this.signal = view('f64', this.bStride).subarray(0, nRec); this.etaL = view('f64', this.bStride).subarray(0, nRec); }
    // psi64 reads d, the flags, h and m·2^−s and writes ψ in the kernel's memory, when ψ rounds to
    // nearest and saturates and no |d|·m can reach 2^52 (d within the membrane's and threshold's ranges).
    const M = R0.membrane; const Th = R0.threshold; const F = Math.max(M.frac, Th.frac);
    const dMax = big(M) * 2 ** (F - M.frac) + big(Th) * 2 ** (F - Th.frac);
    const psiOk = kernels && this.psiInline && R0.psi.overflow === 'saturate' && dMax * Math.max(0, ...this.psiM) < 2 ** 52;
    const pad2 = nRec + 2;
    this.psiKernel = psiOk;
    this.psiDist = view('f64', psiOk ? pad2 : 0); this.psiBlocked = view('f64', psiOk ? pad2 : 0);
    if (psiOk) {
      this.psi = view('f64', pad2).subarray(0, nRec);
      const h = view('f64', pad2); h.set(this.psiH); this.psiH = h;
      const mul = view('f64', pad2); mul.set(this.psiMul); this.psiMul = mul;
    }
    this.registers = tiles.map((tile, k) => {
      const tg = byTile.get(k);
      if (!tile || !tg || tg.trainable.length === 0) return undefined;
      const cells = tile.rows * tile.cols;
      const mask = new Uint8Array(cells);
      for (let r = 0; r < tg.rows; r++) for (let c = 0; c < tg.cols; c++) mask[r * tile.cols + c] = tg.trainable[r * tg.cols + c] as number;
      const eps = new Float64Array(alifAny ? cells : 0); const tracker = new Uint8Array(L.scheme === 'multi' ? cells * 2 : 0);
      if (narrowOk) {
        const mask16 = view('i16', cells);
        for (let i = 0; i < cells; i++) mask16[i] = -(mask[i] as number);
        return { ebar: view('i16', cells), eps, esum: new Float64Array(0), delta: view('i32', cells), mask, tracker, maskF: new Float64Array(0), mask16, signed: false };
      }
      const maskF = view('f64', wide ? cells : 0);
      for (let i = 0; i < maskF.length; i++) maskF[i] = mask[i] as number;
      const f64 = (n: number) => (wide ? view('f64', n) : new Float64Array(n));
      return { ebar: f64(cells), eps, esum: reg ? f64(cells) : new Float64Array(0), delta: f64(cells), mask, tracker, maskF, mask16: new Int16Array(0), signed: false };
    });
    this.pairs = program.code.map((ins) => {
      if (ins.op !== 'GRAD_ACC') return undefined;
      const read = program.code[ins.fields.read] as Extract<Instruction, { op: 'XBAR_READ' }>;
      const add = program.code[ins.fields.add] as Extract<Instruction, { op: 'ACC_ADD' }>;
      return { tile: add.fields.tile, input: read.fields.src === 0, srcLo: read.fields.srcLo, rowLo: read.fields.rowLo, rows: ins.fields.rows, colLo: add.fields.colLo, cols: ins.fields.cols, dst: add.fields.dst };
    });
    // Symmetric feedback reads the readout weights from the devices: the cells of the rec → readout reads.
    this.B = new Float64Array(nRec * nOut);
    if (L.feedback === 'symmetric') {
      for (const s of synapseCells(program)) if (s.block === 'recOut') this.readoutCells.push({ tile: s.tile, cell: s.cell, at: s.index });
      this.readFeedback();
    } else { this.B.set(L.B); this.transposeFeedback(); }
    this.scheme = { device, learning: L, unit: 2 ** -this.R.gradient.frac, perSide: program.core.device.devicesPerSide };
    this.fast = fast;
    const widest = Math.max(0, ...this.pairs.map((p) => (p ? p.cols : 0)));
    this.colPsi = new Float64Array(widest); this.colEtaL = new Float64Array(widest);
    this.trainableCols = this.pairs.map((p) => {
      const regs = p ? this.registers[p.tile] : undefined;
      if (!p || !regs) return undefined;
      const cols = tiles[p.tile]!.cols;
      return Int32Array.from({ length: p.cols }, (_, c) => { let n = 0; for (let r = 0; r < p.rows; r++) n += regs.mask[(p.rowLo + r) * cols + p.colLo + c] as number; return n; });
    });
    this.trainableOf = Int32Array.from(this.trainableCols, (n) => (n ? n.reduce((a, b) => a + b, 0) : 0));
    this.fastPairs = Uint8Array.from(this.pairs, (p) => (p && this.fastPair(p, nRec) ? 1 : 0));
    // The registers start at 0; only the blocks the narrow kernel may take have bounds kept (the others: not known).
    this.eBound = Float64Array.from(this.pairs, (p, a) => (p && this.narrowRegisters && this.fastPairs[a] === 1 ? 0 : -1)); this.dBound = this.eBound.slice();
    this.blocksOf = tiles.map((_, k) => this.pairs.flatMap((p, a) => (p && p.tile === k ? [a] : [])));
    this.untrained = this.pairs.map((p, address) => {
      const regs = p ? this.registers[p.tile] : undefined;
      if (!this.narrowRegisters || !p || !regs || this.fastPairs[address] !== 1) return null;
      const cols = tiles[p.tile]!.cols; const nk = (p.cols >> 3) * 8;
      const out: number[] = [];
      for (let r = 0; r < p.rows; r++) for (let c = 0; c < nk; c++) if (!regs.mask[(p.rowLo + r) * cols + p.colLo + c]) out.push(r, c);
      if (out.length === 0 || out.length / 2 > p.rows) return null;
      const list = view('i32', out.length); // in the kernel's memory: the unchecked kernel reads it
      list.set(out);
      return list;
    });
  }

  /** Rewrite the learning-rate register: `base` × factor, normalised as the compiler normalises it. */
  setLearningRate(base: Multiplier, factor: number): void {
    let m = base.multiplier * factor; let shift = base.shift;
    if (!(m > 0)) { this.lr = { multiplier: 0, shift: 0 }; return; }
    while (m >= 2 ** 31) { m /= 2; shift--; }
    while (m < 2 ** 30) { m *= 2; shift++; }
    this.lr = { multiplier: Math.min(2 ** 31 - 1, Math.round(m)), shift };
  }

  private count(reg: LearningCounted, n = 1): void { this.saturations[LEARNING_COUNTED.indexOf(reg)]! += n; }
  /** A kernel's count of saturations (counts[0]) added to reg's, and counts[0] back to 0 (every kernel call finds it so). */
  private takeKernelCount(reg: LearningCounted): void {
    const counts = this.kernel!.counts;
    if (counts[0] !== 0) { this.count(reg, counts[0] as number); counts[0] = 0; }
  }
  private fit(x: number, f: RegisterFormat, reg: LearningCounted): number {
    if (x > rawMax(f) || x < rawMin(f)) { this.count(reg); return overflow(x, f, f.overflow); }
    return x;
  }
  /** x·2^−n rounded as register f rounds (stochastic: from the core's LFSR draw `random`). */
  private shift(x: number, n: number, f: RegisterFormat, rand: (bits: number) => number): number {
    return roundingShiftRight(x, n, f.round, f.round === 'stochastic' && n > 0 ? rand(n) : 0);
  }

  /** Symmetric feedback: B = the readout weights the devices hold (as programmed, before drift), in the weight format. */
  readFeedback(): void {
    if (this.L.feedback !== 'symmetric') return;
    const N = this.program.core.device.devicesPerSide;
    const W = this.R.weight;
    for (const { tile, cell, at } of this.readoutCells) {
      const t = this.tiles[tile]!;
      const g = t.dev.g;
      let w = 0;
      for (let d = 0; d < N; d++) w += (g[cell * 2 * N + d] as number) - (g[(cell * 2 + 1) * N + d] as number);
      const real = w / this.device.weightScale;
      const raw = Math.round(real * 2 ** W.frac);
      this.B[at] = Math.max(rawMin(W), Math.min(rawMax(W), raw));
    }
    this.transposeFeedback();
  }

  /** signal32's copy of B, transposed: whenever B is written. */
  private transposeFeedback(): void {
    const bT = this.bT;
    if (bT.length === 0) return;
    const nOut = this.err.length; const nRec = this.psi.length; const stride = this.bStride;
    for (let j = 0; j < nRec; j++) for (let k = 0; k < nOut; k++) bT[k * stride + j] = this.B[j * nOut + k] as number;
  }

  /**
   * NEURON_UPDATE's part: ψ of neuron j from the distance d = v − A (raw, in the finer of the
   * membrane and threshold formats): h − round(|d|·m·2^−s), at least 0, with the neuron's
   * population constants h, m, s (held here by neuron, with m·2^−s). NEURON_UPDATE calls psiDone once after.
   */
  pseudoDerivative(j: number, d: number, blocked: boolean, zeroWhenBlocked: boolean, rand: (bits: number) => number): void {
    let psi = 0;
    const h = this.psiH[j] as number;
    if (!(blocked && zeroWhenBlocked) && h > 0) {
      const m = this.psiM[j] as number;
      if (m !== 0) {
        const P = this.R.psi;
        const a = Math.abs(d);
        // mulShift's round to nearest, inlined while the product is exact and its quotient below 2^52.
        const x = a * (this.psiMul[j] as number);
        psi = h - (this.psiInline && a * m < 2 ** 53 && x < 2 ** 52 ? nearest(x) : mulShift(a, m, this.psiS[j] as number, P.round, P.round === 'stochastic' ? rand(Math.max(0, Math.min(52, this.psiS[j] as number))) : 0));
      } else psi = h;
      if (psi < 0) psi = 0;
      if (psi > this.psiHi) psi = this.fit(psi, this.R.psi, 'psi');
    }
    this.psi[j] = psi;
  }

  /** After NEURON_UPDATE's ψ: ψ's version counted up (narrowOperands' cache). */
  psiDone(): void { this.colsVersion++; }

  /** Whether NEURON_UPDATE leaves ψ to pseudoDerivatives (psi64): it then writes each neuron's d and refractory flag (1 or 0) into psiDist, psiBlocked. */
  get psiBatch(): boolean { return this.psiKernel && this.kernel !== null && !this.scalarOnly; }
  private readonly psiKernel: boolean;
  readonly psiDist: Float64Array; readonly psiBlocked: Float64Array;

  /** pseudoDerivative for neurons [g0, g0 + count) from psiDist and psiBlocked, pairs of them in the kernel. */
  pseudoDerivatives(g0: number, count: number, zeroWhenBlocked: boolean): void {
    const kf = this.kernel!;
    const pairs = count >> 1;
    if (pairs > 0) {
      kf.psi64(kf.at(this.psiDist) + 8 * g0, kf.at(this.psiBlocked) + 8 * g0, kf.at(this.psiH) + 8 * g0, kf.at(this.psiMul) + 8 * g0, kf.at(this.psi) + 8 * g0, pairs, zeroWhenBlocked ? 1 : 0, this.psiHi, kf.res);
      this.takeKernelCount('psi');
    }
    for (let g = g0 + 2 * pairs; g < g0 + count; g++) this.pseudoDerivative(g, this.psiDist[g] as number, this.psiBlocked[g] === 1, zeroWhenBlocked, () => 0);
  }

  /** Per recurrent neuron: its population's ψ constants h, m, s and m·2^−s (pseudoDerivative; h and m·2^−s in the kernel's memory with psi64). */
  private psiH: Float64Array; private readonly psiM: Int32Array; private readonly psiS: Int32Array; private psiMul: Float64Array;
  /** Whether ψ's register rounds to nearest (pseudoDerivative's inlined rounding). */
  private readonly psiInline: boolean;

  /** The ψ register's largest raw value (ψ is never below 0, the register's least). */
  private readonly psiHi: number;

  /** The spike counts the regulariser reads. */
  spiked(j: number): void { this.spikes[j] = (this.spikes[j] as number) + 1; }

  /** TARGET_LOAD: the step's targets (real) into the membrane format, or a label's one-hot. */
  loadTargets(lo: number, count: number, t: number, target: Float64Array | null, label: number | null, nOut: number): void {
    const M = this.R.membrane;
    for (let k = lo; k < lo + count; k++) {
      if (label !== null) this.target[k] = k === label ? 1 : 0;
      else this.target[k] = Math.max(rawMin(M), Math.min(rawMax(M), Math.round((target ? (target[t * nOut + k] as number) : 0) * pow2(M.frac))));
    }
  }

  /** ERROR: err = y − y* (mse) or softmax(y) − one-hot (cross_entropy), inside the loss window. */
  error(lo: number, count: number, loss: number, t: number, y: Float64Array, rand: (bits: number) => number): void {
    const E = this.R.error; const M = this.R.membrane;
    const inWindow = t >= this.L.windowStart;
    const errShift = this.lr.shift + E.frac - this.R.learning_signal.frac;
    if (inWindow && loss === 1) {
      // The softmax, in float64, rounded into the error format (a model of an exp table accurate to half an LSB).
      let max = -Infinity;
      for (let k = lo; k < lo + count; k++) max = Math.max(max, (y[k] as number) * pow2(-M.frac));
      let sum = 0;
      for (let k = lo; k < lo + count; k++) sum += Math.exp((y[k] as number) * pow2(-M.frac) - max);
      for (let k = lo; k < lo + count; k++) {
        const p = Math.exp((y[k] as number) * pow2(-M.frac) - max) / sum;
        this.err[k] = this.fit(Math.round((p - (this.target[k] as number)) * pow2(E.frac)), E, 'error');
      }
    } else {
      for (let k = lo; k < lo + count; k++) {
        const d = inWindow ? (y[k] as number) - (this.target[k] as number) : 0;
        this.err[k] = this.fit(E.frac >= M.frac ? d * pow2(E.frac - M.frac) : this.shift(d, M.frac - E.frac, E, rand), E, 'error');
      }
    }
    const G = this.R.gradient;
    for (let k = lo; k < lo + count; k++) this.etaErr[k] = mulShift(this.err[k] as number, this.lr.multiplier, errShift, G.round, G.round === 'stochastic' ? rand(Math.min(52, Math.max(0, errShift))) : 0);
  }

  /** LEARN_SIGNAL: L_j = Σ_k B_jk·err_k (learning-signal format), and ηL_j (gradient format). */
  learningSignal(lo: number, count: number, nOut: number, rand: (bits: number) => number): void {
    const Ls = this.R.learning_signal; const G = this.R.gradient;
    const n = this.R.weight.frac + this.R.error.frac - Ls.frac;
    const { multiplier, shift } = this.lr;
    const B = this.B; const err = this.err;
    // Rounding to nearest, right shifts, Σ B·err and L·η's multiplier below 2^52: nearest() on exact
    // quotients below 2^52 (the general rounding functions compute the same, a call deeper).
    const lo2 = rawMin(Ls); const hi2 = rawMax(Ls);
    const inline = Ls.round === 'nearest' && G.round === 'nearest' && n >= 0 && shift >= 0
      && this.R.weight.bits + this.R.error.bits + Math.ceil(Math.log2(nOut + 1)) <= 52 && Ls.bits + Math.ceil(Math.log2(multiplier + 1)) <= 52;
    const downN = pow2(-n); const downS = pow2(-shift);
    // The sums Σ_k B_jk·err_k (integers: exact in any order) by the kernel, four neurons at once.
    const kf = this.kernel; const sums = this.sums;
    const simd = kf !== null && sums.length > 0 && !this.scalarOnly;
    // The whole instruction in the kernel: its roundings too, when they are the inlined ones, L is
    // shifted right and saturates, the sums and their rounding bias stay within 31 bits, and the
    // range ends on a group of four or at the last neuron (the padding lanes land in the arrays' spare room).
    if (simd) for (let k = 0; k < nOut; k++) this.errI[k] = err[k] as number;
    if (simd && inline && n >= 1 && Ls.overflow === 'saturate' && this.signalBound + 2 ** n < 2 ** 31 && ((count & 3) === 0 || lo + count === this.psi.length)) {
      kf.signal32r(kf.at(this.bT) + 4 * lo, kf.at(this.errI), kf.at(this.signal) + 8 * lo, kf.at(this.etaL) + 8 * lo, kf.res, nOut, (count + 3) >> 2, this.bStride, n, lo2, hi2, multiplier * downS);
      this.takeKernelCount('learning_signal');
    } else {
      if (simd) kf.signal32(kf.at(this.bT) + 4 * lo, kf.at(this.errI), kf.at(sums), nOut, (count + 3) >> 2, this.bStride);
      for (let j = lo; j < lo + count; j++) {
        let s = 0;
        if (simd) s = sums[j - lo] as number;
        else for (let k = 0; k < nOut; k++) s += (B[j * nOut + k] as number) * (err[k] as number);
        let Lj: number;
        if (inline) {
          Lj = nearest(s * downN);
          if (Lj > hi2 || Lj < lo2) Lj = this.fit(Lj, Ls, 'learning_signal');
        } else Lj = this.fit(this.shift(s, n, Ls, rand), Ls, 'learning_signal');
        this.signal[j] = Lj;
        this.etaL[j] = Lj === 0 ? 0 : inline ? nearest(Lj * multiplier * downS) : mulShift(Lj, multiplier, shift, G.round, G.round === 'stochastic' ? rand(Math.min(52, Math.max(0, shift))) : 0);
      }
    }
    this.colsVersion++;
    this.counts.multiplies += count * (nOut + 1); this.counts.multiplyBits2 += count * nOut * this.R.weight.bits * this.R.error.bits;
    this.counts.adds += count * nOut; this.counts.addBits += count * nOut * Ls.bits;
  }

  /**
   * TRACE_UPDATE: the traces population `pop` sees of sources [lo, lo+count): z̄ ← leak(z̄) + f·pre,
   * `leak` the decay unit's (the population's α, a readout's κ) — or, when `mul` is not 0, its
   * round to nearest of z·mul inlined — and `inc` f in the trace format.
   */
  traceUpdate(pop: number, space: 'input' | 'rec', lo: number, count: number, pre: Float64Array | Uint8Array, leak: (x: number) => number, mul: number, inc: number, binary: boolean): void {
    const T = this.R.trace;
    const tr = this.traces[pop]![space];
    const hi = rawMax(T); const lo2 = rawMin(T);
    // Pairs of traces in the kernel (events 0 or 1, the leak a multiply rounded to nearest, a
    // saturating register); an odd last one below.
    const kf = this.kernel;
    let from = lo;
    if (kf && binary && mul !== 0 && T.overflow === 'saturate' && !this.scalarOnly && count >= 2) {
      const pairs = count >> 1;
      this.preBuf.set(pre.subarray(lo, lo + 2 * pairs));
      kf.trace64(kf.at(tr) + 8 * lo, kf.at(this.preBuf), pairs, mul, inc, lo2, hi, kf.res);
      this.takeKernelCount('trace');
      from = lo + 2 * pairs;
    }
    for (let i = from; i < lo + count; i++) {
      let z = tr[i] as number;
      if (z !== 0) z = mul !== 0 ? nearest(z * mul) : leak(z);
      const p = pre[i] as number;
      if (p !== 0) z += p === 1 ? inc : Math.round(p * inc);
      tr[i] = z > hi || z < lo2 ? this.fit(z, T, 'trace') : z;
    }
    this.counts.sramBits += 2 * count * T.bits;
    this.counts.multiplies += count; this.counts.multiplyBits2 += count * T.bits * this.R.decay.bits;
  }

  /** ALIF's ρ − cβψ per neuron for this step (Q2.30), from this step's ψ: once per step, before the synapses use it. */
  prepareAdaptation(t: number): void {
    if (this.coefStep === t || !this.rhoQ) return;
    this.coefStep = t;
    const P = this.R.psi.frac;
    for (let j = 0; j < this.psi.length; j++) {
      if (!this.alif[j]) continue;
      this.coef[j] = (this.rhoQ[j] as number) - mulShift(this.cbeta[j] as number, this.psi[j] as number, 24 + P - 30, 'nearest');
    }
  }
  private coefStep = -1;

  /**
   * GRAD_ACC at `address`: every trainable synapse of the pair's rows × columns. `decayEbar`
   * applies κ to ē (the decay unit's leak) and `oneMinusKappa` the (1 − κ) factor.
   */
  gradients(address: number, nRec: number, decayEbar: (x: number) => number, oneMinusKappa: (x: number) => number, rand: (bits: number) => number): number {
    const pair = this.pairs[address]!;
    const regs = this.registers[pair.tile];
    if (!regs) return 0;
    if (this.fast && !this.generalOnly && pair.dst >= nRec && this.readoutProductsFit(pair, nRec)) return this.readoutsFast(address, pair, regs, nRec);
    if (this.fast && !this.generalOnly && this.fastPairs[address] === 1) return this.gradientsFast(address, pair, regs);
    return this.gradientsGeneral(pair, regs, nRec, decayEbar, oneMinusKappa, rand);
  }

  /**
   * A pair the fast path can take: recurrent columns of LIF neurons of one population (whose
   * traces it reads for every column); ALIF's ε, readouts and pairs across populations take the
   * general path.
   */
  private fastPair(pair: Pair, nRec: number): boolean {
    if (pair.dst + pair.cols > nRec) return false;
    const pop = this.recPop[pair.dst];
    for (let c = 0; c < pair.cols; c++) if (this.alif[pair.dst + c] || this.recPop[pair.dst + c] !== pop) return false;
    return true;
  }
  /** How often each path of GRAD_ACC ran (tests: that a path they compare was taken; not state: defined unenumerable). */
  declare readonly paths: { general: number; fast: number; kernel: number; unchecked: number; readouts: number; outer: number; clamp: number };

  /**
   * GRAD_ACC's fast path: the general path's arithmetic exactly (the same roundings to nearest of
   * the same exact products), row by row over contiguous cells, with the κ leak and (1 − κ)
   * inlined. Taken when every rounding is to nearest and every product fits 53 bits (fast), for
   * recurrent LIF columns; tests/runtime/grad-acc.test.ts holds it to the general path bit for bit.
   */
  private gradientsFast(address: number, pair: Pair, regs: TileRegisters): number {
    const E = this.R.eligibility;
    const n = pair.cols;
    const psiC = this.colPsi; const etaC = this.colEtaL;
    // A product ηL·ē from 2^52 on leaves nearest's exact domain: such a pair takes mulShift (exact).
    const bigEta = 2 ** 52 / Math.max(1, -rawMin(E), rawMax(E));
    const tr = this.traces[this.recPop[pair.dst] as number]!;
    const zbar = pair.input ? tr.input : tr.rec;
    const reg = regs.esum.length > 0;
    let anyBig = false;
    if (this.kernel && this.narrow) {
      // The narrow path gathers ψ and ηL with its own operands (narrowOperands).
      if (this.narrowGradients(address, pair, regs, zbar, bigEta)) return this.ledger(this.trainableOf[address] as number, reg);
      anyBig = this.anyBig;
    } else {
      for (let c = 0; c < n; c++) {
        const j = pair.dst + c;
        const eta = this.etaL[j] as number;
        psiC[c] = this.psi[j] as number; etaC[c] = eta;
        if (eta >= bigEta || eta <= -bigEta) anyBig = true;
      }
    }
    if (this.kernel && !this.narrow && !anyBig && !this.scalarOnly) { this.wideGradients(address, pair, regs, zbar); return this.ledger(this.trainableOf[address] as number, reg); }
    // Without the narrow path its bounds are not kept up (gradientsRows keeps `signed`).
    if (!(this.kernel && this.narrow)) { this.eBound[address] = -1; this.dBound[address] = -1; }
    this.paths.fast++;
    this.gradientsRows(pair, regs, zbar, 0, n, anyBig);
    return this.ledger(this.trainableOf[address] as number, reg);
  }

  /**
   * The narrow kernel (grad16) on whole groups of eight columns (the rest: the scalar loop), when
   * this step's ψ·2^(15−P), ηL and traces fit its i16 operands and none is negative; false: it did not run.
   */
  private narrowGradients(address: number, pair: Pair, regs: TileRegisters, zbar: Float64Array, bigEta: number): boolean {
    const kf = this.kernel!;
    const E = this.R.eligibility; const G = this.R.gradient;
    const n = pair.cols;
    const groups = n >> 3; const nk = groups * 8;
    const etaMax = this.narrowOperands(pair, regs, zbar, nk, bigEta);
    const anyBig = this.anyBig;
    if (groups === 0 || etaMax < 0 || regs.signed || this.scalarOnly) {
      // The scalar path runs the same arithmetic: the bounds move as they would (not for a signed tile, which they do not bound).
      if (regs.signed) { this.eBound[address] = -1; this.dBound[address] = -1; } else if (this.eBound[address]! >= 0 && this.dBound[address]! >= 0) this.advanceBounds(address, pair, regs, this.eMaxStep, this.etaMaxStep);
      return false;
    }
    this.paths.kernel++;
    const { ebar, delta } = regs;
    const cols = this.tiles[pair.tile]!.cols;
    const eHi = rawMax(E);
    const base = pair.rowLo * cols + pair.colLo;
    // A few cells out of the mask (no_self's diagonal) are put back after an unmasked kernel; more, the kernel masks.
    const few = this.untrained[address];
    const mask = (this.trainableOf[address] as number) < pair.rows * n && !few ? kf.at(regs.mask16) : 0;
    const unchecked = this.advanceBounds(address, pair, regs, this.eMaxStep, etaMax);
    if (unchecked) {
      this.paths.unchecked++;
      // (It puts the few untrainable cells back itself.)
      (kf.grad16UncheckedBy[E.frac] ?? kf.grad16Unchecked)(kf.at(ebar), kf.at(delta), mask, kf.at(this.nZ), kf.at(this.nPsi), kf.at(this.nEta), kf.at(this.nBias), kf.res,
        pair.rows, groups, cols, base, this.L.kappa, eHi, E.frac, few ? kf.at(few) : 0, few ? few.length >> 1 : 0);
    } else {
      kf.grad16(kf.at(ebar), kf.at(delta), mask, kf.at(this.nZ), kf.at(this.nPsi), kf.at(this.nEta), kf.at(this.nBias), kf.res,
        pair.rows, groups, cols, base, this.L.kappa, eHi, E.frac, 0, 0);
      this.takeKernelCount('eligibility');
      if (few) this.restoreUntrained(few, regs, base, cols, true);
      // Δ moved by at most rmax this step: within that of its bounds, clamp and count as the
      // scalar path does (the kernel's i32 may have wrapped: Δ before = its value + the change).
      const downE = pow2(-E.frac);
      const rmax = Math.floor(etaMax * eHi * downE) + 1;
      if ((kf.counts[1] as number) > rawMax(G) - rmax || (kf.counts[2] as number) < rawMin(G) + rmax) {
        const etaC = this.colEtaL;
        this.clampNarrow(delta, base, pair.rows, nk, cols, (r, c) => nearest((etaC[c] as number) * (ebar[base + r * cols + c] as number) * downE));
      }
    }
    if (nk < n) this.gradientsRows(pair, regs, zbar, nk, n, anyBig);
    return true;
  }

  /** The wide kernel (grad): ψ, ηL and the column flags by column (a padding lane flagged 0), the traces by row, registers in doubles. */
  private wideGradients(address: number, pair: Pair, regs: TileRegisters, zbar: Float64Array): void {
    const kf = this.kernel!;
    this.paths.kernel++;
    const R = this.R;
    const E = R.eligibility; const S = R.eligibility_sum; const T = R.trace; const G = R.gradient;
    const downP = pow2(-R.psi.frac); const downE = pow2(-E.frac);
    const { kD, omk } = this.fast!;
    const { ebar, esum, delta } = regs;
    const reg = esum.length > 0;
    const cols = this.tiles[pair.tile]!.cols;
    const n = pair.cols;
    const psiC = this.colPsi; const etaC = this.colEtaL;
    // ψ·2^−P and ηL·2^−E by column (exact: powers of two), a padding lane flagged 0.
    const pairs = (n + 1) >> 1;
    for (let c = 0; c < 2 * pairs; c++) { this.kPsi[c] = c < n ? (psiC[c] as number) * downP : 0; this.kEta[c] = c < n ? (etaC[c] as number) * downE : 0; this.kValid[c] = c < n ? 1 : 0; }
    for (let r = 0; r < pair.rows; r++) this.kZb[r] = zbar[pair.srcLo + r] as number;
    const blend = (n & 1) === 1 || (this.trainableOf[address] as number) < pair.rows * n ? 1 : 0;
    kf.counts.fill(0); // grad adds its three counts to them
    kf.grad(kf.at(ebar), kf.at(delta), reg ? kf.at(esum) : 0, kf.at(regs.maskF), kf.at(this.kZb), kf.at(this.kPsi), kf.at(this.kEta), kf.at(this.kValid), kf.res,
      pair.rows, pairs, cols, pair.rowLo * cols + pair.colLo, blend,
      pow2(E.frac - T.frac), kD, omk, pow2(S.frac - E.frac), rawMin(E), rawMax(E), rawMin(G), rawMax(G), rawMin(S), rawMax(S));
    const c = kf.counts;
    this.count('gradient', c[1] as number); this.count('eligibility_sum', c[2] as number);
    this.takeKernelCount('eligibility');
  }

  /**
   * The narrow kernel's operands for a pair's first nk columns — ψ·2^(15−P), ηL and the rounding
   * bias by column, the traces in the eligibility format by row — and the largest |ηL|; −1 when
   * one does not fit an i16 operand. A negative ψ or trace marks the tile signed. It gathers ψ and
   * ηL of every column into colPsi, colEtaL for the scalar loop.
   */
  private narrowOperands(pair: Pair, regs: TileRegisters, zbar: Float64Array, nk: number, bigEta: number): number {
    const R = this.R; const E = R.eligibility;
    const eUp = E.frac - R.trace.frac; const upScale = pow2(eUp);
    const up = pow2(15 - R.psi.frac); const half = pow2(E.frac - 1);
    const psiC = this.colPsi; const etaC = this.colEtaL;
    const nPsi = this.nPsi; const nEta = this.nEta; const nBias = this.nBias; const nZ = this.nZ;
    let fits = true; let signed = false;
    let etaMax = 0; let psiMax = 0; let zMax = 0; let anyBig = false;
    const psi = this.psi; const etaL = this.etaL; const dst = pair.dst;
    // The columns' operands are the same for every pair of these columns this step (ψ and ηL unchanged since).
    const cached = this.cols.version === this.colsVersion && this.cols.dst === dst && this.cols.n === pair.cols && this.cols.nk === nk;
    if (cached) ({ fits, signed, etaMax, psiMax, anyBig } = this.cols);
    else for (let c = 0; c < pair.cols; c++) {
      const ps = psi[dst + c] as number; const eta = etaL[dst + c] as number;
      psiC[c] = ps; etaC[c] = eta;
      if (eta >= bigEta || eta <= -bigEta) anyBig = true;
      const p = ps * up;
      if (p < 0) signed = true;
      if (p > 32767 || eta > 32767 || eta < -32767) fits = false;
      if (p > psiMax) psiMax = p;
      if (Math.abs(eta) > etaMax) etaMax = Math.abs(eta);
      if (c >= nk) continue;
      nPsi[c] = p; nEta[c] = eta; nBias[c] = eta < 0 ? half - 1 : half;
    }
    if (!cached) { const k = this.cols; k.version = this.colsVersion; k.dst = dst; k.n = pair.cols; k.nk = nk; k.fits = fits; k.signed = signed; k.etaMax = etaMax; k.psiMax = psiMax; k.anyBig = anyBig; }
    for (let r = 0; r < pair.rows; r++) {
      const zb = zbar[pair.srcLo + r] as number;
      const zE = eUp >= 0 ? zb * upScale : roundingShiftRight(zb, -eUp, E.round);
      if (zE < 0) signed = true;
      if (zE > 32767) fits = false;
      if (zE > zMax) zMax = zE;
      nZ[r] = zE;
    }
    if (signed) regs.signed = true;
    this.anyBig = anyBig; this.etaMaxStep = etaMax;
    // The step's largest e = q15mulr(ψ·2^(15−P), z): at most ⌊(ψ·z + 2^14)/2^15⌋.
    this.eMaxStep = Math.floor((psiMax * zMax + 16384) / 32768);
    return fits ? etaMax : -1;
  }
  /**
   * Per GRAD_ACC (by address): upper bounds on its block's ē and |Δ| (raw; −1: not known), which
   * the narrow path keeps up step by step — from the step's largest e and ηL — to prove a step can
   * neither saturate ē nor bring Δ to its register's bounds, so the kernel need not check
   * (grad16_unchecked). A writer of a tile's ē or Δ outside GRAD_ACC's fast paths forgets the
   * bounds of the tile's blocks (forget); the next kernel step measures its block again.
   */
  private readonly eBound: Float64Array; private readonly dBound: Float64Array;
  /** The GRAD_ACC addresses of each tile's blocks. */
  private readonly blocksOf: ReadonlyArray<ReadonlyArray<number>>;
  /** Forget the bounds of tile k's blocks (every tile: k < 0). */
  forgetBounds(k = -1): void {
    const all = k < 0;
    for (let t = all ? 0 : k; t < (all ? this.blocksOf.length : k + 1); t++) for (const a of this.blocksOf[t] ?? []) { this.eBound[a] = -1; this.dBound[a] = -1; }
  }
  /** Whether every known bound holds (tests: the narrow path's invariant, whichever path ran). */
  boundsHold(): boolean {
    for (let a = 0; a < this.pairs.length; a++) {
      const p = this.pairs[a]; const regs = p ? this.registers[p.tile] : undefined;
      if (!p || !regs) continue;
      const [e, d] = this.measureBlock(p, regs);
      if ((this.eBound[a]! >= 0 && this.eBound[a]! < e) || (this.dBound[a]! >= 0 && this.dBound[a]! < d)) return false;
    }
    return true;
  }
  /** The largest |ē| and |Δ| of a pair's block. */
  private measureBlock(pair: Pair, regs: TileRegisters): [number, number] {
    const cols = this.tiles[pair.tile]!.cols;
    let e = 0; let d = 0;
    for (let r = 0; r < pair.rows; r++) {
      const row = (pair.rowLo + r) * cols + pair.colLo;
      for (let c = 0; c < pair.cols; c++) { const x = Math.abs(regs.ebar[row + c] as number); if (x > e) e = x; const y = Math.abs(regs.delta[row + c] as number); if (y > d) d = y; }
    }
    return [e, d];
  }
  /** narrowOperands' largest e of the step (raw, eligibility format), and whether an ηL·ē product may pass 2^52 (mulShift then). */
  private eMaxStep = 0; private anyBig = false;
  /** narrowOperands' largest |ηL| of the step, whether or not it fits the kernel. */
  private etaMaxStep = 0;
  /** ψ and ηL's version: every writer of them counts it up, so narrowOperands knows when its columns' operands still hold. */
  private colsVersion = 0;
  /** The columns whose operands narrowOperands built last, at which version, and what it found (a cache: not state, defined unenumerable). */
  declare private readonly cols: { version: number; dst: number; n: number; nk: number; fits: boolean; signed: boolean; etaMax: number; psiMax: number; anyBig: boolean };

  /**
   * Whether this GRAD_ACC can neither saturate its block's ē nor bring its Δ within the register's
   * bounds (the unchecked kernel may run), from the block's bounds, which it advances by the step:
   * ē' ≤ ⌊(κ·ē + (2^15 − κ)·e)/2^15⌋ + 1 (each rounding adds at most ½) and |Δ'| ≤ |Δ| + ⌊ηL·ē'/2^E⌋ + 1.
   * Unknown bounds are measured first (the block's registers scanned).
   */
  private advanceBounds(address: number, pair: Pair, regs: TileRegisters, eMax: number, etaMax: number): boolean {
    const E = this.R.eligibility; const G = this.R.gradient;
    if (this.eBound[address]! < 0 || this.dBound[address]! < 0) [this.eBound[address], this.dBound[address]] = this.measureBlock(pair, regs);
    const kappa = this.L.kappa;
    const eHi = rawMax(E); const gLim = Math.min(rawMax(G), -rawMin(G));
    const e1 = Math.floor((kappa * this.eBound[address]! + (32768 - kappa) * eMax) / 32768) + 1;
    const d1 = this.dBound[address]! + Math.floor(etaMax * e1 * pow2(-E.frac)) + 1;
    const safe = e1 <= eHi && d1 <= gLim;
    // After a checked step ē ≤ eHi and Δ lies in its register.
    this.eBound[address] = Math.min(e1, eHi); this.dBound[address] = Math.min(d1, Math.max(rawMax(G), -rawMin(G)));
    return safe;
  }


  /** The fast path in scalar JavaScript over the pair's columns [c0, c1) (ψ and ηL gathered in colPsi, colEtaL). */
  private gradientsRows(pair: Pair, regs: TileRegisters, zbar: Float64Array, c0: number, c1: number, anyBig: boolean): void {
    const R = this.R;
    const E = R.eligibility; const G = R.gradient; const S = R.eligibility_sum; const T = R.trace;
    const eUp = E.frac - T.frac;
    const upScale = pow2(eUp); const downP = pow2(-R.psi.frac); const downE = pow2(-E.frac);
    const eLo = rawMin(E); const eHi = rawMax(E); const gLo = rawMin(G); const gHi = rawMax(G); const sLo = rawMin(S); const sHi = rawMax(S);
    const sumShift = E.frac - S.frac;
    const { kD, omk } = this.fast!;
    const { ebar, esum, delta, mask } = regs;
    const reg = esum.length > 0;
    const cols = this.tiles[pair.tile]!.cols;
    const psiC = this.colPsi; const etaC = this.colEtaL;
    // A negative ψ or trace: the tile may hold a negative ē (the narrow kernel leaves it alone).
    for (let c = c0; c < c1; c++) if ((psiC[c] as number) < 0) regs.signed = true;
    for (let r = 0; r < pair.rows; r++) {
      const zb = zbar[pair.srcLo + r] as number;
      const zE = eUp >= 0 ? zb * upScale : roundingShiftRight(zb, -eUp, E.round);
      if (zE < 0) regs.signed = true;
      const base = (pair.rowLo + r) * cols + pair.colLo;
      for (let c = c0; c < c1; c++) {
        const cell = base + c;
        if (mask[cell] === 0) continue;
        // nearest(q) = ⌊q + ½⌋, less one for a negative exact half (fixed.ts), written out.
        const qe = (psiC[c] as number) * zE * downP;
        let e = Math.floor(qe + 0.5);
        if (e - qe === 0.5 && qe < 0) e -= 1;
        const qb = (ebar[cell] as number) * kD;
        let eb = Math.floor(qb + 0.5);
        if (eb - qb === 0.5 && qb < 0) eb -= 1;
        if (e !== 0) {
          const qo = e * omk;
          let o = Math.floor(qo + 0.5);
          if (o - qo === 0.5 && qo < 0) o -= 1;
          eb += o;
        }
        if (eb > eHi || eb < eLo) eb = this.fit(eb, E, 'eligibility');
        ebar[cell] = eb + 0;
        const etaL = etaC[c] as number;
        if (etaL !== 0 && eb !== 0) {
          let dl = (delta[cell] as number) - (anyBig ? mulShift(etaL, eb, E.frac, G.round) : nearest(etaL * eb * downE));
          if (dl > gHi || dl < gLo) dl = this.fit(dl, G, 'gradient');
          delta[cell] = dl;
        }
        if (reg && e !== 0) {
          let s = (esum[cell] as number) + (sumShift >= 0 ? roundingShiftRight(e, sumShift, S.round) : e * 2 ** -sumShift);
          if (s > sHi || s < sLo) s = this.fit(s, S, 'eligibility_sum');
          esum[cell] = s;
        }
      }
    }
  }

  /**
   * GRAD_ACC's fast path for readout columns: Δ −= nearest(η·err_k · z̃_i · 2^−T), row by row
   * over contiguous cells — the general path's arithmetic when the products stay below 2^52.
   */
  private readoutsFast(address: number, pair: Pair, regs: TileRegisters, nRec: number): number {
    this.paths.readouts++;
    const R = this.R; const G = R.gradient; const T = R.trace;
    const gLo = rawMin(G); const gHi = rawMax(G);
    const { delta, mask } = regs;
    const cols = this.tiles[pair.tile]!.cols;
    const n = pair.cols;
    const etaC = this.colEtaL;
    const down = pow2(-T.frac);
    // The ledger counts the trainable cells of the columns with an error (as the general path does).
    const perColumn = this.trainableCols[address]!;
    this.cols.version = -1; // colEtaL and nBias are about to hold this pair's: narrowOperands builds its own again
    let touched = 0; let etaMax = 0;
    for (let c = 0; c < n; c++) {
      const e = this.etaErr[pair.dst - nRec + c] as number;
      etaC[c] = e;
      if (e !== 0) touched += perColumn[c] as number;
      if (Math.abs(e) > etaMax) etaMax = Math.abs(e);
    }
    if (touched === 0) return this.ledger(0, regs.esum.length > 0);
    const tr = this.traces[this.outPop[pair.dst - nRec] as number]!;
    const zbar = pair.input ? tr.input : tr.rec;
    // The narrow kernel: whole groups of four columns of a pair every cell of which is trainable,
    // traces in [0, 2^15) and |η·err| below 2^15 (every product below 2^30).
    const kf = this.kernel;
    const groups = n >> 2; const nk = groups * 4;
    const narrow = kf !== null && this.narrow && !this.scalarOnly && groups > 0 && T.frac >= 1 && etaMax <= 32767 && (this.trainableOf[address] as number) === pair.rows * n;
    // A trace register within [0, 2^15) holds no trace that does not fit: its largest value bounds
    // the step's change; otherwise the traces are looked at.
    let zMax = rawMax(T); let fits = true;
    if (narrow && (rawMin(T) < 0 || rawMax(T) > 32767)) {
      zMax = 0;
      for (let r = 0; r < pair.rows; r++) {
        const z = zbar[pair.srcLo + r] as number;
        if (z < 0 || z > 32767) fits = false;
        const a = Math.abs(z);
        if (a > zMax) zMax = a;
      }
    }
    const rmax = Math.floor(etaMax * zMax * down) + 1;
    let c0 = 0;
    if (narrow && fits) {
      this.paths.outer++;
      const half = pow2(T.frac - 1);
      for (let c = 0; c < nk; c++) { const e = etaC[c] as number; this.oEta[c] = e; this.nBias[c] = e < 0 ? half - 1 : half; }
      const base = pair.rowLo * cols + pair.colLo;
      // (The traces live in the kernel's memory: it reads them there.)
      kf.outer32(kf.at(delta), kf.at(zbar) + 8 * pair.srcLo, kf.at(this.oEta), kf.at(this.nBias), kf.res, pair.rows, groups, cols, base, T.frac);
      if ((kf.counts[1] as number) > gHi - rmax || (kf.counts[2] as number) < gLo + rmax) this.clampNarrow(delta, base, pair.rows, nk, cols, (r, c) => nearest((etaC[c] as number) * (zbar[pair.srcLo + r] as number) * down));
      c0 = nk;
      if (c0 === n) return this.ledger(touched, regs.esum.length > 0);
    }
    for (let r = 0; r < pair.rows; r++) {
      const zb = zbar[pair.srcLo + r] as number;
      if (zb === 0) continue;
      const base = (pair.rowLo + r) * cols + pair.colLo;
      for (let c = c0; c < n; c++) {
        const cell = base + c;
        const ed = etaC[c] as number;
        if (mask[cell] === 0 || ed === 0) continue;
        let dl = (delta[cell] as number) - nearest(ed * zb * down);
        if (dl > gHi || dl < gLo) dl = this.fit(dl, G, 'gradient');
        delta[cell] = dl;
      }
    }
    return this.ledger(touched, regs.esum.length > 0);
  }

  /**
   * After an unmasked narrow kernel: the cells it should have left alone (row, column pairs of the
   * block, not trainable) as they were — ē 0 (such a cell's is always), Δ its value before (the
   * kernel's change taken back, modulo 2^32 as the i32 wrapped) — and, after the checked kernel,
   * their eligibility saturations taken off the count (from ē = 0 the kernel's sum is q15mulr(e, 2^15 − κ)).
   */
  private restoreUntrained(cells: Int32Array, regs: TileRegisters, base: number, stride: number, checked: boolean): void {
    const { ebar, delta } = regs;
    const downE = pow2(-this.R.eligibility.frac); const eHi = rawMax(this.R.eligibility);
    const omk = 32768 - this.L.kappa;
    let over = 0;
    for (let i = 0; i < cells.length; i += 2) {
      const r = cells[i] as number; const c = cells[i + 1] as number;
      const cell = base + r * stride + c;
      const y = ebar[cell] as number;
      if (checked) {
        const e = Math.floor(((this.nPsi[c] as number) * (this.nZ[r] as number) + 16384) / 32768);
        if (Math.floor((e * omk + 16384) / 32768) > eHi) over++;
      }
      const change = nearest((this.colEtaL[c] as number) * y * downE);
      delta[cell] = ((delta[cell] as number) + change) | 0;
      ebar[cell] = 0;
    }
    if (over > 0) this.count('eligibility', -over);
  }

  /**
   * After a narrow kernel whose Δ came within one step's change of the register's bounds: each
   * cell of the rows × [0, nk) block at `base` as the scalar paths leave it — Δ before (the i32
   * may have wrapped: its value plus the cell's change, wrapped again) less the change, saturated
   * and counted.
   */
  private clampNarrow(delta: Float64Array | Int32Array, base: number, rows: number, nk: number, stride: number, change: (r: number, c: number) => number): void {
    this.paths.clamp++;
    const G = this.R.gradient; const gLo = rawMin(G); const gHi = rawMax(G);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < nk; c++) {
        const cell = base + r * stride + c;
        const d = change(r, c);
        const dl = (((delta[cell] as number) + d) | 0) - d;
        delta[cell] = dl > gHi || dl < gLo ? this.fit(dl, G, 'gradient') : dl;
      }
    }
  }

  /** Whether a readout pair's columns are of one readout population and every η·err_k·z̃ product stays below 2^52 (the fast path's domain). */
  private readoutProductsFit(pair: Pair, nRec: number): boolean {
    const limit = 2 ** 52 / Math.max(1, rawMax(this.R.trace));
    const pop = this.outPop[pair.dst - nRec];
    for (let c = 0; c < pair.cols; c++) {
      if (this.outPop[pair.dst - nRec + c] !== pop) return false;
      if (Math.abs(this.etaErr[pair.dst - nRec + c] as number) >= limit) return false;
    }
    return true;
  }

  /** The energy ledger's counts for `touched` synapses; returns them. */
  private ledger(touched: number, reg: boolean): number {
    const R = this.R; const E = R.eligibility; const G = R.gradient;
    const n = this.counts;
    n.multiplies += touched * 3; n.multiplyBits2 += touched * 3 * E.bits * E.bits;
    n.adds += touched * 2; n.addBits += touched * (E.bits + G.bits);
    n.sramBits += touched * 2 * (E.bits + G.bits + (reg ? R.eligibility_sum.bits : 0));
    return touched;
  }

  /** GRAD_ACC, every case (ALIF, readouts, stochastic rounding, any formats): the unit's definition. */
  private gradientsGeneral(pair: Pair, regs: TileRegisters, nRec: number, decayEbar: (x: number) => number, oneMinusKappa: (x: number) => number, rand: (bits: number) => number): number {
    this.paths.general++;
    const tile = this.tiles[pair.tile]!;
    const R = this.R;
    const E = R.eligibility; const G = R.gradient; const S = R.eligibility_sum; const T = R.trace;
    const eUp = E.frac - T.frac; // z̄ → the eligibility format
    const P = R.psi.frac;
    const [eLo, eHi] = [rawMin(E), rawMax(E)]; const [gLo, gHi] = [rawMin(G), rawMax(G)]; const [sLo, sHi] = [rawMin(S), rawMax(S)];
    const sumShift = E.frac - S.frac;
    const { ebar, eps, esum, delta, mask } = regs;
    const reg = esum.length > 0;
    const cols = tile.cols;
    const stochE = E.round === 'stochastic'; const stochG = G.round === 'stochastic';
    let touched = 0;
    for (let c = 0; c < pair.cols; c++) {
      const post = pair.dst + c;
      const col = pair.colLo + c;
      if (post < nRec) {
        const j = post;
        const tr = this.traces[this.recPop[j] as number]!;
        const zbar = pair.input ? tr.input : tr.rec;
        const psi = this.psi[j] as number;
        const etaL = this.etaL[j] as number;
        const alif = this.alif[j] === 1;
        const coef = this.coef[j] as number;
        const cb = alif ? (this.cbeta[j] as number) : 0;
        for (let r = 0; r < pair.rows; r++) {
          const cell = (pair.rowLo + r) * cols + col;
          if (!mask[cell]) continue;
          touched++;
          const zb = zbar[pair.srcLo + r] as number;
          const zE = eUp >= 0 ? zb * 2 ** eUp : roundingShiftRight(zb, -eUp, E.round, stochE ? rand(-eUp) : 0);
          let e = 0;
          if (psi !== 0 || alif) {
            let x = zE;
            if (alif) {
              const ea = eps[cell] as number;
              x = zE - mulShift(cb, ea, 24, E.round, stochE ? rand(24) : 0);
              // ε ← ψ·z̄ + (ρ − cβψ)·ε
              let next = (psi !== 0 ? mulShift(psi, zE, P, E.round, stochE ? rand(P) : 0) : 0) + (ea !== 0 ? mulShift(ea, coef, 30, E.round, stochE ? rand(30) : 0) : 0);
              if (next > eHi || next < eLo) next = this.fit(next, E, 'eligibility');
              eps[cell] = next;
            }
            if (psi !== 0 && x !== 0) e = mulShift(psi, x, P, E.round, stochE ? rand(P) : 0);
          }
          let eb = ebar[cell] as number;
          if (eb !== 0) eb = decayEbar(eb);
          if (e !== 0) eb += oneMinusKappa(e);
          if (eb > eHi || eb < eLo) eb = this.fit(eb, E, 'eligibility');
          ebar[cell] = eb;
          if (etaL !== 0 && eb !== 0) {
            let dl = (delta[cell] as number) - mulShift(etaL, eb, E.frac, G.round, stochG ? rand(E.frac) : 0);
            if (dl > gHi || dl < gLo) dl = this.fit(dl, G, 'gradient');
            delta[cell] = dl;
          }
          if (reg && e !== 0) {
            let s = (esum[cell] as number) + (sumShift >= 0 ? roundingShiftRight(e, sumShift, S.round, S.round === 'stochastic' ? rand(sumShift) : 0) : e * 2 ** -sumShift);
            if (s > sHi || s < sLo) s = this.fit(s, S, 'eligibility_sum');
            esum[cell] = s;
          }
        }
      } else {
        const k = post - nRec;
        const etaE = this.etaErr[k] as number;
        if (etaE === 0) continue;
        const tr = this.traces[this.outPop[k] as number]!;
        const zbar = pair.input ? tr.input : tr.rec;
        for (let r = 0; r < pair.rows; r++) {
          const cell = (pair.rowLo + r) * cols + col;
          if (!mask[cell]) continue;
          touched++;
          const zb = zbar[pair.srcLo + r] as number;
          if (zb === 0) continue;
          let dl = (delta[cell] as number) - mulShift(etaE, zb, T.frac, G.round, stochG ? rand(T.frac) : 0);
          if (dl > gHi || dl < gLo) dl = this.fit(dl, G, 'gradient');
          delta[cell] = dl;
        }
      }
    }
    this.forgetBounds(pair.tile);
    return this.ledger(touched, reg);
  }

  /** Chip in the loop, program-and-verify: set a cell's register to the host's weight less the programmed one (raw, gradient format), saturating and counting as the unit does. */
  setChange(tile: number, cell: number, raw: number): void {
    const r = this.registers[tile]!;
    const G = this.R.gradient;
    r.delta[cell] = raw > rawMax(G) || raw < rawMin(G) ? this.fit(raw, G, 'gradient') : raw;
    this.forgetBounds(tile);
  }

  /** Chip in the loop: add a host's weight change (raw, gradient format) to a cell's register, saturating and counting as the unit does. */
  addChange(tile: number, cell: number, raw: number): void {
    const r = this.registers[tile]!;
    const G = this.R.gradient;
    let d = (r.delta[cell] as number) + raw;
    if (d > rawMax(G) || d < rawMin(G)) d = this.fit(d, G, 'gradient');
    r.delta[cell] = d;
    this.forgetBounds(tile);
  }

  /** The regulariser: Δ −= K·(n_j − n0)·Σe for every trainable recurrent synapse (n_j·256 given); returns the synapses folded. */
  private fold(counts256: (j: number) => number, nRec: number): number {
    const G = this.R.gradient; const S = this.R.eligibility_sum;
    const { regK, regN0 } = this.L;
    const rK = this.rK;
    for (let j = 0; j < nRec; j++) rK[j] = mulShift(counts256(j) - regN0, regK.multiplier, regK.shift, 'nearest');
    let folded = 0;
    for (let p = 0; p < this.pairs.length; p++) {
      const pair = this.pairs[p];
      if (!pair) continue;
      const regs = this.registers[pair.tile]!;
      const cols = this.tiles[pair.tile]!.cols;
      for (let c = 0; c < pair.cols; c++) {
        const j = pair.dst + c;
        if (j >= nRec) continue;
        const k = rK[j] as number;
        for (let r = 0; r < pair.rows; r++) {
          const cell = (pair.rowLo + r) * cols + pair.colLo + c;
          if (!regs.mask[cell]) continue;
          folded++;
          const s = regs.esum[cell] as number;
          if (s !== 0 && k !== 0) regs.delta[cell] = this.fit((regs.delta[cell] as number) - mulShift(k, s, S.frac, G.round), G, 'gradient');
          regs.esum[cell] = 0;
        }
      }
      this.forgetBounds(pair.tile);
    }
    return folded;
  }

  /** SEQ_END: fold the per-sequence regulariser (with `regularize`), clear traces and eligibilities. */
  endSequence(regularize: boolean, nRec: number): number {
    const folded = regularize ? this.fold((j) => (this.spikes[j] as number) * 256, nRec) : 0;
    for (let j = 0; j < nRec; j++) this.batchSpikes[j] = (this.batchSpikes[j] as number) + (this.spikes[j] as number);
    this.spikes.fill(0); this.psi.fill(0); this.signal.fill(0); this.etaL.fill(0); this.err.fill(0); this.etaErr.fill(0);
    this.colsVersion++;
    for (const t of this.traces) if (t) { t.input.fill(0); t.rec.fill(0); }
    for (const r of this.registers) if (r) { r.ebar.fill(0); r.eps.fill(0); r.signed = false; }
    for (let a = 0; a < this.eBound.length; a++) if (this.eBound[a]! > 0) this.eBound[a] = 0; // ē is 0 (a bound not known stays so: Δ's is not)
    return folded;
  }

  /** BATCH_END: count the sequence; at a batch's end fold the batch-mean regulariser and say so (true: write now). */
  endBatch(size: number, regularize: boolean, nRec: number): boolean {
    this.sequences++;
    if (this.sequences < size) return false;
    if (regularize) this.fold((j) => Math.round(((this.batchSpikes[j] as number) * 256) / this.sequences), nRec);
    this.sequences = 0;
    this.batchSpikes.fill(0);
    return true;
  }

  /** PROGRAM: write tile k's weight changes with the scheme at time t (s); returns the pulses. */
  write(k: number, t: number, onCell: (cell: number) => void): number {
    const regs = this.registers[k];
    const tile = this.tiles[k]!;
    if (!regs) return 0;
    this.forgetBounds(k); // the write leaves remainders (or 0) in Δ
    if (this.L.scheme === 'program_verify') return this.programVerify(regs, tile, t, onCell);
    const N = this.scheme.perSide;
    const clip = this.L.clip;
    const multi = this.L.scheme === 'multi';
    // Mixed precision leaves a Δ below ε (and within the clip) as it is: no pulse, the same remainder.
    const below = this.L.scheme === 'mixed_precision' ? this.L.threshold : 0;
    const within = clip > 0 ? Math.min(clip, below) : below;
    let pulses = 0;
    for (let cell = 0; cell < regs.mask.length; cell++) {
      if (!regs.mask[cell]) continue;
      let d = regs.delta[cell] as number;
      if (d === 0 || (d < within && d > -within)) continue;
      if (clip > 0) d = Math.max(-clip, Math.min(clip, d));
      const side = d > 0 ? 0 : 1;
      const first = (cell * 2 + side) * N;
      const { n, keep } = pulsesFor(this.scheme, d, tile.dev.g[first] as number, this.rng);
      regs.delta[cell] = keep;
      if (n === 0) continue;
      for (let p = 0; p < n; p++) {
        let dev = 0;
        if (multi) { const tk = cell * 2 + side; dev = regs.tracker[tk] as number; regs.tracker[tk] = (dev + 1) % N; }
        pulse(this.device, tile.dev, first + dev, this.L.pulseLevels, t, this.rng);
      }
      pulses += n;
      onCell(cell);
    }
    this.counts.setPulses += pulses;
    this.counts.writes++;
    return pulses;
  }

  /**
   * program_verify: a pair whose |Δ| reached ε is re-programmed to w + Δ (w as programmed, Σ G⁺ −
   * Σ G⁻ over the weight scale; clamped to what the devices hold): every device of both sides to
   * its share of the target, each read (a noise-free verify read of the programmed conductance)
   * and programmed again — RESET, then the SET pulses toward the target (device.ts) — until it
   * reads within the tolerance or the attempts are spent (counted as a failure). A device already
   * within the tolerance is not touched. Δ is then cleared; smaller changes accumulate. With the
   * core's weight_bits, the new weight is first rounded to its grid (what Δ moved it by beyond the
   * grid point is lost: the devices hold only grid weights).
   */
  private programVerify(regs: TileRegisters, tile: Tile, t: number, onCell: (cell: number) => void): number {
    const N = this.scheme.perSide;
    const dev = this.device;
    const eps = this.L.threshold; const clip = this.L.clip;
    const tol = this.L.verifyTolerance * 1e6; const K = this.L.verifyIterations;
    const scale = dev.weightScale; const unit = this.scheme.unit;
    const maxW = (N * dev.gMax) / scale;
    const g = tile.dev.g;
    let work = 0;
    for (let cell = 0; cell < regs.mask.length; cell++) {
      if (!regs.mask[cell]) continue;
      let d = regs.delta[cell] as number;
      if (d === 0 || Math.abs(d) < eps) continue;
      if (clip > 0) d = Math.max(-clip, Math.min(clip, d));
      regs.delta[cell] = 0;
      // The new weight, on the core's weight_bits grid when it has one.
      const target = weightOnGrid(Math.max(-maxW, Math.min(maxW, (tile.w[cell] as number) / scale + d * unit)), dev.params.weightBits, maxW);
      for (let s = 0; s < 2; s++) {
        const goal = ((s === 0 ? Math.max(0, target) : Math.max(0, -target)) * scale) / N; // µS per device
        const level = Math.round(goal / dev.level);
        for (let j = 0; j < N; j++) {
          const i = (cell * 2 + s) * N + j;
          let attempts = 0;
          while (Math.abs((g[i] as number) - goal) > tol && attempts < K) {
            const got = dev.program(tile.dev, i, level, t, this.rng);
            this.counts.setPulses += got.sets; this.counts.resetPulses += got.resets;
            work += got.sets + got.resets;
            attempts++;
          }
          this.counts.verifyAttempts += attempts;
          if (Math.abs((g[i] as number) - goal) > tol) this.counts.verifyFailures++;
        }
      }
      onCell(cell);
    }
    this.counts.writes++;
    return work;
  }

  /** REFRESH: pairs of tile k whose larger side exceeds g_high while they differ by less than min_diff: RESET both, re-program the difference. */
  refresh(k: number, t: number, onCell: (cell: number) => void): number {
    const policy = this.program.core.device.refresh;
    const regs = this.registers[k];
    if (!policy || !regs) return 0;
    const tile = this.tiles[k]!;
    const N = this.scheme.perSide;
    const g = tile.dev.g;
    const high = policy.gHigh * 1e6; const minDiff = policy.minDiff * 1e6;
    let work = 0;
    for (let cell = 0; cell < regs.mask.length; cell++) {
      if (!regs.mask[cell]) continue;
      let plus = 0; let minus = 0;
      for (let d = 0; d < N; d++) { plus += g[cell * 2 * N + d] as number; minus += g[(cell * 2 + 1) * N + d] as number; }
      if (Math.max(plus, minus) / N <= high || Math.abs(plus - minus) >= minDiff) continue;
      const diff = plus - minus;
      const side = diff >= 0 ? 0 : 1;
      const level = Math.round(Math.abs(diff) / this.device.level);
      for (let s = 0; s < 2; s++) {
        for (let d = 0; d < N; d++) {
          const i = (cell * 2 + s) * N + d;
          const got = this.device.program(tile.dev, i, s === side && d === 0 ? level : 0, t, this.rng);
          this.counts.setPulses += got.sets; this.counts.resetPulses += got.resets;
          work += got.sets + got.resets;
        }
      }
      if (this.scheme.learning.scheme === 'multi') { regs.tracker[cell * 2] = 0; regs.tracker[cell * 2 + 1] = 0; }
      this.counts.refreshes++;
      onCell(cell);
    }
    return work;
  }
}
