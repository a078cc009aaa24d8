// What a sweep is, apart from running it: its axes (`--set key=v1,v2,...` or `--set key=a..b`,
// and `--seeds`), the points of their cross product in one fixed order, a point's overrides, the
// sweep's identity (which file, which axes, which phasecore), a shard's slice, and the row a
// point's result becomes in results.csv / results.json. Nothing here runs anything.
//
// A `--zip` axis goes with the axis before it (value k with value k: a scheme with the device it
// needs), so it adds no points. Order: the first axis varies slowest, seeds fastest (so neighbouring points share every value
// but the seed). A point is known by its index in that order; its overrides and seed follow from
// its coordinates alone, so it gives the same result whatever the worker count, order or shard.
// A point's random streams (init, data, noise, learning) all derive from its seed (src/data/
// random.ts): points that differ only in a hardware option start from the same weights and see
// the same data, as a paired comparison of schemes or bit widths should.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOverride } from './overrides.ts';

export interface Axis {
  /** `block.param`, as --set names it. */
  readonly key: string;
  /** `=` or `~` (a distribution). */
  readonly op: '=' | '~';
  /** The values as written, one per point along this axis. */
  readonly values: readonly string[];
  /** A zipped axis (`--zip`): the index of the axis it goes with, value k with value k; null: an axis of its own. */
  readonly with: number | null;
}

/** How `--zip key=values` is kept among the `--set` arguments, in command-line order (a zip goes with the axis before it). */
export const ZIP = '\u0000zip:';

export interface SweepSpec {
  readonly axes: readonly Axis[];
  /** The seeds, or null: each point keeps the block's seed. */
  readonly seeds: readonly number[] | null;
}

export interface Point {
  readonly index: number;
  /** One value per axis, in axis order. */
  readonly values: readonly string[];
  readonly seed: number | null;
}

/** Split at commas outside brackets, parentheses and quotes: `[1, 2],[3, 4]` is two values. */
export function splitValues(text: string): string[] {
  const out: string[] = [];
  let depth = 0; let quote = false; let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quote = !quote;
    else if (quote) continue;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) { out.push(text.slice(at, i).trim()); at = i + 1; }
  }
  out.push(text.slice(at).trim());
  return out;
}

/** The whole numbers of `a..b` (inclusive, either way round), or null when the text is not one. */
export function integerRange(text: string): number[] | null {
  const r = unitRange(text);
  return r && r.unit === '' ? r.values : null;
}

/** `a..b` or `a..b unit` (`2..8 bit`): its whole numbers and the unit, or null. */
export function unitRange(text: string): { values: number[]; unit: string } | null {
  const m = /^\s*(-?\d+)\s*\.\.\s*(-?\d+)\s*([A-Za-zµΩ]*)\s*$/.exec(text);
  if (!m) return null;
  const a = Number(m[1]); const b = Number(m[2]);
  const n = Math.abs(b - a) + 1;
  if (n > 100000) return null;
  return { values: Array.from({ length: n }, (_, i) => (a <= b ? a + i : a - i)), unit: m[3] ?? '' };
}

