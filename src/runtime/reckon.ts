// ReckOn's learning unit (Frenkel & Indiveri, ISSCC 2022; its released RTL, ChFrenkel/ReckOn @
// 5e5c0be, src/srnn.v): the learning phase of a split tick (RECKON_EPROP) and the traces it learns
// from, bit for bit as the RTL computes them (docs/core.md, "ReckOn's learning unit").
//
// ReckOn approximates e-prop with per-neuron traces instead of per-synapse eligibilities: an
// input trace per input channel, a recurrent and an output trace per recurrent neuron, each a
// saturating counter bumped by a spike in the event phase and leaked (rounded stochastically, from
// its own LFSR) in the STEP phase. On a learning tick the unit forms, per group of 16 recurrent
// neurons, the learning signals L_j = (Σ_k e_k·w_out[j][k]·2^scale) >> 12 from the hard-sigmoid
// errors e_k = y*_k − hs(vo_k) and the readout weights, the pseudo-derivatives h_j (1 where the
// membrane, after the STEP phase, reaches a threshold), and a firing-rate regulariser; then every
// int8 weight word (a presynaptic index × 16 posts) whose trace is nonzero is updated by
// stochastic ±1 steps, p = L·trace·h − R, fired when |p|·2^LR ≥ a 32-bit draw of ReckOn's weight
// LFSRs. The readout weights learn from e_k × the output trace of their recurrent neuron.
//
// The weights live where the core keeps every weight: in its tiles, as differential pairs of ideal
// devices holding |w|·2^weightShift weight units on one side. A ±1 step re-programs the pair.
import type { DeviceModel } from './device.ts';
import type { MT19937 } from '../data/random.ts';
import { RECKON_TRACE_SEEDS, RECKON_WEIGHT_SEEDS, ReckonLfsr, reckonLfsr, type UnfoldedLfsr } from './lfsr.ts';
import { heldConductance, type Program, type ReckonConstants, type SynapseMaps } from './program.ts';
import type { Tile } from './core.ts';

/** What the unit reads of the core it sits in. */
export interface ReckonHost {
  /** This step's input buffer and the spike buffer of the last step (what the event phase integrates). */
  readonly input: Float64Array | Uint8Array;
  readonly spikes: Uint8Array;
  /** Membranes after the STEP phase, and the readouts' leaked outputs, raw. */
  readonly v: Int32Array | Float64Array;
  readonly y: Int32Array | Float64Array;
  /** The sequence's label (null: none; the unit does not learn). */
  readonly label: number | null;
  /** The simulated time (devices' programming clock). */
  readonly clock: number;
}

export interface ReckonCounts {
  /** Learning ticks run, weight words written (input, recurrent, readout), weights that changed by ±1. */
  ticks: number; wordsIn: number; wordsRec: number; wordsOut: number; updates: number;
  /** Updates that would have left int8 (the weight kept, as the RTL does). */
  clipped: number;
  /** Trace increments that saturated (4095, or 1023 for an output trace), and learning signals that saturated to 16 bits. */
  traceSaturations: number; signalSaturations: number;
  /** Lane operations (p, q, compare) and SRAM bits read and written, for the energy ledger. */
  laneOps: number; sramBits: number;
}

/** y* of the labelled readout (ReckOn's classification target), and ReckOn's hard sigmoid of a readout's membrane. */
export const RECKON_TARGET = 2048;
export const hardSigmoid = (vo: number): number => (vo > 2047 ? 2048 : vo < -2048 ? 0 : (vo + 2048) >> 1);
const sat16 = (x: number) => (x > 32767 ? 32767 : x < -32768 ? -32768 : x);

