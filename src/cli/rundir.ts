// A run's output directory (`train --out DIR`): written whole or not at all, never over an input.
//
//   - DIR must be new or empty; a non-empty DIR is refused unless --force is given and DIR is a
//     previous run's directory (it has a phasecore manifest.json), which is then replaced as a
//     whole — no stale file of the earlier run stays beside the new ones.
//   - No input of the run (its .snn sources and the .npy files they load) may be inside DIR,
//     with or without --force.
//   - The run is written into DIR.partial beside it: metrics as they come, the manifest first
//     (status "running"), then the weights. When the run ends — finished, or stopped by SIGINT or
//     SIGTERM after its current iteration — DIR.partial becomes DIR by rename. A run killed
//     outright leaves DIR as it was and its metrics so far in DIR.partial (the next run there
//     replaces it).
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import { displayPath } from '../compiler/workspace.ts';
import { makeDirectories, outputError, writeFileAtomic } from './atomic.ts';

const at0 = { start: 0, end: 0 };

/** The manifest phasecore wrote in `dir`, or null. */
function manifestIn(dir: string): { phasecore: string; status?: string; pid?: number } | null {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { phasecore?: unknown; status?: unknown; pid?: unknown };
    return typeof m.phasecore === 'string' ? { phasecore: m.phasecore, ...(typeof m.status === 'string' ? { status: m.status } : {}), ...(typeof m.pid === 'number' ? { pid: m.pid } : {}) } : null;
  } catch {
    return null;
  }
}
const isRunDirectory = (dir: string) => manifestIn(dir) !== null;

/** True when a process with this id runs (a run still writing its staging directory). */
function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/** The path with every symbolic link resolved, for the part of it that exists. */
function realPath(path: string): string {
  let at = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try { return join(realpathSync(at), ...rest.reverse()); } catch { /* not there (yet) */ }
    const up = dirname(at);
    if (up === at) return resolve(path);
    rest.push(basename(at));
    at = up;
  }
}

/** A directory's entries; null when nothing is there; 'file' when a file is; else the error's code. */
function entriesOf(path: string): string[] | null | string {
  try {
    return statSync(path).isDirectory() ? readdirSync(path) : 'file';
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    return code === 'ENOENT' ? null : code;
  }
}

const inside = (dir: string, file: string): boolean => {
  const rel = relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

export class RunDirectory {
  private constructor(readonly final: string, readonly staging: string, private readonly shown: string) {}

  /** Plan `--out dir`: refuse what would overwrite an input or a directory that is not a previous run; create the staging directory. */
  static open(dir: string, inputs: readonly string[], force: boolean): RunDirectory | Diagnostic {
    const final = resolve(dir);
    const shown = displayPath(final);
    // Compared through symbolic links: `latest -> run1` loaded by the file keeps run1 an input.
    const real = realPath(final);
    const input = inputs.find((f) => inside(real, realPath(f)));
    if (input) return diag('OutputUnwritable', dir, at0, `--out ${dir} holds an input of this run (${displayPath(input)}); outputs never go where inputs are: choose another directory.`);
    const entries = entriesOf(final);
    if (typeof entries === 'string') return entries === 'file' ? diag('OutputUnwritable', dir, at0, `Cannot write into ${dir}: it is a file, not a directory.`) : outputError(dir, { code: entries });
    if (entries && entries.length > 0) {
      if (!force) return diag('OutputUnwritable', dir, at0, `--out ${dir} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}); write a run into a new directory, or give --force to replace a previous run's directory as a whole.`);
      if (!isRunDirectory(final)) return diag('OutputUnwritable', dir, at0, `--out ${dir} is not empty and is not a previous run's directory (it has no phasecore manifest.json); --force replaces only a previous run's output. Move it away, or choose another directory.`);
    }
    // The staging directory: absent, empty, or a run that was killed (replaced); anything else is the user's.
    const staging = `${final}.partial`;
    const left = entriesOf(staging);
    if (left === 'file' || (Array.isArray(left) && left.length > 0 && !isRunDirectory(staging))) {
      return diag('OutputUnwritable', dir, at0, `${displayPath(staging)} is in the way: phasecore writes a run there until it ends, and it is not a run of phasecore's. Move it away.`);
    }
    const other = Array.isArray(left) ? manifestIn(staging) : null;
    if (other?.status === 'running' && other.pid !== undefined && other.pid !== process.pid && alive(other.pid)) {
      return diag('OutputUnwritable', dir, at0, `Another run (process ${other.pid}) is writing to --out ${dir} now; wait for it to end, or choose another directory.`);
    }
    try {
      if (left !== null) rmSync(staging, { recursive: true, force: true });
      makeDirectories(dirname(final));
      makeDirectories(staging);
    } catch (e) {
      return outputError(dir, e);
    }
    return new RunDirectory(final, staging, shown);
  }

  /** Write a whole file into the run (atomically). */
  write(name: string, data: string | Uint8Array): void {
    writeFileAtomic(join(this.staging, name), data);
  }

  /** A file the run appends to as it goes (metrics line by line), flushed on close. */
  appender(name: string): { line(s: string): void; close(): void } {
    const fd = openSync(join(this.staging, name), 'w');
    return {
      line: (s) => { const b = Buffer.from(`${s}\n`, 'utf8'); let off = 0; while (off < b.length) off += writeSync(fd, b, off); },
      close: () => { fsyncSync(fd); closeSync(fd); },
    };
  }

  /** Make the staging directory the run's directory, replacing a previous run there as a whole. */
  commit(): void {
    let old: string | null = null;
    try { statSync(this.final); old = `${this.final}.old-${process.pid}`; renameSync(this.final, old); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e; }
    renameSync(this.staging, this.final);
    if (old) rmSync(old, { recursive: true, force: true });
  }

  /** Remove the staging directory of a run that failed before it wrote anything worth keeping. */
  abandon(): void {
    rmSync(this.staging, { recursive: true, force: true });
  }

  toString(): string { return this.shown; }
}
