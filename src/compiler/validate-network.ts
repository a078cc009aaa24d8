// The checks of a network declaration: its parameters, its neurons (inputs, populations,
// readouts: model, size, parameters), groups, projections (ends, slices, connectivity, weights
// and their files), and its lints (time constants beside dt, unconnected neurons). A plain
// function of the declaration and a context — its module's sink, text and schema interpreter.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { didYouMean } from '../dsl/diagnostics.ts';
import type { SourceFile, Span } from '../dsl/span.ts';
import { showQuantity } from '../dsl/units.ts';
import { checkFileValues, type Report } from './data-checks.ts';
import { misplaced, type SchemaInterpreter } from './interpret.ts';
import type { CheckedEnd, CheckedNetwork, CheckedNeurons, CheckedProjection } from './values.ts';

/** What the check of a declaration asks of its module's checker. */
export interface DeclContext {
  /** The module's path as diagnostics show it, and its text. */
  readonly file: string;
  readonly source: SourceFile;
  readonly report: Report;
  text(span: Span): string;
  readonly schema: SchemaInterpreter;
}

export function checkNetwork(ctx: DeclContext, s: A.Section, name: string): CheckedNetwork | null {
  const neurons = new Map<string, CheckedNeurons | null>();
  const order: string[] = [];
  const roles = new Map<string, string>();
  const groups: Record<string, string[]> = Object.create(null) as Record<string, string[]>; // no prototype: a group may be named `constructor`
  const groupStmts: A.Group[] = [];
  const projStmts: A.Projection[] = [];
  let ok = true;
  const params = ctx.schema.body(s.body, S.NETWORK_PARAMS, `network ${name}`, (s.name as A.Ident).span, (st) => {
    if (st.kind === 'Neurons') {
      if (neurons.has(st.name.name) || groupStmts.some((g) => g.name.name === st.name.name)) { ctx.report('DuplicateName', st.name.span, `'${st.name.name}' is already declared in network ${name}.`); ok = false; return; }
      neurons.set(st.name.name, null);
      roles.set(st.name.name, st.role);
      order.push(st.name.name);
      const n = checkNeurons(ctx, st);
      if (n) neurons.set(st.name.name, n); else ok = false;
    } else if (st.kind === 'Group') groupStmts.push(st);
    else if (st.kind === 'Projection') projStmts.push(st);
    else { misplaced(ctx.report, st, `in a network (it has dt, inputs, populations, readouts, groups and projections)`); ok = false; }
  });
  if (!params) ok = false;
  const dt = params?.params.dt;
  for (const g of groupStmts) {
    if (neurons.has(g.name.name) || g.name.name in groups) { ctx.report('DuplicateName', g.name.span, `'${g.name.name}' is already declared in network ${name}.`); ok = false; continue; }
    const members: string[] = [];
    for (const m of g.members) {
      const n = neurons.get(m.name);
      if (!neurons.has(m.name)) { ctx.report('UnknownName', m.span, `There is no population '${m.name}' in network ${name}.${didYouMean(m.name, order)}`); ok = false; continue; }
      if (n && n.role !== 'population') { ctx.report('WrongKind', m.span, `'${m.name}' is ${n.role === 'input' ? 'an input' : 'a readout'}; a group holds populations.`); ok = false; continue; }
      if (members.includes(m.name)) { ctx.report('DuplicateName', m.span, `'${m.name}' is listed twice in the group.`); ok = false; continue; }
      members.push(m.name);
    }
    groups[g.name.name] = members;
  }
  const sizeOf = (n: string): number | undefined => {
    if (n in groups) { let t = 0; for (const m of groups[n] as string[]) { const x = neurons.get(m); if (!x) return undefined; t += x.size; } return t; }
    return neurons.get(n)?.size;
  };
  const roleOf = (n: string): string | undefined => (n in groups ? 'population' : roles.get(n));
  const projections: CheckedProjection[] = [];
  const seenPairs = new Map<string, A.Projection>();
  const incoming = new Set<string>();
  for (const p of projStmts) {
    const src = endpoint(ctx, p.source, neurons, groups, sizeOf, name);
    const dst = endpoint(ctx, p.target, neurons, groups, sizeOf, name);
    if (!src || !dst) { ok = false; continue; }
    const key = `${ctx.text(p.source.span)} -> ${ctx.text(p.target.span)}`;
    const prev = seenPairs.get(key);
    if (prev) { ctx.report('DuplicateProjection', p.span, `There is already a projection ${key} (line ${ctx.source.position(prev.span.start).line + 1}); merge them.`); ok = false; continue; }
    seenPairs.set(key, p);
    const pr = projection(ctx, p, src, dst, roleOf, order, groups);
    if (!pr || Number.isNaN(src.hi) || Number.isNaN(dst.hi)) { ok = false; continue; }
    for (const m of dst.name in groups ? (groups[dst.name] as string[]) : [dst.name]) incoming.add(m);
    projections.push(pr);
  }
  if (ok) {
    for (const n of order) {
      const x = neurons.get(n);
      if (x && x.role !== 'input' && !incoming.has(n)) ctx.report('Unconnected', x.span, `The ${x.role} '${n}' receives no projection, so it will never ${x.role === 'readout' ? 'change' : 'spike'}.`);
    }
    if (dt?.t === 'quantity') timeConstantLints(ctx, [...neurons.values()].filter((x): x is CheckedNeurons => !!x), dt.si);
  }
  const net: CheckedNetwork | null = ok && params
    ? { name, file: ctx.file, params, neurons: order.map((n) => neurons.get(n) as CheckedNeurons), groups, projections }
    : null;
  return net;
}

