// `phasecore compile FILE [--core NAME] [-o prog.pcx] [--listing FILE|-] [--report] [--json]`.
import { resolve } from 'node:path';
import { selectCore, selectRun } from '../compiler/frontend.ts';
import { loadInputs, type InputOptions } from './load.ts';
import { displayPath } from '../compiler/workspace.ts';
import { compileRun, type CompileReport, type CompileResult } from '../compiler/compile.ts';
import { diag, diagnosticToJson, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { allocationMessage, isAllocationFailure } from '../ir/memory.ts';
import { reporter, type Reporter, type SourceOf } from './report.ts';
import { encodeProgram, type Program } from '../runtime/program.ts';
import type { CheckedCore, CheckedRun } from '../compiler/values.ts';
import { tryWriteFileAtomic } from './atomic.ts';

export interface CompileOptions extends InputOptions { readonly core?: string; readonly output?: string; readonly listing?: string; readonly report?: boolean; readonly json?: boolean; readonly block?: string }

/**
 * Load FILE, pick its run or train block and core, and compile: the one path `compile` and `run`
 * share. Diagnostics are shown or failed through `reporter`; a failure is an exit code.
 */
export function compileFile(file: string, opts: InputOptions & { readonly core?: string; readonly block?: string; readonly json?: boolean; readonly steps?: number; readonly learning?: 'required' | 'if_possible' | 'off' }, out: (s: string) => void, err: (s: string) => void):
  { ok: true; compiled: CompileResult & { program: Program; report: CompileReport }; run: CheckedRun; core: CheckedCore; inputs: readonly string[]; rep: Reporter; sourceOf: SourceOf } | { ok: false; exit: number } {
  const root = resolve(file);
  const loaded = loadInputs([file], opts);
  if (!loaded.ok && 'usage' in loaded) { err(`error: ${loaded.usage}`); return { ok: false, exit: 2 }; }
  const rep = reporter(!!opts.json, out, err, loaded.sourceOf);
  const { show, fail } = rep;
  if (!loaded.ok) return { ok: false, exit: fail(loaded.diagnostics) };
  if (hasErrors(loaded.diagnostics)) return { ok: false, exit: fail(loaded.diagnostics) };
  show(loaded.diagnostics);
  const program = loaded.result.programs.get(root);
  const run = selectRun(program, displayPath(root), ['run', 'train'], opts.block);
  if (!run.ok) return { ok: false, exit: fail([run.diagnostic]) };
  const core = selectCore(program!, run.value, opts.core);
  if (!core.ok) return { ok: false, exit: fail([core.diagnostic]) };
  // Positions in the user's own text (an override shifts what follows it in the file).
  let compiled: CompileResult;
  try {
    compiled = compileRun(program!, run.value, core.value, { position: loaded.position, ...(opts.steps !== undefined ? { steps: opts.steps } : {}), ...(opts.learning ? { learning: opts.learning } : {}) });
  } catch (e) {
    if (!isAllocationFailure(e)) throw e;
    const rv = run.value;
    return { ok: false, exit: fail([loaded.place(diag('OutOfMemory', rv.file, rv.params.spans.network ?? rv.span, allocationMessage(`this ${rv.keyword} block`, e)))]) };
  }
  const res = { ...compiled, diagnostics: compiled.diagnostics.map(loaded.place) };
  if (hasErrors(res.diagnostics) || !res.program || !res.report) return { ok: false, exit: fail(res.diagnostics) };
  show(res.diagnostics);
  return { ok: true, compiled: res as CompileResult & { program: Program; report: CompileReport }, run: run.value, core: core.value, inputs: loaded.result.inputs, rep, sourceOf: loaded.sourceOf };
}

export function commandCompile(file: string, opts: CompileOptions, out: (s: string) => void, err: (s: string) => void): number {
  const c = compileFile(file, opts, out, err);
  if (!c.ok) return c.exit;
  const { compiled: res, rep: { fail }, sourceOf, core, run } = c;
  const written = [
    opts.output ? tryWriteFileAtomic(opts.output, encodeProgram(res.program)) : null,
    opts.listing && opts.listing !== '-' ? tryWriteFileAtomic(opts.listing, `${res.listing.join('\n')}\n`) : null,
  ].filter((d): d is Diagnostic => d !== null);
  if (written.length > 0) return fail(written);
  if (opts.listing === '-') out(res.listing.join('\n'));
  if (opts.json) {
    out(JSON.stringify({ precision: res.report.precision, ranges: res.report.ranges, tiles: res.report.tiles, cycles_per_step: res.report.cycles_per_step, diagnostics: res.diagnostics.map((d) => diagnosticToJson(d, sourceOf(d.file))) }));
  } else if (opts.report) {
    for (const line of renderReport(res.report, core.name)) out(line);
  } else {
    const rv = run;
    out(`compiled ${rv.keyword}${rv.name ? ` ${rv.name}` : ''} for core ${core.name}: ${res.report.tiles.needed} of ${res.report.tiles.available} tiles, ${res.program.code.length} instructions, ~${res.report.cycles_per_step} cycles per step${opts.output ? `; wrote ${opts.output}` : ''}`);
  }
  return 0;
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toPrecision(5));

export function renderReport(rep: CompileReport, core: string): string[] {
  const lines: string[] = [];
  const bits = (h: number) => (Number.isFinite(h) ? `${h >= 0 ? '+' : ''}${h.toFixed(1)} bits` : '—');
  const adc = new Map(rep.ranges.filter((r) => r.register === 'ADC input').map((r) => [r.where, r]));
  lines.push(`Tiles: ${rep.tiles.needed} of ${rep.tiles.available} on core ${core} (${rep.tiles.shape})`);
  lines.push(`  ${'tile'.padStart(4)} ${'synapses'.padStart(8)} ${'used'.padStart(7)}  ${'ADC input, worst case'.padEnd(24)}  holds`);
  for (const t of rep.tiles.perTile) {
    const a = adc.get(`tile ${t.index}`);
    const adcText = a ? `${a.bound.toPrecision(3)} of ±${a.max} ${bits(a.headroomBits)}${a.headroomBits < 0 ? ' CLIPS' : ''}` : '';
    lines.push(`  ${String(t.index).padStart(4)} ${String(t.synapses).padStart(8)} ${`${(t.utilisation * 100).toFixed(1)} %`.padStart(7)}  ${adcText.padEnd(24)}  ${t.holds.join('; ')}`);
  }
  if (rep.tiles.partialSums.length > 0) {
    lines.push('  cross-tile partial sums (meeting in the accumulators):');
    for (const p of rep.tiles.partialSums) lines.push(`    ${p.target}: tiles ${p.tiles.join(', ')}`);
  }
  lines.push('', 'Registers (worst case per step):');
  lines.push(`  ${'register'.padEnd(12)} ${'where'.padEnd(12)} ${'bound'.padStart(11)} ${'format'.padEnd(9)} ${'max'.padStart(11)}  headroom`);
  for (const r of rep.ranges) {
    if (adc.has(r.where) && r.register === 'ADC input') continue;
    lines.push(`  ${r.register.padEnd(12)} ${r.where.padEnd(12)} ${fmt(r.bound).padStart(11)} ${r.format.padEnd(9)} ${fmt(r.max).padStart(11)}  ${bits(r.headroomBits)}${r.headroomBits < 0 ? `  ${r.beyond.toUpperCase()}` : ''}`);
  }
  lines.push('', 'Precision (the worst element of each parameter):');
  lines.push(`  ${'parameter'.padEnd(18)} ${'real'.padStart(11)} ${'format'.padEnd(30)} ${'quantised'.padStart(11)} ${'error'.padStart(11)}`);
  for (const p of rep.precision) lines.push(`  ${p.parameter.padEnd(18)} ${fmt(p.real).padStart(11)} ${p.format.padEnd(30)} ${fmt(p.quantised).padStart(11)} ${fmt(p.error).padStart(11)}`);
  lines.push('', `Cycles per step: ~${rep.cycles_per_step} (${rep.time_per_step_us.toFixed(2)} µs); busy: ${Object.entries(rep.busy).filter(([, v]) => v > 0).map(([u, v]) => `${u} ${v}`).join(', ')}`);
  return lines;
}
