// The cycle-accurate core: executes a loaded program (program.ts) on crossbar tiles of devices
// (device.ts), ADCs, accumulators and the neuron unit, in the fixed-point formats the program
// declares (fixed.ts), counting cycles through the scoreboard the compiler's estimate uses
// (schedule.ts), and every operation in an energy ledger. docs/core.md is its datasheet: what
// each unit does, bit for bit.
//
// All state lives in typed arrays allocated when the core is built; executing a step allocates
// nothing. Crossbar reads are event-driven: only rows whose source is active are touched.
import { MT19937, stream } from '../data/random.ts';
import { ISA, PROBE_VARIABLES, UNITS, type Instruction, type Opcode } from './isa.ts';
import { mulShift, nearest, overflow, pow2, rawMax, rawMin, roundingShiftRight, type QFormat, type Rounding } from './fixed.ts';
import { heldConductance, spaceSizes, synapseCells, synapseMaps, type SynapseCell, type SynapseMaps, type CoreConfig, type Model, type Program, type RegisterFormat, type TileTargets } from './program.ts';
import { Scoreboard } from './schedule.ts';
import { DEMIRAG, deviceArrays, DeviceModel, type DeviceArrays } from './device.ts';
import { ReckonUnit, type ReckonHost } from './reckon.ts';
import { Lfsr, RECKON_SEEDS, RECKON_VO_SEED, ReckonLfsr, reckonLfsr, type UnfoldedLfsr } from './lfsr.ts';
import { LearningUnit } from './learning.ts';

/** A run-time refusal with a stable code (PCX2xxx): the program cannot run as asked. */
export class CoreError extends Error { constructor(readonly code: string, message: string) { super(message); } }

/** Registers whose saturations (or wraps) are counted, per population (the ADC's and DAC's per core). */
export const COUNTED = ['adc', 'dac', 'accumulator', 'membrane', 'threshold', 'adaptation'] as const;
export type Counted = (typeof COUNTED)[number];

export interface CoreOptions {
  /** Seed of the noise stream (device programming and read noise, ADC noise, the LFSR). */
  readonly seed: number;
  /** Sequences the probes have room for (default: the program's samples). */
  readonly samples?: number;
  /** Ideal devices: the program's targets held exactly, no noise, no drift. */
  readonly ideal?: boolean;
}

/** What a sequence is scored against (the learning unit's TARGET_LOAD): a target signal [t][readout], or a class label. */
export interface SequenceTarget { readonly target?: Float64Array; readonly label?: number }

/** Operation counts of the ledger (a user can re-price them). */
export interface Counts {
  dacPulses: number; deviceReads: number; readConductance: number; adcConversions: number;
  adds: number; addBits: number; multiplies: number; multiplyBits2: number; sramBits: number;
  setPulses: number; resetPulses: number; synops: number; membraneUpdates: number; spikes: number;
}
const zeroCounts = (): Counts => ({ dacPulses: 0, deviceReads: 0, readConductance: 0, adcConversions: 0, adds: 0, addBits: 0, multiplies: 0, multiplyBits2: 0, sramBits: 0, setPulses: 0, resetPulses: 0, synops: 0, membraneUpdates: 0, spikes: 0 });

export interface TimingError { readonly sample: number; readonly step: number; readonly address: number; readonly cycles: number }

/** One crossbar tile: its devices, the cached sums a read needs, and its output register. */
export class Tile {
  readonly dev: DeviceArrays;
  /** Per cell: Σ G⁺ − Σ G⁻, Σ G and Σ G² over its 2N devices (µS), as programmed (undrifted). */
  readonly w: Float64Array; readonly s1: Float64Array; readonly s2: Float64Array;
  /** Per row: Σ G of the row's devices (read energy). */
  readonly rowG: Float64Array;
  /** The output register: one value per column, in raw accumulator units. */
  readonly out: Float64Array;
  readonly colI: Float64Array; readonly colA: Float64Array; readonly colB: Float64Array;
  /** Columns any ACC_ADD of the program reads (the rest are converted, and never read). */
  used = 0;
  /** When its devices were programmed (the drift clock). */
  programmedAt = 0;
  /**
   * The inference profiles (a drift exponent per device): per cell the drifted differential and
   * Σ (G_d·Qs)², per row Σ G_d, valid for the drift time `rowL[row]` they were computed at.
   */
  readonly wD: Float64Array; readonly vD: Float64Array; readonly rowGD: Float64Array; readonly rowL: Float64Array;
  /** Global drift compensation of the inference profiles: the tile's read-out gain at the sequence's start. */
  gain = 1;
  /**
   * Written by the learning unit since programming: its devices were last pulsed at different
   * times, so the demirag2021 profile drifts them one by one (the row caches, keyed by the time)
   * instead of by one factor for the tile.
   */
  written = false;
  /** Per cell, Σ G_d of its devices (the demirag2021 profile's per-device drift; its read noise needs it). */
  readonly s1D: Float64Array;
  constructor(readonly rows: number, readonly cols: number, readonly perSide: number, perDevice: boolean) {
    const cells = rows * cols;
    this.dev = deviceArrays(cells, perSide);
    this.s1D = new Float64Array(perDevice ? cells : 0);
    this.wD = new Float64Array(perDevice ? cells : 0); this.vD = new Float64Array(perDevice ? cells : 0);
    this.rowGD = new Float64Array(perDevice ? rows : 0); this.rowL = new Float64Array(perDevice ? rows : 0).fill(Number.NaN);
    this.w = new Float64Array(cells); this.s1 = new Float64Array(cells); this.s2 = new Float64Array(cells);
    this.rowG = new Float64Array(rows);
    this.out = new Float64Array(cols); this.colI = new Float64Array(cols); this.colA = new Float64Array(cols); this.colB = new Float64Array(cols);
  }
  /** Recompute the cached sums of every cell from its devices. */
  recache(): void {
    const N = this.perSide;
    const g = this.dev.g;
    this.rowG.fill(0);
    for (let k = 0; k < this.rows * this.cols; k++) {
      let plus = 0; let minus = 0; let sq = 0;
      for (let d = 0; d < N; d++) { const gp = g[(k * 2) * N + d] as number; const gm = g[(k * 2 + 1) * N + d] as number; plus += gp; minus += gm; sq += gp * gp + gm * gm; }
      this.w[k] = plus - minus; this.s1[k] = plus + minus; this.s2[k] = sq;
      const r = Math.floor(k / this.cols);
      this.rowG[r] = (this.rowG[r] as number) + plus + minus;
    }
    this.rowL.fill(Number.NaN);
  }
  /** Recompute one cell's cached sums after the learning unit wrote its devices; its row's drifted cache is stale. */
  recacheCell(k: number): void {
    const N = this.perSide; const g = this.dev.g;
    let plus = 0; let minus = 0; let sq = 0;
    for (let d = 0; d < N; d++) { const gp = g[(k * 2) * N + d] as number; const gm = g[(k * 2 + 1) * N + d] as number; plus += gp; minus += gm; sq += gp * gp + gm * gm; }
    const r = Math.floor(k / this.cols);
    this.rowG[r] = (this.rowG[r] as number) - (this.s1[k] as number) + plus + minus;
    this.w[k] = plus - minus; this.s1[k] = plus + minus; this.s2[k] = sq;
    if (this.rowL.length > 0) this.rowL[r] = Number.NaN;
  }

  /** The demirag2021 profile's drift of row r read at time t, device by device: G_d = G·((t − t_p)/t0)^{−ν}. */
  refreshRowPower(r: number, t: number, nu: number, t0: number): void {
    const N = this.perSide; const { g, tp } = this.dev;
    let rowSum = 0;
    for (let k = r * this.cols; k < (r + 1) * this.cols; k++) {
      let w = 0; let v = 0; let s = 0;
      for (let side = 0; side < 2; side++) {
        for (let d = 0; d < N; d++) {
          const i = (k * 2 + side) * N + d;
          const gi = g[i] as number;
          const gd = gi === 0 ? 0 : gi * (Math.max(t - (tp[i] as number), 1e-9) / t0) ** -nu;
          w += side === 0 ? gd : -gd;
          v += gd * gd; s += gd;
        }
      }
      this.wD[k] = w; this.vD[k] = v; this.s1D[k] = s;
      rowSum += s;
    }
    this.rowGD[r] = rowSum;
    this.rowL[r] = t;
  }

  /** The drifted values of row r at drift log-time L = ln((t + t0)/t0): G_d = G·e^{−ν·L} per device. */
  refreshRow(r: number, L: number): void {
    const N = this.perSide; const { g, nu, qs } = this.dev;
    let rowSum = 0;
    for (let k = r * this.cols; k < (r + 1) * this.cols; k++) {
      let w = 0; let v = 0;
      for (let side = 0; side < 2; side++) {
        for (let d = 0; d < N; d++) {
          const i = (k * 2 + side) * N + d;
          const gd = (g[i] as number) * Math.exp(-(nu[i] as number) * L);
          w += side === 0 ? gd : -gd;
          v += (gd * (qs[i] as number)) ** 2;
          rowSum += gd;
        }
      }
      this.wD[k] = w; this.vD[k] = v;
    }
    this.rowGD[r] = rowSum;
    this.rowL[r] = L;
  }
}

/** Where each recurrent or readout index and each population's state lives. */
interface PopulationView {
  readonly model: Model; readonly size: number; readonly offset: number; readonly index: number;
  readonly arrays: Readonly<Record<string, Int32Array>>;
}

