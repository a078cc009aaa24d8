// CST → AST. The grammar is generic (every statement starts with a word); this visitor gives
// each declaration word its meaning and reports declarations that lack the parts their form
// needs. It never throws on user input: problems become diagnostics.
import type { CstNode, IToken } from 'chevrotain';
import * as A from './ast.ts';
import { cstSpan, join, tokenSpan, type Span } from './span.ts';
import { didYouMean, diag, type Diagnostic, type DiagKind } from './diagnostics.ts';

/** Expression trees deeper than this are refused (`1+1+...` chains, long `^` towers, nesting). */
export const MAX_EXPR_DEPTH = 400;

type Ctx = Record<string, (CstNode | IToken)[] | undefined>;


const SHAPES: Record<string, string> = {
  import: 'import "PATH"',
  const: 'const NAME = VALUE',
  network: 'network NAME { ... }',
  core: 'core NAME { ... }  or  core NAME : BASE_CORE { ... }',
  learn: 'learn NAME : eprop { ... }  or  learn NAME : bptt { ... }  or  learn NAME : reckon { ... }',
  task: 'task NAME : KIND { ... }',
  train: 'train { ... }  or  train NAME { ... }',
  run: 'run { ... }  or  run NAME { ... }',
  verify: 'verify { ... }  or  verify NAME { ... }',
  latency: 'latency { ... }',
  energy: 'energy { ... }',
  input: 'input NAME[SIZE]',
  population: 'population NAME[SIZE] : MODEL { ... }',
  readout: 'readout NAME[SIZE] : MODEL { ... }',
  group: 'group NAME = [POPULATION, POPULATION, ...]',
  probe: 'probe VARIABLE(TARGET, ...) { ... }',
};

const first = <T>(xs: T[] | undefined): T | undefined => (xs && xs.length > 0 ? xs[0] : undefined);

/** Walks the CST with one method per grammar rule (Chevrotain's visitor pattern, without the
 *  dynamic dispatch: every call site knows which rule it visits, so TypeScript checks it). */
class AstBuilder {
  diagnostics: Diagnostic[] = [];
  /** Operations on the current path of nested expressions (a bound on the AST's depth). */
  private depth = 0;
  private tooDeep = false;
  constructor(private readonly path: string, private readonly text: string) {}

  private report(kind: DiagKind, at: Span, message: string): void {
    this.diagnostics.push(diag(kind, this.path, at, message));
  }

  private tok(ctx: Ctx, key: string): IToken | undefined { return first(ctx[key]) as IToken | undefined; }
  private node(ctx: Ctx, key: string): CstNode | undefined { return first(ctx[key]) as CstNode | undefined; }
  private nodes(ctx: Ctx, key: string): CstNode[] { return (ctx[key] ?? []) as CstNode[]; }
  private toks(ctx: Ctx, key: string): IToken[] { return (ctx[key] ?? []) as IToken[]; }

  private ident(t: IToken): A.Ident { return { kind: 'Ident', name: t.image, span: tokenSpan(t) }; }

  file(node: CstNode): A.File {
    return { kind: 'File', items: this.statements(node), comments: [], span: cstSpan(node) };
  }

  blockBody(node: CstNode): A.Stmt[] {
    return this.statements(node);
  }

  /** The statements of a file or block. Two statements on one line need a ';' between them. */
  private statements(node: CstNode): A.Stmt[] {
    const ctx = node.children as Ctx;
    const semis = this.toks(ctx, 'Semicolon');
    const out: A.Stmt[] = [];
    let prevEnd = -1;
    for (const st of this.nodes(ctx, 'statement')) {
      const at = cstSpan(st);
      if (prevEnd >= 0 && !/[\n\r]/.test(this.text.slice(prevEnd, at.start)) && !semis.some((t) => t.startOffset >= prevEnd && t.startOffset < at.start)) {
        const head = (st.children as Ctx).head?.[0] as IToken;
        this.report('ExpectedToken', tokenSpan(head), `Expected a line break or ';' before '${head.image}': statements on one line are separated by ';'.`);
      }
      prevEnd = at.end;
      const s = this.statement(st);
      if (s) out.push(s);
    }
    return out;
  }

