// `--set block.param=value` (or `block.param~distribution`): override a parameter without editing
// the file. The file and its imports are parsed once; each override's value is parsed on its own,
// from its own text, and stands in for the expression the block declares (or is added to the top
// of the block) in the syntax tree the checker then checks — so a sweep checks one parsed file
// with a different set of overrides per point, and never re-parses rewritten text. Diagnostics
// stay where the user wrote things: in their own file at its own positions, or, for what an
// override brought, in the `--set` argument itself (a pseudo-file named `--set#K`, shown with a
// caret under the culprit).
//
// How an override's nodes keep their place: the overridden module's text is extended, past its
// end, by the override arguments (each with its `block.` blanked), and the override's nodes carry
// spans in that extension. A diagnostic that lands there is one in the argument, at the same
// offset; the checker's messages quote the text they name as usual.
import type * as A from '../dsl/ast.ts';
import { SourceFile, type Span } from '../dsl/span.ts';
import { parseSource } from '../dsl/parse.ts';
import { diag, didYouMean, type Diagnostic } from '../dsl/diagnostics.ts';
import type { Module, Workspace } from '../compiler/workspace.ts';

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

export interface Overridden {
  /** The workspace with every override in its syntax trees (modules without one are the same objects). */
  readonly workspace: Workspace;
  /** A diagnostic of the overridden workspace, placed back in the user's file or in the --set argument. */
  place(d: Diagnostic): Diagnostic;
  /** The sources to print placed diagnostics with: the --set pseudo-files (the user's own files are the workspace's). */
  readonly sources: ReadonlyMap<string, SourceFile>;
  /** The files (as diagnostics show them) whose blocks the overrides change. */
  readonly changed: readonly string[];
}
export interface OverrideFailure { readonly error: Diagnostic; readonly sources: ReadonlyMap<string, SourceFile> }

const pseudo = (k: number) => `--set#${k + 1}`;

/** The block an override addresses: a named declaration or neurons with a body, or a train/run block by keyword. */
const blockKey = (s: A.Stmt): string | undefined =>
  s.kind === 'Section' ? s.name?.name ?? s.keyword.name : s.kind === 'Neurons' && s.body ? s.name.name : undefined;

/** Every addressable block of a file, first declaration of a name first (nested blocks too). */
function blocksOf(file: A.File): Set<string> {
  const out = new Set<string>();
  const visit = (stmts: readonly A.Stmt[]) => {
    for (const s of stmts) {
      const key = blockKey(s);
      if (key !== undefined) out.add(key);
      if (s.kind === 'Section') visit(s.body);
    }
  };
  visit(file.items);
  return out;
}

/** A copy of a syntax tree with every span moved by `by`. */
function shifted<T>(node: T, by: number): T {
  if (Array.isArray(node)) return node.map((n) => shifted(n, by)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    out[k] = k === 'span' ? { start: (v as Span).start + by, end: (v as Span).end + by } : shifted(v, by);
  }
  return out as T;
}

// An override is parsed as the one statement of a block: `train{` + the argument with `block.`
// blanked + a closing brace, so that offsets in it less WRAP are offsets in the argument.
const WRAP = 'train{';
const blanked = (o: Override) => ' '.repeat(o.block.length + 1) + o.raw.slice(o.block.length + 1);

/**
 * The override's assignment, spans in its argument; or a diagnostic in the argument when the value
 * is not exactly one value on its own: one that does not parse (so a stray bracket cannot swallow
 * the file), or one followed by more — a comment, or `;` and a second assignment.
 */
function parseAssign(o: Override, k: number): A.Assign | Diagnostic {
  const parsed = parseSource(new SourceFile(pseudo(k), `${WRAP}${blanked(o)}\n}`));
  const bad = parsed.diagnostics.find((d) => d.severity === 'error');
  const end = o.valueAt + o.value.length;
  if (!bad) {
    const section = parsed.file?.items[0];
    const body = section?.kind === 'Section' ? section.body : [];
    const first = body[0];
    const valueEnd = first?.kind === 'Assign' ? first.value.span.end - WRAP.length : 0;
    if (body.length === 1 && first?.kind === 'Assign' && valueEnd >= end) return shifted(first, -WRAP.length);
    const rest = o.raw.slice(Math.max(valueEnd, o.valueAt), end).trimStart();
    const restAt = end - rest.length;
    return diag('TrailingInput', pseudo(k), { start: restAt, end }, `A --set value is one value; '${rest}' follows ${o.block}.${o.param}'s value '${o.raw.slice(o.valueAt, Math.max(o.valueAt, valueEnd)).trimEnd()}'. Set each parameter with its own --set (comments are not part of a value).`);
  }
  const start = Math.min(end, Math.max(o.valueAt, bad.span.start - WRAP.length));
  const atEnd = start >= end;
  const culprit = atEnd ? { start: end - 1, end } : { start, end: Math.min(end, Math.max(start + 1, bad.span.end - WRAP.length)) };
  const what = atEnd ? 'it ends before it is complete' : `'${o.raw.slice(culprit.start, culprit.end)}' cannot stand here`;
  return { ...bad, span: culprit, message: `'${o.value}' is not a value for ${o.block}.${o.param}: ${what} (a value is a number with its unit, a name, a list or a call such as adam(lr = 1e-3)).` };
}

