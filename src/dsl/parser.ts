// The grammar of .snn, as a pure Chevrotain CstParser (no embedded actions; the AST is built by
// the visitor in to-ast.ts). The grammar is deliberately generic: every statement starts with a
// word, and to-ast.ts decides what the word means. Line breaks are insignificant except in three
// places, where a gate asks for the next token to be on the same line:
//   - a unit after a number (`20 ms`), so `a = 20` + newline + `b = 1` is not `20 b`;
//   - the name after a declaration word (`population rec[...]`), so a bare flag (`no_self`)
//     followed by a statement on the next line stays a flag;
//   - the `x` of a shape (`256 x 256`).
import { CstParser, tokenMatcher, type IRecognitionException, type IToken, type TokenType, type IParserErrorMessageProvider, type TokenVocabulary } from 'chevrotain';
import * as T from './tokens.ts';
import { DECLARATION_WORDS as WORDS } from './ast.ts';

/** Declaration words never read as units (`const A = 1 const B = 2` is two statements). */
const DECLARATION_WORDS: ReadonlySet<string> = new Set(WORDS);

const sameLine = (prev: IToken | undefined, next: IToken | undefined): boolean =>
  prev !== undefined && next !== undefined && Number.isFinite(next.startLine) && next.startLine === prev.endLine;

/** Tokens that can start an expression: after `x` they make it the shape operator, not a unit. */
const STARTS_EXPRESSION: TokenType[] = [T.NumberLit, T.Identifier, T.LParen, T.Minus, T.Plus, T.LBracket, T.StringLit, T.Format];

const describeToken = (t: IToken): string =>
  t.tokenType.name === 'EOF' ? 'the end of the file' : `'${t.image.length > 24 ? `${t.image.slice(0, 24)}…` : t.image}'`;

const labelOf = (t: TokenType): string => t.LABEL ?? t.name;

const RULE_WORDS: Record<string, string> = {
  file: 'a declaration (network, core, learn, task, train, run, verify, const or import)',
  statement: 'a statement',
  block: 'a statement or the closing \'}\'',
  value: 'a value (a number such as `20 ms`, a name, a string, a list or a call)',
  expression: 'a value (a number such as `20 ms`, a name, a string, a list or a call)',
  primary: 'a value (a number such as `20 ms`, a name, a string, a list or a call)',
  args: 'an argument', arg: 'an argument', slice: 'an index or a range such as 0:8', endpoint: 'a population name',
  ctor: 'a name',
  declTail: 'a name or a quoted path', projectionTail: "'->' and a target", list: "a list element or ']'",
};

const CLOSERS: Record<string, string> = {
  RBrace: ' to close the block', RBracket: ' to close the brackets', RParen: ' to close the parentheses',
};

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }) =>
    expected.name === 'EOF'
      ? `Expected ${RULE_WORDS.file}, found ${describeToken(actual)}${actual.image === '}' ? ' (is there one closing brace too many?)' : ''}.`
      : `Expected ${labelOf(expected)}${CLOSERS[expected.name] ?? ''}, found ${describeToken(actual)}.`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    `Expected ${RULE_WORDS.file}, found ${describeToken(firstRedundant)}${firstRedundant.image === '}' ? ' (is there one closing brace too many?)' : ''}.`,
  buildNoViableAltMessage: ({ actual, ruleName }) =>
    `Expected ${RULE_WORDS[ruleName] ?? ruleName}, found ${describeToken(actual[0] as IToken)}.`,
  buildEarlyExitMessage: ({ actual, ruleName }) =>
    `Expected ${RULE_WORDS[ruleName] ?? ruleName}, found ${describeToken(actual[0] as IToken)}.`,
};

/** Thrown out of the parser when it has saved this many errors: Chevrotain's in-repetition
 *  recovery recurses once per error, so unbounded junk would overflow the stack (issue 7). */
export const MAX_PARSE_ERRORS = 200;
export class ParseAborted extends Error {
  constructor() { super(`stopped after ${MAX_PARSE_ERRORS} syntax errors`); this.name = 'ParseAborted'; }
}

class SnnParser extends CstParser {
  /** OR alternatives and gated OPTIONs are built once and reused: a fresh array of closures per
   *  call costs more than the parse itself (Chevrotain's performance guide). */
  private readonly k: Record<string, any> = {};

  constructor(vocabulary: TokenVocabulary) {
    super(vocabulary, { recoveryEnabled: true, nodeLocationTracking: 'onlyOffset', maxLookahead: 3, errorMessageProvider: errorMessages, skipValidations: process.env.PHASECORE_VALIDATE_GRAMMAR !== '1' });
    this.performSelfAnalysis();
  }

  /** Tokens the error recovery has skipped over while looking for a place to resume. */
  private resyncScanned = 0;

  override reset(): void {
    super.reset();
    this.resyncScanned = 0;
  }

