// NumPy .npy files (format versions 1.0, 2.0, 3.0): the header parser used by the checker to
// learn an array's shape without reading its data. Only C-order arrays of bool, integer and
// float types are accepted; anything else gets a clear reason.
// Format: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
import { readRegularFile, readRegularPrefix } from './files.ts';

export type NpyDtype = 'bool' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'float32' | 'float64';

export interface NpyHeader {
  readonly dtype: NpyDtype;
  readonly littleEndian: boolean;
  readonly shape: readonly number[];
  /** Byte offset of the data. */
  readonly dataOffset: number;
}

export type NpyHeaderResult = { ok: true; header: NpyHeader } | { ok: false; reason: string };

const DESCR: Record<string, NpyDtype> = {
  b1: 'bool', i1: 'int8', u1: 'uint8', i2: 'int16', u2: 'uint16', i4: 'int32', u4: 'uint32',
  i8: 'int64', u8: 'uint64', f4: 'float32', f8: 'float64',
};
export const DTYPE_BYTES: Record<NpyDtype, number> = {
  bool: 1, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, float32: 4, float64: 8,
};

/** Parse the header at the start of `bytes` (which must hold at least the whole header). */
export function parseNpyHeader(bytes: Uint8Array, fileSize = bytes.length): NpyHeaderResult {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || magic.some((m, i) => bytes[i] !== m)) return { ok: false, reason: 'it does not start with the .npy magic bytes \\x93NUMPY' };
  const major = bytes[6] as number;
  let headerLen: number;
  let start: number;
  if (major === 1) { headerLen = (bytes[8] as number) | ((bytes[9] as number) << 8); start = 10; }
  else if (major === 2 || major === 3) {
    if (bytes.length < 12) return { ok: false, reason: 'its header is truncated' };
    headerLen = ((bytes[8] as number) | ((bytes[9] as number) << 8) | ((bytes[10] as number) << 16)) + (bytes[11] as number) * 16777216;
    start = 12;
  } else return { ok: false, reason: `it has .npy format version ${major}, which phasecore does not read (1, 2 or 3)` };
  if (start + headerLen > bytes.length) return { ok: false, reason: 'its header is truncated' };
  const text = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([<>|=]?)([^']*)'/.exec(text);
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
  const shapeM = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
  if (!descr || !fortran || !shapeM) return { ok: false, reason: 'its header is not a dictionary with descr, fortran_order and shape' };
  const dtype = DESCR[descr[2] as string];
  if (!dtype) return { ok: false, reason: `its data type '${descr[1]}${descr[2]}' is not one of bool, int8–64, uint8–64, float32, float64` };
  if (fortran[1] === 'True') return { ok: false, reason: 'it is stored in Fortran order; save it in C order (numpy.ascontiguousarray)' };
  const parts = (shapeM[1] as string).split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  if (parts.some((p) => !/^\d+L?$/.test(p))) return { ok: false, reason: 'its shape is not a tuple of whole numbers' };
  const shape = parts.map((p) => Number.parseInt(p, 10));
  const dataOffset = start + headerLen;
  const count = shape.reduce((a, b) => a * b, 1);
  const need = dataOffset + count * DTYPE_BYTES[dtype];
  if (fileSize < need) return { ok: false, reason: `it is truncated: shape (${shape.join(', ')}) needs ${need} bytes, the file has ${fileSize}` };
  return { ok: true, header: { dtype, littleEndian: descr[1] !== '>', shape, dataOffset } };
}

/** Read only the header of a .npy file on disk. */
export function readNpyHeader(path: string): NpyHeaderResult {
  const r = readRegularPrefix(path, 65536 + 12);
  return r.ok ? parseNpyHeader(r.bytes, r.size) : r;
}

/** Encode an array as .npy (version 1.0, little-endian, C order). Used by tests and, later, outputs. */
export function encodeNpy(dtype: NpyDtype, shape: readonly number[], data: ArrayLike<number>): Uint8Array {
  const elements = shape.reduce((a, x) => a * x, 1);
  if (elements !== data.length) throw new Error(`internal: an array of ${data.length} values written as shape (${shape.join(', ')})`);
  const code = Object.entries(DESCR).find(([, d]) => d === dtype)?.[0] as string;
  const descr = dtype === 'bool' || dtype === 'int8' || dtype === 'uint8' ? `|${code}` : `<${code}`;
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  const total = 10 + header.length + 1;
  header += ' '.repeat((64 - (total % 64)) % 64) + '\n';
  const n = data.length;
  const bytes = new Uint8Array(10 + header.length + n * DTYPE_BYTES[dtype]);
  bytes.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), 10);
  const view = new DataView(bytes.buffer, 10 + header.length);
  for (let i = 0; i < n; i++) {
    const x = data[i] as number;
    switch (dtype) {
      case 'bool': case 'uint8': view.setUint8(i, x); break;
      case 'int8': view.setInt8(i, x); break;
      case 'int16': view.setInt16(i * 2, x, true); break;
      case 'uint16': view.setUint16(i * 2, x, true); break;
      case 'int32': view.setInt32(i * 4, x, true); break;
      case 'uint32': view.setUint32(i * 4, x, true); break;
      case 'int64': view.setBigInt64(i * 8, BigInt(Math.trunc(x)), true); break;
      case 'uint64': view.setBigUint64(i * 8, BigInt(Math.trunc(x)), true); break;
      case 'float32': view.setFloat32(i * 4, x, true); break;
      case 'float64': view.setFloat64(i * 8, x, true); break;
    }
  }
  return bytes;
}

export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  /** The values in C order, as float64 (bools as 0/1; 64-bit integers beyond 2^53 lose precision). */
  readonly data: Float64Array;
}

export type NpyArrayResult = { ok: true; array: NpyArray } | { ok: false; reason: string };

/** Decode a whole .npy file. */
export function decodeNpy(bytes: Uint8Array): NpyArrayResult {
  const h = parseNpyHeader(bytes);
  if (!h.ok) return h;
  const { dtype, shape, dataOffset, littleEndian: le } = h.header;
  const n = shape.reduce((a, b) => a * b, 1);
  const view = new DataView(bytes.buffer, bytes.byteOffset + dataOffset, n * DTYPE_BYTES[dtype]);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'bool': { const b = view.getUint8(i); if (b > 1) return { ok: false, reason: `its bool element ${i} is ${b}, not 0 or 1` }; data[i] = b; break; }
      case 'uint8': data[i] = view.getUint8(i); break;
      case 'int8': data[i] = view.getInt8(i); break;
      case 'int16': data[i] = view.getInt16(i * 2, le); break;
      case 'uint16': data[i] = view.getUint16(i * 2, le); break;
      case 'int32': data[i] = view.getInt32(i * 4, le); break;
      case 'uint32': data[i] = view.getUint32(i * 4, le); break;
      case 'int64': data[i] = Number(view.getBigInt64(i * 8, le)); break;
      case 'uint64': data[i] = Number(view.getBigUint64(i * 8, le)); break;
      case 'float32': data[i] = view.getFloat32(i * 4, le); break;
      case 'float64': data[i] = view.getFloat64(i * 8, le); break;
    }
  }
  return { ok: true, array: { dtype, shape, data } };
}

/** The largest .npy file read (1 GiB: 134 million float64 values). */
export const MAX_NPY_BYTES = 1024 * 1048576;

/** Read a whole .npy file from disk. */
export function readNpy(path: string): NpyArrayResult {
  const r = readRegularFile(path, MAX_NPY_BYTES, '.npy file');
  return r.ok ? decodeNpy(r.bytes) : r;
}
