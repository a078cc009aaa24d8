// A sweep's plots, drawn without a browser: a Vega-Lite spec per plot, compiled to Vega, rendered
// to SVG by Vega's headless view, and to PNG by resvg with the DejaVu Sans font the package ships
// (so the text looks the same on every machine, fonts installed or not). Each plot's spec is
// written beside it (`NAME.vl.json`), so it can be opened and restyled in the Vega editor.
//
//   final_loss     the final loss against the first swept value (of more than one value), a line
//                  per value of the other axes: the median over seeds, their range, each seed
//   final_accuracy the same for the accuracy, when the points have one
//   test_loss, test_accuracy  the same for the test after training (train's test_after)
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
function xAxis(key: string, values: readonly string[]): { numeric: boolean; whole?: boolean; title: string; of: (v: string) => number | string } {
  const qs = values.map(quantity);
  const unit = qs[0]?.unit;
  if (qs.every((q) => q !== null && q.unit === unit)) return { numeric: true, whole: qs.every((q) => Number.isInteger(q!.x)), title: unit ? `${key} (${unit})` : key, of: (v) => (quantity(v) as { x: number }).x };
  return { numeric: false, title: key, of: (v) => v };
}

const BASE = {
  $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
  background: 'white', padding: 12, width: 520, height: 320,
  config: { font: 'DejaVu Sans', axis: { labelFontSize: 12, titleFontSize: 13, grid: true }, legend: { labelFontSize: 12, titleFontSize: 12, labelLimit: 320 }, title: { fontSize: 14 } },
};

/**
 * For values that share a beginning and an end, the part between (cut at `;`, `,` or a bracket,
 * so whole settings show): a function from a value to its label; the value itself when nothing is shared.
 */
export function differingPart(values: readonly string[]): (v: string) => string {
  if (values.length < 2) return (v) => v;
  const parts = values.map((v) => v.split(/(?<=[;,({[])|(?=[;,)}\]])/));
  let pre = 0;
  while (parts.every((p) => pre < p.length && p[pre] === parts[0]![pre])) pre++;
  let suf = 0;
  while (parts.every((p) => suf < p.length - pre && p[p.length - 1 - suf] === parts[0]![parts[0]!.length - 1 - suf])) suf++;
  const labels = new Map(values.map((v, i) => [v, parts[i]!.slice(pre, parts[i]!.length - suf).join('').replace(/^[\s;,]+|[\s;,]+$/g, '') || v]));
  return new Set(labels.values()).size === values.length ? (v) => labels.get(v) ?? v : (v) => v;
}

