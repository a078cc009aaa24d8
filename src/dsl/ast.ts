// The typed AST of a .snn file: readonly discriminated unions, a span on every node (Langium's
// generated ast.ts, esbuild's "a location on every node"). Optional parts are `null`, never
// missing, so two ASTs compare with a plain structural equality (parse(fmt(ast)) == ast).
import type { Span } from './span.ts';

export interface Ident { readonly kind: 'Ident'; readonly name: string; readonly span: Span }

// ---- expressions ---------------------------------------------------------------------------
export interface Num { readonly kind: 'Num'; readonly value: number; readonly raw: string; readonly span: Span }
export interface Str { readonly kind: 'Str'; readonly value: string; readonly span: Span }
/** A fixed-point format literal: s16.10, u12, q1.15. */
export interface FormatLit { readonly kind: 'FormatLit'; readonly text: string; readonly span: Span }
export interface Name { readonly kind: 'Name'; readonly name: string; readonly span: Span }
export interface List { readonly kind: 'List'; readonly items: readonly Expr[]; readonly span: Span }
/** `20 ms`, `[1, 2] Hz`, `(1/3) ms`: a unit applied to a number, a list or a parenthesised expression. */
export interface WithUnit { readonly kind: 'WithUnit'; readonly value: Expr; readonly unit: Ident; readonly span: Span }
export interface Unary { readonly kind: 'Unary'; readonly op: '-' | '+'; readonly operand: Expr; readonly span: Span }
export type BinaryOp = '+' | '-' | '*' | '/' | '^';
export interface Binary { readonly kind: 'Binary'; readonly op: BinaryOp; readonly left: Expr; readonly right: Expr; readonly span: Span }
/** `f(a, k = v)`, `pcm { g_max = 12 uS }`, `mixed_precision(epsilon = 0.125)`. args/body are null when absent. */
export interface Call { readonly kind: 'Call'; readonly callee: Ident; readonly args: readonly Arg[] | null; readonly body: readonly Stmt[] | null; readonly span: Span }
export interface Arg { readonly kind: 'Arg'; readonly name: Ident | null; readonly value: Expr; readonly span: Span }
/** `rec[3]` (slice false, hi null) or `rec[0:8]`, `rec[:8]` (slice true). */
export interface Index { readonly kind: 'Index'; readonly target: Ident; readonly lo: Expr | null; readonly hi: Expr | null; readonly slice: boolean; readonly span: Span }
/** `256 x 256`: a tile or array shape. */
export interface Dims { readonly kind: 'Dims'; readonly rows: Expr; readonly cols: Expr; readonly span: Span }

export type Expr = Num | Str | FormatLit | Name | List | WithUnit | Unary | Binary | Call | Index | Dims;

// ---- statements ----------------------------------------------------------------------------
/** `name = value`, `name ~ distribution`, or a verify block's constraint `name <= bound`, `name >= bound`. */
export interface Assign { readonly kind: 'Assign'; readonly name: Ident; readonly op: '=' | '~' | '<=' | '>='; readonly value: Expr; readonly span: Span }
/** A bare option word: `no_self`, `skip`. */
export interface Flag { readonly kind: 'Flag'; readonly name: Ident; readonly span: Span }
export type NeuronRole = 'input' | 'population' | 'readout';
/** `input in[N]`, `population rec[N] : LIF { ... }`, `readout out[2] : LI { ... }`. */
export interface Neurons {
  readonly kind: 'Neurons'; readonly role: NeuronRole; readonly name: Ident; readonly size: Expr;
  readonly model: Ident | null; readonly body: readonly Stmt[] | null; readonly span: Span;
}
/** `group rec = [lif, alif]`: populations addressed together, in this order. */
export interface Group { readonly kind: 'Group'; readonly name: Ident; readonly members: readonly Ident[]; readonly span: Span }
/** `a -> b : dense { ... }`; each end may be sliced (`rec[0:50]`). */
export interface Projection {
  readonly kind: 'Projection'; readonly source: Name | Index; readonly target: Name | Index;
  readonly conn: Ident | null; readonly args: readonly Arg[] | null; readonly body: readonly Stmt[] | null; readonly span: Span;
}
/** `probe v(rec[0:8]) { every = 5 ms }`. */
export interface Probe { readonly kind: 'Probe'; readonly variable: Ident; readonly targets: readonly Expr[]; readonly body: readonly Stmt[] | null; readonly span: Span }
/** Every braced block with a keyword: network, core, learn, task, train, run, verify, and the nested latency/energy tables. */
export interface Section {
  readonly kind: 'Section'; readonly keyword: Ident; readonly name: Ident | null; readonly base: Ident | null;
  readonly body: readonly Stmt[]; readonly span: Span;
}
export interface Const { readonly kind: 'Const'; readonly name: Ident; readonly value: Expr; readonly span: Span }
export interface Import { readonly kind: 'Import'; readonly path: Str; readonly span: Span }

export type Stmt = Assign | Flag | Neurons | Group | Projection | Probe | Section | Const | Import;

export interface Comment { readonly kind: 'Comment'; readonly text: string; readonly span: Span }
export interface File { readonly kind: 'File'; readonly items: readonly Stmt[]; readonly comments: readonly Comment[]; readonly span: Span }

export type Node = Ident | Expr | Arg | Stmt | File | Comment;

// Declaration words and the blocks they open (the AST builder and the formatter share these).
export const SECTION_KEYWORDS = ['network', 'core', 'learn', 'task', 'train', 'run', 'verify', 'latency', 'energy'] as const;
export type SectionKeyword = (typeof SECTION_KEYWORDS)[number];
export const DECLARATION_WORDS = ['import', 'const', ...SECTION_KEYWORDS, 'input', 'population', 'readout', 'group', 'probe'] as const;

export const isSection = (s: Stmt): s is Section => s.kind === 'Section';
export const isAssign = (s: Stmt): s is Assign => s.kind === 'Assign';
export const isNeurons = (s: Stmt): s is Neurons => s.kind === 'Neurons';
export const isProjection = (s: Stmt): s is Projection => s.kind === 'Projection';

export function assertUnreachable(x: never): never {
  throw new Error(`internal: unexpected node ${JSON.stringify(x)}`);
}
