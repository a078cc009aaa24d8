// Pass 4: map the network's weights onto crossbar tiles.
//
// Rows of a tile are driven by presynaptic activity, columns sum into postsynaptic neurons, and
// each crosspoint is one synapse: a differential pair of devices_per_side devices per polarity
// (a HERMES-like unit cell). The weights from one source space (the inputs, or the recurrent
// neurons) form one matrix: its rows are the sources, its columns every target neuron of a
// projection from that space (recurrent first, then readouts). Each matrix is cut into pieces of
// at most rows × cols (⌈R/r⌉·⌈C/c⌉ of them), and pieces are packed block-diagonally — several
// pieces share a tile when their rows and their columns both fit — first fit, largest first.
// The recurrent matrix is cut where its readout columns begin: those are read after the neuron
// update (readouts integrate this step's spikes), and their piece shares the rows of the piece of
// the same sources where the columns fit.
// Columns that several row pieces feed meet in the accumulators as cross-tile partial sums.
import type { NetworkIR } from '../ir/network.ts';
import { endIndices, type Connectivity, type Layout, type Space } from '../ir/instantiate.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import { diagnose, type PassContext } from './context.ts';

export interface TileShape { readonly rows: number; readonly cols: number; readonly tiles: number }

/** A rectangle of one source matrix, placed on a tile. */
export interface Piece {
  readonly source: 'input' | 'rec';
  /** Source neuron range [rowLo, rowHi) and target column range [colLo, colHi) of the matrix. */
  readonly rowLo: number; readonly rowHi: number; readonly colLo: number; readonly colHi: number;
  /** Where it sits on the tile. */
  readonly tileRow: number; readonly tileCol: number;
  /** Synapses that exist in the rectangle (sparse masks, no_self diagonals and gaps excluded). */
  readonly synapses: number;
  /** What it holds, in the network's names: `cochlea[0:256] → rec[256:512]`. */
  readonly label: string;
  /** The projections (indices into the network's) whose synapses it holds. */
  readonly projections: readonly number[];
  /**
   * Recurrent neurons → readouts: read after the neuron update, from the spikes it wrote (a
   * readout integrates z^t, a recurrent neuron z^{t−1}), so such a piece holds no other columns.
   */
  readonly late: boolean;
}

export interface TileUse { readonly index: number; readonly pieces: readonly Piece[]; readonly usedRows: number; readonly usedCols: number; readonly synapses: number; readonly utilisation: number }

/** Matrix columns (target neurons) fed by more than one tile: their sums cross tiles. `target` names them: `rec[0:256] from cochlea`. */
export interface PartialSum { readonly target: string; readonly colLo: number; readonly colHi: number; readonly tiles: readonly number[] }

export interface TileMap {
  readonly shape: TileShape;
  readonly tiles: readonly TileUse[];
  readonly partialSums: readonly PartialSum[];
  /** Target neuron of each matrix column, per source: 'rec:12' or 'out:3'. */
  readonly columns: Readonly<Record<'input' | 'rec', readonly string[]>>;
}


/** Neurons [lo, hi) of a space in the network's names: `h3[0:128], out[0:2]`. */
export function describeSlice(net: NetworkIR, layout: Layout, space: Space, lo: number, hi: number): string {
  const parts: string[] = [];
  for (const p of net.populations) {
    const o = layout.offsets.get(p.name);
    if (!o || o.space !== space) continue;
    const a = Math.max(lo, o.offset); const b = Math.min(hi, o.offset + p.size);
    if (a < b) parts.push(a - o.offset === 0 && b - o.offset === p.size && p.size > 1 ? p.name : b - a === 1 ? `${p.name}[${a - o.offset}]` : `${p.name}[${a - o.offset}:${b - o.offset}]`);
  }
  return parts.join(', ');
}

/** Columns [lo, hi) of a source matrix, by target space: `rec[0:256], out`. */
function describeColumns(net: NetworkIR, layout: Layout, cols: readonly string[], lo: number, hi: number): string {
  const parts: string[] = [];
  let c = lo;
  while (c < hi) {
    const [space, first] = (cols[c] as string).split(':') as [Space, string];
    const a = Number(first);
    let d = c + 1;
    while (d < hi && cols[d] === `${space}:${a + (d - c)}`) d++;
    parts.push(describeSlice(net, layout, space, a, a + (d - c)));
    c = d;
  }
  return parts.join(', ');
}

interface Matrix { rows: number; cols: string[]; exists: (r: number, c: number) => boolean; owner: (r: number, c: number) => number }