function timeConstantLints(ctx: DeclContext, ns: CheckedNeurons[], dt: number): void {
  for (const n of ns) {
    for (const key of ['tau_m', 'tau_a', 'tau']) {
      const v = n.model.params[key];
      if (v?.t !== 'init' || v.kind !== 'constant') continue;
      const q = v.params.value;
      if (q?.t === 'quantity' && q.si < dt) {
        const at = n.model.spans[key] ?? n.span;
        ctx.report('SuspiciousValue', at, `${key} = ${showQuantity({ si: q.si, dim: q.dim })} is shorter than dt = ${showQuantity({ si: dt, dim: q.dim })}: the decay exp(−dt/τ) = ${Math.exp(-dt / q.si).toPrecision(3)} forgets almost everything each step.`);
      }
    }
    const r = n.model.params.refractory;
    if (r?.t === 'quantity' && r.si > 0 && Math.abs(r.si / dt - Math.round(r.si / dt)) > 1e-9) {
      ctx.report('SuspiciousValue', n.model.spans.refractory ?? n.span, `refractory = ${showQuantity(r)} is not a whole number of steps of dt = ${showQuantity({ si: dt, dim: r.dim })}; it is rounded to ${Math.round(r.si / dt)} steps.`);
    }
  }
}

function checkNeurons(ctx: DeclContext, st: A.Neurons): CheckedNeurons | undefined {
  const what = `the size of ${st.role} ${st.name.name}`;
  const size = ctx.schema.value(st.size, { t: 'int', min: 1, max: 10_000_000 }, { what: what[0]?.toUpperCase() + what.slice(1) });
  let modelName: string;
  let specs: S.Params;
  if (st.role === 'input') { modelName = 'input'; specs = S.INPUT_PARAMS; }
  else {
    modelName = st.model?.name ?? 'LI';
    const model = S.own(S.NEURON_MODELS, modelName);
    const fitting = Object.entries(S.NEURON_MODELS).filter(([, m]) => m.role === st.role).map(([k]) => k);
    if (!model) { ctx.report('UnknownOption', (st.model as A.Ident).span, `'${modelName}' is not a neuron model; a ${st.role} is one of ${fitting.join(', ')}.${didYouMean(modelName, fitting)}`); return undefined; }
    if (model.role !== st.role) { ctx.report('WrongKind', (st.model as A.Ident).span, `${modelName} is a ${model.role} model; a ${st.role} is one of ${fitting.join(', ')}.`); return undefined; }
    specs = model.params;
  }
  const resolved = ctx.schema.body(st.body ?? [], specs, modelName === 'input' ? `input ${st.name.name}` : `${st.role} ${st.name.name} (${modelName})`, st.name.span);
  if (!size || size.t !== 'int' || !resolved) return undefined;
  // Per-neuron values from .npy must have shape (size,).
  for (const [k, v] of Object.entries(resolved.params)) {
    if (v.t === 'init' && v.kind === 'load') {
      const d = v.params.path;
      if (d?.t === 'data' && !(d.header.shape.length === 1 && d.header.shape[0] === size.value)) {
        ctx.report('ShapeMismatch', resolved.spans[k] ?? st.span, `${k} of ${st.name.name} needs one value per neuron, shape (${size.value},); the file has shape (${d.header.shape.join(', ')}).`);
        return undefined;
      }
      const spec = specs[k]?.spec;
      if (d?.t === 'data' && spec?.t === 'init' && !checkFileValues(d.path, spec, `${k} of ${st.name.name}`, resolved.spans[k] ?? st.span, ctx.report)) return undefined;
    }
  }
  return { role: st.role, name: st.name.name, size: size.value, model: { ...resolved, kind: modelName }, file: ctx.file, span: st.span };
}

