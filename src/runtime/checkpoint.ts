// Checkpoints: the whole mutable state of a training run on the core, in one versioned file
// (docs/core.md, "Checkpoints"). What is state is decided by one rule, not by a list kept by hand:
// every value reachable from the run's roots (the Core, the trainer's own state) is state, except
// what the program holds (it is rebuilt from the program, which the checkpoint names by hash),
// functions and frozen objects. So a field added to the core tomorrow is checkpointed without
// anyone remembering to, and the resume-equals-uninterrupted tests keep the rule honest.
//
// A walk visits the graph in a fixed order (own keys in insertion order, arrays by index) and
// yields its leaves: typed arrays (stored as bytes), scalars, and plain data (arrays or records
// of scalars, stored as JSON). An object reached twice is visited once. Restoring walks a freshly
// built run — same program, same options — in the same order, checks the leaves' paths are the
// same, and writes the saved values in place (a typed array of the same length is copied into, so
// every alias of it sees the values; one of another length, or a null, is replaced).
//
// File layout (little-endian):
//   0   8 bytes  magic "PHCKPT\r\n"
//   8   u32      format version (CHECKPOINT_FORMAT)
//   12  u32      header length H
//   16  H bytes  header, JSON: { format, meta, leaves: [[path, kind, value | [dtype, offset, length]]] }
//   …   typed arrays' bytes, each at an 8-aligned offset from the start of the data section, which
//       begins at the first 8-aligned offset after the header;
//   end u32      the CRC-32 of every byte before it (header and data: any damage is found).
// Non-finite numbers and −0 are written {"$": "NaN" | "Infinity" | "-Infinity" | "-0"} in JSON.

import { crc32 } from './program.ts';

export const CHECKPOINT_FORMAT = 2;
const MAGIC = 'PHCKPT\r\n';

type Typed = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;
const TYPED: Readonly<Record<string, new (b: ArrayBuffer, o: number, n: number) => Typed>> = {
  Float64Array, Float32Array, Int32Array, Uint32Array, Int16Array, Uint16Array, Int8Array, Uint8Array, Uint8ClampedArray,
};

/** A checkpoint that cannot be read or does not fit what it is asked to resume. */
export class CheckpointError extends Error {}

interface Leaf { readonly path: string; readonly holder: Record<string | number, unknown> | Map<unknown, unknown>; readonly key: string | number; readonly value: unknown }

const isTyped = (v: unknown): v is Typed => ArrayBuffer.isView(v) && !(v instanceof DataView);
const isPlainObject = (v: object) => { const p = Object.getPrototypeOf(v); return p === Object.prototype || p === null; };
/** Scalars, and arrays and records made of them: stored as JSON. */
function plainData(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return typeof v !== 'function' && typeof v !== 'symbol' && typeof v !== 'bigint';
  if (isTyped(v)) return false;
  if (Array.isArray(v)) return v.every(plainData);
  return isPlainObject(v) && Object.values(v).every(plainData);
}

/** Every object reachable from `roots` (what the walk leaves out). */
export function reachable(...roots: unknown[]): Set<object> {
  const seen = new Set<object>();
  const stack = [...roots];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (isTyped(v)) continue;
    if (v instanceof Map) { for (const [k, x] of v) stack.push(k, x); continue; }
    for (const x of Object.values(v)) stack.push(x);
  }
  return seen;
}

/** The leaves of `root`'s state, in walk order. */
function leaves(root: Record<string, unknown>, skip: ReadonlySet<object>): Leaf[] {
  const out: Leaf[] = [];
  const seen = new Set<object>();
  const visit = (value: unknown, path: string, holder: Leaf['holder'], key: string | number): void => {
    if (typeof value === 'function') return;
    if (value === null || typeof value !== 'object') { out.push({ path, holder, key, value }); return; }
    if (skip.has(value) || seen.has(value) || Object.isFrozen(value)) return;
    seen.add(value);
    if (isTyped(value) || plainData(value)) { out.push({ path, holder, key, value }); return; }
    if (value instanceof Map) {
      if (![...value.values()].every(plainData)) throw new Error(`internal: checkpoint: the map at ${path} holds objects`);
      out.push({ path, holder, key, value });
      return;
    }
    if (Array.isArray(value)) { value.forEach((x, i) => visit(x, `${path}.${i}`, value as unknown as Record<number, unknown>, i)); return; }
    for (const k of Object.keys(value)) visit((value as Record<string, unknown>)[k], `${path}.${k}`, value as Record<string, unknown>, k);
  };
  for (const k of Object.keys(root)) visit(root[k], k, root, k);
  return out;
}

