// Pass 5: schedule one time step and emit the program. The step is:
//   STEP; LOAD_INPUT; ACC_CLEAR; then per tile XBAR_READ of each piece, interleaved with the
//   ACC_ADDs of the previous tile (the crossbar reads the next tile while the accumulator adds the
//   last — the units overlap); NEURON_UPDATE per population; READOUT_UPDATE per readout;
//   PROBE per probe; LOOP back to STEP once per time step; HALT.
// The cycle estimate replays one step through the scoreboard: each unit runs its instructions in
// order, an instruction starts when its unit is free and the units it waits for have finished
// what was issued before it; active rows are estimated at 5 % of a piece's rows.
import type { NetworkIR } from '../ir/network.ts';
import { ISA, UNITS, type CoreTiming, type Instruction, type Unit } from '../runtime/isa.ts';
import { columnTarget, type TileMap } from './map.ts';
import { TYPICAL_ACTIVITY } from './ranges.ts';

export interface ProbeRequest { readonly variable: number; readonly population: number; readonly lo: number; readonly count: number }

export interface Emitted {
  readonly code: Instruction[];
  /** For each instruction, what in the network it serves (the listing's last column). */
  readonly origin: string[];
  /** For each instruction, the declaration it comes from: 'pop:NAME', 'src:input' or 'src:rec' (the projections from that space), or ''. */
  readonly sourceKey: string[];
  readonly cyclesPerStep: number;
  readonly busy: Readonly<Record<Unit, number>>;
}

export function emit(net: NetworkIR, map: TileMap, core: CoreTiming, steps: number, probes: readonly ProbeRequest[]): Emitted {
  const code: Instruction[] = [];
  const origin: string[] = [];
  const sourceKey: string[] = [];
  const put = (ins: Instruction, why: string, key = '') => { code.push(ins); origin.push(why); sourceKey.push(key); };
  const nIn = net.populations.filter((p) => p.role === 'input').reduce((a, p) => a + p.size, 0);
  const nRec = net.populations.filter((p) => p.role === 'population').reduce((a, p) => a + p.size, 0);
  const nOut = net.populations.filter((p) => p.role === 'readout').reduce((a, p) => a + p.size, 0);

  put({ op: 'STEP', fields: {} }, 'time step');
  put({ op: 'LOAD_INPUT', fields: { lo: 0, count: nIn, graded: net.populations.some((p) => p.role === 'input' && p.encoding === 'graded') ? 1 : 0 } }, 'inputs');
  put({ op: 'ACC_CLEAR', fields: { lo: 0, count: nRec + nOut } }, 'accumulators');
  const reads = map.tiles.map((t) => t.pieces.map((p) => ({
    read: { op: 'XBAR_READ' as const, fields: { tile: t.index, src: p.source === 'input' ? 0 : 1, srcLo: p.rowLo, rowLo: p.tileRow, rowCount: p.rowHi - p.rowLo } },
    add: { op: 'ACC_ADD' as const, fields: { tile: t.index, colLo: p.tileCol, colCount: p.colHi - p.colLo, dst: columnTarget(map, p.source, p.colLo, nRec, nOut).accumulator } },
    why: `${p.source === 'input' ? 'inputs' : 'recurrent'} ${p.rowLo}–${p.rowHi - 1} → ${map.columns[p.source][p.colLo]}…${map.columns[p.source][p.colHi - 1]}`,
    key: `src:${p.source}`,
  })));
  for (let k = 0; k <= reads.length; k++) {
    for (const r of reads[k] ?? []) put(r.read, r.why, r.key);
    for (const r of reads[k - 1] ?? []) put(r.add, r.why, r.key);
  }
  net.populations.forEach((p, i) => {
    if (p.role === 'population') put({ op: 'NEURON_UPDATE', fields: { model: p.model === 'ALIF' ? 1 : 0, pop: i, lo: 0, count: p.size } }, p.name, `pop:${p.name}`);
    if (p.role === 'readout') put({ op: 'READOUT_UPDATE', fields: { pop: i, lo: 0, count: p.size } }, p.name, `pop:${p.name}`);
  });
  for (const pr of probes) put({ op: 'PROBE', fields: { variable: pr.variable, pop: pr.population, lo: pr.lo, count: pr.count } }, `probe of ${net.populations[pr.population]?.name}`, `pop:${net.populations[pr.population]?.name}`);
  const stepEnd = code.length;
  put({ op: 'LOOP', fields: { target: 0, count: steps } }, `${steps} time steps`);
  put({ op: 'HALT', fields: {} }, 'end');

  // Scoreboard replay of one step.
  const unitFree = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  const busy = Object.fromEntries(UNITS.map((u) => [u, 0])) as Record<Unit, number>;
  let end = 0;
  for (let i = 0; i < stepEnd; i++) {
    const ins = code[i] as Instruction;
    const spec = ISA[ins.op];
    const active = 'rowCount' in ins.fields ? Math.ceil((ins.fields.rowCount as number) * TYPICAL_ACTIVITY) : 0;
    const start = Math.max(unitFree[spec.unit], ...spec.waits.map((u) => unitFree[u]));
    const cycles = spec.latency(core, ins.fields, active);
    unitFree[spec.unit] = start + cycles;
    busy[spec.unit] += cycles;
    end = Math.max(end, start + cycles);
  }
  return { code, origin, sourceKey, cyclesPerStep: end, busy };
}
