// The schema interpreter: an expression checked against a parameter's spec (src/dsl/schema.ts)
// to a value — quantities with units and ranges, whole numbers, options, formats and registers,
// choices with their parameters, initialisers, lists, references, .npy files — and a block's
// body against its parameter table, defaults filled in. Every problem goes to the context's sink;
// a schema default that does not check is an internal error (the defaults are checked by a
// test, schemaDefaultProblems). It knows names only through the context: the scope is the checker's.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { didYouMean, type DiagKind } from '../dsl/diagnostics.ts';
import { parseSource } from '../dsl/parse.ts';
import { SourceFile, type Span } from '../dsl/span.ts';
import { DIMENSIONS, describeDim, inUnit, isDimensionless, sameDim, showQuantity, type DimName, type Quantity } from '../dsl/units.ts';
import { evaluate, evaluateList, type EvalContext } from './evaluate.ts';
import { loadData, type DataCache, type DataContext, type Report } from './data-checks.ts';
import { KIND_NOUN, type DeclKind } from './scope.ts';
import type { FixedFormat, Resolved, Value } from './values.ts';

/** The widest register the core computes with exactly (raw values are integers below 2^53; sums of two stay exact). */
const REGISTER_BITS = 48;
const REGISTER_WHY = 'the core\'s arithmetic holds registers of 1 to ${maxBits} bits exactly';

/** Parsed default expressions (schema defaults are written in the language). */
const defaultCache = new Map<string, A.Expr>();
function defaultExpr(text: string): A.Expr {
  const hit = defaultCache.get(text);
  if (hit) return hit;
  const parsed = parseSource(new SourceFile('<default>', `x = ${text}`));
  const stmt = parsed.file?.items[0];
  if (!stmt || stmt.kind !== 'Assign') throw new Error(`internal: schema default does not parse: ${text}`);
  defaultCache.set(text, stmt.value);
  return stmt.value;
}

/** Resolved schema defaults, by spec and text (values are immutable, so they can be shared). */
const defaultValues = new WeakMap<S.Spec, Map<string, Value>>();

/** What a value is, for messages (`The parameter 'tau_m'`). */
export interface Where { readonly what: string }


export function misplaced(report: Report, s: A.Stmt, where: string): void {
  const what = s.kind === 'Assign' || s.kind === 'Flag' ? `The parameter '${s.name.name}'`
    : s.kind === 'Neurons' ? `A ${s.role}` : s.kind === 'Projection' ? 'A projection' : s.kind === 'Probe' ? 'A probe'
    : s.kind === 'Section' ? `A ${s.keyword.name} block` : s.kind === 'Const' ? 'A constant' : s.kind === 'Import' ? 'An import' : 'A group';
  const at = s.kind === 'Assign' || s.kind === 'Flag' ? s.name.span : s.kind === 'Section' ? s.keyword.span : s.span;
  report('MisplacedStatement', at, `${what} is not allowed ${where}.`);
}

/** What the interpreter asks of its checker: the sink, the text, and what names mean. */
export interface SchemaContext {
  readonly sink: Report;
  text(span: Span): string;
  /** Names for the evaluator (constants, and what else a name is). */
  resolve: EvalContext['resolve'];
  constants(): string[];
  /** A constant's value (for `load(CONST)`), or null. */
  constant(name: string): Value | null;
  /** What a declared name is, or undefined. */
  declKind(name: string): DeclKind | undefined;
  /** The names declared as `kind`, for "did you mean". */
  namesOf(kind: DeclKind): string[];
  /** The directory a module's relative paths start from, and the workspace's data-file cache. */
  readonly dir: string;
  readonly cache: DataCache;
}

export class SchemaInterpreter {
  /** Inside a schema default: a problem is the schema's, not the user's (an internal error). */
  private silent = 0;
  private readonly sink: Report = (kind, at, message) => this.report(kind, at, message);
  private readonly evalContext: EvalContext;
  private readonly dataContext: DataContext;

  constructor(private readonly ctx: SchemaContext) {
    this.evalContext = { report: this.sink, text: (span) => ctx.text(span), resolve: (name) => ctx.resolve(name), constants: () => ctx.constants() };
    this.dataContext = { report: this.sink, text: (span) => ctx.text(span), constant: (name) => ctx.constant(name), dir: ctx.dir, cache: ctx.cache };
  }

