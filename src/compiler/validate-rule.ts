// The checks of `learn` and `task` declarations: the kind after `:` selects the parameter table
// (`learn l : eprop { … }`, `task t : npy { … }`), and an npy task's files must agree in shape
// (inputs, targets or labels, a held-out set). Plain functions of the declaration and a context.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { didYouMean } from '../dsl/diagnostics.ts';
import type { DeclContext } from './validate-network.ts';
import type { Resolved } from './values.ts';

/** A block whose kind picks its parameters: checked with `post` applied, or null. */
export function checkKinded(ctx: DeclContext, s: A.Section, kinds: Readonly<Record<string, { params: S.Params }>>, noun: string,
  owner: (kind: string) => string, post: (r: Resolved, s: A.Section) => Resolved | undefined = (r) => r): Resolved | null {
  const base = s.base as A.Ident;
  const kind = S.own(kinds, base.name);
  if (!kind) {
    const names = Object.keys(kinds);
    ctx.report('UnknownOption', base.span, `'${base.name}' is not ${noun}; expected one of ${names.join(', ')}.${didYouMean(base.name, names)}`);
    return null;
  }
  const r = ctx.schema.body(s.body, kind.params, owner(base.name), (s.name as A.Ident).span);
  return r ? post({ ...r, kind: base.name }, s) ?? null : null;
}

export function checkNpyTask(ctx: DeclContext, r: Resolved, s: A.Section): Resolved | undefined {
  const shape = (k: string): readonly number[] | undefined => { const v = r.params[k]; return v?.t === 'data' ? v.header.shape : undefined; };
  const inputs = shape('inputs') as readonly number[];
  const targets = shape('targets');
  const labels = shape('labels');
  const at = (k: string) => r.spans[k] ?? s.span;
  if (inputs.length !== 3) { ctx.report('ShapeMismatch', at('inputs'), `inputs must have shape (samples, T, channels); the file has shape (${inputs.join(', ')}).`); return undefined; }
  if ((targets === undefined) === (labels === undefined)) { ctx.report('IncompatibleOptions', (s.name as A.Ident).span, 'An npy task needs exactly one of targets (regression) or labels (classification).'); return undefined; }
  if (targets && (targets.length !== 3 || targets[0] !== inputs[0] || targets[1] !== inputs[1])) {
    ctx.report('ShapeMismatch', at('targets'), `targets must have shape (${inputs[0]}, ${inputs[1]}, outputs) to match inputs (${inputs.join(', ')}); the file has shape (${targets.join(', ')}).`);
    return undefined;
  }
  if (labels && (labels.length !== 1 || labels[0] !== inputs[0])) {
    ctx.report('ShapeMismatch', at('labels'), `labels must have shape (${inputs[0]},), one per input sample; the file has shape (${labels.join(', ')}).`);
    return undefined;
  }
  // A held-out set: the training set's kind of supervision, its steps and channels.
  const vin = shape('validation_inputs'); const vt = shape('validation_targets'); const vl = shape('validation_labels');
  if (vin || vt || vl) {
    if (!vin || (targets ? !vt || vl : !vl || vt)) { ctx.report('IncompatibleOptions', (s.name as A.Ident).span, `A held-out set needs validation_inputs and ${targets ? 'validation_targets' : 'validation_labels'}, as the training set has ${targets ? 'targets' : 'labels'}.`); return undefined; }
    if (vin.length !== 3 || vin[1] !== inputs[1] || vin[2] !== inputs[2]) { ctx.report('ShapeMismatch', at('validation_inputs'), `validation_inputs must have shape (samples, ${inputs[1]}, ${inputs[2]}) to match inputs; the file has shape (${vin.join(', ')}).`); return undefined; }
    if (vt && (vt.length !== 3 || vt[0] !== vin[0] || vt[1] !== vin[1] || vt[2] !== targets![2])) { ctx.report('ShapeMismatch', at('validation_targets'), `validation_targets must have shape (${vin[0]}, ${vin[1]}, ${targets![2]}); the file has shape (${vt.join(', ')}).`); return undefined; }
    if (vl && (vl.length !== 1 || vl[0] !== vin[0])) { ctx.report('ShapeMismatch', at('validation_labels'), `validation_labels must have shape (${vin[0]},), one per held-out sample; the file has shape (${vl.join(', ')}).`); return undefined; }
  }
  return r;
}
