// fast-check generators of syntactically valid ASTs (spans are dummies; equality ignores them).
import fc from 'fast-check';
import type * as A from '../../src/dsl/ast.ts';
import { SECTION_KEYWORDS } from '../../src/dsl/ast.ts';

const S = { start: 0, end: 0 };
const RESERVED_FORMAT = /^([su]\d+|q\d+\.\d+)$/;

export const identName = fc.stringMatching(/^[a-z_][a-z0-9_]{0,6}$/).filter((s) => !RESERVED_FORMAT.test(s));
const ident: fc.Arbitrary<A.Ident> = identName.map((name) => ({ kind: 'Ident', name, span: S }));
const UNITS = ['ms', 's', 'Hz', 'MHz', 'uS', 'mV', 'pJ', 'bit', 'cycles', 'nA', '%', 'kB'];

const numRaw = fc.oneof(
  fc.nat({ max: 100000 }).map(String),
  fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 999 })).map(([a, b]) => `${a}.${b}`),
  fc.tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: -12, max: 12 })).map(([a, e]) => `${a}e${e}`),
);
const num: fc.Arbitrary<A.Num> = numRaw.map((raw) => ({ kind: 'Num', value: Number(raw), raw, span: S }));
const str: fc.Arbitrary<A.Str> = fc.string({ maxLength: 12 }).map((value) => ({ kind: 'Str', value, span: S }));
const formatLit: fc.Arbitrary<A.FormatLit> = fc.oneof(
  fc.tuple(fc.constantFrom('s', 'u'), fc.integer({ min: 1, max: 64 }), fc.option(fc.nat({ max: 32 }), { nil: undefined })).map(([k, w, f]) => `${k}${w}${f === undefined ? '' : `.${f}`}`),
  fc.tuple(fc.nat({ max: 8 }), fc.nat({ max: 31 })).map(([i, f]) => `q${i}.${f}`),
).map((text) => ({ kind: 'FormatLit', text, span: S }));
const name: fc.Arbitrary<A.Name> = identName.map((n) => ({ kind: 'Name', name: n, span: S }));

export function arbitraries(maxDepth = 3) {
  const arbs = fc.letrec<{ expr: A.Expr; stmt: A.Stmt; body: readonly A.Stmt[]; index: A.Index; arg: A.Arg }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth },
      num, str, formatLit, name,
      tie('index') as fc.Arbitrary<A.Expr>,
      fc.array(tie('expr'), { maxLength: 3 }).map((items) => ({ kind: 'List', items, span: S }) as A.Expr),
      fc.tuple(tie('expr'), fc.constantFrom(...UNITS)).map(([value, u]) => ({ kind: 'WithUnit', value, unit: { kind: 'Ident', name: u, span: S }, span: S }) as A.Expr),
      fc.tuple(fc.constantFrom('-', '+'), tie('expr')).map(([op, operand]) => ({ kind: 'Unary', op, operand, span: S }) as A.Expr),
      fc.tuple(fc.constantFrom('+', '-', '*', '/', '^'), tie('expr'), tie('expr')).map(([op, left, right]) => ({ kind: 'Binary', op, left, right, span: S }) as A.Expr),
      fc.tuple(ident, fc.option(fc.array(tie('arg'), { maxLength: 3 }), { nil: null }), fc.option(tie('body'), { nil: null }))
        .filter(([, a, b]) => a !== null || b !== null)
        .map(([callee, args, body]) => ({ kind: 'Call', callee, args, body, span: S }) as A.Expr),
    ),
    arg: fc.tuple(fc.option(ident, { nil: null }), tie('expr')).map(([n, value]) => ({ kind: 'Arg', name: n, value, span: S })),
    index: fc.tuple(ident, fc.option(tie('expr'), { nil: null }), fc.option(tie('expr'), { nil: null }), fc.boolean())
      .map(([target, lo, hi, slice]) => ({ kind: 'Index', target, lo, hi: slice ? hi : null, slice, span: S })),
    body: fc.array(tie('stmt'), { maxLength: 3 }),
    stmt: fc.oneof(
      { depthSize: 'small', withCrossShrink: true, maxDepth },
      fc.tuple(ident, fc.constantFrom('=', '~', '<=', '>='), tie('expr'), fc.boolean(), tie('expr'))
        .map(([n, op, value, dims, cols]) => ({ kind: 'Assign', name: n, op, value: dims ? { kind: 'Dims', rows: value, cols, span: S } : value, span: S }) as A.Stmt),
      ident.map((n) => ({ kind: 'Flag', name: n, span: S }) as A.Stmt),
      fc.tuple(fc.constantFrom('input', 'population', 'readout'), ident, tie('expr'), ident, fc.option(tie('body'), { nil: null }), fc.boolean())
        .map(([role, n, size, model, body, withModel]) => ({
          kind: 'Neurons', role, name: n, size,
          model: role === 'input' ? null : role === 'population' || withModel ? model : null,
          body, span: S,
        }) as A.Stmt),
      fc.tuple(ident, fc.array(ident, { maxLength: 3 })).map(([n, members]) => ({ kind: 'Group', name: n, members, span: S }) as A.Stmt),
      fc.tuple(fc.oneof(name, tie('index')), fc.oneof(name, tie('index')), fc.option(ident, { nil: null }), fc.option(fc.array(tie('arg'), { maxLength: 2 }), { nil: null }), fc.option(tie('body'), { nil: null }))
        .map(([source, target, conn, args, body]) => ({ kind: 'Projection', source, target, conn, args: conn ? args : null, body: conn ? body : null, span: S }) as A.Stmt),
      fc.tuple(ident, fc.array(tie('expr'), { maxLength: 2 }), fc.option(tie('body'), { nil: null }))
        .map(([variable, targets, body]) => ({ kind: 'Probe', variable, targets, body, span: S }) as A.Stmt),
      fc.tuple(fc.constantFrom(...SECTION_KEYWORDS), ident, ident, tie('body'), fc.boolean(), fc.boolean()).map(([kw, n, base, body, withName, withBase]) => {
        const needsName = kw === 'network' || kw === 'core' || kw === 'learn' || kw === 'task';
        const noName = kw === 'latency' || kw === 'energy';
        const needsBase = kw === 'learn' || kw === 'task';
        const noBase = noName || kw === 'network' || kw === 'train' || kw === 'run' || kw === 'verify';
        return {
          kind: 'Section', keyword: { kind: 'Ident', name: kw, span: S },
          name: needsName || (!noName && withName) ? n : null,
          base: needsBase || (!noBase && withBase) ? base : null,
          body, span: S,
        } as A.Stmt;
      }),
      fc.tuple(ident, tie('expr')).map(([n, value]) => ({ kind: 'Const', name: n, value, span: S }) as A.Stmt),
      str.map((path) => ({ kind: 'Import', path, span: S }) as A.Stmt),
    ),
  }));
  const file: fc.Arbitrary<A.File> = fc.array(arbs.stmt, { maxLength: 4 }).map((items) => ({ kind: 'File', items, comments: [], span: S }));
  return { ...arbs, file };
}

/** An AST without spans, raw number text kept: the shape parse(fmt(ast)) must reproduce. */
export function strip(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (k, v) => (k === 'span' || k === 'comments' ? undefined : v)));
}
