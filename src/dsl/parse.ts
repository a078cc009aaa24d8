// Text → AST + diagnostics: decode, lex, check nesting, parse (with recovery), build the AST.
// Lexing and syntax errors are all reported; the AST is returned only for a file without them,
// so no later pass ever sees a broken tree (Langium's stopAfterParsingErrors).
import type { IRecognitionException, IToken } from 'chevrotain';
import { SnnLexer, LBrace, LBracket, LParen, RBrace, RBracket, RParen } from './tokens.ts';
import { MAX_PARSE_ERRORS, ParseAborted, parser } from './parser.ts';
import { buildAst, MAX_EXPR_DEPTH } from './to-ast.ts';
export { MAX_EXPR_DEPTH };
import type * as A from './ast.ts';
import { SourceFile, tokenSpan, type Span } from './span.ts';
import { diag, type Diagnostic, type DiagKind } from './diagnostics.ts';

export const MAX_FILE_BYTES = 16 * 1024 * 1024;
export const MAX_ERRORS_PER_FILE = 100;
/** Brackets deeper than this are refused before parsing (the parser and every pass recurse). */
export const MAX_NESTING = 64;

/** Bytes → text, or a diagnostic for binary, oversize or non-UTF-8 input. */
export function decodeSource(path: string, bytes: Uint8Array): { source: SourceFile; diagnostics: Diagnostic[] } {
  const none = new SourceFile(path, '');
  if (bytes.length > MAX_FILE_BYTES) {
    return { source: none, diagnostics: [diag('FileTooLarge', path, { start: 0, end: 0 }, `The file is ${(bytes.length / 1048576).toFixed(1)} MiB; a .snn file may be at most ${MAX_FILE_BYTES / 1048576} MiB.`)] };
  }
  const nul = bytes.indexOf(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const source = new SourceFile(path, prefix);
    return { source, diagnostics: [diag('InvalidUtf8', path, { start: prefix.length, end: prefix.length }, `The file is not valid UTF-8: byte ${bad} (0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')}) does not start or continue a character. Save the file as UTF-8.`)] };
  }
  if (nul >= 0) {
    const at = new TextDecoder('utf-8').decode(bytes.subarray(0, nul)).length;
    const source = new SourceFile(path, text);
    return { source, diagnostics: [diag('BinaryFile', path, { start: at, end: at + 1 }, 'The file contains a NUL byte: it looks binary, and a .snn file is text.')] };
  }
  return { source: new SourceFile(path, text), diagnostics: [] };
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) if (((b[i + k] ?? 0) & 0xc0) !== 0x80) return i;
    // Overlong and surrogate forms.
    if (n === 2 && ((c === 0xe0 && (b[i + 1] as number) < 0xa0) || (c === 0xed && (b[i + 1] as number) >= 0xa0))) return i;
    if (n === 3 && ((c === 0xf0 && (b[i + 1] as number) < 0x90) || (c === 0xf4 && (b[i + 1] as number) >= 0x90))) return i;
    i += n + 1;
  }
  return b.length;
}

const EXCEPTION_KIND: Record<string, DiagKind> = {
  MismatchedTokenException: 'ExpectedToken',
  NoViableAltException: 'NoViableAlternative',
  EarlyExitException: 'ExpectedOneOrMore',
  NotAllInputParsedException: 'TrailingInput',
};

export interface ParseResult { readonly file: A.File | null; readonly diagnostics: Diagnostic[] }