  statement(node: CstNode): A.Stmt | null {
    const ctx = node.children as Ctx;
    const head = this.tok(ctx, 'head') as IToken;
    const at = cstSpan(node);
    const op = this.tok(ctx, 'op');
    if (op) {
      return { kind: 'Assign', name: this.ident(head), op: op.image as A.Assign['op'], value: this.value(this.node(ctx, 'value') as CstNode), span: at };
    }
    const proj = this.node(ctx, 'projectionTail');
    if (proj) return this.projection(head, proj, at);
    const decl = this.node(ctx, 'declTail');
    const block = this.node(ctx, 'block');
    if (decl || block) return this.declaration(head, decl, block, at);
    return { kind: 'Flag', name: this.ident(head), span: at };
  }

  private projection(head: IToken, node: CstNode, at: Span): A.Projection {
    const ctx = node.children as Ctx;
    const srcSlice = this.node(ctx, 'sourceSlice');
    const source: A.Name | A.Index = srcSlice
      ? this.indexNode(head, srcSlice, join(tokenSpan(head), tokenSpan(this.toks(ctx, 'RBracket')[0] as IToken)))
      : { kind: 'Name', name: head.image, span: tokenSpan(head) };
    const ep = (this.node(ctx, 'endpoint') as CstNode).children as Ctx;
    const epName = this.tok(ep, 'Identifier') as IToken;
    const epSlice = this.node(ep, 'slice');
    const target: A.Name | A.Index = epSlice
      ? this.indexNode(epName, epSlice, cstSpan(this.node(ctx, 'endpoint') as CstNode))
      : { kind: 'Name', name: epName.image, span: tokenSpan(epName) };
    const ctor = this.node(ctx, 'ctor');
    if (!ctor) return { kind: 'Projection', source, target, conn: null, args: null, body: null, span: at };
    const c = this.ctorParts(ctor);
    return { kind: 'Projection', source, target, conn: c.name, args: c.args, body: c.body, span: at };
  }

  private ctorParts(node: CstNode): { name: A.Ident; args: A.Arg[] | null; body: A.Stmt[] | null } {
    const ctx = node.children as Ctx;
    const argsNode = this.node(ctx, 'args');
    const hasParens = this.toks(ctx, 'LParen').length > 0;
    const block = this.node(ctx, 'block');
    return {
      name: this.ident(this.tok(ctx, 'Identifier') as IToken),
      args: hasParens ? (argsNode ? this.argList(argsNode) : []) : null,
      body: block ? this.blockBody(block) : null,
    };
  }

  private malformed(word: string, at: Span, what: string): null {
    this.report('MalformedDeclaration', at, `${what} The form is: ${SHAPES[word]}`);
    return null;
  }

