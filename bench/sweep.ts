// The sweep's speed (issue 10): one 40-point sweep run on 2 worker threads against the same 40
// points one after another in one process (`--workers 1`), each as a whole `phasecore sweep`
// command into a new directory, measured in the same run in alternating pairs (A B A B …), the
// ratio taken pair by pair; target ≤ 0.6. Like for like: the same points, the same code, the
// same process start-up; only the worker count differs. The sweep: the pattern-generation
// example on the float reference, 60 iterations a point (about 0.8 s each), 4 learning rates ×
// 5 thresholds × 2 seeds.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';

export interface SweepBench { readonly points: number; readonly workers1_s: number[]; readonly workers2_s: number[]; readonly ratios: number[]; readonly ratio: number; readonly cores: number }

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

export function runSweepBench(pairs: number, cores: number): SweepBench {
  const root = packageRoot();
  const args = [
    join(root, 'bin', 'phasecore.js'), 'sweep', join(root, 'examples', 'pattern-generation.snn'),
    '--set', 'eprop_pcm.optimizer=sgd(lr = 1e-4),sgd(lr = 3e-4),sgd(lr = 1e-3),sgd(lr = 3e-3)',
    '--set', 'rec.v_th=0.02,0.025,0.03,0.035,0.04', '--seeds', '1..2', '--iterations', '60', '--quiet', '--no-plots',
  ];
  const once = (workers: number): number => {
    const dir = mkdtempSync(join(tmpdir(), 'phasecore-sweep-bench-'));
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...args, '--workers', String(workers), '--out', join(dir, 's')], { encoding: 'utf8' });
    const s = (performance.now() - t0) / 1000;
    rmSync(dir, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`the sweep failed: ${r.stderr}`);
    return s;
  };
  once(2); // warm-up: the file system cache, the bundle
  const w1: number[] = []; const w2: number[] = [];
  for (let i = 0; i < pairs; i++) { w2.push(once(2)); w1.push(once(1)); }
  const ratios = w2.map((x, i) => x / (w1[i] as number));
  return { points: 40, workers1_s: w1, workers2_s: w2, ratios, ratio: median(ratios), cores };
}

export function printSweep(b: SweepBench): void {
  console.log(`\nsweep, ${b.points} points (pattern generation, float reference, 60 iterations each), whole commands, ${b.workers1_s.length} alternating pairs, median:`);
  console.log(`  --workers 1 (one after another, one process) ${median(b.workers1_s).toFixed(1).padStart(6)} s`);
  console.log(`  --workers 2                                  ${median(b.workers2_s).toFixed(1).padStart(6)} s — ratio ${b.ratio.toFixed(2)} (target ≤ 0.6) — ${b.ratio <= 0.6 ? 'met' : 'MISSED'}${b.cores < 2 ? ` (this machine has ${b.cores} core: two workers cannot run at once)` : ''}`);
}
