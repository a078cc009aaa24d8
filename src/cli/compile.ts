// `phasecore compile FILE [--core NAME] [-o prog.pcx] [--listing FILE|-] [--report] [--json]`.
import { resolve } from 'node:path';
import { checkPaths } from '../compiler/frontend.ts';
import { compileRun, type CompileReport } from '../compiler/compile.ts';
import { formatDiagnostic, hasErrors } from '../dsl/diagnostics.ts';
import { diagnosticToJson } from '../dsl/diagnostics.ts';
import { encodeProgram } from '../runtime/program.ts';
import { writeFileAtomic } from './atomic.ts';

export interface CompileOptions { readonly core?: string; readonly output?: string; readonly listing?: string; readonly report?: boolean; readonly json?: boolean; readonly block?: string }

export function commandCompile(file: string, opts: CompileOptions, out: (s: string) => void, err: (s: string) => void): number {
  const root = resolve(file);
  const r = checkPaths([root]);
  const report = opts.json ? err : out;
  for (const d of r.diagnostics) report(formatDiagnostic(d, r.sources.get(d.file)));
  if (hasErrors(r.diagnostics)) return 1;
  const program = r.programs.get(root);
  const runs = (program?.runs ?? []).filter((x) => opts.block === undefined || x.name === opts.block);
  if (!program || runs.length === 0) { out(`${file}: error: the file has no train or run block${opts.block ? ` named '${opts.block}'` : ''} to compile.`); return 1; }
  const run = runs[0]!;
  const coreName = opts.core ?? (run.params.params.core?.t === 'ref' ? run.params.params.core.name : undefined);
  const core = coreName ? program.cores.get(coreName) : undefined;
  if (!core) {
    out(`${file}: error: ${coreName ? `there is no core named '${coreName}'` : `the ${run.keyword} block names no core; give one with --core NAME`} (cores: ${[...program.cores.keys()].join(', ') || 'none'}).`);
    return 1;
  }
  const span = run.params.spans.core ?? run.params.spans.network ?? { start: 0, end: 0 };
  const lineOf = (f: string, offset: number) => (r.sources.get(f)?.position(offset).line ?? 0) + 1;
  const res = compileRun(program, run, core, { file: run.file, span }, undefined, lineOf);
  for (const d of res.diagnostics) report(formatDiagnostic(d, r.sources.get(d.file)));
  if (hasErrors(res.diagnostics) || !res.program || !res.report) return 1;
  if (opts.output) writeFileAtomic(opts.output, encodeProgram(res.program));
  if (opts.listing === '-') out(res.listing.join('\n'));
  else if (opts.listing) writeFileAtomic(opts.listing, `${res.listing.join('\n')}\n`);
  if (opts.json) {
    out(JSON.stringify({ precision: res.report.precision, ranges: res.report.ranges, tiles: res.report.tiles, cycles_per_step: res.report.cycles_per_step, diagnostics: res.diagnostics.map((d) => diagnosticToJson(d, r.sources.get(d.file))) }));
  } else if (opts.report) {
    for (const line of renderReport(res.report, core.name)) out(line);
  } else {
    out(`compiled ${run.keyword}${run.name ? ` ${run.name}` : ''} for core ${core.name}: ${res.report.tiles.needed} of ${res.report.tiles.available} tiles, ${res.program.code.length} instructions, ~${res.report.cycles_per_step} cycles per step${opts.output ? `; wrote ${opts.output}` : ''}`);
  }
  return 0;
}

const fmt = (x: number) => (Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toPrecision(5));

export function renderReport(rep: CompileReport, core: string): string[] {
  const lines: string[] = [];
  lines.push(`Tiles: ${rep.tiles.needed} of ${rep.tiles.available} on core ${core} (${rep.tiles.shape})`);
  for (const t of rep.tiles.perTile) lines.push(`  tile ${String(t.index).padStart(3)}: ${t.pieces} piece${t.pieces === 1 ? '' : 's'}, ${t.synapses} synapses, ${(t.utilisation * 100).toFixed(1)} % used`);
  if (rep.tiles.partialSums.length > 0) {
    lines.push('  cross-tile partial sums:');
    for (const p of rep.tiles.partialSums) lines.push(`    ${p.target}: tiles ${p.tiles.join(', ')}`);
  }
  lines.push('', 'Ranges (worst case per step):');
  lines.push(`  ${'register'.padEnd(12)} ${'where'.padEnd(12)} ${'bound'.padStart(11)} ${'format'.padEnd(9)} ${'max'.padStart(11)}  headroom`);
  for (const r of rep.ranges) lines.push(`  ${r.register.padEnd(12)} ${r.where.padEnd(12)} ${fmt(r.bound).padStart(11)} ${r.format.padEnd(9)} ${fmt(r.max).padStart(11)}  ${Number.isFinite(r.headroomBits) ? `${r.headroomBits >= 0 ? '+' : ''}${r.headroomBits.toFixed(1)} bits${r.headroomBits < 0 ? '  OVERFLOWS' : ''}` : '—'}`);
  lines.push('', 'Precision:');
  lines.push(`  ${'parameter'.padEnd(18)} ${'real'.padStart(11)} ${'format'.padEnd(30)} ${'quantised'.padStart(11)} ${'error'.padStart(11)}`);
  for (const p of rep.precision) lines.push(`  ${p.parameter.padEnd(18)} ${fmt(p.real).padStart(11)} ${p.format.padEnd(30)} ${fmt(p.quantised).padStart(11)} ${fmt(p.error).padStart(11)}`);
  lines.push('', `Cycles per step: ~${rep.cycles_per_step} (${rep.time_per_step_us.toFixed(2)} µs); busy: ${Object.entries(rep.busy).filter(([, v]) => v > 0).map(([u, v]) => `${u} ${v}`).join(', ')}`);
  return lines;
}