type Handler<K extends Opcode> = (core: Core, ins: Extract<Instruction, { op: K }>, address: number) => number;
/** One handler per opcode: a missing one is a type error. Each returns the instruction's active work (rows, pulses, pairs). */
type Handlers = { readonly [K in Opcode]: Handler<K> };

export interface ProbeBuffer { readonly address: number; readonly variable: number; readonly population: number; readonly lo: number; readonly count: number; readonly steps: Int32Array; readonly data: Float64Array }

export class Core {
  readonly nIn: number; readonly nRec: number; readonly nOut: number;
  readonly steps: number;
  readonly board: Scoreboard;
  readonly counts: Counts = zeroCounts();
  /** Counts of the initial programming, apart from the run's. */
  readonly programming: Counts = zeroCounts();
  /** Saturations: [register][population], and the ADC's per tile. */
  readonly saturations: Float64Array;
  readonly adcClips: Float64Array;
  readonly timingErrors: TimingError[] = [];
  timingErrorCount = 0;
  /** The longest step of everything run. */
  maxStepCycles = 0;
  /** Cycles a step may take: dt × clock. */
  readonly budget: number;
  /** Spikes per recurrent neuron over everything run. */
  readonly spikeCount: Float64Array;
  /** The readouts' outputs y of the sequence being run, [t][readout], real units. */
  readonly outputs: Float64Array;
  /** Per step of the first sequence: its cycles, whether any register saturated, whether it overran dt. */
  readonly log: { readonly cycles: Float64Array; readonly saturated: Uint8Array; readonly overrun: Uint8Array };
  /** Saturation and clipping events so far. */
  private events = 0;

  // State.
  private readonly input: Float64Array;
  private spikes: Uint8Array; private next: Uint8Array;
  private readonly spikeList: Int32Array; private nSpikes = 0;
  private readonly nextList: Int32Array; private nNext = 0;
  private readonly inputList: Int32Array; private nInput = 0;
  /** Scratch: one standard normal per column of a read. */
  private readonly gauss: Float64Array;
  /**
   * Per XBAR_READ (by address): the columns its ACC_ADDs take (1 = taken), and per row the synapses
   * in those columns — a read that shares its rows with another piece's counts only its own
   * synaptic operations and clipped columns.
   */
  private readonly reads: Array<{ readonly taken: Uint8Array; readonly rowSyn: Int32Array } | undefined>;
  private readonly acc: Float64Array;
  private readonly accPop: Int16Array;
  /** The population of each input channel (the DAC's saturations are counted there). */
  private readonly inputPop: Int16Array;
  private readonly v: Float64Array; private readonly a: Float64Array; private readonly thr: Float64Array; private readonly refr: Int32Array;
  private readonly lastI: Float64Array;
  private readonly y: Float64Array;
  /** The crossbar tiles (undefined where the program uses none), for inspection. */
  readonly tiles: ReadonlyArray<Tile | undefined>;
  private readonly pops: PopulationView[];
  private readonly loops: Int32Array;
  readonly probes: ProbeBuffer[];
  private readonly probeAt: Int32Array;
  private readonly device: DeviceModel;
  private readonly gradedInput: boolean;
  /** Raw limits of the counted registers: [lo, hi] of the accumulator, membrane, threshold, adaptation. */
  private readonly lim: Readonly<Record<'accumulator' | 'membrane' | 'threshold' | 'adaptation', readonly [number, number]>>;
  /** An ADC code's value in accumulator units (index code + 2^(bits−1)), where the scaling's rounding is deterministic. */
  private readonly codeValue: Float64Array | null;
  private readonly rng: MT19937;
  private readonly lfsr: Lfsr;
  /** ReckOn's rounding LFSRs (even and odd neuron of a word), where the core block asks for them. */
  private readonly reckon: readonly [ReckonLfsr, ReckonLfsr] | null;
  /** ReckOn's output neurons' leak-rounding LFSR (7 bits, 16 draws per STEP: draw k for output k), and this step's draws. */
  private readonly reckonVo: UnfoldedLfsr | null;
  /** A split tick's synapse maps (the event sweep's and ReckOn's learning unit's). */
  readonly maps: SynapseMaps | null;
  /**
   * A split tick's event sweep (docs/core.md, "The tick"): whether it applies (ideal devices,
   * spike inputs), the largest change one index can make to a membrane (raw units), and this
   * step's active indices, ascending.
   */
  private readonly sweep: { readonly exact: boolean; readonly dMax: number; readonly order: Int32Array; n: number; at: number } | null;
  /** ReckOn's learning unit (a program with RECKON_EPROP), and its view of the core. */
  readonly reckonLearn: ReckonUnit | null;
  private readonly reckonHost: ReckonHost;
  private readonly voDraws = new Int32Array(16);
  private voDrawStep = -1;
  private x: Float64Array = new Float64Array(0);
  /** The sequence's target (learning), as the host gives it. */
  private targetSignal: Float64Array | null = null;
  private label: number | null = null;
  /** The on-chip learning unit, where the program learns. */
  readonly learn: LearningUnit | null;
  /** The program runs the learning unit every step (on-chip e-prop); else the unit, if any, only writes what the host gives it. */
  readonly onChip: boolean;
  private readonly rand: (bits: number) => number;
  private readonly kappaLeak: (x: number) => number;
  private readonly kappaOneMinus: (x: number) => number;
  /** Sequences begun, and writes done (each a device update period of simulated time). */
  private begun = 0;
  private writes = 0;
  /** Simulated time at the start of the sequence being run, seconds. */
  private seqStart = 0;
  /**
   * Simulated time the core has sat unused (`wait`), seconds: the devices drift through it and
   * nothing is written. It is part of the time base, so the next sequence reads them that much later.
   */
  private idle = 0;
  /**
   * Learning off: the learning unit's instructions (and the host's target loads) are passed over
   * without issuing — an inference pass of a learning program, as a trained chip would run in the
   * field. Probes are passed over too: they keep what the last sequence run with learning on
   * recorded. The host sets it (a test after training); it is not program state.
   */
  frozen = false;
  private pc = 0;
  private t = -1;
  private sample = 0;
  private halted = true;
  private stepStart = 0;
  private overrunAt = -1;
  /** Simulated seconds since the devices were programmed. */
  private clock = 0;

