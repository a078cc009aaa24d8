// Resolved values: what a checked parameter means, in SI units with defaults applied. These are
// the plain data the lowering pass (AST → network IR) reads; nothing here refers to syntax.
import type { Dim } from '../dsl/units.ts';
import type { NpyHeader } from '../data/npy.ts';
import type { Span } from '../dsl/span.ts';

export interface FixedFormat { readonly signed: boolean; readonly bits: number; readonly frac: number; readonly text: string }

export type Value =
  | { readonly t: 'quantity'; readonly si: number; readonly dim: Dim }
  | { readonly t: 'int'; readonly value: number }
  | { readonly t: 'bool'; readonly value: boolean }
  | { readonly t: 'enum'; readonly value: string }
  | { readonly t: 'format'; readonly format: FixedFormat }
  | { readonly t: 'register'; readonly format: FixedFormat; readonly overflow: 'saturate' | 'wrap'; readonly round: string | null }
  | { readonly t: 'choice'; readonly option: string; readonly params: Readonly<Record<string, Value>> }
  | { readonly t: 'init'; readonly kind: string; readonly params: Readonly<Record<string, Value>> }
  | { readonly t: 'list'; readonly items: readonly Value[] }
  | { readonly t: 'names'; readonly names: readonly string[] }
  | { readonly t: 'ref'; readonly name: string; readonly kind: string }
  | { readonly t: 'dims'; readonly rows: number; readonly cols: number }
  | { readonly t: 'data'; readonly path: string; readonly header: NpyHeader };

/** One checked block: its kind (model, connectivity, learning rule, task kind) and its parameters, defaults filled in. */
export interface Resolved {
  readonly kind: string;
  readonly params: Readonly<Record<string, Value>>;
  /** Where each explicitly written parameter was written (for later diagnostics). */
  readonly spans: Readonly<Record<string, Span>>;
}

export interface CheckedNeurons { readonly role: 'input' | 'population' | 'readout'; readonly name: string; readonly size: number; readonly model: Resolved; readonly file: string; readonly span: Span }
export interface CheckedEnd { readonly name: string; readonly lo: number; readonly hi: number }
export interface CheckedProjection { readonly source: CheckedEnd; readonly target: CheckedEnd; readonly conn: Resolved; readonly span: Span }
export interface CheckedNetwork {
  readonly name: string; readonly file: string; readonly params: Resolved;
  readonly neurons: readonly CheckedNeurons[];
  readonly groups: Readonly<Record<string, readonly string[]>>;
  readonly projections: readonly CheckedProjection[];
}
export interface CheckedProbe { readonly variable: string; readonly targets: readonly CheckedEnd[]; readonly options: Resolved; readonly span: Span }
export interface CheckedRun { readonly keyword: 'train' | 'run'; readonly name: string | null; readonly file: string; readonly span: Span; readonly params: Resolved; readonly probes: readonly CheckedProbe[] }
/** A constraint of a verify block: its name, which way its bound points (null for a flag), the bound in SI units, and where it is written. */
export interface CheckedConstraint { readonly name: string; readonly op: '<=' | '>=' | null; readonly bound: number | null; readonly dim: Dim | null; readonly text: string; readonly span: Span }
/** A verify block: the network, core, task (and learning rule) as a train or run block would name them, and its constraints. */
export interface CheckedVerify { readonly name: string | null; readonly file: string; readonly span: Span; readonly run: CheckedRun; readonly samples: number; readonly reference: 'declared' | 'held'; readonly driftAfter: number | null; readonly constraints: readonly CheckedConstraint[] }
/** A place in a file: where a value was written. */
export interface Place { readonly file: string; readonly span: Span }
export interface CheckedCore {
  readonly name: string; readonly file: string; readonly span: Span;
  readonly params: Resolved; readonly latency: Resolved; readonly energy: Resolved;
  /** Where each parameter was written: in this core, or in the base core it inherits from (another file, perhaps). */
  readonly where: Readonly<Record<string, Place>>;
}

/** The checked program: every declaration of every file checked, by name. */
export interface CheckedProgram {
  readonly constants: ReadonlyMap<string, Value>;
  readonly networks: ReadonlyMap<string, CheckedNetwork>;
  readonly cores: ReadonlyMap<string, CheckedCore>;
  readonly learns: ReadonlyMap<string, Resolved>;
  readonly tasks: ReadonlyMap<string, Resolved>;
  readonly runs: readonly CheckedRun[];
  readonly verifies: readonly CheckedVerify[];
}
