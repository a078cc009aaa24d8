// What every command that reads a .snn file does first, in one place: parse the file and its
// imports, put the `--set` overrides in their syntax trees, check the file and its imports against the memory budget (`--max-memory`, else
// PHASECORE_MAX_MEMORY, else the default), and place every diagnostic back where the user wrote
// it (their own file, or the --set argument).
import { resolve } from 'node:path';
import { checkLoaded, type FrontEndResult } from '../compiler/frontend.ts';
import { loadWorkspace, nodeHost, type Workspace } from '../compiler/workspace.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import type { SourceFile } from '../dsl/span.ts';
import { DEFAULT_MEMORY_BUDGET, parseBytes } from '../ir/memory.ts';
import { formatBytes } from '../data/files.ts';
import { overrideWorkspace, parseOverrides, type Override } from './overrides.ts';

/** The options every .snn-reading command takes (`parsed`: not a flag; a sweep's worker passes its cache). */
export interface InputOptions { readonly set?: string[]; readonly maxMemory?: string; readonly parsed?: ParseCache }

export const SET_HELP = 'override a parameter, e.g. --set rec.tau_m=25ms (repeatable; one value each)';
export const MAX_MEMORY_HELP = `memory a train or run block's state may need, e.g. 8GiB (default: PHASECORE_MAX_MEMORY, else ${formatBytes(DEFAULT_MEMORY_BUDGET)})`;

export interface Loaded {
  readonly ok: true;
  readonly result: FrontEndResult;
  /** The check's diagnostics, placed in the user's files or the --set arguments. */
  readonly diagnostics: Diagnostic[];
  readonly sourceOf: (file: string) => SourceFile | undefined;
  /** A later pass's diagnostic (the compiler's), placed the same way. */
  readonly place: (d: Diagnostic) => Diagnostic;
  /** Line and column of an offset of the checked text, in the user's own file. */
  readonly position: (file: string, offset: number) => { line: number; character: number } | undefined;
  /** `file:line:col` of an offset of the checked text, as the user reads it (an override's in its --set argument). */
  readonly locate: (file: string, offset: number) => string;
  readonly overrides: readonly Override[];
  /** The files (as diagnostics show them) whose blocks the overrides change. */
  readonly overridden: readonly string[];
  readonly memoryBudget: number;
}
export type LoadFailure =
  | { readonly ok: false; readonly usage: string }
  | { readonly ok: false; readonly diagnostics: Diagnostic[]; readonly sourceOf: (file: string) => SourceFile | undefined };

/** The memory budget in bytes, or a usage message. */
export function memoryBudget(flag: string | undefined, env = process.env.PHASECORE_MAX_MEMORY): number | string {
  const [text, from] = flag !== undefined ? [flag, '--max-memory'] : env !== undefined && env !== '' ? [env, 'PHASECORE_MAX_MEMORY'] : [undefined, ''];
  if (text === undefined) return DEFAULT_MEMORY_BUDGET;
  const n = parseBytes(text);
  return n ?? `${from} takes a size such as 8GiB, 512MB or 2e9 (bytes); found '${text}'`;
}

/**
 * Parsed workspaces by root, for a process that checks one file many times with different
 * overrides (a sweep's worker): each file is read and parsed once. Absent: read afresh.
 */
export type ParseCache = Map<string, Workspace>;

export function loadInputs(files: readonly string[], opts: InputOptions): Loaded | LoadFailure {
  const cache = opts.parsed;
  const budget = memoryBudget(opts.maxMemory);
  if (typeof budget === 'string') return { ok: false, usage: budget };
  const overrides = parseOverrides(opts.set ?? []);
  if (typeof overrides === 'string') return { ok: false, usage: overrides };
  if (overrides.length > 0 && files.length !== 1) return { ok: false, usage: '--set applies to one file at a time' };
  const roots = files.map((f) => resolve(f));
  const key = roots.join('\0');
  const parsed = cache?.get(key) ?? loadWorkspace(roots, nodeHost);
  cache?.set(key, parsed);
  const ov = overrideWorkspace(parsed, roots[0] as string, overrides);
  // The user's own files as they wrote them (an overridden module's text is extended past its end).
  const own = (f: string) => ov.sources.get(f) ?? [...parsed.modules.values()].find((m) => m.display === f)?.source;
  if ('error' in ov) return { ok: false, diagnostics: [ov.error], sourceOf: own };
  const result = checkLoaded(ov.workspace, { memoryBudget: budget });
  const place = (d: Diagnostic) => ov.place(d);
  const sourceOf = (f: string) => own(f) ?? result.sources.get(f);
  const at = (file: string, offset: number) => place({ file, span: { start: offset, end: offset }, code: '', severity: 'error', message: '' });
  return {
    ok: true, result, overrides, overridden: ov.changed, memoryBudget: budget, place, sourceOf,
    position: (file, offset) => { const d = at(file, offset); return sourceOf(d.file)?.position(d.span.start); },
    locate: (file, offset) => { const d = at(file, offset); const p = sourceOf(d.file)?.position(d.span.start); return p ? `${d.file}:${p.line + 1}:${p.character + 1}` : d.file; },
    diagnostics: result.diagnostics.map(place),
  };
}