  private declaration(head: IToken, decl: CstNode | undefined, directBlock: CstNode | undefined, at: Span): A.Stmt | null {
    const word = head.image;
    const headSpan = tokenSpan(head);
    if (!Object.hasOwn(SHAPES, word)) {
      this.report('UnknownDeclaration', headSpan, `'${word}' does not start a declaration here.${didYouMean(word, A.DECLARATION_WORDS)} A statement is \`name = value\`, \`a -> b : kind\`, a flag, or one of: ${A.DECLARATION_WORDS.join(', ')}.`);
      return null;
    }
    const ctx = (decl?.children ?? {}) as Ctx;
    const nameTok = this.tok(ctx, 'name');
    const pathTok = this.tok(ctx, 'path');
    const size = this.node(ctx, 'size');
    const hasArgs = this.toks(ctx, 'LParen').length > 0;
    const argsNode = this.node(ctx, 'args');
    const ctor = this.node(ctx, 'ctor');
    const valueNode = this.node(ctx, 'value');
    const block = directBlock ?? this.node(ctx, 'block');
    const ctorParts = ctor ? this.ctorParts(ctor) : null;
    if (ctorParts && this.toks(ctx, 'Colon').length === 0) {
      this.report('ExpectedToken', ctorParts.name.span, `Expected ':' before '${ctorParts.name.name}': write \`${word} ${nameTok?.image ?? 'NAME'}${size ? '[...]' : ''} : ${ctorParts.name.name}\`.`);
      return null;
    }
    const body = ctorParts?.body ?? (block ? this.blockBody(block) : null);
    const twoBodies = ctorParts?.body && block;
    const Word = word[0]?.toUpperCase() + word.slice(1);

    if (twoBodies) return this.malformed(word, cstSpan(block), `${Word} has two bodies.`);
    if (word === 'import') {
      if (!pathTok || nameTok || size || hasArgs || ctor || valueNode || block) return this.malformed(word, at, 'An import takes one quoted path and nothing else.');
      return { kind: 'Import', path: this.string(pathTok), span: at };
    }
    if (pathTok) return this.malformed(word, tokenSpan(pathTok), `A ${word} takes a name, not a string.`);
    if (word === 'const') {
      if (!nameTok || !valueNode) return this.malformed(word, at, 'A constant needs a name and a value.');
      if (size || hasArgs || ctor || block) return this.malformed(word, at, 'A constant is only a name and a value.');
      return { kind: 'Const', name: this.ident(nameTok), value: this.value(valueNode), span: at };
    }
    if ((A.SECTION_KEYWORDS as readonly string[]).includes(word)) {
      const keyword = word as A.SectionKeyword;
      if (size || hasArgs || valueNode) return this.malformed(word, at, `A ${word} block has no size, arguments or '=' value.`);
      if (ctorParts && ctorParts.args) return this.malformed(word, ctorParts.name.span, `The kind after ':' takes no arguments; put parameters in the body.`);
      if (body === null) return this.malformed(word, at, `A ${word} block needs a body in braces.`);
      const needsName = keyword === 'network' || keyword === 'core' || keyword === 'learn' || keyword === 'task';
      const noName = keyword === 'latency' || keyword === 'energy';
      if (needsName && !nameTok) return this.malformed(word, headSpan, `A ${word} needs a name.`);
      if (noName && (nameTok || ctor)) return this.malformed(word, at, `A ${word} table has no name or kind.`);
      if ((keyword === 'learn' || keyword === 'task') && !ctorParts) return this.malformed(word, nameTok ? tokenSpan(nameTok) : headSpan, `A ${word} needs a kind after ':'.`);
      if ((keyword === 'network' || keyword === 'train' || keyword === 'run' || keyword === 'verify') && ctorParts) return this.malformed(word, ctorParts.name.span, `A ${word} has no kind after ':'.`);
      return { kind: 'Section', keyword: this.ident(head), name: nameTok ? this.ident(nameTok) : null, base: ctorParts ? ctorParts.name : null, body, span: at };
    }
    if (word === 'input' || word === 'population' || word === 'readout') {
      if (!nameTok || !size) return this.malformed(word, at, `A ${word} needs a name and a size in brackets.`);
      if (hasArgs || valueNode) return this.malformed(word, at, `A ${word} has no arguments or '=' value.`);
      if (word === 'population' && !ctorParts) return this.malformed(word, at, 'A population needs a neuron model after \':\' (LIF or ALIF).');
      if (word === 'input' && ctorParts) return this.malformed(word, ctorParts.name.span, 'An input has no neuron model.');
      if (ctorParts && ctorParts.args) return this.malformed(word, ctorParts.name.span, 'A neuron model takes no arguments; put parameters in the body.');
      return { kind: 'Neurons', role: word, name: this.ident(nameTok), size: this.expression(size), model: ctorParts ? ctorParts.name : null, body, span: at };
    }
    if (word === 'group') {
      const value = valueNode ? this.value(valueNode) : null;
      if (!nameTok || !value || value.kind !== 'List' || size || hasArgs || ctor || block) return this.malformed(word, at, 'A group is a name and a list of populations.');
      const members: A.Ident[] = [];
      for (const item of value.items) {
        if (item.kind !== 'Name') return this.malformed(word, item.span, 'A group lists population names.');
        members.push({ kind: 'Ident', name: item.name, span: item.span });
      }
      return { kind: 'Group', name: this.ident(nameTok), members, span: at };
    }
    // probe
    if (!nameTok || !hasArgs || size || ctor || valueNode) return this.malformed(word, at, 'A probe names a variable and, in parentheses, what it watches.');
    const args = argsNode ? this.argList(argsNode) : [];
    const named = args.find((a) => a.name !== null);
    if (named) return this.malformed(word, named.span, 'Probe targets are positional; put options such as `every` in the body.');
    return { kind: 'Probe', variable: this.ident(nameTok), targets: args.map((a) => a.value), body: block ? this.blockBody(block) : null, span: at };
  }