  constructor(readonly program: Program, readonly options: CoreOptions) {
    const p = program;
    const c = p.core;
    const probed = new Set(p.code.filter((i) => i.op === 'PROBE').map((i) => (i.fields as { variable: number }).variable));
    const learns = p.code.some((ins) => ins.op === 'GRAD_ACC');
    this.onChip = learns;
    // Chip in the loop: no learning instructions, but the unit's registers and writes, which the host drives (hostWrite).
    const writes = learns || p.learning?.placement === 'chip_in_the_loop';
    for (const name of ['psi', 'trace', 'error'] as const) if (!learns && probed.has(PROBE_VARIABLES.indexOf(name))) throw new CoreError('PCX2003', `probing ${name} needs the learning unit running, which this program does not (compile a train block with on-chip e-prop)`);
    this.device = new DeviceModel(c.device, !!options.ideal);
    this.gradedInput = p.populations.some((x) => x.model === 'input' && x.conventions.graded);
    const R = c.registers;
    const lim = (f: QFormat) => [rawMin(f), rawMax(f)] as const;
    this.lim = { accumulator: lim(R.accumulator), membrane: lim(R.membrane), threshold: lim(R.threshold), adaptation: lim(R.adaptation) };
    this.decayShift = c.decayMode === 'shift'; this.decayFrac = R.decay.frac; this.decayRound = R.decay.round; this.decayStochastic = R.decay.round === 'stochastic';
    this.decayUnit = 2 ** -R.decay.frac;
    // Products of a register (≤ max bits of membrane, adaptation, readout) and a decay are exact in float64 below 2^53.
    const widest = Math.max(R.membrane.bits, R.adaptation.bits);
    this.decayFastNearest = !this.decayShift && R.decay.round === 'nearest' && R.decay.frac >= 1 && widest + R.decay.bits <= 53;
    const half = 2 ** (c.converter.bits - 1);
    this.codeValue = R.accumulator.round === 'stochastic' ? null
      : Float64Array.from({ length: 2 * half }, (_, k) => mulShift(k - half, c.converter.multiplier, c.converter.shift, R.accumulator.round));
    this.rng = stream(options.seed, 'noise');
    this.lfsr = new Lfsr(this.rng.nextU32());
    this.reckon = c.lfsr === 'reckon' ? [new ReckonLfsr(RECKON_SEEDS[0]), new ReckonLfsr(RECKON_SEEDS[1])] : null;
    this.reckonVo = c.lfsr === 'reckon' ? reckonLfsr('oneur_stochround', RECKON_VO_SEED) : null;
    this.board = new Scoreboard(c, p.code);
    this.budget = Math.floor(p.symbols.dt * c.clockHz + 1e-9);
    this.steps = p.run.steps;
    ({ nIn: this.nIn, nRec: this.nRec, nOut: this.nOut } = spaceSizes(p));
    this.pops = p.populations.map((pop, index) => ({ model: pop.model, size: pop.size, offset: p.symbols.layout[index]!.offset, index, arrays: pop.arrays }));
    this.saturations = new Float64Array(COUNTED.length * p.populations.length);
    this.input = new Float64Array(this.nIn);
    this.spikes = new Uint8Array(this.nRec); this.next = new Uint8Array(this.nRec);
    this.spikeList = new Int32Array(this.nRec); this.nextList = new Int32Array(this.nRec); this.inputList = new Int32Array(this.nIn);
    this.acc = new Float64Array(this.nRec + this.nOut);
    this.accPop = new Int16Array(this.nRec + this.nOut);
    this.inputPop = new Int16Array(this.nIn);
    for (const v of this.pops) {
      if (v.model === 'LIF' || v.model === 'ALIF') this.accPop.fill(v.index, v.offset, v.offset + v.size);
      if (v.model === 'LI') this.accPop.fill(v.index, this.nRec + v.offset, this.nRec + v.offset + v.size);
      if (v.model === 'input') this.inputPop.fill(v.index, v.offset, v.offset + v.size);
    }
    this.v = new Float64Array(this.nRec); this.a = new Float64Array(this.nRec); this.thr = new Float64Array(this.nRec); this.refr = new Int32Array(this.nRec);
    this.lastI = new Float64Array(this.nRec + this.nOut);
    this.y = new Float64Array(this.nOut);
    this.spikeCount = new Float64Array(this.nRec);
    this.loops = new Int32Array(p.code.length);
    this.outputs = new Float64Array(this.steps * this.nOut);
    this.log = { cycles: new Float64Array(this.steps), saturated: new Uint8Array(this.steps), overrun: new Uint8Array(this.steps) };
    // Tiles: every tile the code names, programmed from its targets at time 0.
    const tiles: Array<Tile | undefined> = Array.from({ length: c.tiles }, () => undefined);
    this.tiles = tiles;
    for (const ins of p.code) {
      if (ins.op === 'XBAR_READ' || ins.op === 'ACC_ADD') {
        const k = ins.fields.tile;
        const tile = tiles[k] ?? (tiles[k] = new Tile(c.rows, c.cols, c.device.devicesPerSide, this.device.fit !== null || (writes && this.device.drifts)));
        if (ins.op === 'ACC_ADD') tile.used = Math.max(tile.used, ins.fields.colLo + ins.fields.colCount);
      }
    }
    this.adcClips = new Float64Array(c.tiles);
    this.gauss = new Float64Array(c.cols);
    const byTile = new Map(p.targets.map((t) => [t.tile, t]));
    this.reads = p.code.map((ins, a) => {
      if (ins.op !== 'XBAR_READ') return undefined;
      const k = ins.fields.tile;
      const taken = new Uint8Array(c.cols);
      for (let b = a + 1; b < p.code.length; b++) {
        const x = p.code[b]!;
        if ((x.op === 'XBAR_READ' && x.fields.tile === k) || x.op === 'LOOP' || x.op === 'HALT') break;
        if (x.op === 'ACC_ADD' && x.fields.tile === k) taken.fill(1, x.fields.colLo, x.fields.colLo + x.fields.colCount);
      }
      const tg = byTile.get(k);
      const rowSyn = new Int32Array(c.rows);
      if (tg) for (let r = 0; r < tg.rows; r++) for (let col = 0; col < tg.cols; col++) if (taken[col] && ((tg.gPlus[r * tg.cols + col] as number) !== 0 || (tg.gMinus[r * tg.cols + col] as number) !== 0)) rowSyn[r]!++;
      return { taken, rowSyn };
    });
    this.programTiles(byTile);
    if (c.tick === 'split') {
      this.maps = synapseMaps(p);
      const perSynapse = ((c.device.devicesPerSide * c.device.gMax) / c.device.weightScale) * 2 ** c.registers.membrane.frac;
      const exact = c.device.kind === 'ideal' && !p.populations.some((x) => x.model === 'input' && x.conventions.graded);
      this.sweep = { exact, dMax: 2 * perSynapse, order: new Int32Array(Math.max(this.nIn, this.nRec)), n: 0, at: -1 };
    } else { this.maps = null; this.sweep = null; }
    this.reckonLearn = p.reckon && this.maps ? new ReckonUnit(p, p.reckon, this.tiles as ReadonlyArray<Tile | undefined>, this.maps, this.device, stream(options.seed, 'learning'), { nIn: this.nIn, nRec: this.nRec, nOut: this.nOut }) : null;
    const core = this;
    // A view, not state (frozen: a checkpoint passes it by).
    this.reckonHost = Object.freeze({
      get input() { return core.input; }, get spikes() { return core.spikes; }, get v() { return core.v; }, get y() { return core.y; },
      get label() { return core.label; }, get clock() { return core.clock; },
    });
    this.learn = writes ? new LearningUnit(p, this.tiles, this.device, stream(options.seed, 'learning'), { nIn: this.nIn, nRec: this.nRec, nOut: this.nOut }) : null;
    this.rand = (bits: number) => this.lfsr.uniform(bits);
    const kappa = p.learning?.kappa ?? 0;
    this.kappaLeak = (x: number) => this.leak(x, kappa);
    this.kappaOneMinus = (x: number) => this.oneMinus(x, kappa);
    const one = 2 ** c.registers.trace.frac;
    this.traceLeaks = this.pops.map((pop, i) => {
      if (pop.model === 'input') return undefined;
      const d = (pop.model === 'LI' ? pop.arrays.kappa![0] : pop.arrays.alpha![0]) as number;
      // With the decay a multiply rounded to nearest whose products with a trace stay below 2^53,
      // the leak is nearest(z·d·2^−D), which the trace update inlines (mul; 0: it calls leak).
      const mul = !this.decayShift && R.decay.round === 'nearest' && R.decay.frac >= 1 && R.trace.bits + R.decay.bits <= 53 ? d * this.decayUnit : 0;
      return { leak: (x: number) => this.leak(x, d), mul, inc: p.populations[i]!.conventions.inputFactor ? this.oneMinus(one, d) : one };
    });
    // Probes: a buffer per PROBE, samples × recorded steps × neurons.
    this.probeAt = new Int32Array(p.code.length).fill(-1);
    this.probes = p.probes.map((s, k) => {
      const ins = p.code[s.address] as Extract<Instruction, { op: 'PROBE' }>;
      const n = s.stop >= s.start ? Math.floor((s.stop - s.start) / s.every) + 1 : 0;
      this.probeAt[s.address] = k;
      return { address: s.address, variable: ins.fields.variable, population: ins.fields.pop, lo: ins.fields.lo, count: ins.fields.count, steps: Int32Array.from({ length: n }, (_, i) => s.start + i * s.every), data: new Float64Array((options.samples ?? p.run.samples) * n * ins.fields.count) };
    });
  }

  /** Write every tile's devices from the program's targets (unprogrammed cells are RESET). */
  private programTiles(byTile: ReadonlyMap<number, TileTargets>): void {
    const N = this.program.core.device.devicesPerSide;
    this.tiles.forEach((tile, k) => {
      if (!tile) return;
      const tg = byTile.get(k);
      const cells = tile.rows * tile.cols;
      for (let cell = 0; cell < cells; cell++) {
        const r = Math.floor(cell / tile.cols); const col = cell % tile.cols;
        const inTarget = tg !== undefined && r < tg.rows && col < tg.cols;
        const plus = inTarget ? (tg.gPlus[r * tg.cols + col] as number) : 0;
        const minus = inTarget ? (tg.gMinus[r * tg.cols + col] as number) : 0;
        for (let side = 0; side < 2; side++) {
          for (let d = 0; d < N; d++) {
            const got = this.device.program(tile.dev, (cell * 2 + side) * N + d, side === 0 ? plus : minus, 0, this.rng);
            this.programming.setPulses += got.sets; this.programming.resetPulses += got.resets;
          }
        }
      }
      tile.recache();
      tile.programmedAt = 0;
    });
  }

  /** Start sequence `sample` on inputs x ([t][input], `steps` rows): state from the program's initial values. */
  begin(x: Float64Array, sample: number, target: SequenceTarget = {}): void {
    // The time base: programmed at 0, read from one update period later; each sequence lasts its
    // steps, each batch's write adds an update period (Demirag et al. advance t0 per update).
    this.seqStart = this.program.core.device.updatePeriod * (1 + this.writes) + this.begun * this.steps * this.program.symbols.dt + this.idle;
    this.begun++;
    this.targetSignal = target.target ?? null;
    this.label = target.label ?? null;
    if (this.onChip && this.program.learning!.loss === 'mse' && !this.targetSignal) throw new CoreError('PCX2002', 'the program learns with mse: give each sequence its target signal');
    if (this.onChip && this.program.learning!.loss === 'cross_entropy' && this.label === null) throw new CoreError('PCX2002', 'the program learns with cross_entropy: give each sequence its label');
    for (const p of this.probes) if ((sample + 1) * p.steps.length * p.count > p.data.length) throw new Error(`internal: sequence ${sample} beyond the probes' room (give CoreOptions.samples)`);
    // Global drift compensation of the inference profiles (aihwkit's GlobalDriftCompensation): a
    // reference read of the whole tile at the sequence's start gives its gain Σ|W_d| / Σ|W_prog|.
    const fit = this.device.fit;
    if (this.program.core.device.driftCompensation && !this.device.ideal) {
      const L = fit ? Math.log((this.seqStart + fit.t0) / fit.t0) : this.seqStart;
      const { driftNu, driftT0 } = this.program.core.device;
      for (const tile of this.tiles) {
        if (!tile || (!fit && !tile.written)) continue;
        let now = 0; let then = 0;
        for (let r = 0; r < tile.rows; r++) {
          if (tile.rowL[r] !== L) { if (fit) tile.refreshRow(r, L); else tile.refreshRowPower(r, L, driftNu, driftT0); }
          for (let k = r * tile.cols; k < (r + 1) * tile.cols; k++) { now += Math.abs(tile.wD[k] as number); then += Math.abs(tile.w[k] as number); }
        }
        tile.gain = then > 0 ? now / then : 1;
      }
    }
    if (x.length !== this.steps * this.nIn) throw new CoreError('PCX2002', `the input has ${this.nIn > 0 ? x.length / this.nIn : x.length} steps of ${this.nIn} channels; the program runs ${this.steps} steps`);
    this.x = x;
    this.sample = sample;
    this.pc = 0; this.t = -1; this.halted = false; this.voDrawStep = -1;
    this.reckonLearn?.begin();
    if (this.sweep) this.sweep.at = -1;
    this.loops.fill(0);
    this.spikes.fill(0); this.next.fill(0); this.nSpikes = 0; this.nNext = 0; this.nInput = 0; this.input.fill(0);
    this.acc.fill(0); this.lastI.fill(0); this.refr.fill(0);
    for (const p of this.pops) {
      if (p.model === 'LIF' || p.model === 'ALIF') {
        this.v.set(p.arrays.v_init!, p.offset);
        if (p.model === 'ALIF') this.a.set(p.arrays.a_init!, p.offset); else this.a.fill(0, p.offset, p.offset + p.size);
        this.thr.set(p.arrays.v_th!, p.offset);
      }
      if (p.model === 'LI') this.y.set(p.arrays.v_init!, p.offset);
    }
  }

