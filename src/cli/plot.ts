// A sweep's plots, drawn without a browser: a Vega-Lite spec per plot, compiled to Vega, rendered
// to SVG by Vega's headless view, and to PNG by resvg with the DejaVu Sans font the package ships
// (so the text looks the same on every machine, fonts installed or not). Each plot's spec is
// written beside it (`NAME.vl.json`), so it can be opened and restyled in the Vega editor.
//
//   final_loss     the final loss against the first swept value, a line per value of the other
//                  axes, the spread over seeds as a band (min to max) around the mean
//   final_accuracy the same for the accuracy, when the points have one
//   curves         the loss per iteration of every point (a line per point, coloured by its values)
//   energy         energy per step against accuracy (or final loss): the designer's trade-off
//
// `phasecore plot DIR` redraws them from a sweep's directory.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic.ts';
import type { PointResult, SweepIdentity } from './sweep-spec.ts';

type Spec = Record<string, unknown>;

/** A value with a number and a unit (`25ms`, `3e-3`, `4`), or null. */
function quantity(v: string): { x: number; unit: string } | null {
  const m = /^\s*(-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?)\s*([A-Za-zµΩ]*)\s*$/i.exec(v);
  return m ? { x: Number(m[1]), unit: m[2] ?? '' } : null;
}

/** The x axis for one swept key: numeric (with its unit in the title) when every value is a number with one unit, else the values as categories. */
function xAxis(key: string, values: readonly string[]): { numeric: boolean; title: string; of: (v: string) => number | string } {
  const qs = values.map(quantity);
  const unit = qs[0]?.unit;
  if (qs.every((q) => q !== null && q.unit === unit)) return { numeric: true, title: unit ? `${key} (${unit})` : key, of: (v) => (quantity(v) as { x: number }).x };
  return { numeric: false, title: key, of: (v) => v };
}

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white', padding: 12, width: 520, height: 300,
  config: { font: 'DejaVu Sans', axis: { labelFontSize: 12, titleFontSize: 13, grid: true }, legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 320 }, title: { fontSize: 14 } },
};