  private argList(node: CstNode): A.Arg[] {
    const ctx = node.children as Ctx;
    return this.nodes(ctx, 'arg').map((a) => {
      const c = a.children as Ctx;
      const n = this.tok(c, 'argName');
      return { kind: 'Arg', name: n ? this.ident(n) : null, value: this.expression(this.node(c, 'expression') as CstNode), span: cstSpan(a) };
    });
  }

  value(node: CstNode): A.Expr {
    const ctx = node.children as Ctx;
    const rows = this.expression(this.node(ctx, 'rows') as CstNode);
    const colsNode = this.node(ctx, 'cols');
    if (!colsNode) return rows;
    const cols = this.expression(colsNode);
    return { kind: 'Dims', rows, cols, span: join(rows.span, cols.span) };
  }

  /**
   * Precedence, loosest first: `+ -`, `* /`, prefix signs, `^` (right-associative). Signs written
   * after a `^` negate the whole tower to their right: 2^-2^3 = 2^(-(2^3)); -2^2 = -(2^2).
   * Every fold is a loop, so long chains cannot overflow the stack here.
   */
  expression(node: CstNode): A.Expr {
    const ctx = node.children as Ctx;
    const primaries = this.nodes(ctx, 'primary');
    const opToks = this.toks(ctx, 'op');
    // Each sign belongs to the primary that follows it.
    const signsOf: IToken[][] = primaries.map(() => []);
    let p = 0;
    for (const sgn of this.toks(ctx, 'sign')) {
      while (p < primaries.length - 1 && cstSpan(primaries[p] as CstNode).start < sgn.startOffset) p++;
      (signsOf[p] as IToken[]).push(sgn);
    }
    const signCount = signsOf.reduce((m, xs) => Math.max(m, xs.length), 0);
    const cost = 1 + opToks.length + signCount;
    // Every pass over the AST recurses; refuse trees deeper than they can safely walk.
    if (this.depth + cost > MAX_EXPR_DEPTH) {
      if (!this.tooDeep) this.report('TooDeep', cstSpan(node), `This expression is nested more than ${MAX_EXPR_DEPTH} operations deep; split it with constants.`);
      this.tooDeep = true;
      return { kind: 'Num', value: 0, raw: '0', span: cstSpan(node) };
    }
    this.depth += cost;
    const operands = primaries.map((n, i) => ({ signs: signsOf[i] as IToken[], primary: this.primary(n) }));
    this.depth -= cost;
    const ops = this.toks(ctx, 'op').map((t) => t.image as A.BinaryOp);
    const withSigns = (signs: IToken[], e: A.Expr): A.Expr => {
      for (let k = signs.length - 1; k >= 0; k--) {
        const s = signs[k] as IToken;
        e = { kind: 'Unary', op: s.image === '-' ? '-' : '+', operand: e, span: join(tokenSpan(s), e.span) };
      }
      return e;
    };
    // 1. Towers of '^' with their signs: the unary level.
    const items: A.Expr[] = [];
    const itemOps: A.BinaryOp[] = [];
    for (let i = 0; i < operands.length;) {
      let j = i;
      while (j < ops.length && ops[j] === '^') j++;
      let acc = (operands[j] as (typeof operands)[number]).primary;
      for (let k = j; k > i; k--) {
        acc = withSigns((operands[k] as (typeof operands)[number]).signs, acc);
        const left = (operands[k - 1] as (typeof operands)[number]).primary;
        acc = { kind: 'Binary', op: '^', left, right: acc, span: join(left.span, acc.span) };
      }
      items.push(withSigns((operands[i] as (typeof operands)[number]).signs, acc));
      if (j < ops.length) itemOps.push(ops[j] as A.BinaryOp);
      i = j + 1;
    }
    // 2. '*' and '/' bind tighter than '+' and '-'; both are left-associative.
    const fold = (xs: A.Expr[], os: A.BinaryOp[], tight: readonly A.BinaryOp[]): { xs: A.Expr[]; os: A.BinaryOp[] } => {
      const outX: A.Expr[] = [xs[0] as A.Expr];
      const outO: A.BinaryOp[] = [];
      os.forEach((op, k) => {
        const right = xs[k + 1] as A.Expr;
        if (tight.includes(op)) {
          const left = outX.pop() as A.Expr;
          outX.push({ kind: 'Binary', op, left, right, span: join(left.span, right.span) });
        } else { outX.push(right); outO.push(op); }
      });
      return { xs: outX, os: outO };
    };
    const terms = fold(items, itemOps, ['*', '/']);
    return fold(terms.xs, terms.os, ['+', '-']).xs[0] as A.Expr;
  }

