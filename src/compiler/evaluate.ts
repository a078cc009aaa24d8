// The expression language's evaluator: numeric expressions (numbers with units, constants,
// arithmetic, the built-in functions, lists) to quantities in SI units, every problem reported to
// the context's sink. Plain functions of an expression and a context: what a name means is the
// scope's to say (the checker's scope answers `resolve`), so the evaluator knows nothing of
// modules or declarations.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { didYouMean, type DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import { DIMENSIONLESS, describeDim, dimPow, dimTimes, isDimensionless, lookupUnit, sameDim, type Quantity } from '../dsl/units.ts';
import type { Value } from './values.ts';

/** What the evaluator asks of its caller: where problems go, the text of a span, and what names mean. */
export interface EvalContext {
  report(kind: DiagKind, at: Span, message: string): void;
  /** The source text of a span, as messages quote it. */
  text(span: Span): string;
  /** A declared name: a constant (its value, computed on demand), or something else (`constant: null`, and what it is). */
  resolve(name: string): { readonly constant: (() => Value | null) | null; readonly noun: string } | undefined;
  /** The constants in scope, for "did you mean". */
  constants(): string[];
}

/** Functions of the expression language: name → [min args, max args, implementation]. */
export const FUNCTIONS: Record<string, { arity: [number, number]; dimless: boolean; f: (xs: number[]) => number }> = {
  sqrt: { arity: [1, 1], dimless: false, f: ([x]) => Math.sqrt(x as number) },
  exp: { arity: [1, 1], dimless: true, f: ([x]) => Math.exp(x as number) },
  log: { arity: [1, 1], dimless: true, f: ([x]) => Math.log(x as number) },
  log2: { arity: [1, 1], dimless: true, f: ([x]) => Math.log2(x as number) },
  log10: { arity: [1, 1], dimless: true, f: ([x]) => Math.log10(x as number) },
  sin: { arity: [1, 1], dimless: true, f: ([x]) => Math.sin(x as number) },
  cos: { arity: [1, 1], dimless: true, f: ([x]) => Math.cos(x as number) },
  tanh: { arity: [1, 1], dimless: true, f: ([x]) => Math.tanh(x as number) },
  abs: { arity: [1, 1], dimless: false, f: ([x]) => Math.abs(x as number) },
  floor: { arity: [1, 1], dimless: false, f: ([x]) => Math.floor(x as number) },
  ceil: { arity: [1, 1], dimless: false, f: ([x]) => Math.ceil(x as number) },
  round: { arity: [1, 1], dimless: false, f: ([x]) => Math.round(x as number) },
  min: { arity: [1, 64], dimless: false, f: (xs) => Math.min(...xs) },
  max: { arity: [1, 64], dimless: false, f: (xs) => Math.max(...xs) },
};
export const BUILTIN_CONSTANTS: Record<string, number> = { pi: Math.PI, e: Math.E };
export const COMMON_UNITS = ['s', 'ms', 'us', 'ns', 'Hz', 'kHz', 'MHz', 'GHz', 'S', 'mS', 'uS', 'nS', 'V', 'mV', 'uV', 'A', 'mA', 'uA', 'nA', 'pA', 'J', 'nJ', 'pJ', 'fJ', 'W', 'mW', 'uW', 'ohm', 'F', 'pF', 'bit', 'bits', 'cycle', 'cycles'];

/** A number in a unit, in SI: a percentage divided by 100 (`95 %` is exactly 0.95, where 95 × 0.01 is not), other units multiplied by their scale. */
const scaled = (x: number, unit: string, si: number): number => (unit === '%' ? x / 100 : x * si);

