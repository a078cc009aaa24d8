// Outputs are written atomically: a temporary file beside the target, flushed, then renamed over
// it. A crash or an error leaves the user's file as it was.
import { accessSync, closeSync, constants, fsyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, basename, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';

export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let mode = 0o644;
  try { mode = statSync(path).mode & 0o777; } catch { /* a new file */ }
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try { unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

/** A failed write as a user error (SNN0007): the path and what the system said, in words. */
export function outputError(path: string, e: unknown): Diagnostic {
  const code = (e as NodeJS.ErrnoException).code;
  const why: Record<string, string> = {
    ENOENT: 'its directory does not exist', ENOTDIR: 'a part of the path is a file, not a directory',
    EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'the file system is read-only',
    EISDIR: 'it is a directory', EEXIST: 'a file is in the way', ENOSPC: 'the disk is full',
  };
  return diag('OutputUnwritable', path, { start: 0, end: 0 }, `Cannot write ${path}: ${why[code ?? ''] ?? (e as Error).message}.`);
}

/** Write atomically, answering a failure with a diagnostic instead of an exception. */
export function tryWriteFileAtomic(path: string, data: string | Uint8Array): Diagnostic | null {
  try { writeFileAtomic(path, data); return null; } catch (e) { return outputError(path, e); }
}

/**
 * `mkdir -p`, one level at a time from the nearest existing ancestor. (Node's recursive mkdir
 * loops forever where the kernel answers ENOENT for a parent that exists, as in /proc.)
 */
export function makeDirectories(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: missing.length === 0 ? 'EEXIST' : 'ENOTDIR', path: at });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const up = dirname(at);
      if (up === at) throw e;
      missing.push(at);
      at = up;
    }
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/** Make sure `dir` is a directory we can write into (created if missing), before any long work. */
export function prepareOutputDir(dir: string): Diagnostic | null {
  try {
    makeDirectories(dir);
    accessSync(dir, constants.W_OK);
    return null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return diag('OutputUnwritable', dir, { start: 0, end: 0 }, `Cannot write into ${dir}: it is a file, not a directory.`);
    return outputError(dir, e);
  }
}