export class ReckonUnit {
  readonly counts: ReckonCounts = { ticks: 0, wordsIn: 0, wordsRec: 0, wordsOut: 0, updates: 0, clipped: 0, traceSaturations: 0, signalSaturations: 0, laneOps: 0, sramBits: 0 };
  /** DO_EPROP as the host last wrote it (bit 0 input, 1 recurrent, 2 readout weights); the program's at the start. */
  enabled: number;
  /** The traces: per input channel, and per recurrent neuron. */
  readonly tin: Int32Array; readonly trec: Int32Array; readonly tout: Int32Array;
  private readonly lTin: readonly [ReckonLfsr, ReckonLfsr];
  private readonly lTrec: readonly [ReckonLfsr, ReckonLfsr];
  private readonly lTout: readonly [UnfoldedLfsr, UnfoldedLfsr];
  private readonly lIn: UnfoldedLfsr; private readonly lRec: UnfoldedLfsr; private readonly lOut: UnfoldedLfsr;
  private readonly alpha: Int32Array;
  private readonly kappa7: number;
  private readonly stochastic: boolean;
  private readonly unitW: number;
  /** The regulariser's left shift of the input and recurrent weights (−1: off). */
  private readonly regShift: readonly [number, number];
  // One group's lane registers.
  private readonly L = new Float64Array(16); private readonly h = new Int32Array(16); private readonly reg = new Int32Array(16);
  private readonly e: Float64Array;

  constructor(
    private readonly program: Program, readonly k: ReckonConstants,
    private readonly tiles: ReadonlyArray<Tile | undefined>, private readonly maps: SynapseMaps,
    private readonly device: DeviceModel, private readonly rng: MT19937,
    private readonly sizes: { readonly nIn: number; readonly nRec: number; readonly nOut: number },
  ) {
    const { nIn, nRec, nOut } = sizes;
    this.enabled = k.learn;
    this.tin = new Int32Array(nIn); this.trec = new Int32Array(nRec); this.tout = new Int32Array(nRec);
    const S = RECKON_TRACE_SEEDS;
    this.lTin = [new ReckonLfsr(S.tin[0]), new ReckonLfsr(S.tin[1])];
    this.lTrec = [new ReckonLfsr(S.trec[0]), new ReckonLfsr(S.trec[1])];
    this.lTout = [reckonLfsr('oneur_stochround', S.tout[0]), reckonLfsr('oneur_stochround', S.tout[1])];
    this.lIn = reckonLfsr('winp_wrec', RECKON_WEIGHT_SEEDS.input);
    this.lRec = reckonLfsr('winp_wrec', RECKON_WEIGHT_SEEDS.recurrent);
    this.lOut = reckonLfsr('wout', RECKON_WEIGHT_SEEDS.output);
    this.regShift = [k.regularize & 1 ? k.regShift[0] : -1, k.regularize & 2 ? k.regShift[1] : -1];
    const rec = program.populations.find((p) => p.model === 'LIF' || p.model === 'ALIF')!;
    const out = program.populations.find((p) => p.model === 'LI');
    this.alpha = rec.arrays.alpha!;
    this.kappa7 = out ? (out.arrays.kappa![0] as number) / 256 : 0;
    this.stochastic = program.core.registers.decay.round === 'stochastic';
    this.unitW = program.core.device.weightScale * 1e6 * 2 ** k.weightShift;
    this.e = new Float64Array(Math.max(16, nOut));
  }

  /** A new sequence: ReckOn clears the neuron words' state (traces too) between samples; the LFSRs run on. */
  begin(): void { this.tin.fill(0); this.trec.fill(0); this.tout.fill(0); }

  /** The STEP phase's trace leaks of recurrent neurons [lo, lo + count) and the input traces in their words (one draw per word from each lane's LFSR). */
  leakTraces(lo: number, count: number): void {
    const { tin, trec, tout, alpha, stochastic } = this;
    const nIn = this.sizes.nIn;
    const k7 = this.kappa7;
    for (let j = lo; j < lo + count; j++) {
      const n = j & 1;
      const a = alpha[j] as number;
      const rti = (this.lTin[n] as ReckonLfsr).out(); (this.lTin[n] as ReckonLfsr).advance();
      const rtr = (this.lTrec[n] as ReckonLfsr).out(); (this.lTrec[n] as ReckonLfsr).advance();
      const lo7 = this.lTout[n] as UnfoldedLfsr;
      const rto = lo7.out(); lo7.advance();
      const up = stochastic && a !== 32768;
      if (j < nIn) tin[j] = leak12(tin[j] as number, a, up ? rti : Infinity);
      trec[j] = leak12(trec[j] as number, a, up ? rtr : Infinity);
      const P = (tout[j] as number) * k7;
      const ip = Math.floor(P / 128) & 0x3ff;
      tout[j] = (ip + (stochastic && k7 !== 128 && ip !== 0 && P % 128 >= rto ? 1 : 0)) & 0x3ff;
    }
  }

