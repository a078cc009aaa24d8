// A sweep on a cluster, on the engines clusters already have: `phasecore sweep plan` writes a
// Slurm array job script and a Kubernetes Indexed Job manifest whose array index is the shard
// (`--shard I/N`, I from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX); each shard writes its own
// directory; `phasecore sweep merge DIR...` joins them into one table, refusing shards of
// different sweeps. No scheduler of phasecore's own: the engine runs, retries and places the
// shards; a shard that is run again resumes (its finished points are kept).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, relative, resolve, basename } from 'node:path';
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import { displayPath } from '../compiler/workspace.ts';
import { diag, type Diagnostic } from '../dsl/diagnostics.ts';
import { packageRoot } from '../data/package.ts';
import { reporter } from './report.ts';
import { outputError, writeFileAtomic } from './atomic.ts';
import { wholeNumber } from './train.ts';
import { allPoints, deterministicPart, parseSweep, pointCount, ZIP, type PointResult } from './sweep-spec.ts';
import { finishedRows, isFsError, pointFile, POINTS_DIR, preflight, readSweepFile, writeResults, differences, type SweepFile } from './sweep.ts';
import { writePlots } from './plot.ts';

const at0 = { start: 0, end: 0 };

/** A word for a POSIX shell: as it is when it is safe, else single-quoted. */
export const shellWord = (s: string): string => (/^[A-Za-z0-9_./:=,+@%-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface PlanOptions {
  readonly set?: string[]; readonly seeds?: string; readonly backend?: string; readonly iterations?: string; readonly block?: string;
  readonly shards?: string; readonly workers?: string; readonly slurm?: boolean; readonly k8s?: boolean; readonly out?: string;
  readonly results?: string; readonly image?: string; readonly claim?: string; readonly phasecore?: string; readonly time?: string;
}

/** The sweep's arguments every shard repeats (the file, its axes, seeds and options), as shell words. */
function sweepArgs(file: string, o: PlanOptions): string[] {
  return [
    'sweep', file,
    ...(o.set ?? []).flatMap((s) => (s.startsWith(ZIP) ? ['--zip', s.slice(ZIP.length)] : ['--set', s])),
    ...(o.seeds !== undefined ? ['--seeds', o.seeds] : []),
    ...(o.backend !== undefined ? ['--backend', o.backend] : []),
    ...(o.iterations !== undefined ? ['--iterations', o.iterations] : []),
    ...(o.block !== undefined ? ['--block', o.block] : []),
  ];
}

/**
 * `phasecore sweep plan FILE ... --shards N (--slurm | --k8s) [--out DIR] [--results DIR]`: write
 * the job files (into --out, default the working directory) and print how to submit and merge.
 * The sweep is checked here as `sweep` checks it (preflight), so a plan never submits a typo.
 */
export function commandPlan(file: string, o: PlanOptions, io: { out: (s: string) => void; err: (s: string) => void }): number {
  const usage = (m: string) => { io.err(`error: ${m}`); return 2; };
  const spec = parseSweep(o.set ?? [], o.seeds);
  if (typeof spec === 'string') return usage(spec);
  if (!o.slurm && !o.k8s) return usage('sweep plan writes a Slurm array job (--slurm), a Kubernetes Indexed Job (--k8s), or both');
  const shards = wholeNumber(o.shards, '--shards', 1);
  if (typeof shards === 'string') return usage(shards);
  const workers = wholeNumber(o.workers, '--workers', 1);
  if (typeof workers === 'string') return usage(workers);
  const total = pointCount(spec);
  const n = Math.min(shards ?? Math.min(total, 10), total);
  if (shards !== undefined && shards > total) io.err(`note: ${shards} shards for ${total} points: writing ${n} (a shard per point)`);
  const w = workers ?? 1;
  // Checked as `sweep` checks it — the file, each value, the options — so a plan never submits a typo.
  if (o.backend !== undefined && o.backend !== 'reference' && o.backend !== 'core') return usage(`--backend takes reference (the float64 oracle) or core (the emulated chip); found '${o.backend}'`);
  const iterations = wholeNumber(o.iterations, '--iterations', 1);
  if (typeof iterations === 'string') return usage(iterations);
  const checked = preflight(file, spec, { ...(o.block ? { block: o.block } : {}), ...(iterations !== undefined ? { iterations } : {}), backend: o.backend ?? 'reference', backendGiven: o.backend !== undefined }, io);
  if (typeof checked === 'number') return checked;
  const cwd = process.cwd();
  const rel = (p: string) => { const r = relative(cwd, resolve(p)); return r === '' ? '.' : r; };
  const stem = basename(file).replace(/\.snn$/, '');
  const results = rel(o.results ?? `${stem}.sweep`);
  // The results path goes into #SBATCH lines, which Slurm reads without a shell: it must need no quoting.
  const plain = /^[A-Za-z0-9_./+,@%=:-]+$/;
  if (!plain.test(results)) return usage(`--results '${results}': the shards' directory goes into the job files unquoted (Slurm's #SBATCH lines cannot quote); use a path of letters, digits and . _ - / only`);
  if (o.slurm && !plain.test(cwd)) return usage(`the Slurm script runs from this directory, ${cwd}, and #SBATCH lines cannot quote its path: plan from a directory whose path has letters, digits and . _ - / only`);
  const outDir = resolve(o.out ?? '.');
  const args = sweepArgs(rel(file), o);
  const tag = createHash('sha256').update(JSON.stringify([args, n])).digest('hex').slice(0, 8);
  const written: string[] = [];
  const failures: Diagnostic[] = [];
  const put = (name: string, text: string) => {
    const path = join(outDir, name);
    try { mkdirSync(outDir, { recursive: true }); writeFileAtomic(path, text); written.push(displayPath(path)); } catch (e) { failures.push(outputError(displayPath(path), e)); }
  };
  // Slurm opens a task's log before the script runs: the results directory must exist at submission.
  try { mkdirSync(resolve(results), { recursive: true }); } catch (e) { failures.push(outputError(results, e)); }
  // A pod sees the sweep's files at their paths relative to here: one outside cannot be there.
  for (const [what, p] of [['the file', rel(file)], ['the results directory', results]] as const) {
    if (p.startsWith('..') && o.k8s) io.err(`note: ${what} (${p}) is outside this directory: the pods' volume, mounted at /work for this directory, will not hold it there; plan from a directory that contains it`);
  }
  const merge = `phasecore sweep merge ${Array.from({ length: Math.min(n, 3) }, (_, i) => `${results}/shard-${i}`).join(' ')}${n > 3 ? ' ...' : ''} --out ${results}/merged`;

  if (o.slurm) {
    const exe = o.phasecore ?? `node ${shellWord(join(packageRoot(), 'bin', 'phasecore.js'))}`;
    const lines = [
      '#!/bin/bash',
      `# A Slurm array job: ${total} points of ${rel(file)} in ${n} shards, one array task each (written by phasecore sweep plan).`,
      `# Submit: sbatch ${displayPath(join(outDir, `${stem}.slurm.sh`))}`,
      '# Then, when every task has finished (a shard run again resumes where it stopped):',
      `#   ${merge.replace('...', `(all ${n} shard directories)`)}`,
      `#SBATCH --job-name=phasecore-${stem}`,
      `#SBATCH --array=0-${n - 1}`,
      '#SBATCH --ntasks=1',
      `#SBATCH --cpus-per-task=${w}`,
      ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
      // Absolute, and the task's directory set: sbatch may be run from anywhere.
      `#SBATCH --chdir=${cwd}`,
      `#SBATCH --output=${resolve(results)}/slurm-%A_%a.log`,
      'set -euo pipefail',
      `cd ${shellWord(cwd)}`,
      `mkdir -p ${shellWord(results)}`,
      ': "${SLURM_ARRAY_TASK_ID:?this is an array job: submit it with sbatch (or set SLURM_ARRAY_TASK_ID to run one shard)}"',
      `exec ${exe} ${args.map(shellWord).join(' ')} \\`,
      `  --shard "\${SLURM_ARRAY_TASK_ID}/${n}" --workers "\${SLURM_CPUS_PER_TASK:-${w}}" --out "${results}/shard-\${SLURM_ARRAY_TASK_ID}" --quiet`,
      '',
    ];
    put(`${stem}.slurm.sh`, lines.join('\n'));
  }
  if (o.k8s) {
    const command = `exec ${o.phasecore ?? 'phasecore'} ${args.map(shellWord).join(' ')} --shard "$JOB_COMPLETION_INDEX/${n}" --workers ${w} --out "${results}/shard-$JOB_COMPLETION_INDEX" --quiet`;
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: `phasecore-sweep-${stem.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 30)}-${tag}`, labels: { app: 'phasecore-sweep' } },
      spec: {
        completionMode: 'Indexed',
        completions: n,
        parallelism: n,
        backoffLimit: n,
        template: {
          metadata: { labels: { app: 'phasecore-sweep' } },
          spec: {
            restartPolicy: 'Never',
            containers: [{
              name: 'shard',
              image: o.image ?? 'phasecore:latest',
              workingDir: '/work',
              command: ['sh', '-c', command],
              resources: { requests: { cpu: String(w), memory: '2Gi' }, limits: { cpu: String(w) } },
              volumeMounts: [{ name: 'work', mountPath: '/work' }],
            }],
            volumes: [{ name: 'work', persistentVolumeClaim: { claimName: o.claim ?? 'phasecore-work' } }],
          },
        },
      },
    };
    const head = [
      `# A Kubernetes Indexed Job: ${total} points of ${rel(file)} in ${n} shards; each pod runs shard $JOB_COMPLETION_INDEX (written by phasecore sweep plan).`,
      `# The image (${job.spec.template.spec.containers[0]!.image}) must have phasecore on its PATH; the volume claim (${o.claim ?? 'phasecore-work'}) is mounted at /work and must hold`,
      `# the sweep's files at the paths they have here, relative to ${cwd}. Submit: kubectl apply -f ${displayPath(join(outDir, `${stem}.k8s.yaml`))}`,
      `# Then, when the Job is complete: ${merge}`,
    ];
    put(`${stem}.k8s.yaml`, `${head.join('\n')}\n${YAML.stringify(job, { lineWidth: 0 })}`);
  }
  if (failures.length > 0) return reporter(false, io.out, io.err, () => undefined).fail(failures);
  io.out(`planned ${total} points of ${rel(file)} in ${n} shard${n === 1 ? '' : 's'}: wrote ${written.join(' and ')}; each shard writes ${results}/shard-I; then ${merge}`);
  return 0;
}

