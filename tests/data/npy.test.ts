import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers.ts';
import { decodeNpy, encodeNpy, parseNpyHeader, readNpy, readNpyHeader, type NpyDtype } from '../../src/data/npy.ts';

const DTYPES: NpyDtype[] = ['bool', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'float32', 'float64'];

/** A header as numpy writes it (numpy.lib.format, version 1.0). */
function numpyHeader(descr: string, shape: string, fortran = 'False', version = 1): Uint8Array {
  let h = `{'descr': '${descr}', 'fortran_order': ${fortran}, 'shape': ${shape}, }`;
  const pre = version === 1 ? 10 : 12;
  h += ' '.repeat((64 - ((pre + h.length + 1) % 64)) % 64) + '\n';
  const count = (shape.match(/\d+/g) ?? []).reduce((a, b) => a * Number(b), 1);
  const out = new Uint8Array(pre + h.length + (shape === '(1000,)' ? 64 : count * 8));
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  if (version === 1) out.set([h.length & 0xff, h.length >> 8], 8);
  else out.set([h.length & 0xff, (h.length >> 8) & 0xff, 0, 0], 8);
  out.set(new TextEncoder().encode(h), pre);
  return out;
}

describe('npy header', () => {
  it('reads numpy headers of every supported dtype and shape form', () => {
    expect(parseNpyHeader(numpyHeader('<f4', '(100, 1)'))).toMatchObject({ ok: true, header: { dtype: 'float32', shape: [100, 1] } });
    expect(parseNpyHeader(numpyHeader('|b1', '(8,)'))).toMatchObject({ ok: true, header: { dtype: 'bool', shape: [8] } });
    expect(parseNpyHeader(numpyHeader('<i8', '()'))).toMatchObject({ ok: true, header: { dtype: 'int64', shape: [] } });
    expect(parseNpyHeader(numpyHeader('>f8', '(2, 3)', 'False', 2))).toMatchObject({ ok: true, header: { dtype: 'float64', littleEndian: false, shape: [2, 3] } });
  });
  it('explains what it refuses', () => {
    const reason = (b: Uint8Array) => { const r = parseNpyHeader(b); return r.ok ? 'ok' : r.reason; };
    expect(reason(new TextEncoder().encode('hello world'))).toMatch(/magic/);
    expect(reason(numpyHeader('<f4', '(3, 3)', 'True'))).toMatch(/Fortran order/);
    expect(reason(numpyHeader('<c16', '(3,)'))).toMatch(/data type '<c16'/);
    expect(reason(numpyHeader('<U5', '(3,)'))).toMatch(/data type/);
    expect(reason(numpyHeader('<f8', '(1000,)'))).toMatch(/truncated/);
    expect(reason(numpyHeader('<f8', '(1000,)').subarray(0, 20))).toMatch(/truncated/);
  });
  it('property: encodeNpy then parseNpyHeader gives the dtype and shape back', () => {
    fc.assert(fc.property(fc.constantFrom(...DTYPES), fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 3 }), (dtype, shape) => {
      const n = shape.reduce((a, b) => a * b, 1);
      const bytes = encodeNpy(dtype, shape, new Array(n).fill(1));
      const r = parseNpyHeader(bytes);
      expect(r).toMatchObject({ ok: true, header: { dtype, shape } });
      expect(r.ok && r.header.dataOffset % 64).toBe(0);
    }));
  });
  it('reads a header from disk without reading the data', () => {
    const dir = tempDir('phasecore-npy-');
    const path = join(dir, 'w.npy');
    writeFileSync(path, encodeNpy('float64', [50, 40], new Float64Array(2000)));
    expect(readNpyHeader(path)).toMatchObject({ ok: true, header: { dtype: 'float64', shape: [50, 40] } });
    expect(readNpyHeader(join(dir, 'missing.npy'))).toEqual({ ok: false, reason: 'it does not exist' });
    expect(readNpyHeader(dir)).toMatchObject({ ok: false });
  });
  it('property: every dtype round-trips its values through encode and decode', () => {
    const ranges: Record<NpyDtype, [number, number]> = {
      bool: [0, 1], int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1],
      uint32: [0, 2 ** 32 - 1], int64: [-(2 ** 53), 2 ** 53], uint64: [0, 2 ** 53], float32: [-1e6, 1e6], float64: [-1e300, 1e300],
    };
    fc.assert(fc.property(fc.constantFrom(...DTYPES), fc.array(fc.double({ noNaN: true, min: -1, max: 1 }), { maxLength: 20 }), (dtype, xs) => {
      const [lo, hi] = ranges[dtype];
      const values = xs.map((x) => (dtype.startsWith('float') ? lo + ((x + 1) / 2) * (hi - lo) : Math.round(lo + ((x + 1) / 2) * (hi - lo)) + 0));
      const expected = dtype === 'float32' ? values.map((v) => Math.fround(v)) : values;
      const r = decodeNpy(encodeNpy(dtype, [values.length], values));
      expect(r.ok && Array.from(r.array.data)).toEqual(expected);
    }));
  });
  it('reads a big-endian file and refuses a bool that is not 0 or 1', () => {
    const h = numpyHeader('>i2', '(2,)');
    const at = h.length - 16;
    const bytes = h.subarray(0, at + 4);
    bytes.set([0x01, 0x02, 0xff, 0xfe], at);
    const r = decodeNpy(bytes);
    expect(r.ok && Array.from(r.array.data)).toEqual([258, -2]);
    const b = encodeNpy('bool', [2], [1, 0]);
    b[b.length - 1] = 7;
    expect(decodeNpy(b)).toMatchObject({ ok: false, reason: expect.stringMatching(/not 0 or 1/) });
    expect(readNpy('/nonexistent.npy')).toEqual({ ok: false, reason: 'it does not exist' });
  });
});
