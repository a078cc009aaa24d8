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
import { loadWorkspace, type Host, type Module } from '../compiler/workspace.ts';

export interface Override {
  readonly block: string; readonly param: string; readonly op: '=' | '~'; readonly value: string; readonly raw: string;
  /** Offsets in `raw` of the operator and of the (trimmed) value. */
  readonly opAt: number; readonly valueAt: number;
}

export function parseOverride(raw: string): Override | string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_]*)(\s*)([=~])(\s*)(.*?)\s*$/s.exec(raw);
  if (!m || m[6] === '') return `--set takes BLOCK.PARAM=VALUE or BLOCK.PARAM~DISTRIBUTION (for example --set rec.tau_m=25ms); found '${raw}'`;
  const [, block, param, ws1, op, ws2, value] = m as unknown as [string, string, string, string, '=' | '~', string, string];
  const opAt = block.length + 1 + param.length + ws1.length;
  return { block, param, op, value, raw, opAt, valueAt: opAt + 1 + ws2.length };
}

/** Every --set argument parsed, or the usage message of the first malformed one. */
export function parseOverrides(raws: readonly string[]): Override[] | string {
  const out: Override[] = [];
  for (const raw of raws) {
    const o = parseOverride(raw);
    if (typeof o === 'string') return o;
    out.push(o);
  }
  return out;
}

/** One override's edit of a file: what replaced [origStart, origEnd), and which parts of the new text stand where in the --set argument. */
interface Edit {
  readonly origStart: number; readonly origEnd: number; readonly text: string; readonly override: number;
  readonly parts: ReadonlyArray<{ readonly at: number; readonly length: number; readonly rawAt: number }>;
}
/** An edit and where it landed in the rewritten text; `delta` is the length change of it and every edit before it. */
type Landed = Edit & { readonly newStart: number; readonly delta: number };

export interface Overridden {
  /** Serves the rewritten files; every other path as `host` does. */
  readonly host: Host;
  /** A diagnostic of the rewritten files, placed back in the user's file or in the --set argument. */
  place(d: Diagnostic): Diagnostic;
  /** The sources to print placed diagnostics with: the user's own files and the --set pseudo-files. */
  readonly sources: ReadonlyMap<string, SourceFile>;
}

type Block = { readonly body: readonly A.Stmt[]; readonly open: number };

const pseudo = (k: number) => `--set#${k + 1}`;

/** Blocks an override can address: named declarations and neurons, and train/run blocks by keyword. */
function blocksOf(file: A.File): Map<string, Block> {
  const out = new Map<string, Block>();
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
  return out;
}

/**
 * A value that is not exactly one value on its own, as a diagnostic in the --set argument: one
 * that does not parse (so a stray bracket cannot swallow the file), or one followed by more — a
 * comment that would swallow the rest of the line, or `;` and a second assignment.
 */
function badValue(o: Override, k: number): Diagnostic | undefined {
  const wrap = `train { ${o.param} ${o.op} `;
  const parsed = parseSource(new SourceFile(pseudo(k), `${wrap}${o.value}\n}`));
  const bad = parsed.diagnostics.find((d) => d.severity === 'error');
  if (!bad) {
    const section = parsed.file?.items[0];
    const body = section?.kind === 'Section' ? section.body : [];
    const first = body[0];
    const valueEnd = first?.kind === 'Assign' ? first.value.span.end - wrap.length : 0;
    if (body.length === 1 && valueEnd >= o.value.length) return undefined;
    const rest = o.value.slice(valueEnd).trimStart();
    const restAt = o.valueAt + o.value.length - rest.length;
    return diag('TrailingInput', pseudo(k), { start: restAt, end: o.valueAt + o.value.length }, `A --set value is one value; '${rest}' follows ${o.block}.${o.param}'s value '${o.value.slice(0, valueEnd).trimEnd()}'. Set each parameter with its own --set (comments are not part of a value).`);
  }
  const end = o.valueAt + o.value.length;
  const start = Math.min(end, o.valueAt + Math.max(0, bad.span.start - wrap.length));
  const atEnd = start >= end;
  const culprit = atEnd ? { start: end - 1, end } : { start, end: Math.min(end, Math.max(start + 1, o.valueAt + bad.span.end - wrap.length)) };
  const what = atEnd ? 'it ends before it is complete' : `'${o.raw.slice(culprit.start, culprit.end)}' cannot stand here`;
  return { ...bad, span: culprit, message: `'${o.value}' is not a value for ${o.block}.${o.param}: ${what} (a value is a number with its unit, a name, a list or a call such as adam(lr = 1e-3)).` };
}