  /** Chevrotain's search for a resynchronisation token, with a budget: at the top level only EOF
   *  resynchronises, so each error would scan the rest of the input (quadratic on junk). */
  findReSyncTokenType(): TokenType {
    const follow = (this as unknown as { flattenFollowSet(): TokenType[] }).flattenFollowSet();
    const budget = 8 * this.input.length + 100_000;
    for (let k = 1; ; k++) {
      const next = this.LA(k);
      const found = follow.find((t) => tokenMatcher(next, t));
      if (found !== undefined) return found;
      if (++this.resyncScanned > budget) throw new ParseAborted();
    }
  }

  /** Every syntax error passes here; past the limit the parse is abandoned (not a RecognitionException, so no rule recovers from it). */
  SAVE_ERROR(error: IRecognitionException): IRecognitionException {
    // Not in Chevrotain's typings, but the documented hook every recognition error goes through.
    const saved = (CstParser.prototype as unknown as { SAVE_ERROR(e: IRecognitionException): IRecognitionException }).SAVE_ERROR.call(this, error);
    if (this.errors.length >= MAX_PARSE_ERRORS) throw new ParseAborted();
    return saved;
  }

  public file = this.RULE('file', () => {
    this.MANY(() => this.OR(this.k.c1 ??= [
      { ALT: () => this.SUBRULE(this.statement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]));
  });

  /** Every statement: `word ...`, `name = v`, `name ~ v`, `name <= v`, `name >= v`, `a -> b : kind`, or a bare flag. */
  public statement = this.RULE('statement', () => {
    this.CONSUME(T.Identifier, { LABEL: 'head' });
    this.OPTION(this.k.c9 ??= {
      GATE: () => !this.nameOnNextLine(),
      DEF: () => this.OR(this.k.c2 ??= [
        { ALT: () => { this.OR2(this.k.c3 ??= [{ ALT: () => this.CONSUME(T.Equals, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.Tilde, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.AtMost, { LABEL: 'op' }) }, { ALT: () => this.CONSUME(T.AtLeast, { LABEL: 'op' }) }]); this.SUBRULE(this.value); } },
        { ALT: () => this.SUBRULE(this.projectionTail) },
        { ALT: () => this.SUBRULE(this.declTail) },
        { ALT: () => this.SUBRULE(this.block) },
      ]),
    });
  });

  private nameOnNextLine(): boolean {
    const next = this.LA(1);
    return (next.tokenType === T.Identifier || next.tokenType === T.StringLit) && !sameLine(this.LA(0), next);
  }

  /** After the head name: optional slice, `->`, target, optional `: kind(args) { body }`. */
  public projectionTail = this.RULE('projectionTail', () => {
    this.OPTION(() => { this.CONSUME(T.LBracket); this.SUBRULE(this.slice, { LABEL: 'sourceSlice' }); this.CONSUME(T.RBracket); });
    this.CONSUME(T.Arrow);
    this.SUBRULE(this.endpoint);
    this.OPTION2(() => { this.CONSUME(T.Colon); this.SUBRULE(this.ctor); });
  });

  public endpoint = this.RULE('endpoint', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => { this.CONSUME(T.LBracket); this.SUBRULE(this.slice); this.CONSUME(T.RBracket); });
  });

  /** After a declaration word: a name (or import path), `[size]`, `(args)`, `: kind`, `= value`, `{ body }`. */
  public declTail = this.RULE('declTail', () => {
    this.OR(this.k.c4 ??= [{ ALT: () => this.CONSUME(T.Identifier, { LABEL: 'name' }) }, { ALT: () => this.CONSUME(T.StringLit, { LABEL: 'path' }) }]);
    this.OPTION(() => { this.CONSUME(T.LBracket); this.SUBRULE(this.expression, { LABEL: 'size' }); this.CONSUME(T.RBracket); });
    this.OPTION2(() => { this.CONSUME(T.LParen); this.OPTION3(() => this.SUBRULE(this.args)); this.CONSUME(T.RParen); });
    // `: MODEL`; a model written without its ':' on the same line is parsed so that the AST
    // builder can say exactly that, instead of reporting a stray statement.
    this.OPTION4(this.k.declCtor ??= {
      GATE: () => this.LA(1).tokenType === T.Colon || (this.LA(1).tokenType === T.Identifier && sameLine(this.LA(0), this.LA(1))),
      DEF: () => { this.OPTION7(() => this.CONSUME(T.Colon)); this.SUBRULE(this.ctor); },
    });
    this.OPTION5(() => { this.CONSUME(T.Equals); this.SUBRULE(this.value); });
    this.OPTION6(() => this.SUBRULE(this.block));
  });