  /** The event phase's trace increments: this step's input events, the spikes of the last step (each gated by its DO_EPROP bit). */
  incrementTraces(lo: number, count: number, host: ReckonHost): void {
    const en = this.enabled; const ts = this.k.traceShift;
    const fi = ts[0]; const fr = ts[1]; const fo = ts[2]; // (no destructuring: its iterator would allocate every step)
    if (en & 1) {
      const { input } = host; const inc = 8 << fi;
      for (let i = 0; i < this.sizes.nIn; i++) if (input[i] !== 0) this.tin[i] = this.bump(this.tin[i] as number, inc, 4095);
    }
    const incR = 8 << fr; const incO = 2 << fo;
    for (let j = lo; j < lo + count; j++) {
      if (!host.spikes[j]) continue;
      if (en & 2) this.trec[j] = this.bump(this.trec[j] as number, incR, 4095);
      if (en & 4) this.tout[j] = this.bump(this.tout[j] as number, incO, 1023);
    }

  }

  /** A trace's increment, saturating at `max` (counted). */
  private bump(t: number, inc: number, max: number): number {
    if (t + inc <= max) return t + inc;
    this.counts.traceSaturations++;
    return max;
  }

  /** The weight held by a synapse's pair (a map entry), as ReckOn's int8; 0 for none. */
  private weight(at: number): number {
    return Math.round(heldConductance(this.tiles, this.maps, at) / this.unitW);
  }

  private write(at: number, w: number, t: number): void {
    const cells = this.maps.cellsPerTile;
    const tile = this.tiles[Math.floor(at / cells)]!;
    const cell = at % cells;
    const N = this.program.core.device.devicesPerSide;
    const level = Math.round((Math.abs(w) * this.unitW) / N / this.device.level);
    for (let side = 0; side < 2; side++) {
      for (let d = 0; d < N; d++) this.device.program(tile.dev, (cell * 2 + side) * N + d, (side === 0 ? w > 0 : w < 0) ? level : 0, t, this.rng);
    }
    tile.recacheCell(cell);
    tile.written = true;
  }

  /** One stochastic ±1 step of synapse `at` (the draw is spent even where the program maps none). */
  private step(at: number, p: number, W: number, lrP: number, lrR: number, rnd: number, t: number, diagonal: boolean): void {
    const M = 2 ** W;
    const raw = ((p % M) + M) % M;
    if (raw === 0) return;
    const neg = raw >= M / 2;
    const abs = neg ? M - raw : raw;
    const shifted = abs * 2 ** lrP;
    const q = Math.floor((shifted >= M ? M - 1 : shifted) / 2 ** lrR);
    if (!(raw === M / 2 || q >= rnd)) return;
    if (at < 0) return;
    const w = this.weight(at);
    let next = neg ? w - 1 : w + 1;
    if (next > 127 || next < -128) { this.counts.clipped++; return; }
    if (diagonal) next = 0;
    if (next === w) return;
    this.write(at, next, t);
    this.counts.updates++;
  }

