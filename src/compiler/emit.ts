// Pass 5: schedule one time step and emit the program. The step is:
//   STEP; LOAD_INPUT; ACC_CLEAR; then the XBAR_READ of each piece, round-robin over the tiles,
//   each followed by the ACC_ADDs of the piece read before it (the crossbar reads the next tile
//   while the accumulator adds the last — the units overlap; a tile's second read waits behind a
//   SYNC until the adds of its first have emptied its output register); NEURON_UPDATE per
//   population; the reads of the recurrent → readout pieces from the spikes just written (a
//   readout integrates z^t); READOUT_UPDATE per readout; PROBE per probe; LOOP back to STEP
//   once per time step; HALT.
// On a split tick (ReckOn's) the neuron updates come in two parts: the leak parts right after
// LOAD_INPUT (the STEP phase; then RECKON_EPROP where ReckOn's rule learns), the fire parts where
// the whole updates stand, the readouts' reads from the last step's spikes; after the loop a last
// STEP with the leak parts ends the sequence (docs/core.md, "The tick").
// The cycle estimate replays one step through the scoreboard the core uses (src/runtime/
// schedule.ts: in-order issue, one thing per unit, barriers, read/write hazards on the resources
// the ISA table declares), with active rows estimated at 5 % of a piece's rows. The SYNC before a
// tile's second read states the order; the scoreboard would enforce it without the SYNC too.
import type { NetworkIR } from '../ir/network.ts';
import { operand, UNITS, UPDATE_SCHEMES, type CoreTiming, type Instruction, type Unit } from '../runtime/isa.ts';
import { Scoreboard } from '../runtime/schedule.ts';
import type { ProbeSchedule } from '../runtime/program.ts';
import { columnTarget, type Piece, type TileMap } from './map.ts';
import { TYPICAL_ACTIVITY } from './ranges.ts';

/** The active rows (event-driven work) an instruction is estimated to see: 5 % of the rows it drives. */
export const typicalActive = (ins: Instruction, lanes: number): number => {
  if ('rowCount' in ins.fields) return Math.ceil(operand(ins, 'rowCount') * TYPICAL_ACTIVITY);
  // A split tick's leak parts leak every neuron (all steps but a sequence's first).
  if ((ins.op === 'NEURON_UPDATE' || ins.op === 'READOUT_UPDATE') && ins.fields.part === 1) return Math.ceil(ins.fields.count / lanes);
  return 0;
};

export interface ProbeRequest {
  readonly variable: number; readonly population: number; readonly lo: number; readonly count: number;
  /** When it records, in steps (inclusive), and as the listing says it. */
  readonly every: number; readonly start: number; readonly stop: number; readonly schedule: string;
  /** Its index in the block's probes. */
  readonly probe: number;
}

export interface Emitted {
  readonly code: Instruction[];
  /** For each instruction, what in the network it serves (the listing's last column). */
  readonly origin: string[];
  /** For each instruction, the declarations it comes from: populations by name, projections by index. */
  readonly sources: Array<{ readonly populations: readonly string[]; readonly projections: readonly number[]; readonly probes?: readonly number[] }>;
  /** The schedule of each PROBE instruction (the program's PROB section). */
  readonly probes: ProbeSchedule[];
  readonly cyclesPerStep: number;
  readonly busy: Readonly<Record<Unit, number>>;
}

/** What the learning unit runs, from the train block's rule (on-chip placement). */
export interface LearningPlan {
  readonly loss: 'mse' | 'cross_entropy';
  readonly scheme: (typeof UPDATE_SCHEMES)[number];
  readonly write: 'step' | 'sequence' | 'batch';
  readonly batch: number;
  readonly regularizer: 'none' | 'per_sequence' | 'batch_mean';
  /** The device refreshes saturated pairs. */
  readonly refresh: boolean;
}