/**
 * The matrix of each source space: its rows, its columns (every target neuron of a projection from
 * that space, recurrent first, then readouts) and which crosspoints hold a synapse — the
 * instantiated connectivity, so a sparse projection's drawn mask and no_self's empty diagonal count.
 */
function matrices(net: NetworkIR, inst: Connectivity): Record<'input' | 'rec', Matrix> {
  const layout = inst.layout;
  const colsOf = (targets: Space[]) => targets.flatMap((t) => Array.from({ length: t === 'rec' ? layout.nRec : layout.nOut }, (_, i) => `${t}:${i}`));
  const out = {} as Record<'input' | 'rec', Matrix>;
  for (const source of ['input', 'rec'] as const) {
    const projections = net.projections.filter((p) => endIndices(net, layout, p.source).space === source);
    const targets = (['rec', 'out'] as Space[]).filter((t) => projections.some((p) => endIndices(net, layout, p.target).space === t));
    const all = colsOf(targets);
    const toRec = source === 'input' ? inst.inRec : inst.recRec;
    const toOut = source === 'input' ? inst.inOut : inst.recOut;
    const nRecCols = targets.includes('rec') ? layout.nRec : 0;
    const rows = source === 'input' ? layout.nIn : layout.nRec;
    // Column c of the full matrix lives in one weight block, at column j of a row of `width`.
    const blockOf = (c: number) => (c < nRecCols ? toRec : toOut);
    const jOf = (c: number) => (c < nRecCols ? c : c - nRecCols);
    const widthOf = (c: number) => (c < nRecCols ? layout.nRec : layout.nOut);
    const has = (r: number, c: number) => blockOf(c).mask[r * widthOf(c) + jOf(c)] === 1;
    // Only the columns some synapse reaches take a crossbar column (inputs that feed one of three
    // layers do not reserve columns for the other two).
    const used: number[] = [];
    for (let c = 0; c < all.length; c++) {
      for (let r = 0; r < rows; r++) if (has(r, c)) { used.push(c); break; }
    }
    const cols = used.map((c) => all[c] as string);
    out[source] = {
      rows, cols,
      exists: (r, c) => has(r, used[c] as number),
      owner: (r, c) => { const u = used[c] as number; return has(r, u) ? (blockOf(u).owner[r * widthOf(u) + jOf(u)] as number) : -1; },
    };
  }
  return out;
}

/**
 * The fewest tiles the network can need, from its declared sizes alone: a tile holds at most
 * rows × cols synapses (its pieces take disjoint rows and columns), and every synapse of a dense,
 * one_to_one or self projection exists (sparse ones are not counted, no_self's diagonal is taken
 * away). When even this exceeds the core, SNN5001 is known before any connectivity is built.
 */
export function tilesAtLeast(net: NetworkIR, shape: TileShape): { tiles: number; synapses: number } {
  let synapses = 0;
  for (const p of net.projections) {
    const ns = p.source.hi - p.source.lo;
    const nt = p.target.hi - p.target.lo;
    if (p.conn === 'one_to_one' || p.conn === 'self') synapses += ns;
    else if (p.conn === 'dense') synapses += ns * nt - (p.noSelf ? Math.min(ns, nt) : 0);
  }
  return { tiles: Math.ceil(synapses / (shape.rows * shape.cols)), synapses };
}

