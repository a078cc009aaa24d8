// The canonical printer: AST (+ comments, + the original text for blank lines and trailing
// comments) → text. Parsing the output gives the same AST, and formatting is idempotent.
// Rules: two-space indent; one statement per line; spaces around binary operators and none
// after a unary sign; a body is printed inline (`{ a = 1; b }`) when it holds at most two
// parameters or flags, fits in 100 columns and contains no comment; otherwise one per line.
// Comments are never lost: a comment inside an expression moves to the line before the next
// statement; at most one blank line of the original is kept between statements.
import * as A from './ast.ts';
import type { SourceFile } from './span.ts';

const WIDTH = 100;
const PREC: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '^': 4 };

function prec(e: A.Expr): number {
  switch (e.kind) {
    case 'Dims': return 0;
    case 'Binary': return PREC[e.op] as number;
    case 'Unary': return 3;
    default: return 5;
  }
}

/**
 * `syntheticFrom`: nodes whose spans start at or after this offset were not in the text (an
 * override's, `fmt --set`): no comment precedes, follows or sits inside them.
 */
export function formatFile(file: A.File, source?: SourceFile, options: { readonly syntheticFrom?: number } = {}): string {
  const p = new Printer(file.comments, source, options.syntheticFrom ?? Number.POSITIVE_INFINITY);
  p.stmts(file.items, '', file.span.end);
  const text = p.lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  return text.length > 0 ? `${text}\n` : '';
}

class Printer {
  lines: string[] = [];
  private next = 0;
  private readonly comments: readonly A.Comment[];
  constructor(comments: readonly A.Comment[], private readonly source: SourceFile | undefined, private readonly syntheticFrom: number) {
    this.comments = [...comments].sort((a, b) => a.span.start - b.span.start);
  }

  private flush(limit: number, indent: string): void {
    if (limit >= this.syntheticFrom) return; // before a node that was not in the text: no comment of its own
    while (this.next < this.comments.length && (this.comments[this.next] as A.Comment).span.start < limit) {
      const c = this.comments[this.next++] as A.Comment;
      if (this.blankBefore(c.span.start)) this.lines.push('');
      this.lines.push(indent + c.text);
    }
  }

  private hasCommentWithin(start: number, end: number): boolean {
    if (start >= this.syntheticFrom) return false;
    for (let i = this.next; i < this.comments.length; i++) {
      const c = this.comments[i] as A.Comment;
      if (c.span.start >= end) return false;
      if (c.span.start >= start) return true;
    }
    return false;
  }

