// `phasecore sweep`, `sweep plan`, `sweep merge` and `plot` (issue 10): the axes and their points,
// results as rows (failures too), resuming without redoing, the same results whatever the worker
// count or shard, Slurm and Kubernetes job files that run the shards, and the merge of the shards
// equal to the sweep on one machine.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { runCli, SMALL_NETWORK, tempDir } from '../helpers.ts';
import { allPoints, deterministicPart, integerRange, parseSweep, pointCount, shardPoints, splitValues, ZIP, type Row, type SweepSpec } from '../../src/cli/sweep-spec.ts';
import { loadInputs, type ParseCache } from '../../src/cli/load.ts';
import { differingPart } from '../../src/cli/plot.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin', 'phasecore.js');

const run = runCli;

const SMALL = `
${SMALL_NETWORK}
learn l : eprop { feedback = random { B ~ normal(0, 1) }; optimizer = sgd(lr = 1e-3) }
task s : pattern_generation { duration = 60 ms; channels = 10 }
train { network = n; learn = l; task = s; iterations = 2 }
`;

function small(): { dir: string; file: string } {
  const dir = tempDir('phasecore-sweep-');
  writeFileSync(join(dir, 'small.snn'), SMALL);
  return { dir, file: join(dir, 'small.snn') };
}

const rowsOf = (dir: string): Row[] => (JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as { rows: Row[] }).rows;
const sameResults = (a: readonly Row[], b: readonly Row[]) => expect(a.map(deterministicPart)).toEqual(b.map(deterministicPart));
const spec = (sets: string[], seeds?: string): SweepSpec => { const s = parseSweep(sets, seeds); if (typeof s === 'string') throw new Error(s); return s; };

