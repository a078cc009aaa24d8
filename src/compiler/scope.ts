// The scope provider: what each name of a module means — its own declarations and those of the
// files it imports, each name once across them (a clash is reported where it arises: at the
// import, or at the second declaration). A plain function of a parsed module and a diagnostic
// sink; the checker resolves references against the map it returns.
import type * as A from '../dsl/ast.ts';
import type * as S from '../dsl/schema.ts';
import type { DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import type { Module } from './workspace.ts';

export type DeclKind = S.DeclKind | 'train' | 'run';
/** A named declaration: what it is, its statement, the module it is in. */
export interface Decl { readonly kind: DeclKind; readonly name: string; readonly stmt: A.Section | A.Const; readonly module: Module }

export const KIND_NOUN: Record<DeclKind, string> = { network: 'a network', core: 'a core', learn: 'a learning rule', task: 'a task', const: 'a constant', train: 'a train block', run: 'a run block' };

/** The named declarations of a module's own text, in order. */
export function declarationsOf(m: Module): Decl[] {
  const out: Decl[] = [];
  for (const item of m.ast?.items ?? []) {
    if (item.kind === 'Const') out.push({ kind: 'const', name: item.name.name, stmt: item, module: m });
    else if (item.kind === 'Section' && item.name) {
      const k = item.keyword.name;
      if (k === 'network' || k === 'core' || k === 'learn' || k === 'task' || k === 'train' || k === 'run') out.push({ kind: k, name: item.name.name, stmt: item, module: m });
    }
  }
  return out;
}

/** Every name in scope in `m`: its imports' declarations first, then its own; clashes reported to `report`. */
export function moduleScope(m: Module, report: (kind: DiagKind, at: Span, message: string) => void): Map<string, Decl> {
  const scope = new Map<string, Decl>();
  if (!m.ast) return scope;
  const origin = new Map<string, string>();
  for (const imp of m.imports) {
    if (!imp.module.ast) continue;
    for (const d of declarationsOf(imp.module)) {
      const prev = scope.get(d.name);
      if (prev && prev.module !== d.module) {
        report('DuplicateName', imp.stmt.path.span, `'${d.name}' is declared both in ${prev.module.display} and in ${d.module.display}; names must be unique across imports.`);
        continue;
      }
      scope.set(d.name, d);
      origin.set(d.name, imp.module.display);
    }
  }
  for (const d of declarationsOf(m)) {
    const prev = scope.get(d.name);
    const nameSpan = (d.stmt.kind === 'Const' ? d.stmt.name : (d.stmt.name as A.Ident)).span;
    if (prev) {
      report('DuplicateName', nameSpan, prev.module === m
        ? `'${d.name}' is already declared in this file (as ${KIND_NOUN[prev.kind]}).`
        : `'${d.name}' is already imported from ${origin.get(d.name)} (as ${KIND_NOUN[prev.kind]}).`);
      continue;
    }
    scope.set(d.name, d);
  }
  return scope;
}
