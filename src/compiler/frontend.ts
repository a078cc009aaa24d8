// The front end as one call: load the files and their imports, parse, check.
import { loadWorkspace, nodeHost, type Host, type Workspace } from './workspace.ts';
import { checkWorkspace } from './check.ts';
import { sortDiagnostics } from '../dsl/parse.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
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
  const diagnostics = sortDiagnostics([...workspace.diagnostics, ...checked.diagnostics]).filter((d) => {
    const key = `${d.file}\0${d.span.start}\0${d.span.end}\0${d.code}\0${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { workspace, diagnostics, programs: checked.programs, sources };
}