  /** Was there a blank line right before this offset in the original text? */
  private blankBefore(offset: number): boolean {
    if (!this.source || offset >= this.syntheticFrom) return false;
    const text = this.source.text;
    let i = offset - 1;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t')) i--;
    if (text[i] !== '\n') return false;
    i--;
    if (text[i] === '\r') i--;
    while (i >= 0 && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r')) i--;
    return i >= 0 && text[i] === '\n';
  }

  stmts(list: readonly A.Stmt[], indent: string, end: number): void {
    list.forEach((s, i) => {
      const firstComment = this.comments[this.next];
      const lead = firstComment && firstComment.span.start < s.span.start ? firstComment.span.start : s.span.start;
      if (i > 0 && this.blankBefore(lead)) this.lines.push('');
      const before = this.next;
      this.flush(s.span.start, indent);
      if (this.next > before && this.blankBefore(s.span.start)) this.lines.push('');
      const text = this.stmt(s, indent);
      const trailing = this.trailing(s.span.end, i + 1 < list.length ? (list[i + 1] as A.Stmt).span.start : end);
      const chunk = indent + text + (trailing ? ` ${trailing}` : '');
      this.lines.push(...chunk.split('\n'));
    });
    this.flush(end, indent);
  }

  /** A comment after a statement on the same line stays there. */
  private trailing(stmtEnd: number, limit: number): string | undefined {
    const c = this.comments[this.next];
    if (!c || !this.source || stmtEnd >= this.syntheticFrom || c.span.start >= limit || c.span.start < stmtEnd) return undefined;
    if (/[\n\r]/.test(this.source.text.slice(stmtEnd, c.span.start))) return undefined;
    if (c.text.startsWith('/*') && /[\n\r]/.test(c.text)) return undefined;
    this.next++;
    return c.text;
  }

  stmt(s: A.Stmt, indent: string): string {
    switch (s.kind) {
      case 'Import': return `import ${JSON.stringify(s.path.value)}`;
      case 'Const': return `const ${s.name.name} = ${this.value(s.value, indent)}`;
      case 'Assign': return `${s.name.name} ${s.op} ${this.value(s.value, indent)}`;
      case 'Flag': return s.name.name;
      case 'Section': {
        const head = `${s.keyword.name}${s.name ? ` ${s.name.name}` : ''}${s.base ? ` : ${s.base.name}` : ''}`;
        return `${head} ${this.block(s.body, indent, s.span, head.length, true)}`;
      }
      case 'Neurons': {
        const head = `${s.role} ${s.name.name}[${this.expr(s.size, indent)}]${s.model ? ` : ${s.model.name}` : ''}`;
        return s.body ? `${head} ${this.block(s.body, indent, s.span, indent.length + head.length)}` : head;
      }
      case 'Group': return `group ${s.name.name} = [${s.members.map((m) => m.name).join(', ')}]`;
      case 'Projection': {
        let head = `${this.expr(s.source, indent)} -> ${this.expr(s.target, indent)}`;
        if (s.conn) head += ` : ${s.conn.name}${s.args ? `(${this.args(s.args, indent)})` : ''}`;
        return s.body ? `${head} ${this.block(s.body, indent, s.span, indent.length + head.length)}` : head;
      }
      case 'Probe': {
        const head = `probe ${s.variable.name}(${s.targets.map((t) => this.expr(t, indent)).join(', ')})`;
        return s.body ? `${head} ${this.block(s.body, indent, s.span, indent.length + head.length)}` : head;
      }
      default: return A.assertUnreachable(s);
    }
  }

  /** `{ a; b }` inline when short and simple, else one statement per line. */
  private block(body: readonly A.Stmt[], indent: string, at: { start: number; end: number }, used: number, forceLines = false): string {
    if (body.length === 0 && !this.hasCommentWithin(at.start, at.end)) return '{}';
    if (!forceLines && body.length <= 2 && body.every((s) => s.kind === 'Assign' || s.kind === 'Flag') && !this.hasCommentWithin(at.start, at.end)) {
      const parts = body.map((s) => this.stmt(s, indent));
      const inline = `{ ${parts.join('; ')} }`;
      if (!parts.some((x) => x.includes('\n')) && used + inline.length + 1 <= WIDTH) return inline;
    }
    // Print the body with this printer (it shares the comment cursor), then collect its lines.
    const saved = this.lines;
    this.lines = [];
    this.stmts(body, `${indent}  `, at.end);
    const bodyLines = this.lines;
    this.lines = saved;
    return `{\n${bodyLines.join('\n')}\n${indent}}`;
  }

  private args(args: readonly A.Arg[], indent: string): string {
    return args.map((a) => (a.name ? `${a.name.name} = ${this.expr(a.value, indent)}` : this.expr(a.value, indent))).join(', ');
  }

  value(e: A.Expr, indent: string): string {
    return this.expr(e, indent);
  }

  expr(e: A.Expr, indent: string): string {
    switch (e.kind) {
      case 'Num': return e.raw;
      case 'Str': return JSON.stringify(e.value);
      case 'FormatLit': return e.text;
      case 'Name': return e.name;
      case 'List': return `[${e.items.map((x) => this.expr(x, indent)).join(', ')}]`;
      case 'WithUnit': {
        const v = e.value.kind === 'Num' || e.value.kind === 'List' ? this.expr(e.value, indent) : `(${this.expr(e.value, indent)})`;
        return `${v} ${e.unit.name}`;
      }
      case 'Unary': {
        const inner = this.expr(e.operand, indent);
        // `- -1`, not `--1`: consecutive signs are kept apart so they read as two.
        return `${e.op}${prec(e.operand) < 3 ? `(${inner})` : e.operand.kind === 'Unary' ? ` ${inner}` : inner}`;
      }
      case 'Binary': {
        const p = PREC[e.op] as number;
        const l = this.expr(e.left, indent);
        const r = this.expr(e.right, indent);
        if (e.op === '^') {
          const lp = prec(e.left) <= 4 ? `(${l})` : l;
          const rp = prec(e.right) < 3 ? `(${r})` : r;
          return `${lp} ^ ${rp}`;
        }
        const lp = prec(e.left) < p ? `(${l})` : l;
        const rp = prec(e.right) <= p ? `(${r})` : r;
        return `${lp} ${e.op} ${rp}`;
      }
      case 'Call': {
        let s = e.callee.name;
        if (e.args) s += `(${this.args(e.args, indent)})`;
        if (e.body) s += ` ${this.block(e.body, indent, e.span, indent.length + s.length + 8)}`;
        return s;
      }
      case 'Index': {
        const lo = e.lo ? this.expr(e.lo, indent) : '';
        if (!e.slice) return `${e.target.name}[${lo}]`;
        return `${e.target.name}[${lo}:${e.hi ? this.expr(e.hi, indent) : ''}]`;
      }
      case 'Dims': return `${this.expr(e.rows, indent)} x ${this.expr(e.cols, indent)}`;
      default: return A.assertUnreachable(e);
    }
  }
}
