// How commands show diagnostics: as text (file:line:col, the source line and a caret), or as the
// editor protocol's JSON object {"diagnostics": [...]}. A command with --json keeps stdout for one
// JSON object: its diagnostics go to stderr as text, and when it fails, the JSON object of every
// diagnostic it showed is what stdout gets.
import { diagnosticToJson, formatDiagnostic, type Diagnostic } from '../dsl/diagnostics.ts';
import type { SourceFile } from '../dsl/span.ts';

export type SourceOf = (file: string) => SourceFile | undefined;

/** `{"diagnostics": [...]}` with 0-based positions (the shape of `check --json`). */
export function diagnosticsJson(ds: readonly Diagnostic[], sourceOf: SourceOf, indent?: number): string {
  return JSON.stringify({ diagnostics: ds.map((d) => diagnosticToJson(d, sourceOf(d.file))) }, null, indent);
}

export interface Reporter {
  /** Print diagnostics (text). */
  show(ds: readonly Diagnostic[]): void;
  /** Print diagnostics, then, with --json, the JSON object of all shown; returns exit code 1. */
  fail(ds: readonly Diagnostic[]): 1;
}

export function reporter(json: boolean, out: (s: string) => void, err: (s: string) => void, sourceOf: SourceOf): Reporter {
  const shown: Diagnostic[] = [];
  const show = (ds: readonly Diagnostic[]) => {
    for (const d of ds) { shown.push(d); (json ? err : out)(formatDiagnostic(d, sourceOf(d.file))); }
  };
  return {
    show,
    fail(ds) {
      show(ds);
      if (json) out(diagnosticsJson(shown, sourceOf));
      return 1;
    },
  };
}
