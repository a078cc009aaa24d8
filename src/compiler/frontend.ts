// The front end as one call: load the files and their imports, parse, check.
import { loadWorkspace, nodeHost, type Host, type Workspace } from './workspace.ts';
import { checkWorkspace, type CheckOptions } from './check.ts';
import { MAX_ERRORS_PER_FILE, sortDiagnostics } from '../dsl/parse.ts';
import { diag, didYouMean, type Diagnostic } from '../dsl/diagnostics.ts';
import type { SourceFile } from '../dsl/span.ts';
import type { CheckedCore, CheckedProgram, CheckedRun } from './values.ts';

export interface FrontEndResult {
  readonly workspace: Workspace;
  readonly diagnostics: Diagnostic[];
  /** Checked program per root file (absolute path); absent for roots with syntax errors. */
  readonly programs: Map<string, CheckedProgram>;
  /** Source text by the path diagnostics show. */
  readonly sources: Map<string, SourceFile>;
  /** Every file the program reads, by absolute path: its sources and the data files it loads. */
  readonly inputs: string[];
}

export function checkPaths(paths: readonly string[], host: Host = nodeHost, options: CheckOptions = {}): FrontEndResult {
  return checkLoaded(loadWorkspace(paths, host), options);
}

/** The check of files already loaded and parsed (a sweep checks one parsed workspace per point). */
export function checkLoaded(workspace: Workspace, options: CheckOptions = {}): FrontEndResult {
  const checked = checkWorkspace(workspace, options);
  const sources = new Map<string, SourceFile>();
  for (const m of workspace.modules.values()) sources.set(m.display, m.source);
  const seen = new Set<string>();
  const perFile = new Map<string, number>();
  const diagnostics: Diagnostic[] = [];
  for (const d of sortDiagnostics([...workspace.diagnostics, ...checked.diagnostics])) {
    const key = `${d.file}\0${d.span.start}\0${d.span.end}\0${d.code}\0${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const n = (perFile.get(d.file) ?? 0) + 1;
    perFile.set(d.file, n);
    if (n <= MAX_ERRORS_PER_FILE) diagnostics.push(d);
  }
  for (const [file, n] of perFile) {
    if (n <= MAX_ERRORS_PER_FILE || diagnostics.some((d) => d.file === file && d.code === 'SNN0006')) continue;
    const last = diagnostics.filter((d) => d.file === file).pop() as Diagnostic;
    diagnostics.push(diag('TooManyErrors', file, last.span, `Stopped after ${MAX_ERRORS_PER_FILE} problems in this file; fix these first (${n - MAX_ERRORS_PER_FILE} more not shown).`));
  }
  const inputs = [...workspace.modules.keys(), ...[...checked.dataFiles].sort()];
  return { workspace, diagnostics: sortDiagnostics(diagnostics), programs: checked.programs, sources, inputs };
}

type Picked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly diagnostic: Diagnostic };

/** The train or run block a command works on: the one named `name`, else the file's only one (or its only one of the first of `keywords`). `file` is the root as diagnostics show it. */
export function selectRun(program: CheckedProgram | undefined, file: string, keywords: ReadonlyArray<'train' | 'run'>, name?: string): Picked<CheckedRun> {
  const what = keywords.join(' or ');
  const all = (program?.runs ?? []).filter((r) => keywords.includes(r.keyword));
  const runs = all.filter((r) => name === undefined || r.name === name);
  const top = { start: 0, end: 0 };
  if (runs.length === 1) return { ok: true, value: runs[0]! };
  // Keywords in order of preference: one block of the first kind is the one meant (a file with a
  // run block and a train block runs its run block).
  const preferred = runs.filter((r) => r.keyword === keywords[0]);
  if (name === undefined && preferred.length === 1 && keywords.length > 1) return { ok: true, value: preferred[0]! };
  if (runs.length === 0) {
    const names = all.map((r) => r.name).filter((n): n is string => n !== null);
    const message = name === undefined
      ? `The file has no ${what} block: add one (\`${keywords[0]} { network = ...; task = ... }\`) to use this command.`
      : `There is no ${what} block named '${name}'.${didYouMean(name, names)}${names.length > 0 ? ` The file has: ${names.join(', ')}.` : ''}`;
    return { ok: false, diagnostic: diag('NoRunBlock', file, name === undefined || all.length === 0 ? top : all[0]!.span, message) };
  }
  return { ok: false, diagnostic: diag('NoRunBlock', file, runs[1]!.span, `The file has ${runs.length} ${what} blocks; choose one with --block NAME (${runs.map((r) => r.name ?? '(unnamed)').join(', ')}).`) };
}

/** The core to compile `run` for: `name` (from --core), else the one the block names. */
export function selectCore(program: CheckedProgram, run: CheckedRun, name?: string): Picked<CheckedCore> {
  const ref = run.params.params.core;
  const wanted = name ?? (ref?.t === 'ref' ? ref.name : undefined);
  const found = wanted !== undefined ? program.cores.get(wanted) : undefined;
  if (found) return { ok: true, value: found };
  const cores = [...program.cores.keys()];
  const known = cores.length > 0 ? ` Cores in scope: ${cores.join(', ')}.` : ' No core is declared or imported (the shared ones are in examples/cores/).';
  const message = wanted === undefined
    ? `The ${run.keyword} block names no core to compile for: add \`core = NAME\` to it, or give --core NAME.${known}`
    : `There is no core named '${wanted}'.${didYouMean(wanted, cores)}${known}`;
  return { ok: false, diagnostic: diag('NoCore', run.file, run.params.spans.core ?? run.span, message) };
}