/** The specs of a sweep's plots (by name), from its rows. */
export function plotSpecs(id: SweepIdentity, results: readonly PointResult[]): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  const ok = results.filter((r) => r.row.status === 'ok');
  if (ok.length === 0) return specs;
  // The x axis and the series: the axes of their own (a zipped axis goes with its leader's values).
  // An axis of one value is a setting of the whole sweep: named in the subtitle, not a series.
  const own = id.axes.filter((a) => (a.with === null || a.with === undefined) && a.values.length > 1);
  const fixed = id.axes.filter((a) => (a.with === null || a.with === undefined) && a.values.length === 1).map((a) => `${a.key}=${a.values[0]}`);
  const [xKey, ...rest] = own.map((a) => a.key);
  // Values as the plots show them: a call or block without its arguments when that keeps them apart
  // (`mixed_precision(epsilon = …)` → `mixed_precision`); the table has them whole.
  // Values that differ only inside their arguments show the part that differs (`pcm { …;
  // drift_compensation = on }` → `drift_compensation = on`).
  const shown = new Map<string, (v: string) => string>(own.map((a) => {
    const cut = (v: string) => v.replace(/\s*[({].*$/s, '');
    if (new Set(a.values.map(cut)).size === a.values.length) return [a.key, cut];
    return [a.key, differingPart(a.values)];
  }));
  const show = (k: string, v: string) => (shown.get(k) ?? ((x: string) => x))(v);
  const label = (vals: Readonly<Record<string, string>>) => (rest.length === 0 ? 'all' : rest.map((k) => `${rest.length > 1 ? `${k}=` : ''}${show(k, vals[k] as string)}`).join(', '));
  const pointLabel = (vals: Readonly<Record<string, string>>) => own.map((a) => `${own.length > 1 ? `${a.key}=` : ''}${show(a.key, vals[a.key] as string)}`).join(', ') || 'the file as it is';
  const seeds = id.seeds?.length ?? 1;
  const base = `${id.file}, ${id.kind === 'train' ? `${id.backend} backend` : 'run on its core'}${id.iterations !== null ? `, ${id.iterations} iterations` : ''}${seeds > 1 ? `, ${seeds} seeds` : ''}`;
  // The subtitle's lines: what was swept, the settings every point shares, what the marks show.
  const subtitle = (shows: string): string[] => [base, ...(fixed.length > 0 ? [fixed.join(', ')] : []), shows];

  // Final loss / accuracy (and the test's after training) against the first axis: the median over
  // seeds, their range (min to max) as a band or a bar, and each seed; a log scale when the values
  // span more than a factor of 30.
  const metrics = [
    // A train's final loss is the mean of its last 10 iterations (the last alone is noisy), as its accuracy is.
    { name: 'final_loss', of: (r: PointResult['row']) => (id.kind === 'train' ? r.last10_loss : r.final_loss) ?? null, title: id.kind === 'train' ? 'loss, last 10 iterations (mean)' : 'loss', head: 'Final loss' },
    { name: 'final_accuracy', of: (r: PointResult['row']) => (r.final_accuracy == null ? null : r.final_accuracy * 100), title: id.kind === 'train' ? 'accuracy (%), last 10 iterations' : 'accuracy (%)', head: 'Accuracy' },
    { name: 'test_loss', of: (r: PointResult['row']) => r.test_loss ?? null, title: 'test loss (learning off)', head: 'Test loss' },
    { name: 'test_accuracy', of: (r: PointResult['row']) => (r.test_error == null ? null : (1 - r.test_error) * 100), title: 'test accuracy (%, learning off)', head: 'Test accuracy' },
  ];
  if (xKey !== undefined) {
    const x = xAxis(xKey, own[0]!.values);
    for (const metric of metrics) {
      const rows = ok.filter((r) => metric.of(r.row) != null && Number.isFinite(metric.of(r.row))).map((r) => ({ x: x.numeric ? x.of(r.row.values[xKey] as string) : show(xKey, r.row.values[xKey] as string), y: metric.of(r.row) as number, series: label(r.row.values), seed: r.row.seed }));
      if (rows.length === 0) continue;
      const ys = rows.map((r) => r.y);
      const log = Math.min(...ys) > 0 && Math.max(...ys) / Math.min(...ys) > 30;
      const yScale = log ? { type: 'log' } : { zero: false };
      const xEnc = x.numeric ? { field: 'x', type: 'quantitative', title: x.title, scale: { zero: false }, ...(x.whole ? { axis: { tickMinStep: 1, format: 'd' } } : {}) } : { field: 'x', type: 'nominal', title: x.title, sort: own[0]!.values.map((v) => show(xKey, v)), axis: { labelAngle: 0 } };
      const color = { field: 'series', type: 'nominal', title: rest.length > 0 ? rest.join(', ') : null, legend: rest.length > 0 ? { orient: 'bottom', columns: 2 } : null };
      const spread = { aggregate: [{ op: 'min', field: 'y', as: 'lo' }, { op: 'max', field: 'y', as: 'hi' }, { op: 'median', field: 'y', as: 'mid' }], groupby: ['x', 'series'] };
      const y = (field: string) => ({ field, type: 'quantitative', title: metric.title, scale: yScale });
      // Categories with several series: each series its own place within the category, side by side.
      const offset = !x.numeric && rest.length > 0 ? { xOffset: { field: 'series', type: 'nominal' } } : {};
      const layers: Spec[] = [
        { transform: [spread], mark: x.numeric ? { type: 'area', opacity: 0.18 } : { type: 'rule', strokeWidth: 2 }, encoding: { x: xEnc, ...offset, y: y('lo'), y2: { field: 'hi' }, color } },
        { transform: [spread], mark: x.numeric ? { type: 'line', point: true } : { type: 'tick', thickness: 3, size: 22 }, encoding: { x: xEnc, ...offset, y: y('mid'), color } },
      ];
      if (seeds > 1) layers.push({ mark: { type: 'point', opacity: 0.6, size: 28 }, encoding: { x: xEnc, ...offset, y: y('y'), color } });
      specs.set(metric.name, {
        ...BASE, title: { text: `${metric.head} against ${xKey}`, subtitle: subtitle(seeds > 1 ? `median over seeds (${x.numeric ? 'line' : 'bar'}), their range (${x.numeric ? 'band' : 'rule'}), and each seed (dots)${log ? '; log scale' : ''}` : `one run per point${log ? '; log scale' : ''}`) },
        data: { values: rows }, layer: layers,
      });
    }
  }

  // Loss curves.
  const curves = ok.flatMap((r) => r.curve.filter((c) => c.loss !== null).map((c) => ({ iteration: c.iteration + 1, loss: c.loss, point: pointLabel(r.row.values), seed: String(r.row.seed) })));
  if (curves.length > 0) {
    specs.set('curves', {
      ...BASE, title: { text: 'Loss per iteration', subtitle: subtitle('a line per point and seed') },
      data: { values: curves },
      mark: { type: 'line', strokeWidth: 1.5, opacity: 0.85 },
      encoding: {
        x: { field: 'iteration', type: 'quantitative', title: 'iteration' },
        y: { field: 'loss', type: 'quantitative', title: 'training loss', scale: { type: 'log' } },
        color: { field: 'point', type: 'nominal', title: own.map((a) => a.key).join(', ') || 'point', legend: { orient: 'bottom', columns: 2 } },
        detail: { field: 'seed' },
      },
    });
  }

  // Energy per step against accuracy (or loss).
  const withEnergy = ok.filter((r) => r.row.energy_per_step_pj !== null);
  const useAcc = withEnergy.some((r) => r.row.final_accuracy !== null);
  if (withEnergy.length > 0 && (useAcc || withEnergy.some((r) => r.row.final_loss !== null))) {
    const rows = withEnergy.map((r) => ({ energy: (r.row.energy_per_step_pj as number) / 1000, y: useAcc ? (r.row.final_accuracy ?? 0) * 100 : (id.kind === 'train' ? r.row.last10_loss : r.row.final_loss), point: pointLabel(r.row.values) }));
    specs.set('energy', {
      ...BASE, title: { text: `Energy per step against ${useAcc ? 'accuracy' : 'final loss'}`, subtitle: subtitle(`a mark per point and seed${id.kind === 'train' ? '; energy while training, learning included' : ''}`) },
      data: { values: rows },
      mark: { type: 'point', filled: true, size: 70 },
      encoding: {
        x: { field: 'energy', type: 'quantitative', title: 'energy per time step (nJ)', scale: { zero: false } },
        y: { field: 'y', type: 'quantitative', title: useAcc ? 'accuracy (%)' : 'final loss', scale: { zero: false } },
        color: { field: 'point', type: 'nominal', title: own.map((a) => a.key).join(', ') || 'point', legend: { orient: 'bottom', columns: 2 } },
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
