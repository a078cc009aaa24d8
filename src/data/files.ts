// Reading the user's files: only regular files, and their size checked before a byte is read, so
// that `import "/dev/zero"` is refused at once, a FIFO never blocks, and a file larger than its
// limit is never loaded. Every reader of user input (sources, .npy headers and arrays) comes here.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';

export type ReadResult = { readonly ok: true; readonly bytes: Uint8Array } | { readonly ok: false; readonly reason: string; readonly tooLarge?: true };

/** Why `path` cannot be read, in words (the system's error codes are not for users). */
export function unreadableReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'it does not exist';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is a file, not a directory';
    case 'ELOOP': return 'its symbolic links form a loop';
    default: return `it cannot be read (${code ?? 'error'})`;
  }
}

const kindOf = (st: { isDirectory(): boolean; isFIFO(): boolean; isSocket(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean }): string =>
  st.isDirectory() ? 'it is a directory' : st.isFIFO() ? 'it is a pipe (FIFO), not a regular file' : st.isSocket() ? 'it is a socket, not a regular file'
    : st.isCharacterDevice() || st.isBlockDevice() ? 'it is a device, not a regular file' : 'it is not a regular file';

/** Open a regular file for reading without blocking (a FIFO swapped in after the stat cannot hang the open). */
function openRegular(path: string): { fd: number; size: number } | { reason: string } {
  let st;
  try { st = statSync(path); } catch (e) { return { reason: unreadableReason(e) }; }
  if (!st.isFile()) return { reason: kindOf(st) };
  let fd: number;
  try { fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK); } catch (e) { return { reason: unreadableReason(e) }; }
  const again = fstatSync(fd);
  if (!again.isFile()) { closeSync(fd); return { reason: kindOf(again) }; }
  return { fd, size: again.size };
}

/** `3.10 GiB`, `17.0 MiB` (powers of 1024, as limits and budgets are written). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB'];
  let k = 0;
  let x = n;
  while (x >= 1024 && k < units.length - 1) { x /= 1024; k++; }
  return Number.isFinite(x) ? `${k === 0 ? x.toFixed(0) : x.toPrecision(3)} ${units[k]}` : 'an unbounded amount';
}


/** The whole file, if it is a regular file of at most `maxBytes`. */
export function readRegularFile(path: string, maxBytes: number, noun = 'file'): ReadResult {
  const o = openRegular(path);
  if ('reason' in o) return { ok: false, reason: o.reason };
  try {
    if (o.size > maxBytes) return { ok: false, reason: `it is ${formatBytes(o.size)}, and a ${noun} may be at most ${formatBytes(maxBytes)}`, tooLarge: true };
    const bytes = new Uint8Array(o.size);
    let off = 0;
    while (off < bytes.length) {
      const n = readSync(o.fd, bytes, off, bytes.length - off, off);
      if (n === 0) break; // the file shrank while we read it
      off += n;
    }
    return { ok: true, bytes: off === bytes.length ? bytes : bytes.subarray(0, off) };
  } catch (e) {
    return { ok: false, reason: unreadableReason(e) };
  } finally {
    closeSync(o.fd);
  }
}

/** The first `n` bytes of a regular file and its size (a header, without reading the rest). */
export function readRegularPrefix(path: string, n: number): { ok: true; bytes: Uint8Array; size: number } | { ok: false; reason: string } {
  const o = openRegular(path);
  if ('reason' in o) return { ok: false, reason: o.reason };
  try {
    const bytes = new Uint8Array(Math.min(o.size, n));
    const got = readSync(o.fd, bytes, 0, bytes.length, 0);
    return { ok: true, bytes: bytes.subarray(0, got), size: o.size };
  } catch (e) {
    return { ok: false, reason: unreadableReason(e) };
  } finally {
    closeSync(o.fd);
  }
}

/** The SHA-256 of a file's bytes, in hex (the manifests' and sweeps' input hashes). */
export const sha256File = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