  /** Let `seconds` of simulated time pass with the core unused (the devices drift; nothing is written). */
  wait(seconds: number): void {
    if (!(seconds >= 0)) throw new Error(`internal: wait(${seconds})`);
    this.idle += seconds;
  }

  get done(): boolean { return this.halted; }
  /** The time step being executed (0-based), or −1 before the first. */
  get time(): number { return this.t; }

  /** Execute one time step (from its STEP to the next STEP or HALT); returns the cycles it took. */
  step(): number {
    const code = this.program.code;
    const events = this.events;
    let first = true;
    while (!this.halted) {
      const ins = code[this.pc] as Instruction;
      if (ins.op === 'STEP' && !first) break;
      first = false;
      const address = this.pc;
      this.pc++;
      if (this.frozen && FROZEN[ins.op]) continue;
      const active = (HANDLERS[ins.op] as Handler<Opcode>)(this, ins as never, address);
      const end = this.board.issueAt(address, active);
      if (ins.op === 'STEP') { this.stepStart = this.board.lastStart; this.overrunAt = -1; }
      if (this.overrunAt < 0 && end - this.stepStart > this.budget) this.overrunAt = address;
      if (ins.op === 'HALT') this.halted = true;
    }
    const cycles = this.board.end - this.stepStart;
    if (cycles > this.maxStepCycles) this.maxStepCycles = cycles;
    if (this.sample === 0 && this.t >= 0 && this.t < this.steps) {
      this.log.cycles[this.t] = cycles;
      this.log.saturated[this.t] = this.events > events ? 1 : 0;
      this.log.overrun[this.t] = this.overrunAt >= 0 ? 1 : 0;
    }
    if (this.overrunAt >= 0) {
      this.timingErrorCount++;
      if (this.timingErrors.length < 16) this.timingErrors.push({ sample: this.sample, step: this.t, address: this.overrunAt, cycles });
    }
    return cycles;
  }

  /** Run one whole sequence; returns its cycles. */
  runSequence(x: Float64Array, sample: number, onStep?: (cycles: number) => void, target: SequenceTarget = {}): number {
    this.begin(x, sample, target);
    const start = this.board.end;
    while (!this.halted) { const c = this.step(); onStep?.(c); }
    return this.board.end - start;
  }

  /**
   * The weights the devices hold now (as programmed, before drift; real units), in the reference's
   * layout [pre][post] per block: what a run trained on the core has learned. A synapse the program
   * maps to no cell is 0.
   */
  deviceWeights(): { inRec: Float64Array; recRec: Float64Array; inOut: Float64Array; recOut: Float64Array } {
    const { nIn, nRec, nOut } = this;
    const out = { inRec: new Float64Array(nIn * nRec), recRec: new Float64Array(nRec * nRec), inOut: new Float64Array(nIn * nOut), recOut: new Float64Array(nRec * nOut) };
    const scale = this.device.weightScale;
    for (const s of this.synapseCells()) out[s.block][s.index] = (this.tiles[s.tile]!.w[s.cell] as number) / scale;
    return out;
  }

  /** The readouts' outputs y of the current step (real units). */
  readoutValue(k: number): number { return (this.y[k] as number) * 2 ** -this.program.core.registers.membrane.frac; }

  count(reg: Counted, population: number): void {
    const i = COUNTED.indexOf(reg) * this.program.populations.length + population;
    this.saturations[i] = (this.saturations[i] as number) + 1;
    this.events++;
  }

  /** Saturations per register (summed over populations), and per register and population. */
  saturationsByRegister(): { total: Record<string, number>; byPopulation: Record<string, Record<string, number>> } {
    const total: Record<string, number> = {};
    const byPopulation: Record<string, Record<string, number>> = {};
    const n = this.program.populations.length;
    COUNTED.forEach((reg, r) => {
      let s = 0;
      for (let p = 0; p < n; p++) {
        const v = this.saturations[r * n + p] as number;
        s += v;
        if (v > 0) (byPopulation[this.program.populations[p]!.name] ??= {})[reg] = v;
      }
      total[reg] = s;
    });
    let clips = 0;
    for (let k = 0; k < this.adcClips.length; k++) clips += this.adcClips[k] as number;
    total.adc = clips;
    return { total, byPopulation };
  }

  // ---- the units, called by HANDLERS -------------------------------------------------------

  stepBegin(): void {
    this.t++;
    this.clock = this.seqStart + this.t * this.program.symbols.dt;
    // The spike buffers swap: last step's spikes are what the neuron update wrote.
    for (let k = 0; k < this.nSpikes; k++) this.spikes[this.spikeList[k] as number] = 0;
    const s = this.spikes; this.spikes = this.next; this.next = s;
    for (let k = 0; k < this.nNext; k++) this.spikeList[k] = this.nextList[k] as number;
    this.nSpikes = this.nNext; this.nNext = 0;
  }

  loadInput(lo: number, count: number): number {
    const at = this.t * this.nIn;
    const input = this.input; const x = this.x;
    for (let i = lo; i < lo + count; i++) input[i] = x[at + i] as number;
    // The active inputs, ascending: the rows a read of the inputs drives.
    let n = 0;
    for (let i = 0; i < this.nIn; i++) if (input[i] !== 0) this.inputList[n++] = i;
    this.nInput = n;
    return 0;
  }

  loop(address: number, target: number, count: number): void {
    const runs = (this.loops[address] as number) + 1;
    if (runs < count) { this.loops[address] = runs; this.pc = target; } else this.loops[address] = 0;
  }