/**
 * `phasecore sweep merge DIR... [--out DIR] [--json]`: the shards' points in one sweep directory
 * (sweep.json, points/, results.csv, results.json, plots/), as the sweep on one machine would have
 * written it. Shards of different sweeps are refused; a point two shards both hold must agree.
 * Missing points are named, and the merge (of what there is) exits 1.
 */
export async function commandMerge(dirs: readonly string[], o: { out?: string; json?: boolean; plots?: boolean }, io: { out: (s: string) => void; err: (s: string) => void }): Promise<number> {
  const fail = (d: Diagnostic) => reporter(!!o.json, io.out, io.err, () => undefined).fail([d]);
  if (!o.out) { io.err('error: sweep merge writes the merged sweep into a new directory: give --out DIR'); return 2; }
  let first: SweepFile | null = null; let firstDir = '';
  const points = new Map<number, { r: PointResult; from: string }>();
  const shardsSeen = new Set<string>();
  for (const d of dirs) {
    const shown = displayPath(resolve(d));
    const s = existsSync(d) ? readSweepFile(d) : null;
    if (s === null || s === 'unreadable') return fail(diag('NotASweep', shown, at0, `${shown} is not a sweep's directory (it has no readable sweep.json): give the --out directories of the shards.`));
    if (!first) { first = s; firstDir = shown; } else if (s.sweep_sha256 !== first.sweep_sha256) {
      return fail(diag('SweepMismatch', shown, at0, `${shown} is a shard of another sweep than ${firstDir} (${differences(first.identity, s.identity)}); merge the shards of one sweep.`));
    } else if ((s.shard?.count ?? 1) !== (first.shard?.count ?? 1)) {
      return fail(diag('SweepMismatch', shown, at0, `${shown} is one of ${s.shard?.count ?? 1} shards and ${firstDir} one of ${first.shard?.count ?? 1}: merge the shards of one plan.`));
    }
    shardsSeen.add(s.shard ? String(s.shard.index) : 'all');
    for (const r of finishedRows(d, s.identity.points)) {
      const had = points.get(r.row.index);
      if (had && JSON.stringify(deterministicPart(had.r.row)) !== JSON.stringify(deterministicPart(r.row))) {
        return fail(diag('SweepMismatch', shown, at0, `point ${r.row.index} is in ${had.from} and in ${shown} with different results: a point's result depends on its coordinates alone, so one of them was changed by hand.`));
      }
      if (!had) points.set(r.row.index, { r, from: shown });
    }
  }
  const s0 = first as SweepFile;
  const outDir = resolve(o.out);
  const shownOut = displayPath(outDir);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) return fail(diag('OutputUnwritable', shownOut, at0, `Cannot write the merged sweep into ${shownOut}: it is a file, not a directory.`));
  const existing = existsSync(outDir) ? readSweepFile(outDir) : null;
  if (existing === 'unreadable' || (existing && existing.sweep_sha256 !== s0.sweep_sha256)) return fail(diag('SweepMismatch', shownOut, at0, `${shownOut} holds another sweep's results; it is left as it is: give another --out.`));
  if (!existing && existsSync(outDir) && readdirSync(outDir).length > 0) return fail(diag('SweepMismatch', shownOut, at0, `${shownOut} exists and is not a sweep's directory; nothing in it is touched: give a new or empty --out.`));
  const merged: SweepFile = { ...s0, shard: null };
  const results = [...points.values()].map((p) => p.r).sort((a, b) => a.row.index - b.row.index);
  let plots: string[] = [];
  try {
    mkdirSync(join(outDir, POINTS_DIR), { recursive: true });
    writeFileAtomic(join(outDir, 'sweep.json'), `${JSON.stringify(merged, null, 1)}\n`);
    for (const { r } of points.values()) writeFileAtomic(join(outDir, POINTS_DIR, pointFile(r.row.index, s0.identity.points)), `${JSON.stringify(r)}\n`);
    writeResults(outDir, merged, results);
    if (o.plots !== false && results.length > 0) plots = await writePlots(outDir, merged.identity, results);
  } catch (e) {
    if (isFsError(e)) return fail(outputError(shownOut, e));
    throw e;
  }
  const all = allPoints({ axes: s0.identity.axes, seeds: s0.identity.seeds });
  const missing = all.filter((p) => !points.has(p.index));
  const count = s0.shard?.count ?? 1;
  const missingShards = [...new Set(missing.map((p) => p.index % count))].sort((a, b) => a - b);
  if (o.json) io.out(JSON.stringify({ sweep_sha256: s0.sweep_sha256, out: shownOut, points: all.length, merged: results.length, missing: missing.map((p) => p.index), plots }));
  else io.out(`merged ${results.length} of ${all.length} points from ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'} into ${join(shownOut, 'results.csv')}${plots.length > 0 ? ` (plots in ${join(shownOut, 'plots')}/)` : ''}`);
  if (missing.length > 0) {
    io.err(`error: ${missing.length} point${missing.length === 1 ? ' is' : 's are'} missing (${count > 1 ? `of shard${missingShards.length === 1 ? '' : 's'} ${missingShards.join(', ')}` : 'not finished'}): run ${count > 1 ? 'those shards' : 'the sweep'} again (a shard resumes), then merge again`);
    return 1;
  }
  return 0;
}