/** ReckOn's learning phase (a split tick's): the tiles whose weights it updates. */
export interface ReckonPlan { readonly tiles: readonly number[] }

export function emit(net: NetworkIR, map: TileMap, core: CoreTiming & { readonly tick: 'fused' | 'split' }, steps: number, probes: readonly ProbeRequest[], learning: LearningPlan | null = null, reckon: ReckonPlan | null = null): Emitted {
  const code: Instruction[] = [];
  const origin: string[] = [];
  const sources: Emitted['sources'] = [];
  const put = (ins: Instruction, why: string, from: Emitted['sources'][number] = { populations: [], projections: [] }) => { code.push(ins); origin.push(why); sources.push(from); };
  const pop = (name: string | undefined) => ({ populations: name ? [name] : [], projections: [] });
  const nIn = net.populations.filter((p) => p.role === 'input').reduce((a, p) => a + p.size, 0);
  const nRec = net.populations.filter((p) => p.role === 'population').reduce((a, p) => a + p.size, 0);
  const nOut = net.populations.filter((p) => p.role === 'readout').reduce((a, p) => a + p.size, 0);

  const split = core.tick === 'split';
  const neuronParts = (part: number) => net.populations.forEach((p, i) => {
    if (p.role === 'population') put({ op: 'NEURON_UPDATE', fields: { model: p.model === 'ALIF' ? 1 : 0, pop: i, lo: 0, count: p.size, part } }, part === 1 ? `${p.name}: leak` : part === 2 ? `${p.name}: integrate and fire` : p.name, pop(p.name));
  });
  const readoutParts = (part: number) => net.populations.forEach((p, i) => {
    if (p.role === 'readout') put({ op: 'READOUT_UPDATE', fields: { pop: i, lo: 0, count: p.size, part } }, part === 1 ? `${p.name}: leak` : part === 2 ? `${p.name}: integrate` : p.name, pop(p.name));
  });
  put({ op: 'STEP', fields: {} }, 'time step');
  put({ op: 'LOAD_INPUT', fields: { lo: 0, count: nIn, graded: net.populations.some((p) => p.role === 'input' && p.encoding === 'graded') ? 1 : 0 } }, 'inputs');
  // A split tick's STEP phase (none in a sequence's first step: a ReckOn sample's first tick is an
  // event phase alone), and ReckOn's learning phase after it.
  if (split) {
    neuronParts(1); readoutParts(1);
    if (reckon) {
      const lo = Math.min(...reckon.tiles);
      const rec = net.populations.findIndex((p) => p.role === 'population');
      put({ op: 'RECKON_EPROP', fields: { pop: rec, tile: lo, tiles: Math.max(...reckon.tiles) - lo + 1, rec: nRec, pre: Math.max(nIn, nRec) } }, 'ReckOn\'s learning phase');
    }
  }
  put({ op: 'ACC_CLEAR', fields: { lo: 0, count: nRec + nOut } }, 'accumulators');
  // A digital event-driven core (ReckOn) scans its event buffers; its cost is the scan's.
  if (core.eventScan > 0 || core.event > 0) put({ op: 'EVENT_SCAN', fields: { count: Math.max(nIn, nRec), targets: nRec } }, 'event scan');
  // A piece's columns go to its accumulators in runs of consecutive neurons, one ACC_ADD a run.
  const adds = (t: number, p: Piece): Instruction[] => {
    const out: Instruction[] = [];
    let c = p.colLo;
    while (c < p.colHi) {
      const dst = columnTarget(map, p.source, c, nRec, nOut).accumulator;
      let d = c + 1;
      while (d < p.colHi && columnTarget(map, p.source, d, nRec, nOut).accumulator === dst + (d - c)) d++;
      out.push({ op: 'ACC_ADD', fields: { tile: t, colLo: p.tileCol + (c - p.colLo), colCount: d - c, dst } });
      c = d;
    }
    return out;
  };
  // The pieces in round-robin order over the tiles (the first piece of every tile, then the
  // second...), so consecutive reads mostly use different tiles and the crossbar reads one tile
  // while the accumulator adds the previous one. A tile has one output register: a second read of
  // a tile comes after the adds of its first, behind a SYNC on the accumulator.
  const SYNC_ACC = 1 << UNITS.indexOf('accumulator');
  type Read = { tile: number; piece: Piece };
  const added = new Set<number>(); // tiles whose adds may still be running (no SYNC since)
  // Each read's address, and each add with the read whose output it takes (the learning unit's GRAD_ACC names both).
  const readAt = new Map<Piece, number>();
  const pairs: Array<{ read: number; add: number; rows: number; cols: number; piece: Piece }> = [];
  const emitAdds = ({ tile, piece }: Read) => {
    for (const a of adds(tile, piece)) {
      pairs.push({ read: readAt.get(piece)!, add: code.length, rows: piece.rowHi - piece.rowLo, cols: (a.fields as { colCount: number }).colCount, piece });
      put(a, piece.label, { populations: [], projections: piece.projections });
    }
    added.add(tile);
  };
  /** The reads of the pieces (`late`: the recurrent → readout pieces; a split tick reads them from the spikes of the last step too). */
  const readAll = (late: boolean) => {
    const pieces = map.tiles.map((t) => t.pieces.filter((p) => p.late === late));
    const rounds = Math.max(0, ...pieces.map((ps) => ps.length));
    const order: Read[] = [];
    for (let k = 0; k < rounds; k++) map.tiles.forEach((t, i) => { const piece = pieces[i]![k]; if (piece) order.push({ tile: t.index, piece }); });
    let prev: Read | undefined; // read, its adds not yet emitted
    for (const cur of order) {
      if (prev?.tile === cur.tile) { emitAdds(prev); prev = undefined; }
      if (added.has(cur.tile)) { put({ op: 'SYNC', fields: { units: SYNC_ACC } }, `tile ${cur.tile}'s output register is free`); added.clear(); }
      const { tile, piece } = cur;
      const src = piece.source === 'input' ? 0 : late && !split ? 2 : 1;
      readAt.set(piece, code.length);
      put({ op: 'XBAR_READ', fields: { tile, src, srcLo: piece.rowLo, rowLo: piece.tileRow, rowCount: piece.rowHi - piece.rowLo } }, piece.label, { populations: [], projections: piece.projections });
      if (prev) emitAdds(prev);
      prev = cur;
    }
    if (prev) emitAdds(prev);
  };
  readAll(false);
  neuronParts(split ? 2 : 0);
  // Readouts integrate this step's spikes: their pieces are read from the buffer just written
  // (a split tick's from the last step's, in the same event phase).
  readAll(true);
  readoutParts(split ? 2 : 0);
  // The learning unit's step (on chip): targets, errors, learning signals, presynaptic traces, the
  // gradients of every trainable piece; with write = step, the writes too.
  const trainableTiles = [...new Set(pairs.filter((x) => x.piece.projections.some((k) => net.projections[k]?.trainable)).map((x) => (code[x.add] as { fields: { tile: number } }).fields.tile))];
  const writes = (plan: LearningPlan) => {
    for (const tile of trainableTiles) put({ op: 'PROGRAM', fields: { tile, scheme: UPDATE_SCHEMES.indexOf(plan.scheme) } }, `write tile ${tile} (${plan.scheme})`);
    if (plan.refresh) for (const tile of trainableTiles) put({ op: 'REFRESH', fields: { tile } }, `refresh tile ${tile}'s saturated pairs`);
  };
  if (learning) {
    put({ op: 'TARGET_LOAD', fields: { lo: 0, count: nOut } }, 'targets');
    put({ op: 'ERROR', fields: { lo: 0, count: nOut, loss: learning.loss === 'mse' ? 0 : 1 } }, `readout errors (${learning.loss})`);
    put({ op: 'LEARN_SIGNAL', fields: { lo: 0, count: nRec } }, 'learning signals');
    const fromInput = (role: 'population' | 'readout') => net.projections.some((pr) => net.populations.find((x) => x.name === pr.source.name)?.role === 'input' && (net.groups[pr.target.name] ?? [pr.target.name]).some((m) => net.populations.find((x) => x.name === m)?.role === role));
    net.populations.forEach((p, i) => {
      if (p.role === 'population') {
        if (nIn > 0 && fromInput('population')) put({ op: 'TRACE_UPDATE', fields: { src: 0, pop: i, srcLo: 0, count: nIn } }, `input traces seen by ${p.name}`, pop(p.name));
        put({ op: 'TRACE_UPDATE', fields: { src: 1, pop: i, srcLo: 0, count: nRec } }, `recurrent traces seen by ${p.name}`, pop(p.name));
      }
      if (p.role === 'readout') {
        if (nIn > 0 && fromInput('readout')) put({ op: 'TRACE_UPDATE', fields: { src: 0, pop: i, srcLo: 0, count: nIn } }, `input traces seen by ${p.name}`, pop(p.name));
        put({ op: 'TRACE_UPDATE', fields: { src: 2, pop: i, srcLo: 0, count: nRec } }, `recurrent traces seen by ${p.name}`, pop(p.name));
      }
    });
    for (const x of pairs) {
      if (!x.piece.projections.some((k) => net.projections[k]?.trainable)) continue;
      put({ op: 'GRAD_ACC', fields: { read: x.read, add: x.add, rows: x.rows, cols: x.cols } }, `gradients of ${x.piece.label}`, { populations: [], projections: x.piece.projections });
    }
    if (learning.write === 'step') writes(learning);
  }
  const schedules: ProbeSchedule[] = [];
  for (const pr of probes) {
    schedules.push({ address: code.length, every: pr.every, start: pr.start, stop: pr.stop });
    put({ op: 'PROBE', fields: { variable: pr.variable, pop: pr.population, lo: pr.lo, count: pr.count } }, `probe of ${net.populations[pr.population]?.name}, ${pr.schedule}`, { populations: [], projections: [], probes: [pr.probe] });
  }
  const stepEnd = code.length;
  put({ op: 'LOOP', fields: { target: 0, count: steps } }, `${steps} time steps`);
  // A split sequence ends with a STEP phase alone (a ReckOn sample's last tick: its leak, reset
  // and the outputs the last event phase left, leaked, as the host reads them).
  if (split) { put({ op: 'STEP', fields: {} }, 'the last STEP phase'); neuronParts(1); readoutParts(1); }
  if (learning) {
    put({ op: 'SEQ_END', fields: { regularize: learning.regularizer === 'per_sequence' ? 1 : 0 } }, 'end of sequence');
    if (learning.write !== 'step') {
      // The writes, at a batch's end: BATCH_END jumps past them (to HALT) until `batch` sequences have run.
      const at = code.length;
      put({ op: 'BATCH_END', fields: { size: learning.batch, target: 0, regularize: learning.regularizer === 'batch_mean' ? 1 : 0 } }, learning.batch === 1 ? 'end of batch (every sequence)' : `end of batch (every ${learning.batch} sequences)`);
      writes(learning);
      (code[at] as { fields: { target: number } }).fields.target = code.length;
    }
  }
  put({ op: 'HALT', fields: {} }, 'end');

  // One step through the scoreboard (src/runtime/schedule.ts), with the typical activity.
  // One step: STEP through LOOP (the next STEP waits for everything, LOOP included).
  const board = new Scoreboard(core, code);
  for (let i = 0; i <= stepEnd; i++) board.issueAt(i, typicalActive(code[i] as Instruction, core.lanes));
  return { code, origin, sources, probes: schedules, cyclesPerStep: board.end, busy: board.busy };
}
