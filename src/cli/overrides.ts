// `--set block.param=value` (or `block.param~distribution`): override a parameter without editing
// the file. The override is applied to the text of the file that declares the block — the root
// file or one it imports — by replacing the assignment or adding one at the top of the block, and
// the result is checked like any file. Diagnostics are then put back where the user wrote things:
// in their own file at its own positions, or, for what the override wrote, in the `--set`
// argument itself (a pseudo-file named `--set#K`, shown with a caret under the culprit).
import type * as A from '../dsl/ast.ts';
import { SourceFile } from '../dsl/span.ts';
import { parseSource } from '../dsl/parse.ts';
import { diag, didYouMean, type Diagnostic } from '../dsl/diagnostics.ts';
import { loadWorkspace, type Host } from '../compiler/workspace.ts';

export interface Override { readonly block: string; readonly param: string; readonly op: '=' | '~'; readonly value: string; readonly raw: string }

export function parseOverride(raw: string): Override | string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)\s*([=~])(.+)$/s.exec(raw);
  if (!m || (m[4] as string).trim() === '') return `--set takes BLOCK.PARAM=VALUE or BLOCK.PARAM~DISTRIBUTION (for example --set rec.tau_m=25ms); found '${raw}'`;
  return { block: m[1] as string, param: m[2] as string, op: m[3] as '=' | '~', value: (m[4] as string).trim(), raw };
}

/** A piece of inserted text and where it stands in the --set argument. */
interface Part { readonly newStart: number; readonly newEnd: number; readonly rawStart: number }
/** One override's edit of a file, in original and in rewritten offsets. */
interface Edit { readonly origStart: number; readonly origEnd: number; readonly text: string; readonly parts: readonly { at: number; length: number; rawStart: number }[]; readonly override: number }