  /**
   * XBAR_READ: drive the active rows, sum the column currents (drift and read noise as the device
   * says), convert every column with the ADC, scale the codes into accumulator units.
   */
  crossbarRead(address: number, k: number, src: number, srcLo: number, rowLo: number, rowCount: number): number {
    const tile = this.tiles[k]!;
    const read = this.reads[address]!;
    const c = this.program.core;
    const cols = tile.cols;
    const used = tile.used;
    const noise = this.device.readNoise;
    const graded = src === 0 && this.gradedInput;
    const dacMax = 2 ** c.dacBits - 1;
    tile.colI.fill(0, 0, used);
    if (noise) { tile.colA.fill(0, 0, used); tile.colB.fill(0, 0, used); }
    let active = 0; let drive2 = 0; let drive = 0; let rowG = 0;
    // Event-driven: only the sources on the active list (in the order they became active) are visited.
    const list = src === 0 ? this.inputList : src === 1 ? this.spikeList : this.nextList;
    const n = src === 0 ? this.nInput : src === 1 ? this.nSpikes : this.nNext;
    const input = this.input;
    const colI = tile.colI; const colA = tile.colA; const colB = tile.colB;
    // The inference profiles read the rows' drifted values (refreshed for this read's time); the
    // Demirag profile drifts every device of a tile alike, a factor applied after the sums.
    const fit = this.device.fit;
    // A tile the learning unit wrote drifts device by device (demirag2021): its rows' caches at this read's time.
    const power = !fit && tile.written && this.device.drifts;
    const perDevice = fit !== null || power;
    const L = fit ? Math.log((this.clock + fit.t0) / fit.t0) : power ? this.clock : 0;
    const { driftNu, driftT0 } = c.device;
    const w = perDevice ? tile.wD : tile.w; const s2 = perDevice ? tile.vD : tile.s2; const s1 = power ? tile.s1D : tile.s1; const rowGs = perDevice ? tile.rowGD : tile.rowG;
    for (let e = 0; e < n; e++) {
      const r = (list[e] as number) - srcLo;
      if (r < 0 || r >= rowCount) continue;
      const value = src === 0 ? (input[srcLo + r] as number) : 1;
      let f = 1;
      if (graded) {
        // The pulse-width DAC: b bits over [0, 1] of the input's value.
        let code = Math.round(value * dacMax);
        if (code > dacMax || code < 0) { this.count('dac', this.inputPop[srcLo + r] as number); code = code > dacMax ? dacMax : 0; }
        if (code === 0) continue;
        f = code / dacMax;
      }
      active++; drive += f; drive2 += f * f;
      const row = rowLo + r;
      const base = row * cols;
      if (perDevice && tile.rowL[row] !== L) { if (fit) tile.refreshRow(row, L); else tile.refreshRowPower(row, L, driftNu, driftT0); }
      rowG += f * (rowGs[row] as number);
      this.counts.synops += read.rowSyn[row] as number;
      if (noise && fit) {
        const f2 = f * f;
        for (let j = 0; j < used; j++) { colI[j] = (colI[j] as number) + f * (w[base + j] as number); colA[j] = (colA[j] as number) + f2 * (s2[base + j] as number); }
      } else if (noise) {
        // One pass: the current and the two sums the column's read-noise variance needs.
        const f2 = f * f;
        for (let j = 0; j < used; j++) {
          colI[j] = (colI[j] as number) + f * (w[base + j] as number);
          colA[j] = (colA[j] as number) + f2 * (s2[base + j] as number);
          colB[j] = (colB[j] as number) + f2 * (s1[base + j] as number);
        }
      } else if (f === 1) { for (let j = 0; j < used; j++) colI[j] = (colI[j] as number) + (w[base + j] as number); }
      else { for (let j = 0; j < used; j++) colI[j] = (colI[j] as number) + f * (w[base + j] as number); }
    }
    const drift = perDevice ? 1 : this.device.driftFactor(this.clock, tile.programmedAt);
    const comp = !c.device.driftCompensation || this.device.ideal ? 1 : perDevice ? 1 / tile.gain : 1 / drift;
    // One ADC code = 2·range/2^bits in weight units; codes are signed, saturating at ±2^(bits−1).
    const perCode = 1 / (this.device.weightScale * ((2 * c.converter.range) / 2 ** c.converter.bits));
    const lo = -(2 ** (c.converter.bits - 1)); const hi = 2 ** (c.converter.bits - 1) - 1;
    const adcNoise = c.converter.noise;
    const nDev = 2 * c.device.devicesPerSide;
    const { m3, c3 } = DEMIRAG;
    const table = this.codeValue;
    if (active === 0 && adcNoise === 0) tile.out.fill(0);
    else {
      const out = tile.out;
      const clips = this.adcClips;
      const scale = drift * comp * perCode;
      // Read noise, in ADC codes: independent Gaussian reads of the column's devices sum to one
      // Gaussian per column, of variance Σ_rows f²·Σ_devices (m3·d·G + c3)²
      //   = m3²d²·Σ f²ΣG² + 2·m3·c3·d·Σ f²ΣG + c3²·(devices per cell)·Σ f²   (f: a row's drive, d: drift).
      let extra: Float64Array | null = null;
      if (noise) {
        const xi = this.gauss;
        this.rng.normals(xi, used);
        // The inference profiles: Σ (G_d·Qs)² · ln((t + t_read)/(2·t_read)), the 1/f noise accumulated up to t.
        const vA = fit ? Math.log((this.clock + fit.tRead) / (2 * fit.tRead)) : m3 * m3 * drift * drift;
        const vB = fit ? 0 : 2 * m3 * c3 * drift; const vC = fit ? 0 : c3 * c3 * nDev * drive2;
        const toCodes = comp * perCode;
        for (let j = 0; j < used; j++) xi[j] = Math.sqrt(vA * (colA[j] as number) + vB * (colB[j] as number) + vC) * toCodes * (xi[j] as number);
        extra = xi;
      }
      if (adcNoise > 0) {
        const xi = extra ?? this.gauss.fill(0, 0, used);
        for (let j = 0; j < used; j++) xi[j] = (xi[j] as number) + adcNoise * this.rng.normal();
        extra = xi;
      }
      const clipped = table ? convert(colI, out, used, scale, lo, hi, table, extra, read.taken) : this.convertStochastic(colI, out, used, scale, lo, hi, extra, read.taken);
      if (clipped > 0) { clips[k] = (clips[k] as number) + clipped; this.events += clipped; }
    }
    const counts = this.counts;
    counts.dacPulses += drive;
    counts.deviceReads += active * cols * nDev;
    counts.readConductance += rowG * drift;
    counts.adcConversions += cols;
    return active;
  }


  /** The ADCs with a stochastically rounded scaling (no table: the LFSR draws per code). */
  private convertStochastic(current: Float64Array, out: Float64Array, n: number, scale: number, lo: number, hi: number, noise: Float64Array | null, taken: Uint8Array): number {
    const { multiplier, shift } = this.program.core.converter;
    let clipped = 0;
    for (let j = 0; j < n; j++) {
      let code = nearest((current[j] as number) * scale + (noise ? (noise[j] as number) : 0));
      if (code > hi) { code = hi; clipped += taken[j] as number; } else if (code < lo) { code = lo; clipped += taken[j] as number; }
      out[j] = code === 0 ? 0 : mulShift(code, multiplier, shift, 'stochastic', this.lfsr.uniform(Math.min(52, Math.max(0, shift))));
    }
    return clipped;
  }

  /** EVENT_SCAN: the indices of [0, count) with an input event or a last-step spike (its cost; it changes no state). */
  eventScan(count: number): number {
    let n = 0;
    const input = this.input; const spikes = this.spikes;
    const nIn = this.nIn; const nRec = this.nRec;
    for (let i = 0; i < count; i++) if ((i < nIn && input[i] !== 0) || (i < nRec && spikes[i] !== 0)) n++;
    return n;
  }

  accClear(lo: number, count: number): number { this.acc.fill(0, lo, lo + count); return 0; }

  accAdd(k: number, colLo: number, colCount: number, dst: number): number {
    const out = this.tiles[k]!.out;
    const f = this.program.core.registers.accumulator;
    const [lo, hi] = this.lim.accumulator;
    const acc = this.acc;
    for (let i = 0; i < colCount; i++) {
      const s = (acc[dst + i] as number) + (out[colLo + i] as number);
      acc[dst + i] = s > hi || s < lo ? this.saturated(s, f, 'accumulator', this.accPop[dst + i] as number) : s;
    }
    this.counts.adds += colCount; this.counts.addBits += colCount * f.bits;
    return 0;
  }

  // ---- the learning unit's instructions (learning.ts computes; the core supplies its state) ----

  /** The learning unit (a learning instruction runs only in a program that has one: validated). */
  get learning(): LearningUnit { return this.learn!; }
  /** A uniform integer in [0, 2^bits) from the rounding LFSR. */
  get draw(): (bits: number) => number { return this.rand; }

  loadTargets(lo: number, count: number): number {
    this.learning.loadTargets(lo, count, this.t, this.targetSignal, this.label, this.nOut);
    return 0;
  }

  error(lo: number, count: number, loss: number): number {
    this.learning.error(lo, count, loss, this.t, this.y, this.rand);
    return 0;
  }

  /** TRACE_UPDATE: the traces `pop` sees of buffer `src` (0 inputs, 1 last step's spikes, 2 this step's). */
  traceUpdate(src: number, popIndex: number, lo: number, count: number): number {
    const { leak, mul, inc } = this.traceLeaks[popIndex]!;
    const pre = src === 0 ? this.input : src === 1 ? this.spikes : this.next;
    this.learning.traceUpdate(popIndex, src === 0 ? 'input' : 'rec', lo, count, pre, leak, mul, inc, src !== 0 || !this.gradedInput);
    return 0;
  }

  /**
   * Per population, the decay unit's leak by its α (a readout's κ) and a spike's trace increment
   * f (its input factor, in the trace format), built once: a trace update allocates nothing.
   */
  private readonly traceLeaks: ReadonlyArray<{ readonly leak: (x: number) => number; readonly mul: number; readonly inc: number } | undefined>;

  gradients(address: number): number {
    const learn = this.learning;
    learn.prepareAdaptation(this.t);
    return learn.gradients(address, this.nRec, this.kappaLeak, this.kappaOneMinus, this.rand);
  }

  endBatch(size: number, target: number, regularize: boolean): void {
    if (!this.learning.endBatch(size, regularize, this.nRec)) { this.pc = target; return; }
    this.writes++;
  }

  /** PROGRAM: the weight changes of tile k to its devices; the changed cells re-cached. */
  writeTile(k: number): number {
    const tile = this.tiles[k]!;
    let changed = false;
    const n = this.learning.write(k, this.clock, (cell) => { tile.recacheCell(cell); changed = true; });
    if (changed) { tile.written = true; this.learning.readFeedback(); }
    return n;
  }

  /**
   * Chip in the loop: write the weight changes the host has put into the learning unit's
   * registers with the program's scheme, then refresh, tile by tile — what BATCH_END's writes do
   * on chip, one device update period of simulated time. The host drives these writes: their
   * pulses and energy are counted, their cycles are not on the core's clock.
   */
  hostWrite(): number {
    this.writes++;
    let n = 0;
    this.learning.registers.forEach((r, k) => {
      if (!r) return;
      n += this.writeTile(k);
      if (this.program.core.device.refresh) n += this.refreshTile(k);
    });
    return n;
  }

  /**
   * Record, per step of each sequence, every recurrent neuron's spike, distance to threshold v − A
   * (real units, as the threshold test saw it) and whether it was refractory: what a host
   * computing e-prop from the core's forward pass reads (chip in the loop). Also its membrane at
   * the end of the step and its accumulated input (real units): what a testbench compares with the
   * reference (phasecore verify). null stops.
   */
  observe(on: boolean): void {
    const n = this.steps * this.nRec;
    this.observed = on ? { z: new Uint8Array(n), d: new Float64Array(n), blocked: new Uint8Array(n), v: new Float64Array(n), i: new Float64Array(n) } : null;
  }
  /** The last sequence's observation ([t][neuron]), while observing. */
  observed: { readonly z: Uint8Array; readonly d: Float64Array; readonly blocked: Uint8Array; readonly v: Float64Array; readonly i: Float64Array } | null = null;