export function mapTiles(net: NetworkIR, inst: Connectivity, shape: TileShape, ctx: PassContext): { value: TileMap | null; diagnostics: Diagnostic[] } {
  const mats = matrices(net, inst);
  const layout = inst.layout;
  type Raw = Omit<Piece, 'tileRow' | 'tileCol'>;
  const pieces: Raw[] = [];
  for (const source of ['input', 'rec'] as const) {
    const m = mats[source];
    if (m.cols.length === 0 || m.rows === 0) continue;
    // The recurrent matrix is cut where its readout columns begin (a piece is read early or late).
    const firstOut = m.cols.findIndex((c) => c.startsWith('out:'));
    const segments: Array<[number, number, boolean]> = source === 'rec' && firstOut >= 0 ? [[0, firstOut, false], [firstOut, m.cols.length, true]] : [[0, m.cols.length, false]];
    for (let r0 = 0; r0 < m.rows; r0 += shape.rows) {
      for (const [segLo, segHi, late] of segments) for (let c0 = segLo; c0 < segHi; c0 += shape.cols) {
        const r1 = Math.min(m.rows, r0 + shape.rows);
        const c1 = Math.min(segHi, c0 + shape.cols);
        let synapses = 0;
        const owners = new Set<number>();
        for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) if (m.exists(r, c)) { synapses++; owners.add(m.owner(r, c)); }
        const label = `${describeSlice(net, layout, source, r0, r1)} → ${describeColumns(net, layout, m.cols, c0, c1)}`;
        if (synapses > 0) pieces.push({ source, rowLo: r0, rowHi: r1, colLo: c0, colHi: c1, synapses, label, projections: [...owners].sort((a, b) => a - b), late });
      }
    }
  }
  // First fit, largest first; a tile takes pieces block-diagonally.
  const order = [...pieces].sort((a, b) => (b.rowHi - b.rowLo) * (b.colHi - b.colLo) - (a.rowHi - a.rowLo) * (a.colHi - a.colLo));
  const tiles: Array<{ pieces: Piece[]; usedRows: number; usedCols: number }> = [];
  for (const p of order) {
    const h = p.rowHi - p.rowLo;
    const w = p.colHi - p.colLo;
    // A late piece (recurrent → readouts) may share the rows of the early piece driven by the same
    // sources: both reads drive those rows, and each read's adds take only their own columns.
    if (p.late) {
      const host = tiles.find((x) => x.usedCols + w <= shape.cols && x.pieces.some((q) => !q.late && q.source === p.source && q.rowLo === p.rowLo && q.rowHi === p.rowHi));
      const sibling = host?.pieces.find((q) => !q.late && q.source === p.source && q.rowLo === p.rowLo && q.rowHi === p.rowHi);
      if (host && sibling) {
        host.pieces.push({ ...p, tileRow: sibling.tileRow, tileCol: host.usedCols });
        host.usedCols += w;
        continue;
      }
    }
    let t = tiles.find((x) => x.usedRows + h <= shape.rows && x.usedCols + w <= shape.cols);
    if (!t) { t = { pieces: [], usedRows: 0, usedCols: 0 }; tiles.push(t); }
    t.pieces.push({ ...p, tileRow: t.usedRows, tileCol: t.usedCols });
    t.usedRows += h;
    t.usedCols += w;
  }
  if (tiles.length > shape.tiles) {
    const spill = tiles.slice(shape.tiles).flatMap((t) => t.pieces);
    const what = spill.slice(0, 3).map((p) => p.label).join('; ');
    return {
      value: null,
      diagnostics: [diagnose(ctx, { core: 'tiles' }, 'TooFewTiles', `Network ${net.name} needs ${tiles.length} tiles of ${shape.rows} x ${shape.cols}; the core has ${shape.tiles}. Not placed: ${what}${spill.length > 3 ? ` and ${spill.length - 3} more pieces` : ''}.`)],
    };
  }
  const uses: TileUse[] = tiles.map((t, index) => {
    const synapses = t.pieces.reduce((a, p) => a + p.synapses, 0);
    return { index, pieces: t.pieces, usedRows: t.usedRows, usedCols: t.usedCols, synapses, utilisation: synapses / (shape.rows * shape.cols) };
  });
  // Column ranges fed from more than one tile (pieces of one matrix share column cuts).
  const partialSums: PartialSum[] = [];
  for (const source of ['input', 'rec'] as const) {
    const cols = mats[source].cols;
    const feeders = new Map<number, { colHi: number; tiles: Set<number> }>();
    for (const u of uses) {
      for (const p of u.pieces) {
        if (p.source !== source) continue;
        const f = feeders.get(p.colLo) ?? { colHi: p.colHi, tiles: new Set<number>() };
        f.tiles.add(u.index);
        feeders.set(p.colLo, f);
      }
    }
    for (const [colLo, f] of feeders) {
      if (f.tiles.size > 1) partialSums.push({ target: `${describeColumns(net, layout, cols, colLo, f.colHi)} from ${describeSlice(net, layout, source, 0, source === 'input' ? layout.nIn : layout.nRec)}`, colLo, colHi: f.colHi, tiles: [...f.tiles].sort((a, b) => a - b) });
    }
  }
  return { value: { shape, tiles: uses, partialSums, columns: { input: mats.input.cols, rec: mats.rec.cols } }, diagnostics: [] };
}

export type BlockKey = 'inRec' | 'recRec' | 'inOut' | 'recOut';

/** A matrix column's target: its weight block, its index in the target space, and that space's size. */
export function columnTarget(map: TileMap, source: 'input' | 'rec', col: number, nRec: number, nOut: number): { key: BlockKey; index: number; width: number; accumulator: number } {
  const [space, idx] = (map.columns[source][col] as string).split(':') as [string, string];
  const index = Number(idx);
  const rec = space === 'rec';
  return {
    key: source === 'input' ? (rec ? 'inRec' : 'inOut') : rec ? 'recRec' : 'recOut',
    index, width: rec ? nRec : nOut, accumulator: rec ? index : nRec + index,
  };
}