/** Evaluate a numeric expression to a quantity, or report why it is not one. */
export function evaluate(e: A.Expr, ctx: EvalContext): Quantity | undefined {
  switch (e.kind) {
    case 'Num': return { si: e.value, dim: DIMENSIONLESS };
    case 'WithUnit': {
      const u = lookupUnit(e.unit.name);
      if (!u) { ctx.report('UnknownUnit', e.unit.span, `Unknown unit '${e.unit.name}'.${didYouMean(e.unit.name, COMMON_UNITS)}`); return undefined; }
      if (e.value.kind === 'List') { ctx.report('WrongType', e.span, 'A list with a unit is not a single number here.'); return undefined; }
      const q = evaluate(e.value, ctx);
      return q ? { si: scaled(q.si, e.unit.name, u.si), dim: dimTimes(q.dim, u.dim) } : undefined;
    }
    case 'Name': {
      const c = S.own(BUILTIN_CONSTANTS, e.name);
      const found = ctx.resolve(e.name);
      if (!found) {
        if (c !== undefined) return { si: c, dim: DIMENSIONLESS };
        ctx.report('UnknownName', e.span, `Unknown name '${e.name}': expected a number or a constant.${didYouMean(e.name, [...ctx.constants(), ...Object.keys(BUILTIN_CONSTANTS)])}`);
        return undefined;
      }
      if (found.constant === null) { ctx.report('WrongKind', e.span, `'${e.name}' is ${found.noun}, not a number.`); return undefined; }
      const v = found.constant();
      if (!v) return undefined;
      if (v.t !== 'quantity') { ctx.report('WrongType', e.span, `The constant '${e.name}' is ${v.t === 'list' ? 'a list' : 'a string'}, not a number.`); return undefined; }
      return { si: v.si, dim: v.dim };
    }
    case 'Unary': {
      const q = evaluate(e.operand, ctx);
      return q && (e.op === '-' ? { si: -q.si, dim: q.dim } : q);
    }
    case 'Binary': return binary(e, ctx);
    case 'Call': return call(e, ctx);
    case 'Str': ctx.report('WrongType', e.span, `Expected a number, found the string ${ctx.text(e.span)}.`); return undefined;
    case 'List': ctx.report('WrongType', e.span, 'Expected a single number, found a list.'); return undefined;
    case 'FormatLit': ctx.report('WrongType', e.span, `Expected a number, found the fixed-point format ${e.text}.`); return undefined;
    case 'Index': ctx.report('WrongType', e.span, `Expected a number, found the neuron selection ${ctx.text(e.span)}.`); return undefined;
    case 'Dims': ctx.report('WrongType', e.span, `Expected a number, found the shape ${ctx.text(e.span)}.`); return undefined;
  }
}

function finite(q: Quantity, at: Span, ctx: EvalContext): Quantity | undefined {
  if (Number.isFinite(q.si)) return q;
  ctx.report('NotFinite', at, `This evaluates to ${Number.isNaN(q.si) ? 'not-a-number' : 'infinity'}${Number.isNaN(q.si) ? '' : ' (a division by zero or an overflow)'}.`);
  return undefined;
}

function binary(e: A.Binary, ctx: EvalContext): Quantity | undefined {
  const l = evaluate(e.left, ctx);
  const r = evaluate(e.right, ctx);
  if (!l || !r) return undefined;
  switch (e.op) {
    case '+': case '-':
      if (!sameDim(l.dim, r.dim)) {
        ctx.report('IncompatibleUnits', e.span, `Cannot ${e.op === '+' ? 'add' : 'subtract'} ${describeDim(r.dim)} (${ctx.text(e.right.span)}) ${e.op === '+' ? 'to' : 'from'} ${describeDim(l.dim)} (${ctx.text(e.left.span)}).`);
        return undefined;
      }
      return finite({ si: e.op === '+' ? l.si + r.si : l.si - r.si, dim: l.dim }, e.span, ctx);
    case '*': return finite({ si: l.si * r.si, dim: dimTimes(l.dim, r.dim) }, e.span, ctx);
    case '/':
      if (r.si === 0) { ctx.report('NotFinite', e.right.span, 'Division by zero.'); return undefined; }
      return finite({ si: l.si / r.si, dim: dimTimes(l.dim, r.dim, -1) }, e.span, ctx);
    case '^':
      if (!isDimensionless(r.dim)) { ctx.report('IncompatibleUnits', e.right.span, `An exponent must be a plain number; this is ${describeDim(r.dim)}.`); return undefined; }
      if (!isDimensionless(l.dim) && !Number.isInteger(r.si * 2)) { ctx.report('IncompatibleUnits', e.span, `${describeDim(l.dim)} can only be raised to a whole or half power.`); return undefined; }
      return finite({ si: l.si ** r.si, dim: dimPow(l.dim, r.si) }, e.span, ctx);
  }
}