function endpoint(ctx: DeclContext, e: A.Name | A.Index, neurons: Map<string, CheckedNeurons | null>, groups: Record<string, string[]>, sizeOf: (n: string) => number | undefined, net: string): CheckedEnd | undefined {
  const name = e.kind === 'Name' ? e.name : e.target.name;
  const nameSpan = e.kind === 'Name' ? e.span : e.target.span;
  if (!neurons.has(name) && !Object.hasOwn(groups, name)) {
    ctx.report('UnknownName', nameSpan, `There is no input, population, readout or group '${name}' in network ${net}.${didYouMean(name, [...neurons.keys(), ...Object.keys(groups)])}`);
    return undefined;
  }
  const size = sizeOf(name);
  // A population that failed its own checks has no size: keep checking what does not depend on it.
  if (size === undefined) return { name, lo: 0, hi: Number.NaN };
  if (e.kind === 'Name') return { name, lo: 0, hi: size };
  return slice(ctx, e, size);
}

/** A slice of neurons `pop[lo:hi]` (or one, `pop[i]`) of a population or group of `size` neurons, checked. */
export function slice(ctx: DeclContext, e: A.Index, size: number): CheckedEnd | undefined {
  const idx = (x: A.Expr | null, dflt: number, what: string): number | undefined => {
    if (!x) return dflt;
    const v = ctx.schema.value(x, { t: 'int', min: 0, max: size }, { what: `The ${what} index of ${e.target.name} (size ${size})` });
    return v?.t === 'int' ? v.value : undefined;
  };
  const lo = idx(e.lo, 0, 'first');
  if (lo === undefined) return undefined;
  if (!e.slice) {
    if (lo >= size) { ctx.report('OutOfRange', e.span, `${e.target.name} has neurons 0 to ${size - 1}; found ${lo}.`); return undefined; }
    return { name: e.target.name, lo, hi: lo + 1 };
  }
  const hi = idx(e.hi, size, 'end');
  if (hi === undefined) return undefined;
  if (hi <= lo) { ctx.report('OutOfRange', e.span, `The range ${lo}:${hi} of ${e.target.name} is empty (the end is exclusive).`); return undefined; }
  return { name: e.target.name, lo, hi };
}