  /**
   * Every synapse the program maps to a cell: its tile and cell, its block in the reference's
   * layout (inRec, recRec, inOut, recOut) and index there ([pre][post]), from each add's columns
   * and the rows of the read whose output it takes.
   */
  synapseCells(): SynapseCell[] { return synapseCells(this.program); }

  refreshTile(k: number): number {
    const tile = this.tiles[k]!;
    const n = this.learning.refresh(k, this.clock, (cell) => tile.recacheCell(cell));
    if (n > 0) { tile.written = true; this.learning.readFeedback(); }
    return n;
  }

  /** A value of format `from` in format `to`'s fraction, rounded as `to` rounds. */
  private rescale(x: number, from: QFormat, to: RegisterFormat): number {
    return to.frac >= from.frac ? x * pow2(to.frac - from.frac) : roundingShiftRight(x, from.frac - to.frac, to.round, to.round === 'stochastic' ? this.lfsr.uniform(from.frac - to.frac) : 0);
  }

  /** The decay unit's two operations, fixed when the core is built (multiply or shift, and the rounding). */
  private readonly decayShift: boolean;
  private readonly decayFrac: number;
  private readonly decayRound: Rounding;
  private readonly decayStochastic: boolean;

  /** 2^−frac of the decay format, and whether its products fit 53 bits and round to nearest (the fast path). */
  private readonly decayUnit: number;
  private readonly decayFastNearest: boolean;

  /** x·decay in the decay implementation: a multiply by the raw coefficient, or x − (x >> k). */
  private leak(x: number, d: number): number {
    // mulShift's round-to-nearest, inlined: the product is exact below 2^53, its scaling too.
    if (this.decayFastNearest) return nearest(x * d * this.decayUnit);
    if (this.decayShift) return x - roundingShiftRight(x, d, this.decayRound, this.decayStochastic ? this.lfsr.uniform(d) : 0);
    return mulShift(x, d, this.decayFrac, this.decayRound, this.decayStochastic ? this.lfsr.uniform(this.decayFrac) : 0);
  }

  /** x·(1 − decay), the input factor. */
  private oneMinus(x: number, d: number): number {
    // mulShift's round to nearest, inlined while the product is exact (the input may be an accumulator's, wider than the membrane).
    const q = x * (pow2(this.decayFrac) - d);
    if (this.decayFastNearest && q < 2 ** 53 && q > -(2 ** 53)) return nearest(q * this.decayUnit);
    if (this.decayShift) return roundingShiftRight(x, d, this.decayRound, this.decayStochastic ? this.lfsr.uniform(d) : 0);
    return mulShift(x, pow2(this.decayFrac) - d, this.decayFrac, this.decayRound, this.decayStochastic ? this.lfsr.uniform(this.decayFrac) : 0);
  }

  /** A value beyond its register: counted, then saturated or wrapped as the register says. */
  private saturated(x: number, f: RegisterFormat, reg: Counted, pop: number): number {
    this.count(reg, pop);
    return overflow(x, f, f.overflow);
  }

  /**
   * NEURON_UPDATE: LIF or ALIF neurons [lo, lo+count) of a population (docs/core.md, step by step);
   * `part` 1 (leak) and 2 (fire) are a split tick's two halves, 0 the whole update.
   */
  neuronUpdate(popIndex: number, lo: number, count: number, part = 0): number {
    const pop = this.pops[popIndex]!;
    const conv = this.program.populations[popIndex]!.conventions;
    const R = this.program.core.registers;
    const { alpha, v_th, bias, rho, beta, reset_value } = pop.arrays as Record<string, Int32Array>;
    const alif = pop.model === 'ALIF';
    const F = Math.max(R.membrane.frac, R.threshold.frac);
    const vScale = 2 ** (F - R.membrane.frac); const tScale = 2 ** (F - R.threshold.frac);
    const oneA = 2 ** R.adaptation.frac;
    const decayF = R.decay;
    const nRef = conv.refractory;
    const [mLo, mHi] = this.lim.membrane; const [tLo, tHi] = this.lim.threshold; const [dLo, dHi] = this.lim.adaptation;
    const sameFrac = R.accumulator.frac === R.membrane.frac;
    const subtractNext = !conv.sameStep && conv.reset === 'subtract';
    const valueNext = !conv.sameStep && conv.reset !== 'subtract';
    const { spikes, acc, v: V, a: Adapt, thr, refr, lastI } = this;
    const { adaptiveTheta, inputFactor, ge, sameStep } = conv;
    const vMin = conv.vMin ?? -Infinity;
    const fast = this.decayFastNearest; const unit = this.decayUnit;
    const reckon = this.reckon && !this.decayShift && decayF.round === 'stochastic' ? this.reckon : null;
    const offset = pop.offset;
    const learn = this.onChip ? this.learn : null;
    const obs = this.observed;
    const obsAt = this.t * this.nRec;
    const toReal = 2 ** -F;
    const psiZero = conv.psiZeroBlocked;
    // ψ in one pass after the neurons (psi64) where the unit takes it so: the loop leaves d and the flags.
    const psiBatch = learn !== null && learn.psiBatch;
    const psiDist = learn ? learn.psiDist : null; const psiBlocked = learn ? learn.psiBlocked : null;
    let mults = 0; let adds = 0;
    if (part === 1 && this.t === 0) return 0; // a split sequence's first step has no STEP phase
    const rk = this.reckonLearn;
    if (rk && part === 1) rk.leakTraces(lo, count);
    if (rk && part === 2) rk.incrementTraces(lo, count, this.reckonHost);
    for (let i = lo; i < lo + count; i++) {
      const g = offset + i;
      const zPrev = spikes[g] as number;
      let v: number; let A: number; let input = 0;
      if (part === 2) { v = V[g] as number; A = thr[g] as number; } else {
        // Adaptation and threshold: a ← ρ·a + c·z^{t−1}; A = v_th + β·a.
        A = v_th![i] as number;
        if (alif) {
          const r = rho![i] as number;
          let a = this.leak(Adapt[g] as number, r);
          if (zPrev) {
            // (1 − ρ) in the adaptation format, rounded as that register rounds: 2^−k for a shift k.
            const aRound = R.adaptation.round;
            const inc = !conv.incrementOneMinusRho ? oneA
              : this.decayShift ? roundingShiftRight(oneA, r, aRound, aRound === 'stochastic' ? this.lfsr.uniform(r) : 0)
              : roundingShiftRight((pow2(decayF.frac) - r) * oneA, decayF.frac, aRound, aRound === 'stochastic' ? this.lfsr.uniform(decayF.frac) : 0);
            a += inc;
          }
          if (a > dHi || a < dLo) a = this.saturated(a, R.adaptation, 'adaptation', popIndex);
          Adapt[g] = a;
          A += mulShift(beta![i] as number, a, R.adaptation.frac, R.threshold.round, R.threshold.round === 'stochastic' ? this.lfsr.uniform(R.adaptation.frac) : 0);
          if (A > tHi || A < tLo) A = this.saturated(A, R.threshold, 'threshold', popIndex);
          mults += 2; adds += 2;
        }
        thr[g] = A;
        // The leak acts on the previous state, or on the reset value after a spike (next_step reset).
        let vPrev = V[g] as number;
        if (zPrev && valueNext) vPrev = conv.reset === 'zero' ? 0 : (reset_value![i] as number);
        const al = alpha![i] as number;
        // A whole update takes its input before the leak (their stochastic roundings draw in this order).
        if (part === 0) { input = this.neuronInput(g, bias![i] as number, al, inputFactor, popIndex); if (inputFactor) mults++; }
        let leaked: number;
        if (reckon) {
          // ReckOn's leak: ⌊u·α / 2^F⌋, one up when the remainder reaches the word's LFSR draw — never
          // from 0; its two LFSRs (even, odd neuron) advance once per two-neuron word of a STEP. A
          // sample's first tick has no STEP (the chip goes from IDLE straight to its event phase), so
          // the first step of a sequence, whose leak acts on zeros, draws nothing.
          const prod = vPrev * al; const d = pow2(decayF.frac);
          const fl = Math.floor(prod / d);
          leaked = fl + (fl !== 0 && prod - fl * d >= (reckon[i & 1] as ReckonLfsr).out() ? 1 : 0);
          if (((i & 1) === 1 || i === lo + count - 1) && this.t > 0) { reckon[0].advance(); reckon[1].advance(); }
        } else if (fast) leaked = nearest(vPrev * al * unit); else leaked = this.leak(vPrev, al);
        v = leaked;
        mults++; adds++;
        if (zPrev && subtractNext) { v -= this.rescale(adaptiveTheta ? A : (v_th![i] as number), R.threshold, R.membrane); adds++; }
        if (part === 1) {
          if (v > mHi || v < mLo) v = this.saturated(v, R.membrane, 'membrane', popIndex);
          V[g] = v;
          continue;
        }
      }
      const theta = adaptiveTheta ? A : (v_th![i] as number);
      // A digital core's event sweep saturates after every index (ReckOn's sat16 per event): where
      // this step's events could leave the range, they are added one by one, in index order.
      const swept = part === 2 && !inputFactor && this.mightSaturate(v, mLo, mHi) ? this.sweepEvents(v, g, false, mLo, mHi, popIndex) : null;
      if (swept !== null) {
        lastI[g] = (acc[g] as number) + (bias![i] as number);
        v = swept + (sameFrac ? (bias![i] as number) : this.rescale(bias![i] as number, R.accumulator, R.membrane));
      } else {
        if (part === 2) { input = this.neuronInput(g, bias![i] as number, alpha![i] as number, inputFactor, popIndex); if (inputFactor) mults++; }
        v += input;
      }
      adds++;
      if (v > mHi || v < mLo) v = this.saturated(v, R.membrane, 'membrane', popIndex);
      if (v < vMin) v = vMin;
      // The threshold test, exact in the finer of the two formats.
      const blocked = (refr[g] as number) > 0;
      const d = v * vScale - A * tScale;
      const spike = !blocked && (ge ? d >= 0 : d > 0);
      if (learn) {
        if (psiBatch) { psiDist![g] = d; psiBlocked![g] = blocked ? 1 : 0; } else learn.pseudoDerivative(g, d, blocked, psiZero, this.rand);
        if (spike) learn.spiked(g);
      }
      if (obs) { obs.d[obsAt + g] = d * toReal; obs.blocked[obsAt + g] = blocked ? 1 : 0; obs.z[obsAt + g] = spike ? 1 : 0; }
      const r = (refr[g] as number) + (spike ? nRef : 0) - 1;
      refr[g] = r < 0 ? 0 : r > nRef ? nRef : r;
      if (spike) {
        this.next[g] = 1;
        this.nextList[this.nNext++] = g;
        this.spikeCount[g] = (this.spikeCount[g] as number) + 1;
        this.counts.spikes++;
        if (sameStep) {
          v = conv.reset === 'subtract' ? v - this.rescale(theta, R.threshold, R.membrane) : conv.reset === 'zero' ? 0 : (reset_value![i] as number);
          if (v > mHi || v < mLo) v = this.saturated(v, R.membrane, 'membrane', popIndex);
        }
      }
      V[g] = v;
      if (obs) { obs.v[obsAt + g] = v * 2 ** -R.membrane.frac; obs.i[obsAt + g] = (lastI[g] as number) * 2 ** -R.accumulator.frac; }
    }
    if (learn && part !== 1) { if (psiBatch) learn.pseudoDerivatives(offset + lo, count, psiZero); learn.psiDone(); }
    // A split tick's fire part is the event phase's writes: its neurons' updates are the leak part's.
    this.ledgerNeurons(part === 2 ? 0 : count, mults, adds, alif);
    return part === 1 ? Math.ceil(count / this.program.core.lanes) : 0;
  }