const encodeNumber = (_k: string, v: unknown) => (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { $: Object.is(v, -0) ? '-0' : String(v) } : v);
const decodeNumber = (_k: string, v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && typeof (v as { $?: unknown }).$ === 'string' ? ((v as { $: string }).$ === '-0' ? -0 : Number((v as { $: string }).$)) : v);

type Stored = [path: string, kind: 'value', value: unknown] | [path: string, kind: 'typed', at: [dtype: string, offset: number, length: number]] | [path: string, kind: 'map', entries: unknown[]];

/** The state reachable from `root` (but not from `skip`), with `meta` in the header. */
export function writeCheckpoint(root: Record<string, unknown>, skip: ReadonlySet<object>, meta: Record<string, unknown>): Uint8Array {
  const ls = leaves(root, skip);
  const stored: Stored[] = [];
  const blobs: Typed[] = [];
  let offset = 0;
  for (const l of ls) {
    if (isTyped(l.value)) {
      stored.push([l.path, 'typed', [l.value.constructor.name, offset, l.value.length]]);
      blobs.push(l.value);
      offset += Math.ceil(l.value.byteLength / 8) * 8;
    } else if (l.value instanceof Map) stored.push([l.path, 'map', [...l.value.entries()]]);
    else stored.push([l.path, 'value', l.value === undefined ? { $undefined: true } : l.value]);
  }
  const data = new Uint8Array(offset);
  let at = 0;
  for (const b of blobs) { data.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at); at += Math.ceil(b.byteLength / 8) * 8; }
  const header = Buffer.from(JSON.stringify({ format: CHECKPOINT_FORMAT, meta, leaves: stored }, encodeNumber), 'utf8');
  const dataAt = Math.ceil((16 + header.length) / 8) * 8;
  const bytes = new Uint8Array(dataAt + offset + 4);
  bytes.set(Buffer.from(MAGIC, 'latin1'), 0);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, CHECKPOINT_FORMAT, true);
  view.setUint32(12, header.length, true);
  bytes.set(header, 16);
  bytes.set(data, dataAt);
  view.setUint32(dataAt + offset, crc32(bytes.subarray(0, dataAt + offset)), true);
  return bytes;
}

export interface ReadCheckpoint { readonly meta: Record<string, unknown>; readonly leaves: readonly Stored[]; readonly bytes: Uint8Array; readonly dataAt: number }