function call(e: A.Call, ctx: EvalContext): Quantity | undefined {
  const fn = S.own(FUNCTIONS, e.callee.name);
  if (!fn) {
    const name = e.callee.name;
    if (Object.hasOwn(S.INITIALISERS, name)) { ctx.report('WrongType', e.span, `${name}(...) is an initialiser, not a number; it can only initialise a parameter (\`w ~ normal(0, 1)\`).`); return undefined; }
    ctx.report('UnknownFunction', e.callee.span, `Unknown function '${name}'.${didYouMean(name, Object.keys(FUNCTIONS))} The functions are: ${Object.keys(FUNCTIONS).join(', ')}.`);
    return undefined;
  }
  if (e.body) { ctx.report('WrongArguments', e.span, `${e.callee.name}(...) takes no block.`); return undefined; }
  const args = e.args ?? [];
  const named = args.find((a) => a.name);
  if (named) { ctx.report('WrongArguments', named.span, `${e.callee.name}(...) takes no named arguments.`); return undefined; }
  const [lo, hi] = fn.arity;
  if (args.length < lo || args.length > hi) {
    ctx.report('WrongArguments', e.span, `${e.callee.name}(...) takes ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? '' : 's'}, found ${args.length}.`);
    return undefined;
  }
  const qs: Quantity[] = [];
  for (const a of args) { const q = evaluate(a.value, ctx); if (!q) return undefined; qs.push(q); }
  const d0 = (qs[0] as Quantity).dim;
  if (fn.dimless && !isDimensionless(d0)) { ctx.report('IncompatibleUnits', e.span, `${e.callee.name}(...) needs a plain number; its argument is ${describeDim(d0)}.`); return undefined; }
  if (qs.some((q) => !sameDim(q.dim, d0))) { ctx.report('IncompatibleUnits', e.span, `The arguments of ${e.callee.name}(...) have different dimensions.`); return undefined; }
  const dim = e.callee.name === 'sqrt' ? dimPow(d0, 0.5) : d0;
  if (e.callee.name === 'round' || e.callee.name === 'floor' || e.callee.name === 'ceil') {
    if (!isDimensionless(d0)) { ctx.report('IncompatibleUnits', e.span, `${e.callee.name}(...) needs a plain number; convert first (\`round(t / 1 ms)\`).`); return undefined; }
  }
  return finite({ si: fn.f(qs.map((q) => q.si)), dim }, e.span, ctx);
}

/** A list of numbers: `[1, 2] Hz`, `[a, b]`, or a list constant. */
export function evaluateList(e: A.Expr, ctx: EvalContext): Quantity[] | undefined {
  let unit: Quantity = { si: 1, dim: DIMENSIONLESS };
  let unitName = '';
  let inner = e;
  if (e.kind === 'WithUnit' && e.value.kind === 'List') {
    const u = lookupUnit(e.unit.name);
    if (!u) { ctx.report('UnknownUnit', e.unit.span, `Unknown unit '${e.unit.name}'.${didYouMean(e.unit.name, COMMON_UNITS)}`); return undefined; }
    unit = u;
    unitName = e.unit.name;
    inner = e.value;
  }
  if (inner.kind === 'Name') {
    const found = ctx.resolve(inner.name);
    if (found && found.constant !== null) {
      const v = found.constant();
      if (v?.t === 'list') return v.items.map((x) => (x.t === 'quantity' ? { si: x.si, dim: x.dim } : { si: 0, dim: DIMENSIONLESS }));
      if (!v) return undefined;
    }
  }
  if (inner.kind !== 'List') { ctx.report('WrongType', e.span, `Expected a list such as \`[1, 2, 3] Hz\`, found ${ctx.text(e.span)}.`); return undefined; }
  const out: Quantity[] = [];
  for (const item of inner.items) {
    const q = evaluate(item, ctx);
    if (!q) return undefined;
    out.push({ si: scaled(q.si, unitName, unit.si), dim: dimTimes(q.dim, unit.dim) });
  }
  return out;
}
