import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkText } from '../helpers.ts';
import { lowerNetwork } from '../../src/compiler/lower.ts';
import { mapTiles as mapNetwork, tilesAtLeast, type TileShape } from '../../src/compiler/map.ts';
import type { NetworkIR } from '../../src/ir/network.ts';
import { instantiate } from '../../src/ir/instantiate.ts';
import { stream } from '../../src/data/random.ts';

function net(src: string): NetworkIR {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return lowerNetwork([...[...r.programs.values()][0]!.networks.values()][0]!);
}
const ctx = { file: 'x.snn', span: { start: 0, end: 0 } };
const mapTiles = (n: NetworkIR, shape: TileShape, c: typeof ctx) => mapNetwork(n, instantiate(n, stream(0, 'init')), shape, c);
const single = (R: number, C: number) => net(`network n { input i[${R}]; population p[${C}] : LIF; readout o[1] : LI; i -> p : dense }`);

describe('tile mapping', () => {
  it('property: an R×C projection on r×c tiles uses ⌈R/r⌉·⌈C/c⌉ tiles, and the utilisation sums to R·C', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 8, max: 128 }), fc.integer({ min: 8, max: 128 }), (R, C, r, c) => {
      const m = mapTiles(single(R, C), { rows: r, cols: c, tiles: 4096 }, ctx).value!;
      expect(m.tiles.length).toBe(Math.ceil(R / r) * Math.ceil(C / c));
      expect(m.tiles.reduce((a, t) => a + t.utilisation * r * c, 0)).toBeCloseTo(R * C, 6);
      expect(m.tiles.reduce((a, t) => a + t.synapses, 0)).toBe(R * C);
      for (const t of m.tiles) { expect(t.usedRows).toBeLessThanOrEqual(r); expect(t.usedCols).toBeLessThanOrEqual(c); }
    }), { numRuns: 60 });
  });
  it('property: the tiles the declared sizes imply (checked before mapping) never exceed what the mapper places, and the synapses match', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 200 }), fc.integer({ min: 1, max: 8 }), fc.boolean(), fc.integer({ min: 8, max: 64 }), fc.integer({ min: 8, max: 64 }), (nIn, nRec, nOut, noSelf, r, c) => {
      const n = net(`network n { input i[${nIn}]; population p[${nRec}] : LIF; readout o[${nOut}] : LI
        i -> p : dense; p -> p : dense${noSelf ? ' { no_self }' : ''}; p -> o : dense; p -> p2 : one_to_one
        population p2[${nRec}] : LIF }`);
      const shape = { rows: r, cols: c, tiles: 100000 };
      const m = mapTiles(n, shape, ctx).value!;
      const least = tilesAtLeast(n, shape);
      expect(least.tiles).toBeLessThanOrEqual(m.tiles.length);
      expect(least.synapses).toBe(m.tiles.reduce((a, t) => a + t.synapses, 0));
    }), { numRuns: 40 });
  });
  it('packs small projections block-diagonally into one tile', () => {
    const m = mapTiles(net(`network n { input i[100]; population p[100] : LIF; readout o[1] : LI
      i -> p : dense; p -> p : dense { no_self }; p -> o : dense }`), { rows: 256, cols: 256, tiles: 64 }, ctx).value!;
    expect(m.tiles).toHaveLength(1);
    expect(m.tiles[0]!.synapses).toBe(100 * 100 + 100 * 99 + 100);
    expect(m.partialSums).toEqual([]);
  });
  it('splits a network larger than a tile and records the cross-tile partial sums', () => {
    const m = mapTiles(net(`network n { input i[700]; population p[512] : LIF; readout o[20] : LI
      i -> p : dense; p -> p : dense { no_self }; p -> o : dense }`), { rows: 256, cols: 256, tiles: 64 }, ctx).value!;
    expect(m.tiles).toHaveLength(3 * 2 + 2 * 3);
    const inputSums = m.partialSums.filter((p) => p.target.endsWith('from i'));
    expect(inputSums.map((p) => p.target)).toEqual(['p[0:256] from i', 'p[256:512] from i']);
    for (const p of inputSums) expect(p.tiles).toHaveLength(3);
    expect(m.tiles[0]!.pieces[0]!.label).toBe('i[0:256] → p[0:256]');
  });
  it('counts the synapses a sparse projection drew, not its rectangle', () => {
    const n = net(`network n { input i[200]; population p[200] : LIF; readout o[1] : LI
      i -> p : sparse(p = 0.25); p -> o : dense }`);
    const inst = instantiate(n, stream(0, 'init'));
    const drawn = inst.inRec.mask.reduce((a, b) => a + b, 0);
    const m = mapNetwork(n, inst, { rows: 256, cols: 256, tiles: 64 }, ctx).value!;
    expect(drawn).toBeGreaterThan(0.2 * 200 * 200);
    expect(drawn).toBeLessThan(0.3 * 200 * 200);
    expect(m.tiles.reduce((a, t) => a + t.synapses, 0)).toBe(drawn + 200);
  });
  it('says what does not fit when the core has too few tiles', () => {
    const r = mapTiles(single(700, 512), { rows: 256, cols: 256, tiles: 4 }, ctx);
    expect(r.value).toBeNull();
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN5001']);
    expect(r.diagnostics[0]!.message).toMatch(/needs 6 tiles of 256 x 256; the core has 4\. Not placed: i\[/);
  });
});
