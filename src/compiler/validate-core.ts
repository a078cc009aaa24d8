// The checks of a core declaration: its parameters, its latency and energy tables, and what a
// derived core (`core fast : pcm256 { … }`) inherits from its base. A plain function of the
// declaration, a declaration context and a resolver of base cores (the checker memoises cores
// and breaks cycles of bases).
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { misplaced } from './interpret.ts';
import type { DeclContext } from './validate-network.ts';
import type { CheckedCore, Place, Resolved } from './values.ts';

/** The core `s` named `name`, checked, or null; `baseCore` checks (or recalls) a base by name. */
export function checkCore(ctx: DeclContext, s: A.Section, name: string, baseCore: (name: string) => CheckedCore | null): CheckedCore | null {
  let base: CheckedCore | null = null;
  let ok = true;
  if (s.base) {
    const ref = ctx.schema.value({ kind: 'Name', name: s.base.name, span: s.base.span }, { t: 'ref', kind: 'core' }, { what: 'The base of a core' });
    if (ref?.t === 'ref') {
      base = baseCore(ref.name);
    }
    if (!base) ok = false;
  }
  const sections: Record<string, A.Section> = {};
  const params = ctx.schema.body(s.body, base ? inherit(S.CORE_PARAMS) : S.CORE_PARAMS, `core ${name}`, (s.name as A.Ident).span, (st) => {
    if (st.kind === 'Section' && (st.keyword.name === 'latency' || st.keyword.name === 'energy')) {
      if (sections[st.keyword.name]) { ctx.report('DuplicateParameter', st.keyword.span, `core ${name} already has a ${st.keyword.name} table.`); ok = false; return; }
      sections[st.keyword.name] = st;
    } else { misplaced(ctx.report, st, `in a core (it has parameters and latency/energy tables)`); ok = false; }
  });
  const table = (key: 'latency' | 'energy', specs: S.Params): Resolved | undefined => {
    const sec = sections[key];
    const own = ctx.schema.body(sec?.body ?? [], base ? inherit(specs) : specs, `the ${key} table`, sec?.keyword.span ?? (s.name as A.Ident).span);
    return own && base ? merge(base[key], own) : own;
  };
  const latency = table('latency', S.LATENCY_PARAMS);
  const energy = table('energy', S.ENERGY_PARAMS);
  if (!params || !latency || !energy || !ok) return null;
  const merged = base ? merge(base.params, params) : params;
  const tile = merged.params.tile;
  const cols = merged.params.adc_columns;
  if (tile?.t === 'dims' && cols?.t === 'int' && cols.value > tile.cols) {
    ctx.report('OutOfRange', merged.spans.adc_columns ?? (s.name as A.Ident).span, `adc_columns = ${cols.value} is more than the ${tile.cols} columns of a tile.`);
    return null;
  }
  const where: Record<string, Place> = { ...base?.where };
  for (const [k, span] of Object.entries(params.spans)) where[k] = { file: ctx.file, span };
  const c: CheckedCore = { name, file: ctx.file, span: (s.name as A.Ident).span, params: merged, latency, energy, where };
  return c;
}

/** Parameter table with every default removed (a derived core inherits its base's values). */
function inherit(specs: S.Params): S.Params {
  const out: Record<string, S.ParamSpec> = {};
  for (const [k, p] of Object.entries(specs)) { const { default: _d, required: _r, ...rest } = p; out[k] = rest; }
  return out;
}

function merge(base: Resolved, own: Resolved): Resolved {
  return { kind: base.kind, params: { ...base.params, ...own.params }, spans: { ...base.spans, ...own.spans } };
}