/** The axes of `--set` arguments and `--seeds`, or a usage message. */
export function parseSweep(sets: readonly string[], seeds: string | undefined): SweepSpec | string {
  const axes: Axis[] = [];
  for (const arg of sets) {
    const zipped = arg.startsWith(ZIP);
    const raw = zipped ? arg.slice(ZIP.length) : arg;
    const o = parseOverride(raw);
    if (typeof o === 'string') return o.replace('--set takes', 'sweep --set takes').replace('(for example --set rec.tau_m=25ms)', '(for example --set learn.scheme=sign,mixed or --set core.weight_bits=2..8)');
    const key = `${o.block}.${o.param}`;
    if (axes.some((a) => a.key === key)) return `${key} is swept twice: give its values in one --set (${key}=a,b,c)`;
    const range = o.op === '=' ? unitRange(o.value) : null;
    const values = range ? range.values.map((v) => (range.unit ? `${v} ${range.unit}` : String(v))) : splitValues(o.value);
    const empty = values.findIndex((v) => v === '');
    if (empty >= 0) return `--set ${raw}: value ${empty + 1} is empty (values are separated by commas; a range is lo..hi)`;
    if (new Set(values).size !== values.length && !zipped) return `--set ${raw}: a value is given twice`;
    let leader: number | null = null;
    if (zipped) {
      leader = axes.length - 1;
      while (leader >= 0 && (axes[leader] as Axis).with !== null) leader--;
      if (leader < 0) return `--zip ${raw}: a zipped axis goes with the --set before it, and there is none`;
      const lead = axes[leader] as Axis;
      if (lead.values.length !== values.length) return `--zip ${raw}: it has ${values.length} value${values.length === 1 ? '' : 's'} and ${lead.key}, the axis it goes with, has ${lead.values.length}; value k goes with value k`;
    }
    axes.push({ key, op: o.op, values, with: leader });
  }
  let seedList: number[] | null = null;
  if (seeds !== undefined) {
    const parts = integerRange(seeds) ?? splitValues(seeds).map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
    if (parts.length === 0 || parts.some((s) => !Number.isInteger(s) || s < 0 || s > 4294967295)) return `--seeds takes whole numbers ≥ 0 as a list (1,2,3) or a range (1..5); found '${seeds}'`;
    if (new Set(parts).size !== parts.length) return `--seeds: a seed is given twice ('${seeds}')`;
    seedList = parts;
  }
  return { axes, seeds: seedList };
}

export const pointCount = (spec: SweepSpec): number => spec.axes.reduce((n, a) => (a.with === null ? n * a.values.length : n), 1) * (spec.seeds?.length ?? 1);

/** Every point, in the sweep's order. */
export function allPoints(spec: SweepSpec): Point[] {
  const seeds = spec.seeds ?? [null];
  const out: Point[] = [];
  const total = pointCount(spec);
  for (let index = 0; index < total; index++) {
    let rest = Math.floor(index / seeds.length);
    const at: number[] = new Array(spec.axes.length).fill(0);
    for (let k = spec.axes.length - 1; k >= 0; k--) {
      const a = spec.axes[k] as Axis;
      if (a.with !== null) continue;
      at[k] = rest % a.values.length;
      rest = Math.floor(rest / a.values.length);
    }
    const values = spec.axes.map((a, k) => a.values[at[a.with ?? k] as number] as string);
    out.push({ index, values, seed: seeds[index % seeds.length] as number | null });
  }
  return out;
}

/** The point's `--set` arguments, in axis order (an error in the K-th is shown as --set#K). */
export const pointOverrides = (spec: SweepSpec, p: Point): string[] => spec.axes.map((a, k) => `${a.key}${a.op}${p.values[k]}`);

/** A shard `i/n` (0 ≤ i < n, as SLURM_ARRAY_TASK_ID and JOB_COMPLETION_INDEX count), or a usage message. */
export function parseShard(text: string | undefined): { readonly index: number; readonly count: number } | null | string {
  if (text === undefined) return null;
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const i = m ? Number(m[1]) : NaN; const n = m ? Number(m[2]) : NaN;
  if (!m || n < 1 || i >= n) return `--shard takes I/N with 0 ≤ I < N (the array index as SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX give it, from 0); found '${text}'`;
  return { index: i, count: n };
}

/** The points of shard i of n: every n-th, from the i-th (strided, so that each shard gets a share of every axis's values and costs). */
export const shardPoints = (points: readonly Point[], shard: { index: number; count: number } | null): Point[] =>
  shard ? points.filter((p) => p.index % shard.count === shard.index) : [...points];

/** What makes two sweep runs the same sweep: the files (by content), the axes, the seeds, the backend and options, the phasecore. */
export interface SweepIdentity {
  readonly phasecore: string;
  /** The SHA-256 of the phasecore that ran it (its bundle, or its sources in a checkout): results of another build may differ. */
  readonly build: string;
  readonly file: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly block: string | null;
  readonly iterations: number | null;
  readonly kind: 'train' | 'run';
  readonly axes: readonly Axis[];
  readonly seeds: readonly number[] | null;
  readonly points: number;
  /** The memory budget each point was checked against (--max-memory): a point refused for memory is redone under another. */
  readonly memory_budget: number;
}