/** The overrides applied, or the first that cannot be (with the --set pseudo-files to show it). */
export function applyOverrides(root: string, overrides: readonly Override[], host: Host): Overridden | { readonly error: Diagnostic; readonly sources: ReadonlyMap<string, SourceFile> } {
  const sources = new Map<string, SourceFile>(overrides.map((o, k) => [pseudo(k), new SourceFile(pseudo(k), o.raw)]));
  const fail = (error: Diagnostic) => ({ error, sources });
  const ws = loadWorkspace([root], host);
  // An unreadable root: nothing to override; the check that follows says why it cannot be read.
  if (!ws.modules.has(root)) return { host, sources, place: (d) => d };
  // The root first, then its imports: a block is found where it is declared.
  const modules = [...ws.modules.values()].sort((a, b) => Number(b.path === root) - Number(a.path === root));
  const parsed = modules.flatMap((m) => (m.ast ? [{ module: m, blocks: blocksOf(m.ast) }] : []));
  const edits = new Map<string, { module: Module; list: Edit[] }>();
  const seen = new Set<string>();
  for (const [k, o] of overrides.entries()) {
    const key = `${o.block}.${o.param}`;
    if (seen.has(key)) return fail(diag('DuplicateParameter', pseudo(k), { start: 0, end: key.length }, `${key} is set twice.`));
    seen.add(key);
    const found = parsed.find((p) => p.blocks.has(o.block));
    if (!found) {
      if (parsed.length < modules.length) continue; // a file does not parse: let its syntax errors speak first
      const known = parsed.flatMap((p) => [...p.blocks.keys()]);
      return fail(diag('UnknownName', pseudo(k), { start: 0, end: o.block.length }, `There is no block, population or readout named '${o.block}' with a body in this file or its imports.${didYouMean(o.block, known)}`));
    }
    const bad = badValue(o, k);
    if (bad) return fail(bad);
    const block = found.blocks.get(o.block) as Block;
    const existing = block.body.find((s): s is A.Assign => s.kind === 'Assign' && s.name.name === o.param);
    const brace = found.module.source.text.indexOf('{', block.open) + 1;
    const edit: Edit = existing
      // Replace the operator and the value: `tau_m ~ normal(…)` can become `tau_m = 25 ms`.
      ? { origStart: existing.name.span.end, origEnd: existing.value.span.end, text: ` ${o.op} ${o.value}`, override: k,
        parts: [{ at: 1, length: 1, rawAt: o.opAt }, { at: 3, length: o.value.length, rawAt: o.valueAt }] }
      // Or add the assignment at the top of the block.
      : { origStart: brace, origEnd: brace, text: ` ${o.param} ${o.op} ${o.value};`, override: k,
        parts: [{ at: 1, length: o.param.length, rawAt: o.block.length + 1 }, { at: 2 + o.param.length, length: 1, rawAt: o.opAt }, { at: 4 + o.param.length, length: o.value.length, rawAt: o.valueAt }] };
    const entry = edits.get(found.module.path) ?? { module: found.module, list: [] };
    entry.list.push(edit);
    edits.set(found.module.path, entry);
  }

  // Rewrite each edited file; remember where every edit landed.
  const texts = new Map<string, Uint8Array>();
  const landed = new Map<string, Landed[]>();
  for (const { module: m, list } of edits.values()) {
    sources.set(m.display, m.source);
    let out = ''; let at = 0; let delta = 0;
    const placed: Landed[] = [];
    for (const e of [...list].sort((a, b) => a.origStart - b.origStart)) {
      out += m.source.text.slice(at, e.origStart);
      const newStart = out.length;
      out += e.text;
      at = e.origEnd;
      delta += e.text.length - (e.origEnd - e.origStart);
      placed.push({ ...e, newStart, delta });
    }
    out += m.source.text.slice(at);
    texts.set(m.path, new TextEncoder().encode(out));
    landed.set(m.display, placed);
  }

  /** An offset of the rewritten text in the original text (inside an edit: the edit's start). */
  const toOriginal = (placed: readonly Landed[], n: number): number => {
    let shift = 0;
    for (const e of placed) {
      if (n < e.newStart) break;
      if (n < e.newStart + e.text.length) return e.origStart;
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
      const e = placed.find((x) => d.span.start >= x.newStart && d.span.start < x.newStart + x.text.length);
      if (!e) {
        const start = toOriginal(placed, d.span.start);
        return { ...d, span: { start, end: Math.max(start, toOriginal(placed, d.span.end)) } };
      }
      // In what the override wrote: the same characters of the --set argument.
      const rel = d.span.start - e.newStart;
      const part = e.parts.find((p) => rel >= p.at && rel <= p.at + p.length) ?? (e.parts.at(-1) as Edit['parts'][number]);
      const start = part.rawAt + Math.max(0, rel - part.at);
      const end = Math.max(start, part.rawAt + Math.min(part.length, d.span.end - e.newStart - part.at));
      return { ...d, file: pseudo(e.override), span: { start, end } };
    },
  };
}
