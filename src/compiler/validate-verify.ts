// The checks of verify blocks: their parameters (the network, core, task and learning rule, as a
// train or run block names them) and their constraints, each against the constraint table
// (CONSTRAINTS in src/dsl/schema.ts): a known name, written the way its bound points (`<=` for an
// upper bound, `>=` for a lower one, alone for a flag), a bound of the right dimension, and what
// it needs in the block (a learning rule for the learning and drift constraints, drift_after for
// the drift ones). The block is checked as the train block (with a learning rule) or run block
// (without) it describes, so its cross-checks are theirs.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { didYouMean } from '../dsl/diagnostics.ts';
import { DIMENSIONS, inUnit, type Dim } from '../dsl/units.ts';
import { runOf, type RunContext } from './validate-run.ts';
import type { CheckedConstraint, CheckedVerify, Resolved } from './values.ts';

export function checkVerifyBlock(ctx: RunContext, s: A.Section): CheckedVerify {
  const written: Array<A.Assign | A.Flag> = [];
  const params = ctx.schema.body(s.body.filter((st) => !isConstraint(st)), S.VERIFY_PARAMS, 'a verify block', s.keyword.span, (st) => {
    ctx.report('MisplacedStatement', st.kind === 'Section' ? st.keyword.span : st.span, `A verify block holds its parameters (${Object.keys(S.VERIFY_PARAMS).join(', ')}) and constraints such as \`no_overflow\` or \`spike_agreement >= 95 %\`; this has no place in it.`);
  });
  for (const st of s.body) if (isConstraint(st)) written.push(st as A.Assign | A.Flag);
  const p = params?.params ?? {};
  // What the block writes, whether or not its value checked (a wrong value is reported once, where it is).
  const has = (k: string) => s.body.some((st) => st.kind === 'Assign' && st.op === '=' && st.name.name === k);
  const constraints: CheckedConstraint[] = [];
  const seen = new Set<string>();
  for (const st of written) {
    const name = st.name.name;
    const spec = S.own(S.CONSTRAINTS, name);
    if (!spec) {
      const known = [...Object.keys(S.CONSTRAINTS), ...Object.keys(S.VERIFY_PARAMS)];
      ctx.report('UnknownConstraint', st.name.span, `'${name}' is neither a constraint nor a parameter of a verify block.${didYouMean(name, known) || ` Constraints: ${Object.keys(S.CONSTRAINTS).join(', ')}.`}`);
      continue;
    }
    const op = st.kind === 'Assign' ? st.op : null;
    const how = spec.form === 'flag' ? `\`${name}\` alone` : spec.form === 'at_most' ? `\`${name} <= BOUND\`` : spec.form === 'at_least' ? `\`${name} >= BOUND\`` : `\`${name} >= LOW\` and \`${name} <= HIGH\``;
    const right = spec.form === 'flag' ? op === null : spec.form === 'at_most' ? op === '<=' : spec.form === 'at_least' ? op === '>=' : op === '<=' || op === '>=';
    if (!right) { ctx.report('InvalidConstraint', st.span, `${name} is written ${how}: ${spec.doc}`); continue; }
    const key = `${name}${op ?? ''}`;
    if (seen.has(key)) { ctx.report('InvalidConstraint', st.name.span, `${name}${op ? ` ${op}` : ''} is already stated in this block.`); continue; }
    seen.add(key);
    if ((spec.kind === 'learning' || spec.kind === 'drift') && !has('learn')) { ctx.report('InvalidConstraint', st.name.span, `${name} is measured after training: give the block a learning rule (\`learn = NAME\`), which trains the core and the float reference the same way.`); continue; }
    if (spec.kind === 'drift' && !has('drift_after')) { ctx.report('InvalidConstraint', st.name.span, `${name} compares the trained core with itself after some time unused: give the block \`drift_after = T\` (\`1 day\`).`); continue; }
    let bound: number | null = null; let dim: Dim | null = null;
    if (st.kind === 'Assign' && spec.bound) {
      const b = spec.bound;
      const v = ctx.schema.value(st.value, { t: 'quantity', dim: b.dim, ...(b.unit ? { unit: b.unit } : {}), ...(b.also ? { also: b.also } : {}) }, { what: `The bound of ${name}` });
      if (v?.t !== 'quantity') continue;
      bound = v.si; dim = v.dim;
    }
    constraints.push({ name, op: op as '<=' | '>=' | null, bound, dim, text: ctx.source.text.slice(st.span.start, st.span.end).replace(/\s+/g, ' '), span: st.span });
  }
  if (written.length === 0) ctx.report('InvalidConstraint', s.keyword.span, 'A verify block states at least one constraint (`no_overflow`, `tiles <= 2`, `spike_agreement >= 95 %`, …): one with none would pass without checking anything.');
  // The train (with a learning rule) or run it describes: its parameters as those blocks have them.
  const learns = has('learn');
  const keyword = learns ? 'train' : 'run';
  const view: Resolved | undefined = params && {
    kind: keyword,
    params: { ...p, ...(learns ? { validate_every: ctx.schema.defaultValue('0', { t: 'int', min: 0, max: 1e9 }) } : {}) },
    spans: params.spans,
  };
  const run = runOf(ctx, s, keyword, view, []);
  const num = (k: string, d: number) => { const v = p[k]; return v?.t === 'int' ? v.value : v?.t === 'quantity' ? v.si : d; };
  const drift = p.drift_after;
  return {
    name: s.name?.name ?? null, file: ctx.file, span: s.keyword.span, run,
    samples: num('samples', 4), reference: p.reference?.t === 'enum' && p.reference.value === 'held' ? 'held' : 'declared',
    driftAfter: drift?.t === 'quantity' ? drift.si : null, constraints,
  };
}

/** A statement of a verify block that is not one of its parameters: a constraint (or an unknown one). */
function isConstraint(st: A.Stmt): boolean {
  return (st.kind === 'Assign' || st.kind === 'Flag') && !Object.hasOwn(S.VERIFY_PARAMS, st.name.name);
}

/** A constraint's bound for messages, in the unit its table gives (`95 %`, `1000 cycles`, `64 kB`). */
export function showBound(name: string, si: number): string {
  const b = S.CONSTRAINTS[name]?.bound;
  if (!b) return String(si);
  if (b.dim === 'dimensionless') return b.percent ? `${+(si * 100).toPrecision(4)} %` : `${+si.toPrecision(6)}`;
  // Energies and sizes in the largest unit that keeps them ≥ 1 (`325.3 nJ`, `64 kB`).
  const scaled = b.dim === 'energy' ? ['pJ', 'nJ', 'uJ', 'mJ'] : b.dim === 'information' ? ['B', 'kB', 'MB', 'GB'] : [b.unit ?? DIMENSIONS[b.dim].unit];
  const q = { si, dim: DIMENSIONS[b.dim].dim };
  const unit = [...scaled].reverse().find((u) => Math.abs(inUnit(q, u)) >= 1) ?? scaled[0]!;
  return `${+inUnit(q, unit).toPrecision(4)} ${unit === 'uJ' ? 'µJ' : unit}`;
}