let build: string | undefined;
/** This phasecore's build: the SHA-256 of the bundle running, or of every source file of a checkout running its sources. */
export function buildHash(): string {
  if (build !== undefined) return build;
  const here = fileURLToPath(import.meta.url);
  const h = createHash('sha256');
  if (!here.endsWith('.ts')) h.update(readFileSync(here));
  else {
    const src = join(dirname(here), '..');
    const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)])).sort();
    for (const f of walk(src)) h.update(relative(src, f)).update('\0').update(readFileSync(f));
  }
  build = h.digest('hex');
  return build;
}

/** The identity's hash (sweep.json's `sweep_sha256`): equal for shards of one sweep, different for any other. */
export const identityHash = (id: SweepIdentity): string => createHash('sha256').update(JSON.stringify(id)).digest('hex');

/** A point's result as a table row. */
export interface Row {
  readonly index: number;
  /** The swept values by key, and the seed. */
  readonly values: Readonly<Record<string, string>>;
  readonly seed: number | null;
  readonly status: 'ok' | 'failed';
  /** The coded error of a failed point (SNNxxxx, PCXxxxx, `usage`, `internal`, `diverged`) and its message. */
  readonly error_code: string | null;
  readonly error: string | null;
  readonly final_loss: number | null; readonly best_loss: number | null;
  /** The loss averaged over the last (up to) 10 iterations, as train averages its accuracy: a final figure less noisy than the last iteration's. */
  readonly last10_loss: number | null;
  readonly final_accuracy: number | null; readonly best_accuracy: number | null;
  readonly validation_loss: number | null; readonly validation_error: number | null;
  /** The test after training (the block's test_after): its loss and error rate. */
  readonly test_loss: number | null; readonly test_error: number | null;
  readonly pulses: number | null; readonly refreshes: number | null; readonly saturations: number | null;
  readonly cycles: number | null; readonly energy_pj: number | null; readonly energy_per_step_pj: number | null;
  readonly steps: number | null;
  readonly wall_s: number;
  /** The point's manifest: what reproduces it. */
  readonly manifest: { readonly phasecore: string; readonly inputs: Readonly<Record<string, string>>; readonly overrides: readonly string[]; readonly seed: number | null; readonly backend: string };
}

/** A point's result file: its row and its loss curve (per iteration; empty for a run). */
export interface PointResult { readonly row: Row; readonly curve: ReadonlyArray<{ iteration: number; loss: number | null; accuracy: number | null }> }

const NUMERIC = ['final_loss', 'best_loss', 'last10_loss', 'final_accuracy', 'best_accuracy', 'validation_loss', 'validation_error', 'test_loss', 'test_error', 'pulses', 'refreshes', 'saturations', 'cycles', 'energy_pj', 'energy_per_step_pj', 'steps', 'wall_s'] as const;

/** results.csv: a header of index, each axis, seed, status, error, the numbers; a row per point in index order. */
export function resultsCsv(axes: readonly Axis[], rows: readonly Row[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = typeof v === 'number' ? (Number.isFinite(v) ? String(v) : '') : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const head = ['index', ...axes.map((a) => a.key), 'seed', 'status', 'error_code', 'error', ...NUMERIC];
  const lines = [head.join(',')];
  for (const r of [...rows].sort((a, b) => a.index - b.index)) {
    lines.push([r.index, ...axes.map((a) => r.values[a.key]), r.seed, r.status, r.error_code, r.error, ...NUMERIC.map((k) => r[k])].map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** Rows without what differs between two runs of the same points (the wall time): what a merge must reproduce exactly. */
export const deterministicPart = (r: Row): Omit<Row, 'wall_s'> => { const { wall_s: _w, ...rest } = r; return rest; };