  primary(node: CstNode): A.Expr {
    const ctx = node.children as Ctx;
    const at = cstSpan(node);
    const unit = this.tok(ctx, 'unit');
    const withUnit = (value: A.Expr, whole: Span): A.Expr =>
      unit ? { kind: 'WithUnit', value, unit: this.ident(unit), span: join(whole, tokenSpan(unit)) } : value;
    const num = this.tok(ctx, 'NumberLit');
    if (num) {
      const value = Number(num.image);
      if (!Number.isFinite(value)) this.report('InvalidNumber', tokenSpan(num), `The number ${num.image.slice(0, 40)} is too large to represent (the largest is about 1.8e308).`);
      return withUnit({ kind: 'Num', value: Number.isFinite(value) ? value : 0, raw: num.image, span: tokenSpan(num) }, tokenSpan(num));
    }
    const str = this.tok(ctx, 'StringLit');
    if (str) return this.string(str);
    const fmt = this.tok(ctx, 'Format');
    if (fmt) return { kind: 'FormatLit', text: fmt.image, span: tokenSpan(fmt) };
    const inner = this.node(ctx, 'expression');
    if (inner) return withUnit(this.expression(inner), at);
    const list = this.node(ctx, 'list');
    if (list) return withUnit(this.list(list), cstSpan(list));
    return this.reference(ctx, at);
  }

  list(node: CstNode): A.List {
    const ctx = node.children as Ctx;
    return { kind: 'List', items: this.nodes(ctx, 'expression').map((e) => this.expression(e)), span: cstSpan(node) };
  }

  private reference(ctx: Ctx, at: Span): A.Expr {
    const id = this.tok(ctx, 'name') as IToken;
    const slice = this.node(ctx, 'slice');
    if (slice) return this.indexNode(id, slice, at);
    const hasParens = this.toks(ctx, 'LParen').length > 0;
    const block = this.node(ctx, 'block');
    if (!hasParens && !block) return { kind: 'Name', name: id.image, span: tokenSpan(id) };
    const argsNode = this.node(ctx, 'args');
    return { kind: 'Call', callee: this.ident(id), args: hasParens ? (argsNode ? this.argList(argsNode) : []) : null, body: block ? this.blockBody(block) : null, span: at };
  }

  private indexNode(id: IToken, slice: CstNode, at: Span): A.Index {
    const ctx = slice.children as Ctx;
    const lo = this.node(ctx, 'lo');
    const hi = this.node(ctx, 'hi');
    return { kind: 'Index', target: this.ident(id), lo: lo ? this.expression(lo) : null, hi: hi ? this.expression(hi) : null, slice: this.toks(ctx, 'Colon').length > 0, span: at };
  }

  private string(t: IToken): A.Str {
    let value: string;
    try { value = JSON.parse(t.image) as string; } catch { value = t.image.slice(1, -1); }
    return { kind: 'Str', value, span: tokenSpan(t) };
  }
}

export function buildAst(cst: CstNode, file: string, text: string): { value: A.File; diagnostics: Diagnostic[] } {
  const builder = new AstBuilder(file, text);
  const value = builder.file(cst);
  return { value, diagnostics: builder.diagnostics };
}