function projection(ctx: DeclContext, p: A.Projection, src: CheckedEnd, dst: CheckedEnd, roleOf: (n: string) => string | undefined, order: string[], groups: Record<string, string[]>): CheckedProjection | undefined {
  const srcRole = roleOf(src.name);
  const dstRole = roleOf(dst.name);
  if (dstRole === 'input') { ctx.report('InvalidProjection', p.target.span, `'${dst.name}' is an input: nothing can project into it.`); return undefined; }
  if (srcRole === 'readout') { ctx.report('InvalidProjection', p.source.span, `'${src.name}' is a readout: readouts do not spike, so they cannot be the source of a projection.`); return undefined; }
  const connName = p.conn?.name ?? 'dense';
  const conn = S.own(S.CONNECTIVITY, connName);
  if (!conn) { ctx.report('UnknownOption', (p.conn as A.Ident).span, `'${connName}' is not a connectivity; expected one of ${Object.keys(S.CONNECTIVITY).join(', ')}.${didYouMean(connName, Object.keys(S.CONNECTIVITY))}`); return undefined; }
  const connParams = ctx.schema.params(conn, p.args ? { kind: 'Call', callee: p.conn as A.Ident, args: p.args, body: null, span: p.span } : null, connName);
  const body = ctx.schema.body(p.body ?? [], S.PROJECTION_PARAMS, `the projection ${ctx.text(p.source.span)} -> ${ctx.text(p.target.span)}`, p.span);
  if (!connParams || !body) return undefined;
  const nSrc = src.hi - src.lo;
  const nDst = dst.hi - dst.lo;
  const sameEnds = src.name === dst.name && src.lo === dst.lo && src.hi === dst.hi;
  if (connName === 'self' && !sameEnds) { ctx.report('InvalidProjection', p.span, `A self projection connects each neuron to itself, so source and target must be the same neurons; found ${ctx.text(p.source.span)} and ${ctx.text(p.target.span)}.`); return undefined; }
  if (connName === 'one_to_one' && nSrc !== nDst && !Number.isNaN(nSrc + nDst)) { ctx.report('SizeMismatch', p.span, `one_to_one needs equal sizes; ${ctx.text(p.source.span)} has ${nSrc} neurons and ${ctx.text(p.target.span)} has ${nDst}.`); return undefined; }
  const noSelf = body.params.no_self;
  if (noSelf?.t === 'bool' && noSelf.value && src.name !== dst.name) {
    ctx.report('InvalidProjection', body.spans.no_self ?? p.span, `no_self masks the diagonal of a recurrent projection; ${src.name} -> ${dst.name} is not recurrent.`);
    return undefined;
  }
  const skip = body.params.skip;
  if (skip?.t === 'bool' && skip.value && !Object.hasOwn(groups, src.name) && !Object.hasOwn(groups, dst.name)) {
    const gap = order.indexOf(dst.name) - order.indexOf(src.name);
    if (Math.abs(gap) <= 1) ctx.report('SkipNotSkipping', body.spans.skip ?? p.span, `${src.name} and ${dst.name} are adjacent layers (declared one after the other), so this projection skips nothing.`);
  }
  const w = body.params.w;
  const vector = conn.weights === 'vector';
  if (w?.t === 'init' && w.kind === 'load') {
    const d = w.params.path;
    const want = vector ? [nSrc] : [nSrc, nDst];
    if (d?.t === 'data' && !Number.isNaN(nSrc + nDst) && (d.header.shape.length !== want.length || d.header.shape.some((x, i) => x !== want[i]))) {
      ctx.report('ShapeMismatch', body.spans.w ?? p.span, `The weights of ${ctx.text(p.source.span)} -> ${ctx.text(p.target.span)} need shape (${want.join(', ')})${vector ? '' : ' (source, target)'}; the file has shape (${d.header.shape.join(', ')}).`);
      return undefined;
    }
  }
  if (w?.t === 'init' && w.kind === 'orthogonal' && !vector && nSrc !== nDst && !Number.isNaN(nSrc + nDst)) {
    ctx.report('SizeMismatch', body.spans.w ?? p.span, `orthogonal() needs a square projection; this one is ${nSrc} x ${nDst}.`);
    return undefined;
  }
  return { source: src, target: dst, conn: { kind: connName, params: { ...connParams, ...body.params }, spans: body.spans }, span: p.span };
}

// ---- cores, learning rules, tasks -------------------------------------------------------