  /** READOUT_UPDATE: y ← κ·y + g·I + b (g = 1 − κ or 1); `part` 1 the leak (and the output seen), 2 the input. */
  readoutUpdate(popIndex: number, lo: number, count: number, part = 0): number {
    const pop = this.pops[popIndex]!;
    const conv = this.program.populations[popIndex]!.conventions;
    const R = this.program.core.registers;
    const { kappa, bias } = pop.arrays as Record<string, Int32Array>;
    const [mLo, mHi] = this.lim.membrane;
    let mults = 0;
    // ReckOn's output leak (its κ is 1.7: a q1.15 coefficient that is a multiple of 2^8): vo·κ
    // floored, one up when the fraction's 7 bits reach output k's draw of the step — never from 0.
    const vo = this.reckonVo && !this.decayShift && R.decay.frac === 15 && R.decay.round === 'stochastic' ? this.reckonVo : null;
    if (part === 1 && this.t === 0) return 0; // a split sequence's first step has no STEP phase
    if (vo && part !== 2 && this.voDrawStep !== this.t) {
      this.voDrawStep = this.t;
      for (let k = 0; k < 16; k++) { this.voDraws[k] = vo.out(); vo.advance(); }
    }
    const toReal = 2 ** -R.membrane.frac;
    for (let i = lo; i < lo + count; i++) {
      const g = pop.offset + i;
      const kap = kappa![i] as number;
      let y = this.y[g] as number;
      // A whole update takes its input before the leak (their stochastic roundings draw in this order).
      let input = 0;
      if (part === 0) { input = this.readoutInput(g, kap, conv.inputFactor); if (conv.inputFactor) mults++; }
      if (part !== 2) {
        if (vo && kap % 256 === 0 && g < 16) {
          const P = y * (kap / 256);
          const ip = Math.floor(P / 128);
          y = ip + (ip !== 0 && P - ip * 128 >= (this.voDraws[g] as number) ? 1 : 0);
        } else y = this.leak(y, kap);
        mults++;
        if (part === 1) {
          // What a split tick's host sees of step t − 1: its output leaked by the next STEP phase
          // (ReckOn's winner logic reads it there, before the event phase).
          this.y[g] = y; this.outputs[(this.t - 1) * this.nOut + g] = y * toReal;
          continue;
        }
      }
      const swept = part === 2 && !conv.inputFactor && this.mightSaturate(y, mLo, mHi) ? this.sweepEvents(y, g, true, mLo, mHi, popIndex) : null;
      if (swept !== null) { this.lastI[this.nRec + g] = this.acc[this.nRec + g] as number; y = swept + (bias![i] as number); } else {
        if (part === 2) { input = this.readoutInput(g, kap, conv.inputFactor); if (conv.inputFactor) mults++; }
        y += input + (bias![i] as number);
      }
      if (y > mHi || y < mLo) y = this.saturated(y, R.membrane, 'membrane', popIndex);
      this.y[g] = y;
      if (part === 0) this.outputs[this.t * this.nOut + g] = y * toReal;
    }
    this.ledgerNeurons(part === 2 ? 0 : count, mults, part === 0 ? 2 * count : count, false);
    return part === 1 ? Math.ceil(count / this.program.core.lanes) : 0;
  }

  private ledgerNeurons(count: number, mults: number, adds: number, alif: boolean): void {
    const R = this.program.core.registers;
    const n = this.counts;
    n.membraneUpdates += count;
    n.multiplies += mults; n.multiplyBits2 += mults * R.membrane.bits * R.decay.bits;
    n.adds += adds; n.addBits += adds * R.membrane.bits;
    // SRAM: the state word read and written, the parameters read.
    const state = R.membrane.bits + (alif ? R.adaptation.bits : 0) + 8;
    const params = R.decay.bits + R.threshold.bits + R.accumulator.bits + (alif ? R.decay.bits + R.threshold.bits : 0);
    n.sramBits += count * (2 * state + params);
  }

  /** The step's input of neuron g: its accumulator plus bias (overflow counted), in the membrane's format, times (1 − α) where asked. */
  private neuronInput(g: number, bias: number, alpha: number, inputFactor: boolean, popIndex: number): number {
    const R = this.program.core.registers;
    const lim = this.lim.accumulator;
    let I = (this.acc[g] as number) + bias;
    if (I > lim[1] || I < lim[0]) I = this.saturated(I, R.accumulator, 'accumulator', popIndex);
    this.lastI[g] = I;
    const input = R.accumulator.frac === R.membrane.frac ? I : this.rescale(I, R.accumulator, R.membrane);
    return inputFactor ? this.oneMinus(input, alpha) : input;
  }

  /** A readout's step input: its accumulator in the membrane's format, times (1 − κ) where asked. */
  private readoutInput(g: number, kappa: number, inputFactor: boolean): number {
    const R = this.program.core.registers;
    const I = this.acc[this.nRec + g] as number;
    this.lastI[this.nRec + g] = I;
    const input = this.rescale(I, R.accumulator, R.membrane);
    return inputFactor ? this.oneMinus(input, kappa) : input;
  }

  /** A split tick: whether this step's events could take a membrane at v past [lo, hi] on the way (this step's active indices, ascending, are gathered once). */
  private mightSaturate(v: number, lo: number, hi: number): boolean {
    const sw = this.sweep;
    if (!sw || !sw.exact) return false;
    if (sw.at !== this.t) {
      sw.at = this.t;
      let n = 0;
      for (let i = 0; i < sw.order.length; i++) if ((i < this.nIn && this.input[i] !== 0) || (i < this.nRec && this.spikes[i])) sw.order[n++] = i;
      sw.n = n;
    }
    return v + sw.n * sw.dMax > hi || v - sw.n * sw.dMax < lo;
  }

  /**
   * The event sweep of a split tick for one membrane (post neuron g, or readout g): this step's
   * input events and last step's spikes added index by index in ascending order, from the
   * (ideal) devices' weights, the membrane saturated (or wrapped) after each and counted; null when
   * it never left its range (then the accumulated input, which is that sum, is used).
   */
  private sweepEvents(v: number, g: number, readout: boolean, lo: number, hi: number, popIndex: number): number | null {
    const sw = this.sweep!; const maps = this.maps!; const tiles = this.tiles;
    const { nIn, nRec, nOut, input, spikes } = this;
    const scale = 2 ** this.program.core.registers.membrane.frac / this.device.weightScale;
    const f = this.program.core.registers.membrane;
    let u = v; let hit = false;
    for (let k = 0; k < sw.n; k++) {
      const i = sw.order[k] as number;
      let d = 0;
      const x = i < nIn ? (input[i] as number) : 0;
      const z = i < nRec && spikes[i] === 1;
      if (readout) {
        if (x !== 0) d += x * heldConductance(tiles, maps, maps.inOut[i * nOut + g] as number);
        if (z) d += heldConductance(tiles, maps, maps.recOut[i * nOut + g] as number);
      } else {
        if (x !== 0) d += x * heldConductance(tiles, maps, maps.inRec[i * nRec + g] as number);
        if (z) d += heldConductance(tiles, maps, maps.recRec[i * nRec + g] as number);
      }
      u += d * scale;
      if (u > hi || u < lo) { u = this.saturated(u, f, 'membrane', popIndex); hit = true; }
    }
    return hit ? u : null;
  }