describe('sweep axes and points', () => {
  it('splits values at top-level commas only, and reads whole-number ranges', () => {
    expect(splitValues('sign, mixed_precision(epsilon = 0.125, pulse = 0.75 uS),[1, 2]')).toEqual(['sign', 'mixed_precision(epsilon = 0.125, pulse = 0.75 uS)', '[1, 2]']);
    expect(splitValues('pcm { a = 1; b = "x,y" },ideal(levels = 16, g_max = 12 uS)')).toEqual(['pcm { a = 1; b = "x,y" }', 'ideal(levels = 16, g_max = 12 uS)']);
    expect(integerRange('2..5')).toEqual([2, 3, 4, 5]);
    expect(integerRange('3..1')).toEqual([3, 2, 1]);
    expect(integerRange('1ms..3ms')).toBeNull();
    expect(spec(['c.weight_bits=2..4 bit']).axes[0]!.values).toEqual(['2 bit', '3 bit', '4 bit']);
  });
  it('makes the cross product in a fixed order: first axis slowest, seeds fastest; a zipped axis adds no points', () => {
    const s = spec(['c.bits=2..3', 'l.update=sign,direct', `${ZIP}c.device=a,b`], '1,2');
    expect(pointCount(s)).toBe(8);
    const ps = allPoints(s);
    expect(ps.map((p) => `${p.values.join('/')}#${p.seed}`)).toEqual([
      '2/sign/a#1', '2/sign/a#2', '2/direct/b#1', '2/direct/b#2', '3/sign/a#1', '3/sign/a#2', '3/direct/b#1', '3/direct/b#2',
    ]);
    expect(ps.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
  it('refuses malformed axes with a usage message', () => {
    expect(parseSweep(['c.bits'], undefined)).toMatch(/sweep --set takes/);
    expect(parseSweep(['c.bits=1,,2'], undefined)).toMatch(/value 2 is empty/);
    expect(parseSweep(['c.bits=1,2', 'c.bits=3'], undefined)).toMatch(/swept twice/);
    expect(parseSweep(['c.bits=1,2'], '1..x')).toMatch(/--seeds takes/);
    expect(parseSweep([`${ZIP}c.x=1`], undefined)).toMatch(/goes with the --set before it/);
    expect(parseSweep(['c.bits=1,2', `${ZIP}c.x=1,2,3`], undefined)).toMatch(/has 3 values and c\.bits/);
  });
  it('shards partition the points: each in exactly one shard, whatever N', () => {
    const ps = allPoints(spec(['a.b=1..7'], '1..3'));
    for (const n of [1, 2, 3, 5, 21, 30]) {
      const seen = Array.from({ length: n }, (_, i) => shardPoints(ps, { index: i, count: n }).map((p) => p.index)).flat().sort((a, b) => a - b);
      expect(seen).toEqual(ps.map((p) => p.index));
    }
  });
});

describe('plot labels', () => {
  it('show the part of a value that differs when the rest is shared', () => {
    const v = ['pcm { profile = demirag2021; drift_compensation = off; refresh = threshold(g_high = 9 uS, min_diff = 2.25 uS) }', 'pcm { profile = demirag2021; drift_compensation = on; refresh = threshold(g_high = 9 uS, min_diff = 2.25 uS) }'];
    expect(v.map(differingPart(v))).toEqual(['drift_compensation = off', 'drift_compensation = on']);
    expect(['sgd(lr = 1e-3)', 'sgd(lr = 3e-3)'].map(differingPart(['sgd(lr = 1e-3)', 'sgd(lr = 3e-3)']))).toEqual(['lr = 1e-3', 'lr = 3e-3']);
    expect(['a', 'b'].map(differingPart(['a', 'b']))).toEqual(['a', 'b']);
  });
});

describe('overrides go into the parsed tree', () => {
  it('checks a file parsed once with each set of overrides (the file is not read again)', () => {
    const { file } = small();
    const parsed: ParseCache = new Map();
    const a = loadInputs([file], { set: ['train.iterations=4'], parsed });
    writeFileSync(file, 'this is not a .snn file any more');
    const b = loadInputs([file], { set: ['rec.v_th=0.09', 'train.iterations=5'], parsed });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.diagnostics).toEqual([]);
    expect(b.diagnostics).toEqual([]);
    const its = (l: typeof a) => [...l.result.programs.values()][0]!.runs[0]!.params.params.iterations;
    expect(its(a)).toMatchObject({ value: 4 });
    expect(its(b)).toMatchObject({ value: 5 });
    // Without the cache the file is read anew (and no longer parses).
    const c = loadInputs([file], { set: ['rec.v_th=0.09'] });
    expect(c.ok && c.diagnostics.some((d) => d.severity === 'error')).toBe(true);
  });
});

describe('phasecore sweep', () => {
  it('runs the cross product into a table, the same whatever the worker count, and resumes without redoing', async () => {
    const { dir, file } = small();
    const args = ['sweep', file, '--set', 'l.optimizer=sgd(lr = 1e-3),sgd(lr = 3e-3)', '--set', 'rec.v_th=0.04,0.06', '--seeds', '1..2', '--quiet'];
    const one = await run(...args, '--workers', '1', '--out', join(dir, 'one'));
    expect(one.code, one.err).toBe(0);
    expect(one.out).toMatch(/swept 8 of 8 points .*0 failed.*results\.csv/);
    const rows = rowsOf(join(dir, 'one'));
    expect(rows.map((r) => [r.values['l.optimizer'], r.values['rec.v_th'], r.seed])).toEqual([
      ['sgd(lr = 1e-3)', '0.04', 1], ['sgd(lr = 1e-3)', '0.04', 2], ['sgd(lr = 1e-3)', '0.06', 1], ['sgd(lr = 1e-3)', '0.06', 2],
      ['sgd(lr = 3e-3)', '0.04', 1], ['sgd(lr = 3e-3)', '0.04', 2], ['sgd(lr = 3e-3)', '0.06', 1], ['sgd(lr = 3e-3)', '0.06', 2],
    ]);
    expect(rows.every((r) => r.status === 'ok' && Number.isFinite(r.final_loss) && r.best_loss! <= r.final_loss!)).toBe(true);
    expect(rows.every((r) => r.manifest.overrides.length === 2 && Object.keys(r.manifest.inputs).some((k) => k.endsWith('small.snn')))).toBe(true);
    // Points that differ only in a value start from the same seed's streams; different seeds differ.
    expect(rows[0]!.final_loss).not.toBe(rows[1]!.final_loss);
    const csv = readFileSync(join(dir, 'one', 'results.csv'), 'utf8').split('\n');
    expect(csv[0]).toBe('index,l.optimizer,rec.v_th,seed,status,error_code,error,final_loss,best_loss,last10_loss,final_accuracy,best_accuracy,validation_loss,validation_error,test_loss,test_error,pulses,refreshes,saturations,cycles,energy_pj,energy_per_step_pj,steps,wall_s');
    expect(csv[1]).toMatch(/^0,sgd\(lr = 1e-3\),0\.04,1,ok,,,/);

    // Two worker threads: the same results.
    const two = await run(...args, '--workers', '2', '--out', join(dir, 'two'));
    expect(two.code, two.err).toBe(0);
    sameResults(rowsOf(join(dir, 'two')), rows);

    // Run again: nothing is redone.
    const points = join(dir, 'one', 'points');
    const before = readdirSync(points).map((n) => statSync(join(points, n)).mtimeMs);
    const again = await run(...args.filter((a) => a !== '--quiet'), '--workers', '1', '--out', join(dir, 'one'));
    expect(again.code).toBe(0);
    expect(again.err).toMatch(/8 points, 8 already done .*0 to run/);
    expect(readdirSync(points).map((n) => statSync(join(points, n)).mtimeMs)).toEqual(before);
    sameResults(rowsOf(join(dir, 'one')), rows);

    // Another sweep into the same directory is refused, and the directory is left as it was.
    const other = await run('sweep', file, '--set', 'rec.v_th=0.05', '--out', join(dir, 'one'), '--quiet');
    expect(other.code).toBe(1);
    expect(other.out).toMatch(/error SNN0009: .* holds another sweep's results \(axes l\.optimizer=sgd\(lr = 1e-3\),sgd\(lr = 3e-3\) rec\.v_th=0\.04,0\.06 there, rec\.v_th=0\.05 here; seeds 1,2 there, the block's here\)/);
    sameResults(rowsOf(join(dir, 'one')), rows);
    // So is a directory that is not a sweep's.
    mkdirSync(join(dir, 'mine')); writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep');
    const mine = await run('sweep', file, '--set', 'rec.v_th=0.05', '--out', join(dir, 'mine'), '--quiet');
    expect(mine.out).toMatch(/SNN0009: .* is not a sweep's directory/);
    expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
  }, 120_000);

  it('makes a failed point a row with its error, and goes on', async () => {
    const { dir, file } = small();
    const r = await run('sweep', file, '--set', 'l.optimizer=sgd(lr = 1e-3),sgd(lr = 1e300)', '--set', 'rec.v_th=0.05', '--workers', '1', '--out', join(dir, 's'), '--quiet');
    expect(r.code, r.err).toBe(0);
    const rows = rowsOf(join(dir, 's'));
    expect(rows.map((x) => x.status)).toEqual(['ok', 'failed']);
    expect(rows[1]).toMatchObject({ error_code: 'diverged' });
    expect(r.out).toMatch(/1 failed/);
    expect(r.out).toMatch(/point 1 \(l\.optimizer=sgd\(lr = 1e300\) rec\.v_th=0\.05 seed 0\) failed: diverged: the loss is not a finite number/);
    // A coded error at compile time is a row too: a core that cannot hold the network.
    const core = await run('sweep', join(ROOT, 'examples', 'pattern-generation.snn'), '--backend', 'core', '--set', 'pcm256.tile=16 x 16,256 x 256', '--iterations', '1', '--workers', '1', '--out', join(dir, 'c'), '--quiet', '--no-plots');
    expect(core.code, core.err).toBe(0);
    const crow = rowsOf(join(dir, 'c'));
    expect(crow[0]!.status).toBe('failed');
    expect(crow[0]!.error_code).toMatch(/^SNN\d{4}$/);
    expect(crow[0]!.error).toMatch(/pcm256\.snn:\d+:\d+: Network pattern needs at least 79 tiles/);
    expect(crow[1]).toMatchObject({ status: 'ok' });
    expect(crow[1]!.pulses).toBeGreaterThanOrEqual(0);
    expect(crow[1]!.cycles).toBeGreaterThan(0);
    expect(crow[1]!.energy_per_step_pj).toBeGreaterThan(0);
  }, 120_000);

  it('runs a file\'s run block at every point, on its core, with the core\'s counters in each row', async () => {
    const dir = tempDir('phasecore-sweep-run-');
    const file = join(dir, 'r.snn');
    writeFileSync(file, `import "${join(ROOT, 'examples', 'cores', 'pcm256.snn')}"\n${SMALL.replace(/learn l[^\n]*\n/, '').replace(/train \{[^\n]*\n/, 'run { network = n; core = pcm256; task = s; samples = 2 }\n')}`);
    const r = await run('sweep', file, '--set', 'pcm256.adc=4 bit,8 bit', '--workers', '1', '--out', join(dir, 's'), '--quiet');
    expect(r.code, r.err + r.out).toBe(0);
    const rows = rowsOf(join(dir, 's'));
    expect(rows.map((x) => [x.values['pcm256.adc'], x.status])).toEqual([['4 bit', 'ok'], ['8 bit', 'ok']]);
    for (const x of rows) {
      expect(x.steps).toBe(120); // 2 samples of 60 steps
      expect(x.cycles).toBeGreaterThan(0);
      expect(x.energy_per_step_pj).toBeGreaterThan(0);
      expect(x.final_loss).not.toBeNull(); // pattern generation has targets
    }
    // A 4-bit ADC costs less per conversion than an 8-bit one (NeuroSim's law).
    expect(rows[0]!.energy_pj!).toBeLessThan(rows[1]!.energy_pj!);
    expect((await run('sweep', file, '--set', 'pcm256.adc=4 bit,8 bit', '--iterations', '2', '--out', join(dir, 't'))).code).toBe(2);
  }, 60_000);

  it('stops an error in a swept value before anything runs, shown in the --set argument', async () => {
    const { dir, file } = small();
    const r = await run('sweep', file, '--set', 'rec.tau_m=20 ms,20 mV', '--out', join(dir, 's'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^--set#1:1:11: error SNN3001: `tau_m` must be a duration/m);
    expect(existsSync(join(dir, 's'))).toBe(false);
    expect((await run('sweep', file, '--set', 'rec.tau_m')).code).toBe(2);
  });

  it('resumes a sweep killed outright (SIGKILL) without redoing its finished points', async () => {
    const { dir, file } = small();
    const out = join(dir, 'k');
    // Sixteen points: while a loaded machine delays this test's polling, the sweep must not finish them all.
    const values = Array.from({ length: 16 }, (_, i) => (0.03 + 0.005 * i).toFixed(3));
    const args = [BIN, 'sweep', file, '--set', `rec.v_th=${values.join(',')}`, '--set', 'train.iterations=4', '--workers', '1', '--out', out, '--quiet', '--no-plots'];
    // Killed outright as a lost machine or a scheduler kills a job: the whole process group.
    const child = spawn(process.execPath, args, { stdio: 'ignore', env: { ...process.env, CI: 'true' }, detached: true });
    const points = join(out, 'points');
    const started = Date.now();
    while ((!existsSync(points) || readdirSync(points).filter((n) => n.endsWith('.json')).length < 2) && Date.now() - started < 60_000) await new Promise((ok) => setTimeout(ok, 20));
    process.kill(-(child.pid as number), 'SIGKILL');
    await new Promise((ok) => child.on('exit', ok));
    await new Promise((ok) => setTimeout(ok, 200)); // the group's other processes are gone too
    const kept = readdirSync(points).filter((n) => n.endsWith('.json'));
    expect(kept.length).toBeGreaterThanOrEqual(2);
    expect(kept.length).toBeLessThan(16);
    const before = kept.map((n) => readFileSync(join(points, n), 'utf8'));
    const again = spawnSync(process.execPath, args.filter((a) => a !== '--quiet'), { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toMatch(new RegExp(`16 points, ${kept.length} already done`));
    expect(kept.map((n) => readFileSync(join(points, n), 'utf8'))).toEqual(before);
    expect(rowsOf(out)).toHaveLength(16);
    // The same as a sweep that was never interrupted.
    const whole = spawnSync(process.execPath, [...args.slice(0, -6), '--workers', '2', '--out', join(dir, 'whole'), '--quiet', '--no-plots'], { encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);
    sameResults(rowsOf(out), rowsOf(join(dir, 'whole')));
  }, 120_000);
});

describe('phasecore sweep stopped by a signal', () => {
  it('on SIGINT abandons the running points, writes the table of the finished ones, exits 130, and resumes', async () => {
    const { dir, file } = small();
    const out = join(dir, 'i');
    const args = [BIN, 'sweep', file, '--set', 'rec.v_th=0.03,0.04,0.05,0.06,0.07,0.08,0.09,0.1', '--set', 'train.iterations=12', '--workers', '2', '--out', out, '--quiet', '--no-plots'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    const points = join(out, 'points');
    const started = Date.now();
    while ((!existsSync(points) || readdirSync(points).filter((n) => n.endsWith('.json')).length < 1) && Date.now() - started < 60_000) await new Promise((ok) => setTimeout(ok, 20));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((ok) => child.on('exit', (c) => ok(c)));
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping the sweep; finished points are kept/);
    const kept = rowsOf(out);
    expect(kept.length).toBeGreaterThanOrEqual(1);
    expect(kept.length).toBeLessThan(8);
    const again = spawnSync(process.execPath, args, { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(rowsOf(out)).toHaveLength(8);
  }, 120_000);
});

describe('phasecore sweep when a worker dies', () => {
  it('fails the point the worker ran, in its row, and carries on with a new worker', () => {
    const { dir, file } = small();
    const out = join(dir, 'c');
    const r = spawnSync(process.execPath, [BIN, 'sweep', file, '--set', 'rec.v_th=0.03,0.04,0.05,0.06', '--workers', '2', '--out', out, '--quiet', '--no-plots'], { encoding: 'utf8', env: { ...process.env, PHASECORE_TEST_WORKER_CRASH: '1' } });
    expect(r.status, r.stderr).toBe(0);
    const rows = rowsOf(out);
    expect(rows.map((x) => x.status)).toEqual(['ok', 'failed', 'ok', 'ok']);
    expect(rows[1]).toMatchObject({ error_code: 'internal' });
    expect(rows[1]!.error).toMatch(/the worker running it died: a test asked this worker to crash at point 1/);
  }, 60_000);
  it('refuses an --out that is a file, with a coded error', async () => {
    const { dir, file } = small();
    writeFileSync(join(dir, 'afile'), 'x');
    const r = await run('sweep', file, '--set', 'rec.v_th=0.03,0.04', '--out', join(dir, 'afile'), '--quiet');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error SNN0007: Cannot write the sweep into .*afile: it is a file/);
    const m = await run('sweep', 'merge', dir, '--out', join(dir, 'afile'));
    expect(m.code).toBe(1);
  });
});

describe('phasecore sweep on a cluster: plan, shards, merge', () => {
  it('writes a Slurm array job and a Kubernetes Indexed Job that run the shards; their merge is the sweep', async () => {
    const { dir, file } = small();
    const axes = ['--set', 'rec.v_th=0.04,0.05,0.06', '--seeds', '1,2'];
    const plan = await run('sweep', 'plan', file, ...axes, '--shards', '3', '--slurm', '--k8s', '--out', join(dir, 'jobs'), '--results', join(dir, 'res'), '--phasecore', `${process.execPath} ${BIN}`);
    expect(plan.code, plan.err).toBe(0);
    expect(plan.out).toMatch(/planned 6 points .* in 3 shards/);
    const script = join(dir, 'jobs', 'small.slurm.sh');
    const manifest = join(dir, 'jobs', 'small.k8s.yaml');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const text = readFileSync(script, 'utf8');
    expect(text).toMatch(/^#SBATCH --array=0-2$/m);
    expect(text).toMatch(/--shard "\$\{SLURM_ARRAY_TASK_ID\}\/3"/);

    // The manifest is a valid Kubernetes Indexed Job (the batch/v1 Job schema).
    const job = YAML.parse(readFileSync(manifest, 'utf8')) as Record<string, any>;
    expect(() => new Job(job).validate()).not.toThrow();
    expect(job.spec).toMatchObject({ completionMode: 'Indexed', completions: 3 });
    const command = job.spec.template.spec.containers[0].command as string[];
    expect(command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(command[2]).toMatch(/--shard "\$JOB_COMPLETION_INDEX\/3"/);
    // A broken manifest fails the same validation (the check can fail).
    expect(() => new Job({ ...job, spec: { ...job.spec, completions: 'three' } }).validate()).toThrow();

    // Every shard as its own process, with the index in the variable each engine sets.
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('bash', [script], { env: { ...process.env, SLURM_ARRAY_TASK_ID: String(i), SLURM_CPUS_PER_TASK: '1' }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    // The pods' command, in the directory that stands for the volume, `phasecore` on the PATH.
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'phasecore'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`, { mode: 0o755 });
    const k8sCommand = (command[2] as string).replace(`exec ${process.execPath} ${BIN} `, 'exec phasecore ');
    for (let i = 0; i < 3; i++) {
      const r = spawnSync('sh', ['-c', k8sCommand.replace(/--out "[^"]*"/, `--out "${join(dir, 'pods')}/shard-$JOB_COMPLETION_INDEX"`)], { cwd: process.cwd(), env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, JOB_COMPLETION_INDEX: String(i) }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
    }
    const shards = [0, 1, 2].map((i) => join(dir, 'res', `shard-${i}`));
    const pods = [0, 1, 2].map((i) => join(dir, 'pods', `shard-${i}`));
    expect(shards.map((d) => rowsOf(d).map((r) => r.index))).toEqual([[0, 3], [1, 4], [2, 5]]);

    // The merge equals the sweep run on one machine.
    const single = await run('sweep', file, ...axes, '--workers', '2', '--out', join(dir, 'single'), '--quiet');
    expect(single.code, single.err).toBe(0);
    const merged = await run('sweep', 'merge', ...shards, '--out', join(dir, 'merged'));
    expect(merged.code, merged.err).toBe(0);
    expect(merged.out).toMatch(/merged 6 of 6 points from 3 directories/);
    sameResults(rowsOf(join(dir, 'merged')), rowsOf(join(dir, 'single')));
    const strip = (csv: string) => csv.split('\n').map((l) => l.replace(/,[^,]*$/, '')).join('\n'); // all but wall_s
    expect(strip(readFileSync(join(dir, 'merged', 'results.csv'), 'utf8'))).toBe(strip(readFileSync(join(dir, 'single', 'results.csv'), 'utf8')));
    const mergedPods = await run('sweep', 'merge', ...pods, '--out', join(dir, 'merged-pods'), '--no-plots');
    expect(mergedPods.code, mergedPods.err).toBe(0);
    sameResults(rowsOf(join(dir, 'merged-pods')), rowsOf(join(dir, 'single')));

    // A plan checks the sweep as sweep does: a typo in the file, a value or an option writes nothing.
    const typo = await run('sweep', 'plan', file, '--set', 'rec.tua_m=1 ms,2 ms', '--shards', '2', '--slurm', '--out', join(dir, 'typo'));
    expect(typo.code).toBe(1);
    expect(typo.out).toMatch(/SNN2007: 'tua_m' is not a parameter/);
    expect((await run('sweep', 'plan', file, ...axes, '--backend', 'refrence', '--slurm', '--out', join(dir, 'typo'))).code).toBe(2);
    expect((await run('sweep', 'plan', file, ...axes, '--slurm', '--results', 'res dir', '--out', join(dir, 'typo'))).code).toBe(2);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
    expect(text).toMatch(/^#SBATCH --chdir=\//m);
    expect(text).toMatch(/^#SBATCH --output=\/.*\/slurm-%A_%a\.log$/m);

    // Missing shards are named; shards of another sweep are refused.
    const partial = await run('sweep', 'merge', shards[0]!, shards[2]!, '--out', join(dir, 'partial'), '--no-plots');
    expect(partial.code).toBe(1);
    expect(partial.err).toMatch(/2 points are missing \(of shard 1\)/);
    const otherPlan = await run('sweep', file, '--set', 'rec.v_th=0.04,0.05', '--shard', '0/3', '--out', join(dir, 'other'), '--quiet', '--no-plots');
    expect(otherPlan.code).toBe(0);
    const mixed = await run('sweep', 'merge', shards[0]!, join(dir, 'other'), '--out', join(dir, 'mixed'));
    expect(mixed.code).toBe(1);
    expect(mixed.out).toMatch(/SNN0009: .*other is a shard of another sweep/);
    expect(existsSync(join(dir, 'mixed'))).toBe(false);
  }, 180_000);
});

describe('phasecore plot', () => {
  it('redraws a sweep directory\'s plots as PNG, SVG and Vega-Lite spec', async () => {
    const { dir, file } = small();
    const s = await run('sweep', file, '--set', 'rec.v_th=0.04,0.06', '--seeds', '1,2', '--workers', '1', '--out', join(dir, 's'), '--quiet', '--no-plots');
    expect(s.code).toBe(0);
    expect(existsSync(join(dir, 's', 'plots'))).toBe(false);
    const p = await run('plot', join(dir, 's'));
    expect(p.code, p.err).toBe(0);
    expect(p.out).toMatch(/drew 2 plots of 4 points/);
    for (const name of ['final_loss', 'curves']) {
      const png = readFileSync(join(dir, 's', 'plots', `${name}.png`));
      expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
      expect(png.readUInt32BE(16)).toBeGreaterThan(600); // width, zoomed twice
      const svg = readFileSync(join(dir, 's', 'plots', `${name}.svg`), 'utf8');
      expect(svg).toMatch(/<svg/);
      // Axis titles with their meaning.
      expect(svg).toMatch(name === 'curves' ? /iteration/ : /rec\.v_th/);
    }
    const nope = await run('plot', dir);
    expect(nope.code).toBe(1);
    expect(nope.out).toMatch(/SNN0010/);
  }, 60_000);
});