/** The header of a checkpoint file (a CheckpointError when it is not one, or of another format). */
export function readCheckpoint(file: Uint8Array): ReadCheckpoint {
  let bytes = file;
  if (bytes.length < 20 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== MAGIC) throw new CheckpointError('it is not a phasecore checkpoint (no PHCKPT magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const format = view.getUint32(8, true);
  if (format !== CHECKPOINT_FORMAT) throw new CheckpointError(`it is checkpoint format ${format}; this phasecore reads format ${CHECKPOINT_FORMAT}`);
  if (view.getUint32(bytes.length - 4, true) !== crc32(bytes.subarray(0, bytes.length - 4))) throw new CheckpointError('it is damaged or truncated (its bytes do not match their checksum)');
  bytes = bytes.subarray(0, bytes.length - 4);
  const H = view.getUint32(12, true);
  if (16 + H > bytes.length) throw new CheckpointError('it is truncated (its header runs past the end of the file)');
  let header: { meta?: unknown; leaves?: unknown };
  try { header = JSON.parse(Buffer.from(bytes.subarray(16, 16 + H)).toString('utf8'), decodeNumber) as typeof header; } catch { throw new CheckpointError('its header is damaged (not JSON)'); }
  if (typeof header.meta !== 'object' || header.meta === null || !Array.isArray(header.leaves)) throw new CheckpointError('its header is damaged (no meta or leaves)');
  const dataAt = Math.ceil((16 + H) / 8) * 8;
  const whole = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;
  for (const l of header.leaves as unknown[]) {
    if (!Array.isArray(l) || l.length !== 3 || typeof l[0] !== 'string' || !['value', 'typed', 'map'].includes(l[1] as string)) throw new CheckpointError('its header is damaged (a malformed state entry)');
    if (l[1] === 'map' && !Array.isArray(l[2])) throw new CheckpointError(`its header is damaged (${l[0]} is not a map's entries)`);
    if (l[1] !== 'typed') continue;
    const at = l[2] as unknown;
    if (!Array.isArray(at) || at.length !== 3 || typeof at[0] !== 'string' || !Object.hasOwn(TYPED, at[0]) || !whole(at[1]) || at[1] % 8 !== 0 || !whole(at[2])) throw new CheckpointError(`its header is damaged (${l[0]} has no valid array type, offset and length)`);
    const ctor = TYPED[at[0]]!;
    if (dataAt + at[1] + at[2] * (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT > bytes.length) throw new CheckpointError(`it is truncated or damaged (${l[0]} lies past the end of the file)`);
  }
  return { meta: header.meta as Record<string, unknown>, leaves: header.leaves as Stored[], bytes, dataAt };
}

/**
 * Plain data `v` written into `target` in place, all the way down (the objects and arrays a plain
 * value holds may be held elsewhere too: a task's state); false when `target` cannot take it (the
 * caller assigns instead).
 */
export function assignInto(target: unknown, v: unknown): boolean {
  if (Array.isArray(target) && Array.isArray(v)) {
    if (target.length === v.length) { v.forEach((x, i) => { if (!assignInto(target[i], x)) target[i] = x; }); return true; }
    target.splice(0, target.length, ...(v as unknown[]));
    return true;
  }
  if (target !== null && typeof target === 'object' && !Array.isArray(target) && !isTyped(target) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const t = target as Record<string, unknown>;
    for (const k of Object.keys(t)) if (!(k in v)) delete t[k];
    for (const [k, x] of Object.entries(v)) if (!assignInto(t[k], x)) t[k] = x;
    return true;
  }
  return false;
}

/** Write a checkpoint's state into a freshly built `root` of the same program and options. */
export function restoreCheckpoint(cp: ReadCheckpoint, root: Record<string, unknown>, skip: ReadonlySet<object>): void {
  const ls = leaves(root, skip);
  if (ls.length !== cp.leaves.length) throw new CheckpointError(`its state has ${cp.leaves.length} values where this run has ${ls.length}: it was written by another phasecore`);
  ls.forEach((l, i) => {
    const s = cp.leaves[i]!;
    if (s[0] !== l.path) throw new CheckpointError(`its state holds ${s[0]} where this run has ${l.path}: it was written by another phasecore`);
  });
  // Each saved value must be of the kind the run holds there (a typed array of its type, and of its
  // length unless the run's is empty or absent — an input not yet given; a number for a number).
  const kindOf = (v: unknown) => (v === null || v === undefined ? 'none' : isTyped(v) ? 'typed' : Array.isArray(v) ? 'array' : v instanceof Map ? 'map' : typeof v);
  ls.forEach((l, i) => {
    const s = cp.leaves[i]!;
    const fresh = kindOf(l.value);
    const ok = s[1] === 'typed'
      ? (fresh === 'none' || (fresh === 'typed' && (l.value as Typed).constructor.name === s[2][0] && ((l.value as Typed).length === s[2][2] || (l.value as Typed).length === 0)))
      : s[1] === 'map' ? fresh === 'map'
        : (() => { const v = s[2] !== null && typeof s[2] === 'object' && (s[2] as { $undefined?: boolean }).$undefined === true ? undefined : s[2]; const k = kindOf(v); return k === fresh || (fresh === 'none' && k !== 'typed') || (k === 'none' && fresh !== 'number'); })();
    const held = fresh === 'typed' ? `${(l.value as Typed).constructor.name} of ${(l.value as Typed).length}` : fresh;
    if (!ok) throw new CheckpointError(`it is damaged (${s[0]} holds a ${s[1] === 'typed' ? `${s[2][0]} of ${s[2][2]}` : kindOf(s[2])} where this run holds a ${held})`);
  });
  const { bytes, dataAt } = cp;
  ls.forEach((l, i) => {
    const s = cp.leaves[i]!;
    const h = l.holder as Record<string | number, unknown>;
    if (s[1] === 'typed') {
      const [dtype, off, n] = s[2];
      const ctor = TYPED[dtype]!;
      const aligned = new Uint8Array(n * (ctor as unknown as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT);
      aligned.set(bytes.subarray(dataAt + off, dataAt + off + aligned.length));
      const saved = new ctor(aligned.buffer, 0, n);
      if (isTyped(l.value) && l.value.constructor === ctor && l.value.length === n) l.value.set(saved as never);
      else h[l.key] = saved;
    } else if (s[1] === 'map') {
      const m = l.value as Map<unknown, unknown>;
      m.clear();
      for (const [k, v] of s[2] as Array<[unknown, unknown]>) m.set(k, v);
    } else {
      const v = s[2] !== null && typeof s[2] === 'object' && (s[2] as { $undefined?: boolean }).$undefined === true ? undefined : s[2];
      if (!assignInto(l.value, v)) h[l.key] = v;
    }
  });
}
