// The front end as one call: load the files and their imports, parse, check.
import { loadWorkspace, nodeHost, type Host, type Workspace } from './workspace.ts';
import { checkWorkspace } from './check.ts';
import { MAX_ERRORS_PER_FILE, sortDiagnostics } from '../dsl/parse.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import type { SourceFile } from '../dsl/span.ts';
import type { CheckedProgram } from './values.ts';

export interface FrontEndResult {
  readonly workspace: Workspace;
  readonly diagnostics: Diagnostic[];
  /** Checked program per root file (absolute path); absent for roots with syntax errors. */
  readonly programs: Map<string, CheckedProgram>;
  /** Source text by the path diagnostics show. */
  readonly sources: Map<string, SourceFile>;
}

export function checkPaths(paths: readonly string[], host: Host = nodeHost): FrontEndResult {
  const workspace = loadWorkspace(paths, host);
  const checked = checkWorkspace(workspace);
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
  return { workspace, diagnostics: sortDiagnostics(diagnostics), programs: checked.programs, sources };
}