  private report(kind: DiagKind, at: Span, message: string): void {
    if (this.silent > 0) throw new Error(`internal: schema default is invalid: ${message}`);
    this.ctx.sink(kind, at, message);
  }

  private text(span: Span): string { return this.ctx.text(span); }
  private number(e: A.Expr): Quantity | undefined { return evaluate(e, this.evalContext); }
  private numberList(e: A.Expr): Quantity[] | undefined { return evaluateList(e, this.evalContext); }
  private data(e: A.Expr, where: Where): Value | undefined { return loadData(e, where.what, this.dataContext); }

  expectQuantity(q: Quantity, spec: { dim: DimName; unit?: string; min?: number; minOpen?: boolean; max?: number; maxOpen?: boolean; also?: DimName }, at: Span, where: Where): Value | undefined {
    const want = DIMENSIONS[spec.dim];
    const okDim = sameDim(q.dim, want.dim) || (spec.also !== undefined && sameDim(q.dim, DIMENSIONS[spec.also].dim));
    if (!okDim) {
      const alt = spec.also ? ` or ${DIMENSIONS[spec.also].noun} such as \`${DIMENSIONS[spec.also].example}\`` : '';
      const found = isDimensionless(q.dim) ? `\`${this.text(at)}\`, a plain number with no unit` : `\`${this.text(at)}\`, which is ${describeDim(q.dim)}`;
      this.report('WrongDimension', at, `${where.what} must be ${want.noun}${spec.dim === 'dimensionless' ? '' : ` such as \`${want.example}\``}${alt}; found ${found}.`);
      return undefined;
    }
    const unit = sameDim(q.dim, want.dim) ? spec.unit ?? want.unit : DIMENSIONS[spec.also as DimName].unit;
    const x = unit ? inUnit(q, unit) : q.si;
    const u = unit ? ` ${unit}` : '';
    const bad = (spec.min !== undefined && (spec.minOpen ? x <= spec.min : x < spec.min)) || (spec.max !== undefined && (spec.maxOpen ? x >= spec.max : x > spec.max));
    if (bad && sameDim(q.dim, want.dim)) {
      const parts: string[] = [];
      if (spec.min !== undefined) parts.push(`${spec.minOpen ? 'greater than' : 'at least'} ${spec.min}${u}`);
      if (spec.max !== undefined) parts.push(`${spec.maxOpen ? 'less than' : 'at most'} ${spec.max}${u}`);
      this.report('OutOfRange', at, `${where.what} must be ${parts.join(' and ')}; found ${showQuantity(q)}.`);
      return undefined;
    }
    return { t: 'quantity', si: q.si, dim: q.dim };
  }

  parseFormat(text: string, at: Span, where: Where, maxBits = 64, why = 'formats have 1 to ${maxBits} bits here'): FixedFormat | undefined {
    const m = /^([suq])(\d+)(?:\.(\d+))?$/.exec(text) as RegExpExecArray;
    const kind = m[1] as string;
    const a = Number(m[2]);
    const b = m[3] === undefined ? 0 : Number(m[3]);
    // sW.F: signed, W bits in all (sign included), F fractional. uW.F: unsigned. qI.F: unsigned, I integer + F fractional bits.
    const bits = kind === 'q' ? a + b : a;
    const frac = b;
    const signed = kind === 's';
    if (bits < 1 || bits > maxBits) { this.report('InvalidFormat', at, `${where.what}: the format ${text} has ${bits} bits; ${why.replace('${maxBits}', String(maxBits))}.`); return undefined; }
    if (signed && bits < 2) { this.report('InvalidFormat', at, `${where.what}: a signed format needs at least 2 bits (sign and one more).`); return undefined; }
    if (frac > bits - (signed ? 1 : 0)) { this.report('InvalidFormat', at, `${where.what}: ${text} has ${frac} fractional bits but only ${bits - (signed ? 1 : 0)} bits besides the sign.`); return undefined; }
    return { signed, bits, frac, text };
  }

  /** Check `e` against `spec`. `op` is the assignment operator when e is a parameter's value. */
  value(e: A.Expr, spec: S.Spec, where: Where, op: A.Assign['op'] = '='): Value | undefined {
    if (op === '<=' || op === '>=') {
      this.report('WrongType', e.span, `${where.what} is set with \`=\`; \`${op}\` bounds a constraint, in a verify block.`);
      return undefined;
    }
    if (op === '~' && spec.t !== 'init') {
      this.report('WrongType', e.span, `${where.what} is not drawn from a distribution: write \`=\` instead of \`~\`.`);
      return undefined;
    }
    switch (spec.t) {
      case 'quantity': { const q = this.number(e); return q && this.expectQuantity(q, spec, e.span, where); }
      case 'int': {
        const q = this.number(e);
        if (!q) return undefined;
        if (!isDimensionless(q.dim)) { this.report('WrongDimension', e.span, `${where.what} must be a plain whole number; found ${describeDim(q.dim)}.`); return undefined; }
        if (!Number.isInteger(q.si)) { this.report('NotInteger', e.span, `${where.what} must be a whole number; found ${q.si}.`); return undefined; }
        if ((spec.min !== undefined && q.si < spec.min) || (spec.max !== undefined && q.si > spec.max)) {
          this.report('OutOfRange', e.span, `${where.what} must be between ${spec.min} and ${spec.max}; found ${q.si}.`);
          return undefined;
        }
        return { t: 'int', value: q.si };
      }
      case 'bool': {
        if (e.kind === 'Name' && ['on', 'off', 'true', 'false'].includes(e.name)) return { t: 'bool', value: e.name === 'on' || e.name === 'true' };
        this.report(e.kind === 'Name' ? 'UnknownOption' : 'WrongType', e.span, `${where.what} is on or off; found ${this.text(e.span)}.`);
        return undefined;
      }
      case 'enum': {
        if (e.kind === 'Name' && spec.values.includes(e.name)) return { t: 'enum', value: e.name };
        const name = e.kind === 'Name' ? e.name : e.kind === 'Call' ? e.callee.name : undefined;
        if (e.kind === 'Call' && spec.values.includes(e.callee.name)) { this.report('WrongArguments', e.span, `${e.callee.name} takes no arguments.`); return undefined; }
        this.report(name !== undefined ? 'UnknownOption' : 'WrongType', e.span, `${where.what} must be one of ${spec.values.join(', ')}; found ${this.text(e.span)}.${name ? didYouMean(name, spec.values) : ''}`);
        return undefined;
      }
      case 'format': {
        if (e.kind !== 'FormatLit') { this.report('WrongType', e.span, `${where.what} must be a fixed-point format such as q1.15 or s16.10; found ${this.text(e.span)}.`); return undefined; }
        const f = this.parseFormat(e.text, e.span, where, spec.maxBits);
        return f && { t: 'format', format: f };
      }
      case 'register': return this.register(e, where);
      case 'choice': return this.choice(e, spec, where);
      case 'init': return this.init(e, spec, where, op);
      case 'list': {
        if (spec.of.t === 'quantity') {
          const qs = this.numberList(e);
          if (!qs) return undefined;
          if (spec.minItems !== undefined && qs.length < spec.minItems) { this.report('OutOfRange', e.span, `${where.what} needs at least ${spec.minItems} element${spec.minItems === 1 ? '' : 's'}.`); return undefined; }
          if (spec.maxItems !== undefined && qs.length > spec.maxItems) { this.report('OutOfRange', e.span, `${where.what} has at most ${spec.maxItems} elements.`); return undefined; }
          const items: Value[] = [];
          for (const q of qs) { const v = this.expectQuantity(q, spec.of, e.span, { what: `Each element of ${where.what}` }); if (!v) return undefined; items.push(v); }
          return { t: 'list', items };
        }
        throw new Error('internal: list of non-quantities');
      }
      case 'names': {
        if (e.kind !== 'List') { this.report('WrongType', e.span, `${where.what} is a list of names such as [${spec.values.slice(0, 2).join(', ')}].`); return undefined; }
        const names: string[] = [];
        for (const item of e.items) {
          if (item.kind !== 'Name' || !spec.values.includes(item.name)) {
            this.report('UnknownOption', item.span, `${where.what} may list ${spec.values.join(', ')}; found ${this.text(item.span)}.${item.kind === 'Name' ? didYouMean(item.name, spec.values) : ''}`);
            return undefined;
          }
          if (names.includes(item.name)) { this.report('DuplicateParameter', item.span, `'${item.name}' is listed twice.`); return undefined; }
          names.push(item.name);
        }
        return { t: 'names', names };
      }
      case 'ref': {
        if (e.kind !== 'Name') { this.report('WrongType', e.span, `${where.what} must name ${KIND_NOUN[spec.kind]}; found ${this.text(e.span)}.`); return undefined; }
        const kind = this.ctx.declKind(e.name);
        if (!kind) {
          const same = this.ctx.namesOf(spec.kind);
          this.report('UnknownName', e.span, `There is no ${spec.kind} named '${e.name}'.${didYouMean(e.name, same)}${same.length > 0 && !didYouMean(e.name, same) ? ` Declared: ${same.join(', ')}.` : ''}`);
          return undefined;
        }
        if (kind !== spec.kind) { this.report('WrongKind', e.span, `'${e.name}' is ${KIND_NOUN[kind]}, but ${KIND_NOUN[spec.kind]} is expected here.`); return undefined; }
        return { t: 'ref', name: e.name, kind: spec.kind };
      }
      case 'dims': {
        if (e.kind !== 'Dims') { this.report('WrongType', e.span, `${where.what} must be a shape such as \`256 x 256\`; found ${this.text(e.span)}.`); return undefined; }
        const r = this.value(e.rows, { t: 'int', min: 1, max: spec.max }, { what: `The rows of ${where.what}` });
        const c = this.value(e.cols, { t: 'int', min: 1, max: spec.max }, { what: `The columns of ${where.what}` });
        return r && c && r.t === 'int' && c.t === 'int' ? { t: 'dims', rows: r.value, cols: c.value } : undefined;
      }
      case 'data': return this.data(e, where);
    }
  }

  register(e: A.Expr, where: Where): Value | undefined {
    if (e.kind === 'FormatLit') {
      const f = this.parseFormat(e.text, e.span, where, REGISTER_BITS, REGISTER_WHY);
      return f && { t: 'register', format: f, overflow: 'saturate', round: null };
    }
    if (e.kind === 'Call' && (e.callee.name === 'saturate' || e.callee.name === 'wrap') && !e.body) {
      const args = e.args ?? [];
      const pos = args.filter((a) => !a.name);
      const fmtArg = pos[0];
      if (pos.length !== 1 || !fmtArg || fmtArg.value.kind !== 'FormatLit') { this.report('WrongArguments', e.span, `${e.callee.name}(...) takes one format and an optional rounding: ${e.callee.name}(s16.10, round = nearest).`); return undefined; }
      const f = this.parseFormat(fmtArg.value.text, fmtArg.value.span, where, REGISTER_BITS, REGISTER_WHY);
      let round: string | null = null;
      for (const a of args) {
        if (!a.name) continue;
        if (a.name.name !== 'round') { this.report('UnknownParameter', a.name.span, `'${a.name.name}' is not a parameter of ${e.callee.name}; it takes round.`); return undefined; }
        const r = this.value(a.value, { t: 'enum', values: S.ROUNDING }, { what: 'round' });
        if (!r || r.t !== 'enum') return undefined;
        round = r.value;
      }
      return f && { t: 'register', format: f, overflow: e.callee.name, round };
    }
    this.report('WrongType', e.span, `${where.what} must be a register format such as s16.10, saturate(s24.8) or wrap(s24.8, round = floor); found ${this.text(e.span)}.`);
    return undefined;
  }

  choice(e: A.Expr, spec: Extract<S.Spec, { t: 'choice' }>, where: Where): Value | undefined {
    const names = Object.keys(spec.options);
    const show = names.map((n) => (spec.options[n]?.params && Object.values(spec.options[n]?.params ?? {}).some((p) => p.required) ? `${n}(...)` : n)).join(', ');
    if (e.kind !== 'Name' && e.kind !== 'Call') { this.report('WrongType', e.span, `${where.what} must be ${spec.noun}: one of ${show}; found ${this.text(e.span)}.`); return undefined; }
    const name = e.kind === 'Name' ? e.name : e.callee.name;
    const nameSpan = e.kind === 'Name' ? e.span : e.callee.span;
    const opt = S.own(spec.options, name);
    if (!opt) { this.report('UnknownOption', nameSpan, `'${name}' is not ${spec.noun}; expected one of ${show}.${didYouMean(name, names)}`); return undefined; }
    const params = this.params(opt, e.kind === 'Call' ? e : null, `${name}`);
    return params && { t: 'choice', option: name, params };
  }

  /** Parameters of an option or initialiser given as `name`, `name(args)` or `name { body }`. */
  params(opt: S.OptionSpec, call: A.Call | null, owner: string, dimOverride?: DimName): Record<string, Value> | undefined {
    const specs = opt.params ?? {};
    const given = new Map<string, { expr: A.Expr; op: A.Assign['op']; at: Span; flag: boolean }>();
    let ok = true;
    const add = (name: string, at: Span, expr: A.Expr, op: A.Assign['op'], flag = false) => {
      if (!Object.hasOwn(specs, name)) {
        const known = Object.keys(specs);
        this.report('UnknownParameter', at, known.length === 0 ? `${owner} takes no parameters.` : `'${name}' is not a parameter of ${owner}.${didYouMean(name, known)} Its parameters: ${known.join(', ')}.`);
        ok = false;
        return;
      }
      if (given.has(name)) { this.report('DuplicateParameter', at, `'${name}' is given twice.`); ok = false; return; }
      given.set(name, { expr, op, at, flag });
    };
    if (call) {
      let position = 0;
      for (const a of call.args ?? []) {
        if (a.name) { add(a.name.name, a.name.span, a.value, '='); continue; }
        const pname = opt.positional?.[position++];
        if (pname === undefined) {
          this.report('WrongArguments', a.span, opt.positional?.length ? `${owner}(...) takes at most ${opt.positional.length} unnamed argument${opt.positional.length === 1 ? '' : 's'} (${opt.positional.join(', ')}); name the others.` : `${owner}(...) takes only named arguments (${Object.keys(specs).join(', ') || 'none'}).`);
          ok = false;
          continue;
        }
        add(pname, a.span, a.value, '=');
      }
      for (const s of call.body ?? []) {
        if (s.kind === 'Assign') add(s.name.name, s.name.span, s.value, s.op);
        else if (s.kind === 'Flag') add(s.name.name, s.name.span, { kind: 'Name', name: s.name.name, span: s.span }, '=', true);
        else { misplaced(this.sink, s, `inside ${owner} { ... }`); ok = false; }
      }
    }
    if (!ok) return undefined;
    const out: Record<string, Value> = {};
    for (const [name, p] of Object.entries(specs)) {
      const g = given.get(name);
      let spec = p.spec;
      const overridden = dimOverride !== undefined && dimOverride !== 'dimensionless' && spec.t === 'quantity' && spec.dim === 'dimensionless' && name !== 'gain';
      if (overridden) spec = { ...(spec as Extract<S.Spec, { t: 'quantity' }>), dim: dimOverride, unit: DIMENSIONS[dimOverride].unit };
      if (!g && overridden) {
        // The defaults (0, 1) are plain numbers; for a quantity with units they mean nothing.
        this.report('MissingParameter', call ? call.span : { start: 0, end: 0 }, `${owner}(...) draws ${DIMENSIONS[dimOverride].noun} here, so ${name} must be given with its unit (such as \`${DIMENSIONS[dimOverride].example}\`).`);
        ok = false;
        continue;
      }
      if (g) {
        if (g.flag) {
          if (spec.t === 'bool') { out[name] = { t: 'bool', value: true }; continue; }
          this.report('WrongType', g.at, `'${name}' needs a value: \`${name} = ...\`.`);
          ok = false;
          continue;
        }
        const v = this.value(g.expr, spec, { what: `${owner}'s ${name}` }, g.op);
        if (!v) { ok = false; continue; }
        out[name] = v;
      } else if (p.default !== undefined) {
        out[name] = this.defaultValue(p.default, spec);
      } else if (p.required) {
        this.report('MissingParameter', call ? call.span : { start: 0, end: 0 }, `${owner} needs ${name}: ${p.doc}`);
        ok = false;
      }
    }
    return ok ? out : undefined;
  }

  /** A schema default's value. Defaults do not depend on the file, so each is computed once. */
  defaultValue(text: string, spec: S.Spec): Value {
    let bySpec = defaultValues.get(spec);
    if (!bySpec) { bySpec = new Map(); defaultValues.set(spec, bySpec); }
    const hit = bySpec.get(text);
    if (hit) return hit;
    const v = this.computeDefault(text, spec);
    bySpec.set(text, v);
    return v;
  }

  private computeDefault(text: string, spec: S.Spec): Value {
    this.silent++;
    try {
      return this.value(defaultExpr(text), spec, { what: 'default' }, spec.t === 'init' && S.INITIALISERS[(defaultExpr(text) as A.Call).callee?.name ?? '']?.distribution ? '~' : '=') as Value;
    } finally {
      this.silent--;
    }
  }

  init(e: A.Expr, spec: Extract<S.Spec, { t: 'init' }>, where: Where, op: '=' | '~'): Value | undefined {
    if (e.kind === 'Call' && Object.hasOwn(S.INITIALISERS, e.callee.name)) {
      const ini = S.own(S.INITIALISERS, e.callee.name) as (typeof S.INITIALISERS)[string];
      if (ini.distribution && op === '=') { this.report('WrongType', e.span, `${e.callee.name}(...) is a distribution: write \`${where.what.split(' ').pop()} ~ ${this.text(e.span)}\` to draw from it.`); return undefined; }
      if (!ini.distribution && op === '~') { this.report('WrongType', e.span, `${e.callee.name}(...) is not a distribution: write \`=\` instead of \`~\`.`); return undefined; }
      if (e.callee.name === 'load') {
        const d = this.data(e, where);
        return d && { t: 'init', kind: 'load', params: { path: d } };
      }
      const params = this.params(ini, e, e.callee.name, spec.dim);
      if (!params) return undefined;
      if (spec.min !== undefined && e.callee.name === 'uniform') {
        const low = params.low;
        if (low?.t === 'quantity' && (spec.minOpen ? low.si <= spec.min : low.si < spec.min)) {
          this.report('OutOfRange', e.span, `${where.what} must be ${spec.minOpen ? 'greater than' : 'at least'} ${spec.min}; this distribution can draw ${showQuantity(low)}.`);
          return undefined;
        }
      }
      return { t: 'init', kind: e.callee.name, params };
    }
    if (op === '~') { this.report('WrongType', e.span, `After \`~\` comes a distribution: ${Object.entries(S.INITIALISERS).filter(([, v]) => v.distribution).map(([k]) => `${k}(...)`).join(', ')}.`); return undefined; }
    const q = this.number(e);
    if (!q) return undefined;
    const v = this.expectQuantity(q, { dim: spec.dim, ...(spec.min !== undefined ? { min: spec.min, minOpen: !!spec.minOpen } : {}) }, e.span, where);
    return v && { t: 'init', kind: 'constant', params: { value: v } };
  }

  /** The parameters of a block body against a parameter table; other statements go to `other`. */
  body(stmts: readonly A.Stmt[], specs: S.Params, owner: string, headSpan: Span, other?: (s: A.Stmt) => void): Resolved | undefined {
    const given = new Map<string, A.Assign | A.Flag>();
    let ok = true;
    for (const s of stmts) {
      if (s.kind === 'Assign' || s.kind === 'Flag') {
        if (!Object.hasOwn(specs, s.name.name)) {
          const known = Object.keys(specs);
          this.report('UnknownParameter', s.name.span, `'${s.name.name}' is not a parameter of ${owner}.${didYouMean(s.name.name, known)}${didYouMean(s.name.name, known) ? '' : ` Its parameters: ${known.join(', ')}.`}`);
          ok = false;
          continue;
        }
        if (given.has(s.name.name)) { this.report('DuplicateParameter', s.name.span, `'${s.name.name}' is already set in this block.`); ok = false; continue; }
        given.set(s.name.name, s);
      } else if (other) other(s);
      else misplaced(this.sink, s, `in ${owner}`);
    }
    const params: Record<string, Value> = {};
    const spans: Record<string, Span> = {};
    for (const [name, p] of Object.entries(specs)) {
      const s = given.get(name);
      if (s) {
        spans[name] = s.span;
        if (s.kind === 'Flag') {
          if (p.spec.t === 'bool') { params[name] = { t: 'bool', value: true }; continue; }
          this.report('WrongType', s.span, `'${name}' needs a value: \`${name} = ...\`.`);
          ok = false;
          continue;
        }
        const v = this.value(s.value, p.spec, { what: `\`${name}\`` }, s.op);
        if (v) params[name] = v;
        else ok = false;
      } else if (p.default !== undefined) {
        params[name] = this.defaultValue(p.default, p.spec);
      } else if (p.required) {
        this.report('MissingParameter', headSpan, `${owner} needs \`${name}\`: ${p.doc}`);
        ok = false;
      }
    }
    return ok ? { kind: owner, params, spans } : undefined;
  }

  // ---- networks ----------------------------------------------------------------------------
}