export interface Overridden {
  /** Serves the rewritten files; every other path as `host` does. */
  readonly host: Host;
  /** A diagnostic of the rewritten files, placed back in the user's file or in the --set argument. */
  place(d: Diagnostic): Diagnostic;
  /** The sources to print placed diagnostics with: the user's own files and the --set pseudo-files. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

const pseudo = (k: number) => `--set#${k + 1}`;

/** Blocks an override can address: named declarations and neurons, and train/run blocks by keyword. */
function blocksOf(file: A.File, out: Map<string, { body: readonly A.Stmt[]; open: number }>): void {
  const visit = (stmts: readonly A.Stmt[]) => {
    for (const s of stmts) {
      if (s.kind === 'Section') {
        const key = s.name?.name ?? s.keyword.name;
        if (!out.has(key)) out.set(key, { body: s.body, open: s.span.start });
        visit(s.body);
      } else if (s.kind === 'Neurons' && s.body && !out.has(s.name.name)) {
        out.set(s.name.name, { body: s.body, open: s.span.start });
      }
    }
  };
  visit(file.items);
}

/** The overrides applied, or the first that names nothing (with the --set pseudo-files to show it). */
export function applyOverrides(root: string, overrides: readonly Override[], host: Host): Overridden | { readonly error: Diagnostic; readonly sources: ReadonlyMap<string, SourceFile> } {
  const sources = new Map<string, SourceFile>(overrides.map((o, k) => [pseudo(k), new SourceFile(pseudo(k), o.raw)]));
  const ws = loadWorkspace([root], host);
  const rootModule = ws.modules.get(root);
  // The root first, then its imports: a block is found where it is declared.
  const modules = rootModule ? [rootModule, ...[...ws.modules.values()].filter((m) => m !== rootModule)] : [];
  const edits = new Map<string, Edit[]>();
  const seen = new Set<string>();
  for (const [k, o] of overrides.entries()) {
    const at = (start: number, end: number, code: 'UnknownName' | 'DuplicateParameter', message: string) => ({ error: diag(code, pseudo(k), { start, end }, message), sources });
    if (seen.has(`${o.block}.${o.param}`)) return at(0, o.block.length + 1 + o.param.length, 'DuplicateParameter', `${o.block}.${o.param} is set twice.`);
    seen.add(`${o.block}.${o.param}`);
    const known = new Map<string, { body: readonly A.Stmt[]; open: number }>();
    let found: { module: (typeof modules)[number]; block: { body: readonly A.Stmt[]; open: number } } | undefined;
    for (const m of modules) {
      if (!m.ast) continue; // a file that does not parse: the check reports it
      const blocks = new Map<string, { body: readonly A.Stmt[]; open: number }>();
      blocksOf(m.ast, blocks);
      for (const [name, b] of blocks) if (!known.has(name)) known.set(name, b);
      const b = blocks.get(o.block);
      if (b) { found = { module: m, block: b }; break; }
    }
    if (!found) {
      if (modules.some((m) => !m.ast)) continue; // let the syntax errors speak first
      return at(0, o.block.length, 'UnknownName', `There is no block, population or readout named '${o.block}' with a body in this file or its imports.${didYouMean(o.block, known.keys())}`);
    }
    // The value must parse on its own, so a stray bracket cannot swallow the rest of the file.
    const wrap = `train { ${o.param} ${o.op} `;
    const probe = parseSource(new SourceFile(pseudo(k), `${wrap}${o.value}\n}`));
    const bad = probe.diagnostics.find((d) => d.severity === 'error');
    if (bad) {
      const valueAt = o.raw.length - o.value.length - (o.raw.length - o.raw.trimEnd().length);
      const start = Math.min(o.raw.length, valueAt + Math.max(0, bad.span.start - wrap.length));
      const atEnd = start >= o.raw.length;
      const end = atEnd ? o.raw.length : Math.min(o.raw.length, Math.max(start + 1, valueAt + bad.span.end - wrap.length));
      const message = `'${o.value}' is not a value for ${o.block}.${o.param}: ${atEnd ? 'it ends before it is complete' : `'${o.raw.slice(start, end)}' cannot stand here`} (a value is a number with its unit, a name, a list or a call such as adam(lr = 1e-3)).`;
      return { error: { ...bad, span: { start: Math.min(start, Math.max(0, o.raw.length - 1)), end }, message }, sources };
    }
    const { module, block } = found;
    const existing = block.body.find((s): s is A.Assign => s.kind === 'Assign' && s.name.name === o.param);
    const valueRaw = o.raw.length - o.value.length - (o.raw.length - o.raw.trimEnd().length);
    const opRaw = o.block.length + 1 + o.param.length + (o.raw.slice(o.block.length + 1 + o.param.length).length - o.raw.slice(o.block.length + 1 + o.param.length).trimStart().length);
    const list = edits.get(module.path) ?? [];
    if (existing) {
      // Replace the operator and the value: `tau_m ~ normal(…)` can become `tau_m = 25 ms`.
      const text = `${o.op} ${o.value}`;
      list.push({ origStart: existing.name.span.end, origEnd: existing.value.span.end, text: ` ${text}`, override: k,
        parts: [{ at: 1, length: 1, rawStart: opRaw }, { at: 3, length: o.value.length, rawStart: valueRaw }] });
    } else {
      const brace = module.source.text.indexOf('{', block.open);
      const text = ` ${o.param} ${o.op} ${o.value};`;
      list.push({ origStart: brace + 1, origEnd: brace + 1, text, override: k,
        parts: [{ at: 1, length: o.param.length, rawStart: o.block.length + 1 }, { at: 2 + o.param.length, length: 1, rawStart: opRaw }, { at: 4 + o.param.length, length: o.value.length, rawStart: valueRaw }] });
    }
    edits.set(module.path, list);
  }

  // Rewrite each edited file; remember where every edit landed.
  const texts = new Map<string, Uint8Array>();
  const landed = new Map<string, Array<Edit & { newStart: number; delta: number; parts2: Part[] }>>();
  for (const [path, list] of edits) {
    const m = ws.modules.get(path)!;
    sources.set(m.display, m.source);
    const sorted = [...list].sort((a, b) => a.origStart - b.origStart);
    let out = ''; let at = 0; let delta = 0;
    const placed: Array<Edit & { newStart: number; delta: number; parts2: Part[] }> = [];
    for (const e of sorted) {
      out += m.source.text.slice(at, e.origStart);
      const newStart = out.length;
      out += e.text;
      at = e.origEnd;
      delta += e.text.length - (e.origEnd - e.origStart);
      placed.push({ ...e, newStart, delta, parts2: e.parts.map((p) => ({ newStart: newStart + p.at, newEnd: newStart + p.at + p.length, rawStart: p.rawStart })) });
    }
    out += m.source.text.slice(at);
    texts.set(path, new TextEncoder().encode(out));
    landed.set(m.display, placed);
  }

  const toOriginal = (placed: Array<Edit & { newStart: number; delta: number }>, n: number): number => {
    let shift = 0;
    for (const e of placed) {
      if (n < e.newStart) break;
      if (n < e.newStart + e.text.length) return e.origStart; // inside the edit: its original place
      shift = e.delta;
    }
    return n - shift;
  };
  return {
    host: { read: (p) => { const t = texts.get(p); return t ? { ok: true, bytes: t } : host.read(p); } },
    sources,
    place(d) {
      const placed = landed.get(d.file);
      if (!placed) return d;
      for (const e of placed) {
        if (d.span.start < e.newStart || d.span.start >= e.newStart + e.text.length) continue;
        const part = e.parts2.find((p) => d.span.start >= p.newStart && d.span.start <= p.newEnd) ?? e.parts2.at(-1)!;
        const start = part.rawStart + Math.max(0, d.span.start - part.newStart);
        const end = Math.max(start, part.rawStart + Math.min(part.newEnd, d.span.end) - part.newStart);
        return { ...d, file: pseudo(e.override), span: { start, end } };
      }
      return { ...d, span: { start: toOriginal(placed, d.span.start), end: Math.max(toOriginal(placed, d.span.start), toOriginal(placed, d.span.end)) } };
    },
  };
}
