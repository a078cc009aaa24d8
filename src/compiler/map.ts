// Pass 4: map the network's weights onto crossbar tiles.
//
// Rows of a tile are driven by presynaptic activity, columns sum into postsynaptic neurons, and
// each crosspoint is one synapse: a differential pair of devices_per_side devices per polarity
// (a HERMES-like unit cell). The weights from one source space (the inputs, or the recurrent
// neurons) form one matrix: its rows are the sources, its columns every target neuron of a
// projection from that space (recurrent first, then readouts). Each matrix is cut into pieces of
// at most rows × cols (⌈R/r⌉·⌈C/c⌉ of them), and pieces are packed block-diagonally — several
// pieces share a tile when their rows and their columns both fit — first fit, largest first.
// Columns that several row pieces feed meet in the accumulators as cross-tile partial sums.
import type { NetworkIR } from '../ir/network.ts';
import { endIndices, layoutOf, type Space } from '../ir/instantiate.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';

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
}

export interface TileUse { readonly index: number; readonly pieces: readonly Piece[]; readonly usedRows: number; readonly usedCols: number; readonly synapses: number; readonly utilisation: number }

/** A matrix column (target neuron) fed by more than one tile: its sum crosses tiles. */
export interface PartialSum { readonly target: string; readonly colLo: number; readonly colHi: number; readonly tiles: readonly number[] }

export interface TileMap {
  readonly shape: TileShape;
  readonly tiles: readonly TileUse[];
  readonly partialSums: readonly PartialSum[];
  /** Target neuron of each matrix column, per source: 'rec:12' or 'out:3'. */
  readonly columns: Readonly<Record<'input' | 'rec', readonly string[]>>;
}

export interface PassContext { readonly file: string; readonly span: Span }

/** Which synapses exist, as a (pre, post-column) mask per source space. */
function matrices(net: NetworkIR): Record<'input' | 'rec', { rows: number; cols: string[]; exists: (r: number, c: number) => boolean }> {
  const layout = layoutOf(net);
  const colsOf = (targets: Space[]) => targets.flatMap((t) => Array.from({ length: t === 'rec' ? layout.nRec : layout.nOut }, (_, i) => `${t}:${i}`));
  const out = {} as Record<'input' | 'rec', { rows: number; cols: string[]; exists: (r: number, c: number) => boolean }>;
  for (const source of ['input', 'rec'] as const) {
    const projections = net.projections.filter((p) => endIndices(net, layout, p.source).space === source);
    const targets = (['rec', 'out'] as Space[]).filter((t) => projections.some((p) => endIndices(net, layout, p.target).space === t));
    const cols = colsOf(targets);
    const colIndex = new Map(cols.map((c, i) => [c, i]));
    const rows = source === 'input' ? layout.nIn : layout.nRec;
    const mask = new Uint8Array(rows * cols.length);
    for (const p of projections) {
      const src = endIndices(net, layout, p.source).indices;
      const dst = endIndices(net, layout, p.target);
      const diagonal = p.conn === 'one_to_one' || p.conn === 'self';
      src.forEach((si, i) => {
        const each = diagonal ? [dst.indices[i] as number] : Array.from(dst.indices);
        for (const dj of each) {
          if (p.noSelf && source === 'rec' && dst.space === 'rec' && si === dj) continue;
          mask[si * cols.length + (colIndex.get(`${dst.space}:${dj}`) as number)] = 1;
        }
      });
    }
    out[source] = { rows, cols, exists: (r, c) => mask[r * cols.length + c] === 1 };
  }
  return out;
}

export function mapTiles(net: NetworkIR, shape: TileShape, ctx: PassContext): { value: TileMap | null; diagnostics: Diagnostic[] } {
  const mats = matrices(net);
  type Raw = Omit<Piece, 'tileRow' | 'tileCol'>;
  const pieces: Raw[] = [];
  for (const source of ['input', 'rec'] as const) {
    const m = mats[source];
    if (m.cols.length === 0 || m.rows === 0) continue;
    for (let r0 = 0; r0 < m.rows; r0 += shape.rows) {
      for (let c0 = 0; c0 < m.cols.length; c0 += shape.cols) {
        const r1 = Math.min(m.rows, r0 + shape.rows);
        const c1 = Math.min(m.cols.length, c0 + shape.cols);
        let synapses = 0;
        for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) if (m.exists(r, c)) synapses++;
        if (synapses > 0) pieces.push({ source, rowLo: r0, rowHi: r1, colLo: c0, colHi: c1, synapses });
      }
    }
  }
  // First fit, largest first; a tile takes pieces block-diagonally.
  const order = [...pieces].sort((a, b) => (b.rowHi - b.rowLo) * (b.colHi - b.colLo) - (a.rowHi - a.rowLo) * (a.colHi - a.colLo));
  const tiles: Array<{ pieces: Piece[]; usedRows: number; usedCols: number }> = [];
  for (const p of order) {
    const h = p.rowHi - p.rowLo;
    const w = p.colHi - p.colLo;
    let t = tiles.find((x) => x.usedRows + h <= shape.rows && x.usedCols + w <= shape.cols);
    if (!t) { t = { pieces: [], usedRows: 0, usedCols: 0 }; tiles.push(t); }
    t.pieces.push({ ...p, tileRow: t.usedRows, tileCol: t.usedCols });
    t.usedRows += h;
    t.usedCols += w;
  }
  if (tiles.length > shape.tiles) {
    const spill = tiles.slice(shape.tiles).flatMap((t) => t.pieces);
    const what = spill.slice(0, 3).map((p) => `${p.source === 'input' ? 'inputs' : 'recurrent neurons'} ${p.rowLo}–${p.rowHi - 1} → columns ${p.colLo}–${p.colHi - 1}`).join('; ');
    return {
      value: null,
      diagnostics: [diag('TooFewTiles', ctx.file, ctx.span, `Network ${net.name} needs ${tiles.length} tiles of ${shape.rows} x ${shape.cols}; the core has ${shape.tiles}. Not placed: ${what}${spill.length > 3 ? ` and ${spill.length - 3} more pieces` : ''}.`)],
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
      if (f.tiles.size > 1) partialSums.push({ target: `${source} → ${cols[colLo]}…${cols[f.colHi - 1]}`, colLo, colHi: f.colHi, tiles: [...f.tiles].sort((a, b) => a - b) });
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