  /** RECKON_EPROP: the learning phase of step `t` (its STEP phase has leaked row t − 1 of the outputs); 1 when it ran, 0 when not a learning tick. */
  learn(t: number, host: ReckonHost): number {
    const k = this.k;
    if (this.enabled === 0 || host.label === null || t - 1 < k.windowStart) return 0;
    const { nIn, nRec, nOut } = this.sizes;
    const { tin, trec, tout, e, L, h, reg } = this;
    const fi = k.traceShift[0]; const fr = k.traceShift[1]; const fo = k.traceShift[2];
    const en = this.enabled;
    this.counts.ticks++;
    for (let o = 0; o < nOut; o++) e[o] = sat16((o === host.label ? RECKON_TARGET : 0) - hardSigmoid(host.y[o] as number));
    const regMode = k.regularize !== 0;
    const R = this.regShift;
    const nPre = Math.max(nIn, nRec);
    const groups = Math.ceil(nRec / 16);
    const now = host.clock;
    for (let g = 0; g < groups; g++) {
      // The 32 post cycles: lane registers, and the readout weights of each post with an output trace.
      let anyReg = false;
      for (let n = 0; n < 16; n++) {
        const j = 16 * g + n;
        if (j >= nRec) { L[n] = 0; h[n] = 0; reg[n] = 0; continue; }
        let psum = 0;
        for (let o = 0; o < nOut; o++) psum += (e[o] as number) * this.weight(this.maps.recOut[j * nOut + o] as number);
        const tt = psum * 2 ** k.signalScale;
        if (tt < -(2 ** 27) || tt >= 2 ** 27) { L[n] = psum < 0 ? -32768 : 32767; this.counts.signalSaturations++; } else L[n] = Math.floor(tt / 4096);
        h[n] = (host.v[j] as number) >= k.hThreshold ? 1 : 0;
        reg[n] = regMode ? Math.max(0, ((trec[j] as number) >> fr) - k.regF0) : 0;
        if (reg[n] !== 0) anyReg = true;
        const to = (tout[j] as number) >> fo;
        if (en & 4 && to !== 0) {
          const lo = this.lOut;
          for (let o = 0; o < nOut; o++) this.step(this.maps.recOut[j * nOut + o] as number, (e[o] as number) * to, 28, k.lrShift[2], k.lrRShift[2], lo.bits(28 * o, 28), now, false);
          lo.advance();
          this.counts.wordsOut++; this.counts.laneOps += 16; this.counts.sramBits += 2 * 128;
        }
      }
      // The pre cycles: one input and one recurrent weight word per presynaptic index, unless skipped.
      for (let i = 0; i < nPre; i++) {
        if (en & 1 && i < nIn) {
          const tr = (tin[i] as number) >> fi;
          if (tr !== 0 || anyReg) this.word(this.lIn, this.maps.inRec, i, g, tr, R[0], k.lrShift[0], k.lrRShift[0], now, false);
        }
        if (en & 2 && i < nRec) {
          const tr = (trec[i] as number) >> fr;
          if (tr !== 0 || anyReg) this.word(this.lRec, this.maps.recRec, i, g, tr, R[1], k.lrShift[1], k.lrRShift[1], now, true);
        }
      }
    }
    return 1;
  }

  /** One weight word (pre i, posts 16g … 16g + 15): the 16 lanes' updates from one block of `lfsr`. */
  private word(lfsr: UnfoldedLfsr, cells: Int32Array, i: number, g: number, tr: number, regShift: number, lrP: number, lrR: number, now: number, recurrent: boolean): void {
    const nRec = this.sizes.nRec;
    const { L, h, reg } = this;
    for (let n = 0; n < 16; n++) {
      const j = 16 * g + n;
      if (j >= nRec) continue;
      const hn = h[n] as number;
      const en = hn !== 0 || regShift >= 0;
      if (!en) continue;
      const pe = hn !== 0 ? wrap32((L[n] as number) * tr * hn) : 0;
      const Rj = regShift >= 0 ? (reg[n] as number) * 2 ** regShift : 0;
      const k37 = pe * 16;
      let p = wrap32(Math.floor(k37 / 16) - Rj);
      if (p >= 0 && bit31of37(k37)) p = -(2 ** 31);
      this.step(cells[i * nRec + j] as number, p, 32, lrP, lrR, lfsr.bits(32 * n, 32), now, recurrent && j === i);
    }
    lfsr.advance();
    if (recurrent) this.counts.wordsRec++; else this.counts.wordsIn++;
    this.counts.laneOps += 16; this.counts.sramBits += 2 * 128;
  }
}

/** A 12-bit trace leaked by α (q1.15): ⌊t·α / 2^15⌋, one up when the remainder reaches the draw (never from 0). */
function leak12(t: number, a: number, draw: number): number {
  const P = t * a;
  const ip = Math.floor(P / 32768) & 0xfff;
  return (ip + (ip !== 0 && P % 32768 >= draw ? 1 : 0)) & 0xfff;
}
const wrap32 = (x: number): number => { const m = ((x % 2 ** 32) + 2 ** 32) % 2 ** 32; return m >= 2 ** 31 ? m - 2 ** 32 : m; };
const bit31of37 = (x: number): boolean => Math.floor((((x % 2 ** 37) + 2 ** 37) % 2 ** 37) / 2 ** 31) % 2 === 1;