/** A body with `assign` in it: replacing the operator and value of the parameter it sets (`tau_m ~ normal(…)` can become `tau_m = 25 ms`), or added first. */
function withAssign(body: readonly A.Stmt[], assign: A.Assign): A.Stmt[] {
  const at = body.findIndex((s) => s.kind === 'Assign' && s.name.name === assign.name.name);
  if (at < 0) return [assign, ...body];
  const old = body[at] as A.Assign;
  return body.map((s, i) => (i === at ? { ...old, op: assign.op, value: assign.value } : s));
}

/** The file with each assignment put in the first block of its key (the one blocksOf finds). */
function substitute(file: A.File, edits: ReadonlyMap<string, readonly A.Assign[]>): A.File {
  const done = new Set<string>();
  const visit = (stmts: readonly A.Stmt[]): A.Stmt[] => stmts.map((s) => {
    const key = blockKey(s);
    let out = s;
    if (key !== undefined && !done.has(key) && edits.has(key)) {
      done.add(key);
      const list = edits.get(key) as readonly A.Assign[];
      if (s.kind === 'Section') out = { ...s, body: list.reduce(withAssign, [...s.body]) };
      else if (s.kind === 'Neurons') out = { ...s, body: list.reduce(withAssign, [...(s.body ?? [])]) };
    }
    return out.kind === 'Section' ? { ...out, body: visit(out.body) } : out;
  });
  return { ...file, items: visit(file.items) };
}

/** The overrides put in the workspace's syntax trees, or the first that cannot be (with the --set pseudo-files to show it). */
export function overrideWorkspace(ws: Workspace, root: string, overrides: readonly Override[]): Overridden | OverrideFailure {
  const sources = new Map<string, SourceFile>(overrides.map((o, k) => [pseudo(k), new SourceFile(pseudo(k), o.raw)]));
  const fail = (error: Diagnostic): OverrideFailure => ({ error, sources });
  const unchanged: Overridden = { workspace: ws, sources, changed: [], place: (d) => d };
  // An unreadable root: nothing to override; the check that follows says why it cannot be read.
  if (overrides.length === 0 || !ws.modules.has(root)) return unchanged;
  // The root first, then its imports: a block is found where it is declared.
  const modules = [...ws.modules.values()].sort((a, b) => Number(b.path === root) - Number(a.path === root));
  const parsed = modules.flatMap((m) => (m.ast ? [{ module: m, blocks: blocksOf(m.ast) }] : []));
  const edits = new Map<string, Array<{ k: number; o: Override; assign: A.Assign }>>();
  const seen = new Set<string>();
  for (const [k, o] of overrides.entries()) {
    const key = `${o.block}.${o.param}`;
    if (seen.has(key)) return fail(diag('DuplicateParameter', pseudo(k), { start: 0, end: key.length }, `${key} is set twice.`));
    seen.add(key);
    const found = parsed.find((p) => p.blocks.has(o.block));
    if (!found) {
      if (parsed.length < modules.length) continue; // a file does not parse: let its syntax errors speak first
      const known = parsed.flatMap((p) => [...p.blocks]);
      return fail(diag('UnknownName', pseudo(k), { start: 0, end: o.block.length }, `There is no block, population or readout named '${o.block}' with a body in this file or its imports.${didYouMean(o.block, known)}`));
    }
    const assign = parseAssign(o, k);
    if (!('kind' in assign)) return fail(assign);
    const list = edits.get(found.module.path) ?? [];
    list.push({ k, o, assign });
    edits.set(found.module.path, list);
  }
  if (edits.size === 0) return unchanged;

  // Each overridden module: its text extended by the arguments, its tree with their assignments.
  const regions = new Map<string, Array<{ start: number; end: number; k: number }>>();
  const replaced = new Map<string, Module>();
  for (const [path, list] of edits) {
    const m = ws.modules.get(path) as Module;
    // `;` first: nothing in the extension reads as a blank line or a comment's line to the formatter.
    let text = `${m.source.text};`;
    const placed: Array<{ start: number; end: number; k: number }> = [];
    const byBlock = new Map<string, A.Assign[]>();
    for (const { k, o, assign } of list) {
      const start = text.length;
      text += `${blanked(o)}\n`;
      placed.push({ start, end: start + o.raw.length + 1, k });
      byBlock.set(o.block, [...(byBlock.get(o.block) ?? []), shifted(assign, start)]);
    }
    regions.set(m.display, placed);
    replaced.set(path, { ...m, source: new SourceFile(m.display, text), ast: substitute(m.ast as A.File, byBlock) });
  }
  // Every module anew, its imports pointing at the new ones.
  const fresh = new Map<string, Module>();
  for (const m of ws.modules.values()) fresh.set(m.path, { ...(replaced.get(m.path) ?? m), imports: [] });
  for (const m of ws.modules.values()) {
    (fresh.get(m.path) as { imports: Module['imports'] }).imports = m.imports.map((i) => ({ stmt: i.stmt, module: fresh.get(i.module.path) as Module }));
  }
  const workspace: Workspace = { modules: fresh, roots: ws.roots.map((r) => fresh.get(r.path) as Module), diagnostics: ws.diagnostics };
  return {
    workspace, sources, changed: [...regions.keys()],
    place(d) {
      const region = regions.get(d.file)?.find((r) => d.span.start >= r.start && d.span.start < r.end);
      if (!region) return d;
      const raw = overrides[region.k] as Override;
      const start = Math.min(raw.raw.length, d.span.start - region.start);
      return { ...d, file: pseudo(region.k), span: { start, end: Math.max(start, Math.min(raw.raw.length, d.span.end - region.start)) } };
    },
  };
}
