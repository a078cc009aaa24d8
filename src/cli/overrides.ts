// `--set block.param=value`: override a parameter without editing the file. The override is
// applied to the text of the root file — the assignment is replaced, or added at the top of the
// block — and the result is checked like any file, so a bad value gets the usual diagnostic.
import type * as A from '../dsl/ast.ts';
import { parseSource } from '../dsl/parse.ts';
import { SourceFile } from '../dsl/span.ts';
import { didYouMean } from '../dsl/diagnostics.ts';

export interface Override { readonly block: string; readonly param: string; readonly value: string; readonly raw: string }

export function parseOverride(raw: string): Override | string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(raw);
  if (!m) return `--set takes BLOCK.PARAM=VALUE (for example --set rec.tau_m=25ms); found '${raw}'`;
  return { block: m[1] as string, param: m[2] as string, value: (m[3] as string).trim(), raw };
}

/** Blocks an override can address: named declarations and populations, and the train/run blocks by keyword. */
function targets(file: A.File): Map<string, { body: readonly A.Stmt[]; open: number; span: A.Stmt['span'] }> {
  const out = new Map<string, { body: readonly A.Stmt[]; open: number; span: A.Stmt['span'] }>();
  const visit = (stmts: readonly A.Stmt[]) => {
    for (const s of stmts) {
      if (s.kind === 'Section') {
        const key = s.name?.name ?? s.keyword.name;
        if (!out.has(key)) out.set(key, { body: s.body, open: s.span.start, span: s.span });
        visit(s.body);
      } else if (s.kind === 'Neurons' && s.body) {
        out.set(s.name.name, { body: s.body, open: s.span.start, span: s.span });
      }
    }
  };
  visit(file.items);
  return out;
}

/** Apply overrides to `text`; returns the new text, or a message naming what was not found. */
export function applyOverrides(text: string, overrides: readonly Override[]): string | { error: string } {
  let current = text;
  for (const o of overrides) {
    const parsed = parseSource(new SourceFile('<override>', current));
    if (!parsed.file) return current; // the checker will report the syntax errors
    const blocks = targets(parsed.file);
    const b = blocks.get(o.block);
    if (!b) return { error: `--set ${o.raw}: there is no block, population or readout named '${o.block}' with a body in this file.${didYouMean(o.block, blocks.keys())}` };
    const existing = b.body.find((s): s is A.Assign => s.kind === 'Assign' && s.name.name === o.param);
    if (existing) {
      current = current.slice(0, existing.value.span.start) + o.value + current.slice(existing.value.span.end);
    } else {
      const brace = current.indexOf('{', b.open);
      current = `${current.slice(0, brace + 1)} ${o.param} = ${o.value};${current.slice(brace + 1)}`;
    }
  }
  return current;
}