/** The specs of a sweep's plots (by name), from its rows. */
export function plotSpecs(id: SweepIdentity, results: readonly PointResult[]): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  const ok = results.filter((r) => r.row.status === 'ok');
  if (ok.length === 0) return specs;
  // The x axis and the series: the axes of their own (a zipped axis goes with its leader's values).
  const own = id.axes.filter((a) => a.with === null || a.with === undefined);
  const [xKey, ...rest] = own.map((a) => a.key);
  const label = (vals: Readonly<Record<string, string>>) => (rest.length === 0 ? 'all' : rest.map((k) => `${k}=${vals[k]}`).join(', '));
  const seeds = id.seeds?.length ?? 1;
  const what = id.kind === 'train' ? `${id.file}, ${id.backend} backend${seeds > 1 ? `, ${seeds} seeds` : ''}` : `${id.file}, run on its core${seeds > 1 ? `, ${seeds} seeds` : ''}`;

  // Final loss / accuracy against the first axis.
  if (xKey !== undefined) {
    const x = xAxis(xKey, own[0]!.values);
    for (const metric of ['final_loss', 'final_accuracy'] as const) {
      const rows = ok.filter((r) => r.row[metric] !== null).map((r) => ({ x: x.of(r.row.values[xKey] as string), y: metric === 'final_accuracy' ? (r.row[metric] as number) * 100 : r.row[metric], series: label(r.row.values), seed: r.row.seed }));
      if (rows.length === 0) continue;
      const yTitle = metric === 'final_loss' ? (id.kind === 'train' ? 'final loss (last iteration)' : 'loss') : (id.kind === 'train' ? 'accuracy (%, mean of the last 10 iterations)' : 'accuracy (%)');
      const xEnc = x.numeric ? { field: 'x', type: 'quantitative', title: x.title, scale: { zero: false } } : { field: 'x', type: 'nominal', title: x.title, sort: own[0]!.values, axis: { labelAngle: 0 } };
      const color = { field: 'series', type: 'nominal', title: rest.length > 0 ? rest.join(', ') : null, legend: rest.length > 0 ? { orient: 'bottom', columns: 2 } : null };
      const layers: Spec[] = [
        { mark: x.numeric ? { type: 'errorband', extent: 'stdev' } : { type: 'errorbar', extent: 'stdev', ticks: { size: 14 } }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative', title: yTitle, scale: { zero: false } }, color } },
        { mark: x.numeric ? { type: 'line', point: true } : { type: 'point', filled: true, size: 80 }, encoding: { x: xEnc, y: { aggregate: 'mean', field: 'y', type: 'quantitative', title: yTitle }, color } },
      ];
      if (seeds > 1) layers.push({ mark: { type: 'point', opacity: 0.35, size: 20 }, encoding: { x: xEnc, y: { field: 'y', type: 'quantitative' }, color } });
      specs.set(metric, {
        ...BASE, title: { text: `${metric === 'final_loss' ? 'Final loss' : 'Accuracy'} against ${xKey}`, subtitle: `${what}; mean${seeds > 1 ? ', ±1 s.d. over seeds, and each seed' : ''}` },
        data: { values: rows }, layer: layers,
      });
    }
  }

  // Loss curves.
  const curves = ok.flatMap((r) => r.curve.filter((c) => c.loss !== null).map((c) => ({ iteration: c.iteration + 1, loss: c.loss, point: own.map((a) => `${a.key}=${r.row.values[a.key]}`).join(', ') || 'the file as it is', seed: String(r.row.seed) })));
  if (curves.length > 0) {
    specs.set('curves', {
      ...BASE, title: { text: 'Loss per iteration', subtitle: `${what}; a line per point and seed` },
      data: { values: curves },
      mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { type: 'log' } },
        color: { field: 'point', type: 'nominal', title: 'point', legend: { orient: 'bottom', columns: 2 } },
        detail: { field: 'seed' },
      },
    });
  }

  // Energy per step against accuracy (or loss).
  const withEnergy = ok.filter((r) => r.row.energy_per_step_pj !== null);
  const useAcc = withEnergy.some((r) => r.row.final_accuracy !== null);
  if (withEnergy.length > 0 && (useAcc || withEnergy.some((r) => r.row.final_loss !== null))) {
    const rows = withEnergy.map((r) => ({ energy: (r.row.energy_per_step_pj as number) / 1000, y: useAcc ? (r.row.final_accuracy ?? 0) * 100 : r.row.final_loss, point: own.map((a) => `${a.key}=${r.row.values[a.key]}`).join(', ') || 'the file as it is' }));
    specs.set('energy', {
      ...BASE, title: { text: `Energy per step against ${useAcc ? 'accuracy' : 'final loss'}`, subtitle: `${what}; a point per point and seed${id.kind === 'train' ? ' (energy while training, learning included)' : ''}` },
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x: { field: 'energy', type: 'quantitative', title: 'energy per time step (nJ)', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: useAcc ? 'accuracy (%)' : 'final loss', scale: { zero: false } },
        color: { field: 'point', type: 'nominal', title: 'point', legend: { orient: 'bottom', columns: 2 } },
      },
    });
  }
  return specs;
}

/** The DejaVu Sans font file the dejavu-fonts-ttf package ships. */
function fontFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf', 'DejaVuSans.ttf');
}

/** One spec as SVG and PNG. */
export async function render(spec: Spec): Promise<{ svg: string; png: Uint8Array }> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const { Resvg } = await import('@resvg/resvg-js');
  // Quiet: a warning of Vega-Lite's about a spec is ours to fix, not the user's to read.
  const quiet = { level: () => quiet, error: () => quiet, warn: () => quiet, info: () => quiet, debug: () => quiet };
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0], { logger: quiet as never }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.None });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { font: { loadSystemFonts: false, fontFiles: [fontFile()], defaultFontFamily: 'DejaVu Sans' }, fitTo: { mode: 'zoom', value: 2 } }).render().asPng();
  return { svg, png };
}

/** Every plot of the sweep into DIR/plots (spec, SVG, PNG, each atomically); the names written. */
export async function writePlots(dir: string, id: SweepIdentity, results: readonly PointResult[]): Promise<string[]> {
  const out = join(dir, 'plots');
  mkdirSync(out, { recursive: true });
  const names: string[] = [];
  for (const [name, spec] of plotSpecs(id, results)) {
    const { svg, png } = await render(spec);
    writeFileAtomic(join(out, `${name}.vl.json`), `${JSON.stringify(spec, null, 1)}\n`);
    writeFileAtomic(join(out, `${name}.svg`), svg);
    writeFileAtomic(join(out, `${name}.png`), png);
    names.push(`${name}.vl.json`, `${name}.svg`, `${name}.png`);
  }
  return names;
}
