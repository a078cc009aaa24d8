// What every compiler pass receives besides its input: where the block being compiled sits (the
// place a diagnostic falls back to) and a way to find the declaration a diagnostic is about — a
// population, a projection, a core parameter — so that a warning points at what to change.
import type { Span } from '../dsl/span.ts';
import type { Place } from './values.ts';
import { diag, type DiagKind, type Diagnostic } from '../dsl/diagnostics.ts';

/** What a compiler diagnostic can be about. */
export type Subject =
  | { readonly population: string }
  /** An index into the network's projections (the IR keeps the declaration order). */
  | { readonly projection: number }
  /** A parameter of the core, such as `adc_range` or `membrane`. */
  | { readonly core: string }
  /** An index into the block's probes. */
  | { readonly probe: number };

export interface PassContext {
  /** The train or run block being compiled. */
  readonly file: string;
  readonly span: Span;
  readonly locate?: (subject: Subject) => Place | undefined;
}

/** Where a diagnostic about `subject` points: its declaration, or the block being compiled. */
export function placeOf(ctx: PassContext, subject: Subject): Place {
  return ctx.locate?.(subject) ?? { file: ctx.file, span: ctx.span };
}

/** A diagnostic about `subject`, placed at its declaration. */
export function diagnose(ctx: PassContext, subject: Subject, kind: DiagKind, message: string): Diagnostic {
  const at = placeOf(ctx, subject);
  return diag(kind, at.file, at.span, message);
}