/** Parse one decoded file. `file` is null when the text has lexing or syntax errors. */
export function parseSource(source: SourceFile): ParseResult {
  const path = source.path;
  const diagnostics: Diagnostic[] = [];
  const lexed = SnnLexer.tokenize(source.text);

  for (const t of (lexed.groups.bad ?? []) as IToken[]) {
    if (t.image.startsWith('/*')) diagnostics.push(diag('UnterminatedComment', path, { start: t.startOffset, end: t.startOffset + 2 }, 'This block comment is never closed: add `*/`.'));
    else if (!t.image.endsWith('"') || t.image.length === 1) diagnostics.push(diag('UnterminatedString', path, tokenSpan(t), 'This string is not closed on its line: add the closing `"`.'));
    else diagnostics.push(diag('UnterminatedString', path, tokenSpan(t), 'This string has an invalid escape; the escapes are \\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX.'));
  }
  for (const e of lexed.errors) {
    diagnostics.push(diag('UnexpectedCharacter', path, { start: e.offset, end: e.offset + Math.max(1, Math.min(e.length, 1)) }, e.message));
  }
  const comments: A.Comment[] = ((lexed.groups.comments ?? []) as IToken[]).map((t) => ({ kind: 'Comment', text: t.image, span: tokenSpan(t) }));

  const tooDeep = findTooDeep(lexed.tokens);
  if (tooDeep) {
    diagnostics.push(diag('TooDeep', path, tokenSpan(tooDeep), `Brackets are nested more than ${MAX_NESTING} levels deep here.`));
    return { file: null, diagnostics: cap(diagnostics, path) };
  }

  parser.input = lexed.tokens;
  let cst: ReturnType<typeof parser.file> | undefined;
  let aborted = false;
  try {
    cst = parser.file();
  } catch (e) {
    if (!(e instanceof ParseAborted)) throw e;
    aborted = true;
  }
  const seen = new Set<number>();
  const errors = parser.errors as IRecognitionException[];
  for (const [k, e] of errors.entries()) {
    const at = errorSpan(e.token, source);
    if (seen.has(at.start)) continue;
    // Input left over at the top level after an earlier error is that error's echo (recovery
    // closed a block too early, say), not a mistake of its own: report the cause only.
    const leftover = e.name === 'NotAllInputParsedException' || (e.name === 'MismatchedTokenException' && e.context.ruleStack.length <= 1);
    if (k > 0 && leftover) continue;
    seen.add(at.start);
    diagnostics.push(diag(EXCEPTION_KIND[e.name] ?? 'NoViableAlternative', path, at, e.message));
  }
  if (aborted) {
    const last = errors[errors.length - 1] as IRecognitionException;
    diagnostics.push(diag('TooManyErrors', path, errorSpan(last.token, source), `Stopped parsing: ${errors.length >= MAX_PARSE_ERRORS ? `${MAX_PARSE_ERRORS} syntax errors` : 'too many syntax errors to recover from'}. This does not look like a .snn file: fix the first errors, or check that this is the file you meant.`));
  }
  if (diagnostics.length > 0 || !cst) return { file: null, diagnostics: cap(sortDiagnostics(diagnostics), path) };

  const built = buildAst(cst, path, source.text);
  if (built.diagnostics.length > 0) return { file: null, diagnostics: cap(sortDiagnostics(built.diagnostics), path) };
  const file: A.File = { ...built.value, comments, span: { start: 0, end: source.text.length } };
  return { file, diagnostics: [] };
}

function errorSpan(tok: IToken, source: SourceFile): Span {
  if (tok.tokenType?.name === 'EOF' || !Number.isFinite(tok.startOffset)) {
    const end = source.text.length;
    return { start: end, end };
  }
  return tokenSpan(tok);
}

function findTooDeep(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const ty = t.tokenType;
    if (ty === LParen || ty === LBracket || ty === LBrace) {
      if (++depth > MAX_NESTING) return t;
    } else if (ty === RParen || ty === RBracket || ty === RBrace) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

export const sortDiagnostics = (ds: Diagnostic[]): Diagnostic[] =>
  ds.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.span.start - b.span.start || a.span.end - b.span.end));

function cap(ds: Diagnostic[], path: string): Diagnostic[] {
  if (ds.length <= MAX_ERRORS_PER_FILE) return ds;
  const kept = ds.slice(0, MAX_ERRORS_PER_FILE);
  const last = kept[kept.length - 1] as Diagnostic;
  kept.push(diag('TooManyErrors', path, last.span, `Stopped after ${MAX_ERRORS_PER_FILE} errors; fix these first (${ds.length - MAX_ERRORS_PER_FILE} more not shown).`));
  return kept;
}