  /** RECKON_EPROP: ReckOn's learning phase on a learning tick (src/runtime/reckon.ts); `active` 1 when it ran. */
  reckonEprop(): number {
    const rk = this.reckonLearn;
    if (!rk) throw new Error('internal: RECKON_EPROP in a program without ReckOn\'s learning constants');
    return rk.learn(this.t, this.reckonHost);
  }

  /** PROBE: record a variable of neurons [lo, lo+count) at the scheduled steps (real units). */
  probe(address: number, variable: number, popIndex: number, lo: number, count: number): number {
    const k = this.probeAt[address] as number;
    const buf = this.probes[k]!;
    const s = this.program.probes[k]!;
    const t = this.t;
    if (t < s.start || t > s.stop || (t - s.start) % s.every !== 0) return 0;
    const row = (t - s.start) / s.every;
    const pop = this.pops[popIndex]!;
    const R = this.program.core.registers;
    const at = (this.sample * buf.steps.length + row) * count;
    for (let i = 0; i < count; i++) {
      const g = pop.offset + lo + i;
      let value: number;
      switch (variable) {
        case 0: value = pop.model === 'input' ? (this.input[g] !== 0 ? 1 : 0) : (this.next[g] as number); break;
        case 1: value = pop.model === 'LI' ? (this.y[g] as number) * 2 ** -R.membrane.frac : (this.v[g] as number) * 2 ** -R.membrane.frac; break;
        case 2: value = (this.a[g] as number) * 2 ** -R.adaptation.frac; break;
        case 3: value = (this.thr[g] as number) * 2 ** -R.threshold.frac; break;
        case 4: value = (this.lastI[pop.model === 'LI' ? this.nRec + g : g] as number) * 2 ** -R.accumulator.frac; break;
        case 7: value = (this.y[g] as number) * 2 ** -R.membrane.frac; break;
        case 5: value = (this.learning.psi[g] as number) * 2 ** -R.psi.frac; break;
        case 6: value = this.traceSeen(pop.model === 'input', g); break;
        case 8: value = (this.learning.err[g] as number) * 2 ** -R.error.frac; break;
        default: throw new Error(`internal: probe variable ${variable} reached the core`);
      }
      buf.data[at + i] = value;
    }
    return 0;
  }

  /** A presynaptic trace (real units) as the first recurrent population with traces sees it. */
  private traceSeen(input: boolean, i: number): number {
    const t = this.learning.traces.find((x, k) => x && (this.pops[k]!.model === 'LIF' || this.pops[k]!.model === 'ALIF'));
    return t ? ((input ? t.input : t.rec)[i] as number) * 2 ** -this.program.core.registers.trace.frac : 0;
  }

  /** The learning unit's energy by kind (pJ): its arithmetic, its SRAM, and its programming pulses. */
  learningEnergy(): Record<string, number> {
    const r = this.reckonLearn?.counts;
    if (r) {
      // ReckOn's lanes: per weight, a 16 × 9-bit product (L·trace) and two 32-bit adds (− R, and the compare with the draw); the weight words read and written.
      const { add, multiply, sram } = this.energy({ ...zeroCounts(), addBits: r.laneOps * 64, multiplyBits2: r.laneOps * 144, sramBits: r.sramBits });
      return { add: add!, multiply: multiply!, sram: sram! };
    }
    const l = this.learn?.counts;
    if (!l) return {};
    const { add, multiply, sram, program } = this.energy({ ...zeroCounts(), addBits: l.addBits, multiplyBits2: l.multiplyBits2, sramBits: l.sramBits, setPulses: l.setPulses, resetPulses: l.resetPulses });
    return { add: add!, multiply: multiply!, sram: sram!, program: program! };
  }

  /** Energy by kind (pJ) from counts, priced by the program's table. */
  energy(n: Counts = this.counts): Record<string, number> {
    const e = this.program.core.energy;
    const b = this.program.core.converter.bits;
    const adc = e.adcLaw === 'neurosim' ? (b + 1) * (0.538 * b + 4.375) * 1e-3 : e.adcLaw === 'isaac' ? 1.667 * 2 ** (b - 8) : e.adcConstant;
    return {
      dac: n.dacPulses * e.dacPulse,
      device_read: e.readVoltage ** 2 * (n.readConductance * 1e-6) * e.readTime * 1e12,
      adc: n.adcConversions * adc,
      add: n.addBits * e.addPerBit,
      multiply: n.multiplyBits2 * e.multiplyPerBit2,
      sram: n.sramBits * e.sramPerBit,
      program: n.setPulses * e.setPulse + n.resetPulses * e.resetPulse,
    };
  }

  /** The ADC law's price of one conversion, in words. */
  get adcLawText(): string {
    const e = this.program.core.energy;
    return e.adcLaw === 'neurosim' ? 'NeuroSim SAR, (b+1)(0.538b+4.375) fJ' : e.adcLaw === 'isaac' ? 'ISAAC, 1.667 pJ·2^(b−8)' : `constant ${e.adcConstant} pJ`;
  }

  /** Busy cycles and stalls per unit. */
  units(): Record<string, { busy: number; stalls: number }> {
    const busy = this.board.busy; const stalls = this.board.stalls;
    return Object.fromEntries(UNITS.map((u) => [u, { busy: busy[u], stalls: stalls[u] }]));
  }
}

/**
 * The ADCs of a read: each column's current (in codes, after `scale`, plus its noise in codes)
 * rounded to the nearest code (half away from zero), clamped to [lo, hi], and looked up in the
 * code → accumulator-units table. Returns how many of the columns the read's adds take clipped. A small function of its own,
 * so the JIT keeps it tight.
 */
function convert(current: Float64Array, out: Float64Array, n: number, scale: number, lo: number, hi: number, table: Float64Array, noise: Float64Array | null, taken: Uint8Array): number {
  let clipped = 0;
  for (let j = 0; j < n; j++) {
    const x = (current[j] as number) * scale + (noise ? (noise[j] as number) : 0);
    let code = nearest(x);
    if (code > hi) { code = hi; clipped += taken[j] as number; } else if (code < lo) { code = lo; clipped += taken[j] as number; }
    out[j] = table[(code - lo) | 0] as number;
  }
  return clipped;
}


/** What a frozen core passes over: the learning unit's instructions, the host's target loads, the batch count, the probes. */
const FROZEN: Readonly<Partial<Record<Opcode, true>>> = Object.fromEntries(
  (Object.keys(ISA) as Opcode[]).filter((op) => ISA[op].unit === 'learning' || ISA[op].unit === 'probe' || op === 'TARGET_LOAD' || op === 'BATCH_END').map((op) => [op, true]),
);

const HANDLERS: Handlers = {
  NOP: () => 0,
  HALT: () => 0,
  STEP: (core) => { core.stepBegin(); return 0; },
  LOOP: (core, ins, address) => { core.loop(address, ins.fields.target, ins.fields.count); return 0; },
  SYNC: () => 0,
  LOAD_INPUT: (core, ins) => core.loadInput(ins.fields.lo, ins.fields.count),
  EVENT_SCAN: (core, ins) => core.eventScan(ins.fields.count),
  XBAR_READ: (core, ins, address) => core.crossbarRead(address, ins.fields.tile, ins.fields.src, ins.fields.srcLo, ins.fields.rowLo, ins.fields.rowCount),
  ACC_CLEAR: (core, ins) => core.accClear(ins.fields.lo, ins.fields.count),
  ACC_ADD: (core, ins) => core.accAdd(ins.fields.tile, ins.fields.colLo, ins.fields.colCount, ins.fields.dst),
  RECKON_EPROP: (core) => core.reckonEprop(),
  NEURON_UPDATE: (core, ins) => core.neuronUpdate(ins.fields.pop, ins.fields.lo, ins.fields.count, ins.fields.part),
  READOUT_UPDATE: (core, ins) => core.readoutUpdate(ins.fields.pop, ins.fields.lo, ins.fields.count, ins.fields.part),
  TARGET_LOAD: (core, ins) => core.loadTargets(ins.fields.lo, ins.fields.count),
  ERROR: (core, ins) => core.error(ins.fields.lo, ins.fields.count, ins.fields.loss),
  LEARN_SIGNAL: (core, ins) => { core.learning.learningSignal(ins.fields.lo, ins.fields.count, core.nOut, core.draw); return 0; },
  TRACE_UPDATE: (core, ins) => core.traceUpdate(ins.fields.src, ins.fields.pop, ins.fields.srcLo, ins.fields.count),
  GRAD_ACC: (core, _ins, address) => core.gradients(address),
  SEQ_END: (core, ins) => core.learning.endSequence(ins.fields.regularize === 1, core.nRec),
  BATCH_END: (core, ins) => { core.endBatch(ins.fields.size, ins.fields.target, ins.fields.regularize === 1); return 0; },
  PROGRAM: (core, ins) => core.writeTile(ins.fields.tile),
  REFRESH: (core, ins) => core.refreshTile(ins.fields.tile),
  PROBE: (core, ins, address) => core.probe(address, ins.fields.variable, ins.fields.pop, ins.fields.lo, ins.fields.count),
};

export type { CoreConfig, Rounding };
