// Loading a program: read each file, parse it, and follow its imports (relative to the importing
// file), detecting missing files and cycles at the import's span. Each file is read and parsed once.
import { dirname, resolve, relative, isAbsolute } from 'node:path';
import type * as A from '../dsl/ast.ts';
import { decodeSource, MAX_FILE_BYTES, parseSource } from '../dsl/parse.ts';
import { readRegularFile } from '../data/files.ts';
import { SourceFile } from '../dsl/span.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';

/** File access, injectable for tests. */
export interface Host {
  read(path: string): { ok: true; bytes: Uint8Array } | { ok: false; reason: string; tooLarge?: true };
}

/** The file system: regular files only, their size checked before reading (src/data/files.ts). */
export const nodeHost: Host = {
  read: (path) => readRegularFile(path, MAX_FILE_BYTES, '.snn file'),
};

export interface Module {
  /** Absolute path (the key). */
  readonly path: string;
  /** Path as shown in diagnostics (relative to the working directory when inside it). */
  readonly display: string;
  readonly source: SourceFile;
  readonly ast: A.File | null;
  /** Imported modules, in import order, with the import statement that brought each. */
  readonly imports: Array<{ readonly stmt: A.Import; readonly module: Module }>;
}

export interface Workspace {
  readonly modules: Map<string, Module>;
  readonly roots: Module[];
  readonly diagnostics: Diagnostic[];
}

export function displayPath(abs: string): string {
  const rel = relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : abs;
}

export function loadWorkspace(paths: readonly string[], host: Host = nodeHost): Workspace {
  const modules = new Map<string, Module>();
  const diagnostics: Diagnostic[] = [];
  const loading = new Set<string>();

  const load = (abs: string): Module | { error: string; tooLarge?: true } => {
    const existing = modules.get(abs);
    if (existing) return existing;
    const got = host.read(abs);
    const display = displayPath(abs);
    if (!got.ok) return { error: got.reason, ...(got.tooLarge ? { tooLarge: true as const } : {}) };
    const decoded = decodeSource(display, got.bytes);
    diagnostics.push(...decoded.diagnostics);
    const parsed = decoded.diagnostics.length > 0 ? { file: null, diagnostics: [] } : parseSource(decoded.source);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.file && parsed.file.items.length === 0 && decoded.diagnostics.length === 0) {
      diagnostics.push(diag('EmptyFile', display, { start: 0, end: 0 }, 'The file has no declarations: nothing to check.'));
    }
    const mod: Module = { path: abs, display, source: decoded.source, ast: parsed.file, imports: [] };
    modules.set(abs, mod);
    if (!parsed.file) return mod;
    loading.add(abs);
    for (const item of parsed.file.items) {
      if (item.kind !== 'Import') continue;
      const target = resolve(dirname(abs), item.path.value);
      if (loading.has(target)) {
        diagnostics.push(diag('ImportCycle', display, item.path.span, `Importing "${item.path.value}" makes a cycle: ${displayPath(target)} is already being imported (directly or indirectly) by this file.`));
        continue;
      }
      const twice = mod.imports.find((i) => i.module.path === target);
      if (twice) {
        diagnostics.push(diag('DuplicateImport', display, item.path.span, `${displayPath(target)} is already imported on line ${mod.source.position(twice.stmt.span.start).line + 1}; this import adds nothing.`));
        continue;
      }
      const sub = load(target);
      if ('error' in sub) {
        diagnostics.push(diag('ImportNotFound', display, item.path.span, `Cannot import "${item.path.value}": ${displayPath(target)} ${sub.error === 'it does not exist' ? 'does not exist' : `cannot be read (${sub.error})`}. Paths are relative to the importing file.`));
        continue;
      }
      mod.imports.push({ stmt: item, module: sub });
    }
    loading.delete(abs);
    return mod;
  };

  const roots: Module[] = [];
  for (const p of paths) {
    const abs = resolve(p);
    const m = load(abs);
    if ('error' in m) {
      const display = displayPath(abs);
      diagnostics.push(diag(m.tooLarge ? 'FileTooLarge' : 'UnreadableFile', display, { start: 0, end: 0 }, `Cannot read ${display}: ${m.error}.`));
      continue;
    }
    if (!roots.includes(m)) roots.push(m);
  }
  return { modules, roots, diagnostics };
}

/** True when the module and everything it imports parsed (semantic checks may run on it). */
export function parsedClosure(m: Module, seen = new Set<string>()): boolean {
  if (seen.has(m.path)) return true;
  seen.add(m.path);
  if (!m.ast) return false;
  return m.imports.every((i) => parsedClosure(i.module, seen));
}