  public block = this.RULE('block', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.k.c5 ??= [
      { ALT: () => this.SUBRULE(this.statement) },
      { ALT: () => this.CONSUME(T.Semicolon) },
    ]));
    this.CONSUME(T.RBrace);
  });

  /** `kind`, `kind(args)`, `kind { body }`, `kind(args) { body }`. */
  public ctor = this.RULE('ctor', () => {
    this.CONSUME(T.Identifier);
    this.OPTION(() => { this.CONSUME(T.LParen); this.OPTION2(() => this.SUBRULE(this.args)); this.CONSUME(T.RParen); });
    this.OPTION3(() => this.SUBRULE(this.block));
  });

  public args = this.RULE('args', () => {
    this.SUBRULE(this.arg);
    this.MANY(() => { this.CONSUME(T.Comma); this.OPTION(() => this.SUBRULE2(this.arg)); });
  });

  public arg = this.RULE('arg', () => {
    this.OPTION(() => { this.CONSUME(T.Identifier, { LABEL: 'argName' }); this.CONSUME(T.Equals); });
    this.SUBRULE(this.expression);
  });

  /** A value is an expression, or a shape `rows x cols`. */
  public value = this.RULE('value', () => {
    this.SUBRULE(this.expression, { LABEL: 'rows' });
    this.OPTION(this.k.c10 ??= {
      GATE: () => this.LA(1).tokenType === T.Identifier && this.LA(1).image === 'x' && sameLine(this.LA(0), this.LA(1)),
      DEF: () => { this.CONSUME(T.Identifier, { LABEL: 'by' }); this.SUBRULE2(this.expression, { LABEL: 'cols' }); },
    });
  });

  /** A flat list `signs primary (operator signs primary)*`; precedence and associativity are
   *  applied by the AST builder (to-ast.ts), which keeps the CST shallow. */
  public expression = this.RULE('expression', () => {
    this.MANY(() => this.OR(this.k.signs1 ??= [{ ALT: () => this.CONSUME(T.Minus, { LABEL: 'sign' }) }, { ALT: () => this.CONSUME(T.Plus, { LABEL: 'sign' }) }]));
    this.SUBRULE(this.primary);
    this.MANY2(() => {
      this.CONSUME(T.BinaryOp, { LABEL: 'op' });
      this.MANY3(() => this.OR2(this.k.signs2 ??= [{ ALT: () => this.CONSUME2(T.Minus, { LABEL: 'sign' }) }, { ALT: () => this.CONSUME2(T.Plus, { LABEL: 'sign' }) }]));
      this.SUBRULE2(this.primary);
    });
  });

  /** A number, string, format, parenthesised expression or list (each maybe with a unit), or a
   *  name: plain, indexed (`rec[0:8]`), called (`f(x)`), or with a block (`pcm { ... }`). */
  public primary = this.RULE('primary', () => {
    this.OR(this.k.primary ??= [
      { ALT: () => { this.CONSUME(T.NumberLit); this.OPTION(this.k.unit1 ??= { GATE: () => this.unitFollows(), DEF: () => this.CONSUME(T.Identifier, { LABEL: 'unit' }) }); } },
      { ALT: () => this.CONSUME(T.StringLit) },
      { ALT: () => this.CONSUME(T.Format) },
      { ALT: () => {
        this.CONSUME(T.LParen); this.SUBRULE(this.expression); this.CONSUME(T.RParen);
        this.OPTION2(this.k.unit2 ??= { GATE: () => this.unitFollows(), DEF: () => this.CONSUME2(T.Identifier, { LABEL: 'unit' }) });
      } },
      { ALT: () => { this.SUBRULE(this.list); this.OPTION3(this.k.unit3 ??= { GATE: () => this.unitFollows(), DEF: () => this.CONSUME3(T.Identifier, { LABEL: 'unit' }) }); } },
      { ALT: () => {
        this.CONSUME4(T.Identifier, { LABEL: 'name' });
        this.OR2(this.k.ref ??= [
          { ALT: () => { this.CONSUME(T.LBracket); this.SUBRULE(this.slice); this.CONSUME(T.RBracket); } },
          { ALT: () => {
            this.OPTION4(() => { this.CONSUME2(T.LParen); this.OPTION5(() => this.SUBRULE(this.args)); this.CONSUME2(T.RParen); });
            this.OPTION6(() => this.SUBRULE(this.block));
          } },
        ]);
      } },
    ]);
  });

  /** A unit name on the same line (`20 ms`); never the `x` of a shape (`256 x 256`). */
  private unitFollows(): boolean {
    const next = this.LA(1);
    if (next.tokenType !== T.Identifier || !sameLine(this.LA(0), next)) return false;
    if (DECLARATION_WORDS.has(next.image)) return false;
    if (next.image !== 'x') return true;
    return !STARTS_EXPRESSION.includes(this.LA(2).tokenType);
  }

  public list = this.RULE('list', () => {
    this.CONSUME(T.LBracket);
    this.OPTION(() => {
      this.SUBRULE(this.expression);
      this.MANY(() => { this.CONSUME(T.Comma); this.OPTION2(() => this.SUBRULE2(this.expression)); });
    });
    this.CONSUME(T.RBracket);
  });

  /** `3`, `0:8`, `:8`, `4:`. */
  public slice = this.RULE('slice', () => {
    this.OPTION(() => this.SUBRULE(this.expression, { LABEL: 'lo' }));
    this.OPTION2(() => { this.CONSUME(T.Colon); this.OPTION3(() => this.SUBRULE2(this.expression, { LABEL: 'hi' })); });
  });
}

/** The one parser instance; reset for each input through `parser.input` (Chevrotain's advice). */
export const parser = new SnnParser(T.allTokens);
export type { SnnParser };
