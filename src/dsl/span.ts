// Source positions. A Span is a half-open range of UTF-16 offsets into one file's text.
// Line and column are computed only when a diagnostic is printed (esbuild's convention).
// This is the only module that converts Chevrotain's inclusive `endOffset` (end = endOffset + 1).
import type { CstNode, IToken } from 'chevrotain';

export interface Span { readonly start: number; readonly end: number }

export const span = (start: number, end: number): Span => ({ start, end });

/** Span of one token; Chevrotain's endOffset is inclusive. */
export function tokenSpan(tok: IToken): Span {
  const start = tok.startOffset;
  const end = Number.isFinite(tok.endOffset) ? (tok.endOffset as number) + 1 : start + tok.image.length;
  return { start, end: Math.max(start, end) };
}

/** Span of a CST node (parser built with nodeLocationTracking: 'onlyOffset'). */
export function cstSpan(node: CstNode): Span {
  const loc = node.location;
  if (!loc || !Number.isFinite(loc.startOffset)) return { start: 0, end: 0 };
  const end = Number.isFinite(loc.endOffset) ? (loc.endOffset as number) + 1 : loc.startOffset;
  return { start: loc.startOffset, end: Math.max(loc.startOffset, end) };
}

/** Smallest span covering both. */
export const join = (a: Span, b: Span): Span => ({ start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) });

/** A file as the front end sees it: its path as given by the user and its decoded text. */
export class SourceFile {
  readonly lineStarts: readonly number[];
  constructor(readonly path: string, readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
    }
    this.lineStarts = starts;
  }

  /** 0-based line and character of an offset (the editor protocol's shape). */
  position(offset: number): { line: number; character: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.lineStarts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - (this.lineStarts[lo] as number) };
  }

  /** Text of a 0-based line, without its line break. */
  lineText(line: number): string {
    const start = this.lineStarts[line] ?? this.text.length;
    let end = this.lineStarts[line + 1] ?? this.text.length;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.text.slice(start, end);
  }
}
