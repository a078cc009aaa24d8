import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, readdirSync, chmodSync, mkdirSync, existsSync, symlinkSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, SMALL_NETWORK, tempDir } from '../helpers.ts';
import { decodeNpy, encodeNpy } from '../../src/data/npy.ts';
import { commandTrain, PROGRESS_EVERY_MS, trainingWarnings } from '../../src/cli/train.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const run = runCli;

const tmp = () => tempDir('phasecore-cli-');

const SMALL = `
${SMALL_NETWORK}
learn l : eprop { feedback = random { B ~ normal(0, 1) } }
task s : pattern_generation { duration = 100 ms; channels = 10 }
train { network = n; learn = l; task = s; iterations = 3 }
`;

describe('phasecore check', () => {
  it('exits 0 on the examples', async () => {
    const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.snn')).map((f) => join(ROOT, 'examples', f));
    const r = await run('check', ...files);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 errors/);
  });
  it('exits 1 with file:line:col, code and caret on a user error', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.snn'), 'network n {\n  dt = 1 mV\n}\n');
    const r = await run('check', join(dir, 'bad.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad\.snn:2:8: error SNN3001: `dt` must be a duration such as `20 ms`; found `1 mV`, which is a voltage\.\n2 \|   dt = 1 mV\n  \|        \^\^\^\^/);
  });
  it('prints the editor protocol shape with --json', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.snn'), 'core c {\n  clock = 5 ms\n}\n');
    const r = await run('check', '--json', join(dir, 'bad.snn'));
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { diagnostics: Array<Record<string, unknown>> };
    expect(j.diagnostics).toHaveLength(1);
    expect(j.diagnostics[0]).toMatchObject({ range: { start: { line: 1, character: 10 }, end: { line: 1, character: 14 } }, severity: 'error', code: 'SNN3001' });
    expect(String(j.diagnostics[0]!.file)).toMatch(/bad\.snn$/);
  });
  it('reports a missing file as a user error', async () => {
    const r = await run('check', '/nonexistent/x.snn');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/SNN0005/);
  });
  it('exits 2 on a usage error', async () => {
    expect((await run('check')).code).toBe(2);
    expect((await run('frobnicate')).code).toBe(2);
    expect((await run('fmt', '--check', '--write', 'x.snn')).code).toBe(2);
  });
});

describe('phasecore fmt', () => {
  it('reports a directory or a missing file with a code, not the system\'s words', async () => {
    const dir = tmp();
    const r = await run('fmt', dir, join(dir, 'nope.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error SNN0005: Cannot read .*: it is a directory\./);
    expect(r.out).toMatch(/error SNN0005: Cannot read .*nope\.snn: it does not exist\./);
  });
  it('--check passes on the examples', async () => {
    const r = await run('fmt', '--check', join(ROOT, 'examples', 'pattern-generation.snn'), join(ROOT, 'examples', 'cores', 'pcm256.snn'));
    expect(r.code).toBe(0);
  });
  it('--check fails on an unformatted file and changes nothing', async () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'const  N=1\n');
    const r = await run('fmt', '--check', f);
    expect(r.code).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe('const  N=1\n');
  });
  it('--write rewrites in place, keeps the mode, and leaves no temporary file', async () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'const  N=1 // keep me\n');
    chmodSync(f, 0o640);
    expect((await run('fmt', '--write', f)).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('const N = 1 // keep me\n');
    expect(readdirSync(dir)).toEqual(['a.snn']);
  });
  it('takes --set: prints or rewrites the file with the parameter set, only in that file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const shown = await run('fmt', join(dir, 't.snn'), '--set', 'rec.v_th=0.07');
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/population rec\[12\] : LIF \{ v_th = 0\.07 \}/);
    expect(readFileSync(join(dir, 't.snn'), 'utf8')).toBe(SMALL);
    expect((await run('fmt', '--write', join(dir, 't.snn'), '--set', 'rec.v_th=0.07')).code).toBe(0);
    expect(readFileSync(join(dir, 't.snn'), 'utf8')).toMatch(/v_th = 0\.07/);
    expect((await run('fmt', '--check', join(dir, 't.snn'), '--set', 'rec.v_th=0.07')).code).toBe(2);
    expect((await run('fmt', join(dir, 't.snn'), '--set', 'rec.v_th=0.07; x = 1')).code).toBe(1);
    // An override that leaves the file invalid is not written.
    const before = readFileSync(join(dir, 't.snn'), 'utf8');
    const bad = await run('fmt', '--write', join(dir, 't.snn'), '--set', 'rec.tau_m=30');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^--set#1:1:11: error SNN3001: .*\n[\s\S]*not written: the override leaves errors/m);
    expect(readFileSync(join(dir, 't.snn'), 'utf8')).toBe(before);
  });
  it('keeps every comment where it was when an override adds a parameter, or a value with a body', async () => {
    const dir = tmp();
    const f = join(dir, 'c.snn');
    const text = `// top
network n {
  // inside n
  input in[2]
  population rec[3] : LIF
  readout out[1] : LI
  in -> rec : dense
  rec -> out : dense
}

// the learning rule
learn l : eprop {}

// the task
task s : pattern_generation {
  duration = 10 ms
  channels = 2
}
train {
  network = n
  learn = l
  task = s
} // trailing
`;
    writeFileSync(f, text);
    const added = await run('fmt', f, '--set', 'n.dt=2 ms');
    expect(added.code, added.out).toBe(0);
    expect(`${added.out}\n`).toBe(text.replace('network n {\n', 'network n {\n  dt = 2 ms\n'));
    const seeded = await run('fmt', f, '--set', 'train.seed=3');
    expect(`${seeded.out}\n`).toBe(text.replace('train {\n', 'train {\n  seed = 3\n'));
    const body = await run('fmt', f, '--set', 'l.optimizer=adam { lr = 1e-3; beta1 = 0.8; beta2 = 0.99 }');
    expect(body.code, body.out).toBe(0);
    expect(body.out).toMatch(/\/\/ the learning rule\nlearn l : eprop \{\n  optimizer = adam \{/);
    expect(body.out.match(/\/\/ /g)?.length).toBe(5);
    expect(body.out).toMatch(/\/\/ the task\ntask s/);
  });
  it('does not touch a file with syntax errors', async () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'network n {\n');
    const r = await run('fmt', '--write', f);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/SNN1010/);
    expect(readFileSync(f, 'utf8')).toBe('network n {\n');
  });
});

describe('phasecore train', () => {
    it('prints one JSON object with per-iteration metrics', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const r = await run('train', join(dir, 't.snn'), '--json', '--iterations', '4', '--seed', '9');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { backend: string; seed: number; iterations: Array<{ iteration: number; loss: number; rate_hz: number }>; final: { loss: number } };
    expect(j.backend).toBe('reference');
    expect(j.seed).toBe(9);
    expect(j.iterations.map((m) => m.iteration)).toEqual([0, 1, 2, 3]);
    expect(j.final.loss).toBe(j.iterations[3]!.loss);
  });
  it('writes weights, metrics and a manifest with --out, and takes --set overrides', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const out = join(dir, 'run');
    const r = await run('train', join(dir, 't.snn'), '--out', out, '--set', 'rec.tau_m=25ms', '--set', 'train.iterations=2');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['feedback_B.npy', 'manifest.json', 'metrics.csv', 'metrics.json', 'w_in_rec.npy', 'w_rec_out.npy', 'w_rec_rec.npy']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { seed: number; iterations: number; overrides: string[] };
    expect(manifest).toMatchObject({ seed: 0, iterations: 2, overrides: ['rec.tau_m=25ms', 'train.iterations=2'] });
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toBe('iteration,loss,accuracy,rate_hz,validation_loss,validation_error,rate_hz_rec');
  });
  it('never writes over an input, refuses a non-empty --out, and with --force replaces a previous run as a whole (issue 7)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL.replace('rec -> out : dense', 'rec -> out : dense { w = load("w_rec_out.npy") }'));
    const w = encodeNpy('float32', [12, 1], new Float32Array(12).fill(0.1));
    writeFileSync(join(dir, 'w_rec_out.npy'), w);
    // --out . beside the inputs: refused, the input untouched.
    const here = await run('train', join(dir, 't.snn'), '--out', dir, '--force');
    expect(here.code).toBe(1);
    expect(here.out).toMatch(/error SNN0007: --out .* holds an input of this run \(.*t\.snn\)/);
    expect(readFileSync(join(dir, 'w_rec_out.npy')).equals(Buffer.from(w))).toBe(true);
    // A non-empty directory that is not a run: refused, even with --force.
    const mine = join(dir, 'mine');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.txt'), 'keep me');
    expect((await run('train', join(dir, 't.snn'), '--out', mine)).out).toMatch(/is not empty \(1 entry\); write a run into a new directory, or give --force/);
    expect((await run('train', join(dir, 't.snn'), '--out', mine, '--force')).out).toMatch(/is not a previous run's directory/);
    expect(readFileSync(join(mine, 'notes.txt'), 'utf8')).toBe('keep me');
    // A run, then a second one over it with --force: no stale file of the first remains.
    const out = join(dir, 'run');
    expect((await run('train', join(dir, 't.snn'), '--out', out, '--iterations', '1')).code).toBe(0);
    writeFileSync(join(out, 'stale.npy'), 'old');
    expect((await run('train', join(dir, 't.snn'), '--out', out, '--iterations', '1')).code).toBe(1);
    expect((await run('train', join(dir, 't.snn'), '--out', out, '--iterations', '2', '--force')).code).toBe(0);
    expect(readdirSync(out)).not.toContain('stale.npy');
    expect(readdirSync(dir).sort()).toEqual(['mine', 'run', 't.snn', 'w_rec_out.npy']); // no .partial or .old left
    // A user's directory where the run would be staged is never removed.
    mkdirSync(join(dir, 'other.partial'));
    writeFileSync(join(dir, 'other.partial', 'x'), 'mine');
    expect((await run('train', join(dir, 't.snn'), '--out', join(dir, 'other'))).out).toMatch(/other\.partial is in the way/);
    expect(readFileSync(join(dir, 'other.partial', 'x'), 'utf8')).toBe('mine');
    // The manifest hashes every input, the .npy too.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { inputs: Record<string, string>; status: string; iterations_done: number };
    expect(Object.keys(manifest.inputs).map((k) => k.replace(/^.*\//, '')).sort()).toEqual(['t.snn', 'w_rec_out.npy']);
    expect(readdirSync(dir)).not.toContain('other');
    expect(manifest.inputs[join(dir, 'w_rec_out.npy')]).toBe(createHash('sha256').update(w).digest('hex'));
    expect(manifest).toMatchObject({ status: 'complete', iterations_done: 2 });
  });
  it('never writes over an input reached through a symbolic link, nor over a run still being written', async () => {
    const dir = tmp();
    const first = join(dir, 'run1');
    writeFileSync(join(dir, 't.snn'), SMALL);
    expect((await run('train', join(dir, 't.snn'), '--out', first, '--iterations', '1')).code).toBe(0);
    symlinkSync(first, join(dir, 'latest'));
    writeFileSync(join(dir, 'c.snn'), SMALL.replace('rec -> out : dense', 'rec -> out : dense { w = load("latest/w_rec_out.npy") }'));
    const over = await run('train', join(dir, 'c.snn'), '--out', first, '--force', '--iterations', '1');
    expect(over.code).toBe(1);
    expect(over.out).toMatch(/holds an input of this run \(.*latest\/w_rec_out\.npy\)/);
    // A staging directory whose run is alive (this process) is not taken over.
    const busy = join(dir, 'busy');
    mkdirSync(`${busy}.partial`);
    writeFileSync(join(`${busy}.partial`, 'manifest.json'), JSON.stringify({ phasecore: 'x', status: 'running', pid: process.ppid }));
    expect((await run('train', join(dir, 't.snn'), '--out', busy)).out).toMatch(new RegExp(`Another run \\(process ${process.ppid}\\) is writing to --out`));
    // One whose process is gone was killed: replaced.
    writeFileSync(join(`${busy}.partial`, 'manifest.json'), JSON.stringify({ phasecore: 'x', status: 'running', pid: 2 ** 22 + 12345 }));
    expect((await run('train', join(dir, 't.snn'), '--out', busy, '--iterations', '1')).code).toBe(0);
  });
  it('a budget raised past what the machine can allocate is a coded error, not an internal one', async () => {
    const dir = tmp();
    // 70 000² recurrent weights: more elements than a typed array may hold, on any machine.
    writeFileSync(join(dir, 't.snn'), SMALL.replace('population rec[12]', 'population rec[70000]'));
    const r = await run('train', join(dir, 't.snn'), '--max-memory', '1000TiB', '--iterations', '1');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error SNN4022: The machine could not give this train block the memory its state needs/);
  });
  it('--set on a file that cannot be read says it cannot be read', async () => {
    const r = await run('check', join(tmp(), 'none.snn'), '--set', 'rec.tau_m=30ms');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error SNN0005: Cannot read .*none\.snn: it does not exist/);
  });
  it('records the probes of the float reference as .npy (time × neurons) with their times', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL.replace('iterations = 3 }', 'iterations = 2; probe spikes(rec); probe v(rec[0:4], out) { every = 5 ms; start = 10 ms; stop = 50 ms }; probe trace(rec) }'));
    const r = await run('train', join(dir, 't.snn'), '--out', join(dir, 'run'));
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/note: the float reference does not record probe trace/);
    const read = (f: string) => { const x = decodeNpy(readFileSync(join(dir, 'run', f))); if (!x.ok) throw new Error(x.reason); return x.array; };
    const spikes = read('probe_spikes_rec.npy');
    expect(spikes.shape).toEqual([100, 12]); // 100 ms at dt = 1 ms, every neuron of rec
    expect([...spikes.data].every((v) => v === 0 || v === 1)).toBe(true);
    expect(read('probe_spikes_rec_times.npy').data[99]).toBeCloseTo(0.099, 12);
    const v = read('probe_v_rec_0_4+out.npy');
    expect(v.shape).toEqual([9, 5]); // 10, 15, …, 50 ms; rec[0:4] and the readout
    expect([...read('probe_v_rec_0_4+out_times.npy').data].map((t) => Math.round(t * 1000))).toEqual([10, 15, 20, 25, 30, 35, 40, 45, 50]);
  });
  it('stops on SIGTERM after the current iteration, writing what exists (exit 143)', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL.replace('iterations = 3', 'iterations = 100000'));
    const out = join(dir, 'run');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'phasecore.js'), 'train', join(dir, 't.snn'), '--out', out, '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    // Metrics arrive as they come: wait for a few rows in the run's staging directory, then stop it.
    const csv = `${out}.partial/metrics.csv`;
    for (let i = 0; i < 600 && !(existsSync(csv) && readFileSync(csv, 'utf8').split('\n').length > 4); i++) await new Promise((d) => setTimeout(d, 50));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((d) => child.on('exit', (c) => d(c)));
    expect(code).toBe(143);
    expect(stdout).toMatch(/trained n for \d+ of 100000 iterations \(stopped by SIGTERM; seed 0, reference\): loss/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { status: string; iterations_done: number };
    expect(manifest.status).toBe('interrupted');
    const rows = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n').length - 1;
    expect(rows).toBe(manifest.iterations_done);
    expect(readdirSync(out)).toContain('w_rec_out.npy');
  }, 60_000);
  it('every command that reads a .snn takes --set and --max-memory (issue 7)', async () => {
    const file = join(ROOT, 'examples', 'multi-tile.snn');
    const base = await run('compile', file);
    expect(base.out).toMatch(/12 of 16 tiles/);
    const fewer = await run('compile', file, '--set', 'small.tiles=8');
    expect(fewer.code).toBe(1);
    expect(fewer.out).toMatch(/error SNN5001: Network .* needs 12 tiles of 256 x 256; the core has 8/);
    const bad = await run('check', file, '--set', 'rec.tau_m=20 mV');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/^--set#1:1:11: error SNN3001: `tau_m` must be a duration/m);
    expect((await run('check', file, '--set', 'rec.tau_m=25 ms')).code).toBe(0);
    expect((await run('check', file, file, '--set', 'rec.tau_m=25 ms')).code).toBe(2);
    const tight = await run('check', file, '--max-memory', '1MB');
    expect(tight.code).toBe(1);
    expect(tight.out).toMatch(/error SNN4020: This run block needs about .* more than the memory budget of 977 KiB/);
    expect((await run('check', file, '--max-memory', 'lots')).code).toBe(2);
  });
  it('prints progress lines when stderr is not a terminal, and none with --quiet', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const lines: string[] = [];
    const io = { out: () => {}, err: (s: string) => lines.push(s), version: 't', signals: [] as NodeJS.Signals[] };
    const now = Date.now;
    let clock = now();
    Date.now = () => (clock += PROGRESS_EVERY_MS); // every iteration looks 10 s long
    try {
      expect(await commandTrain(join(dir, 't.snn'), { iterations: '3' }, { ...io, progress: 'lines' })).toBe(0);
      expect(lines.filter((l) => l.startsWith('iteration '))).toEqual([expect.stringMatching(/^iteration 1\/3 loss \S+ [\d.]+ Hz, ETA \d+ s$/), expect.stringMatching(/^iteration 2\/3 /)]);
      lines.length = 0;
      expect(await commandTrain(join(dir, 't.snn'), { iterations: '3' }, { ...io, progress: 'none' })).toBe(0);
      expect(lines.filter((l) => l.startsWith('iteration '))).toEqual([]);
    } finally {
      Date.now = now;
    }
  });
  it('warns about a saturated population and a rising loss, and says what the summary figures are', async () => {
    const dir = tmp();
    // Strong input and recurrence: rec fires in most steps.
    writeFileSync(join(dir, 't.snn'), SMALL.replace('w ~ normal(0, 0.3) }\n  rec -> rec', 'w = 2 }\n  rec -> rec'));
    const r = await run('train', join(dir, 't.snn'), '--iterations', '10');
    expect(r.code).toBe(0);
    expect(r.err).toMatch(/warning: population rec fires at [\d.]+ Hz over the last 5 iterations, \d+% of the 1000 Hz it can reach: it is saturated/);
    expect(r.out).toMatch(/^trained n for 10 iterations \(seed 0, reference\): loss \S+ \(first iteration\) → \S+ \(last\), [\d.]+ Hz$/m);
    const rising = trainingWarnings({ network: { populations: [], dt: 1e-3 } } as never, Array.from({ length: 20 }, (_, i) => ({ iteration: i, loss: i, rate_hz: 0, population_hz: {} })));
    expect(rising).toEqual([expect.stringMatching(/^the loss rose: its mean over the last 5 iterations \(17\.00\) is above that over the first 5 \(2\.000\)/)]);
  });
  it('refuses an output path it cannot write before training, with a coded error', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    writeFileSync(join(dir, 'taken'), 'mine');
    const r = await run('train', join(dir, 't.snn'), '--out', join(dir, 'taken'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/taken: error SNN0007: Cannot write into .*taken: it is a file, not a directory\./);
    expect(r.out).not.toMatch(/trained/);
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine');
    const c = await run('compile', join(ROOT, 'examples', 'pattern-generation.snn'), '-o', join(dir, 'no', 'such', 'p.pcx'));
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/p\.pcx: error SNN0007: Cannot write .*: its directory does not exist\./);
  });
  it('writes the trained intrinsic parameters with --out, in SI units', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL.replace('population rec[12] : LIF { v_th = 0.05 }', 'population rec[12] : LIF { v_th = 0.05; trainable = [tau_m] }')
      .replace('learn l : eprop { feedback = random { B ~ normal(0, 1) } }', 'learn l : bptt { optimizer = adam(lr = 0.1) }'));
    const out = join(dir, 'run');
    expect((await run('train', join(dir, 't.snn'), '--out', out, '--iterations', '3')).code).toBe(0);
    const tau = decodeNpy(readFileSync(join(out, 'rec_tau_m.npy')));
    expect(tau.ok && tau.array.shape).toEqual([12]);
    if (tau.ok) {
      for (const v of tau.array.data) expect(v).toBeGreaterThan(0.015); // seconds, near the 20 ms default
      expect(tau.array.data.some((v) => Math.abs(v - 0.02) > 1e-6)).toBe(true); // and trained
    }
  });
  it('places override diagnostics in the --set argument and keeps the file\'s own positions', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), `${SMALL}const unused = 3 mV + 1 ms\n`);
    const r = await run('train', join(dir, 't.snn'), '--set', 'rec.tau_mm=5ms', '--set', 'train.iterations=2');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/--set#1:1:5: error SNN2007: 'tau_mm' is not a parameter of population rec/);
    expect(r.out).toMatch(/1 \| rec\.tau_mm=5ms\n {2}\| {5}\^{6}/);
    // A diagnostic elsewhere in the file keeps its line and column although the text was rewritten.
    expect(r.out).toMatch(/t\.snn:13:16: error SNN3002/);
    // On the line the override rewrote, too: the column is the one in the user's file.
    const line = '  population rec[12] : LIF { v_th = 5 mV }';
    writeFileSync(join(dir, 'v.snn'), SMALL.replace('  population rec[12] : LIF { v_th = 0.05 }', line));
    const v = await run('train', join(dir, 'v.snn'), '--set', 'rec.tau_m=25ms');
    expect(v.out).toContain(`v.snn:4:${line.indexOf('5 mV') + 1}: error SNN3001`);
    expect(v.out).toContain(`4 | ${line}`);
    const paren = await run('train', join(dir, 't.snn'), '--set', 'rec.tau_m=(');
    expect(paren.out).toMatch(/--set#1:1:11: error SNN1011: '\(' is not a value for rec\.tau_m/);
    expect(paren.out).not.toMatch(/t\.snn/);
  });
  it('overrides a distribution with ~ and a block in an imported file', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'core.snn'), 'core c { tiles = 8 }\n');
    writeFileSync(join(dir, 't.snn'), `import "core.snn"\n${SMALL.replace('v_th = 0.05', 'v_th = 0.05; tau_m ~ normal(20 ms, 1 ms)')}`);
    expect((await run('train', join(dir, 't.snn'), '--set', 'rec.tau_m~uniform(15 ms, 25 ms)', '--set', 'train.iterations=1')).code).toBe(0);
    const bad = await run('train', join(dir, 't.snn'), '--set', 'c.tiles=0', '--set', 'train.iterations=1');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--set#1:1:9: error SNN3004: `tiles` must be between 1 and 4096; found 0\./);
  });
  it('with --json, a failure is one JSON object of diagnostics on stdout', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    for (const args of [['train', join(dir, 't.snn'), '--json', '--set', 'rec.tau_m=25'], ['compile', join(dir, 't.snn'), '--json']]) {
      const r = await run(...args);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.out) as { diagnostics: Array<{ code: string; range: { start: { line: number } } }> };
      expect(j.diagnostics.map((d) => d.code)).toEqual([args[0] === 'train' ? 'SNN3001' : 'SNN5004']);
      expect(r.err).toMatch(/error SNN/);
    }
  });
  it('reports a bad override as a diagnostic, and usage errors with exit 2', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const bad = await run('train', join(dir, 't.snn'), '--set', 'rec.tau_m=25');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/SNN3001/);
    expect((await run('train', join(dir, 't.snn'), '--set', 'nope.tau_m=2ms')).out).toMatch(/no block, population or readout named 'nope'/);
    expect((await run('train', join(dir, 't.snn'), '--set', 'garbage')).code).toBe(2);
    expect((await run('train', join(dir, 't.snn'), '--iterations', 'x')).code).toBe(2);
    const noCore = await run('train', join(dir, 't.snn'), '--backend', 'core');
    expect(noCore.code).toBe(1);
    expect(noCore.out).toMatch(/names no core to compile for/);
    expect((await run('train', join(dir, 't.snn'), '--backend', 'gpu')).code).toBe(2);
  });
});

describe('phasecore compile', () => {
  it('writes a program, prints a report, and gives the JSON keys', async () => {
    const dir = tmp();
    const out = join(dir, 'p.pcx');
    const r = await run('compile', join(ROOT, 'examples', 'multi-tile.snn'), '-o', out, '--report');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Tiles: 12 of 16 on core small/);
    expect(r.out).toMatch(/Cycles per step/);
    expect(readFileSync(out).subarray(0, 3).toString()).toBe('PCX');
    const j = await run('compile', join(ROOT, 'examples', 'pattern-generation.snn'), '--json');
    expect(Object.keys(JSON.parse(j.out) as object)).toEqual(['precision', 'ranges', 'tiles', 'cycles_per_step', 'diagnostics']);
  });
  it('asks for a core, or a block, with a coded diagnostic at the block', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const r = await run('compile', join(dir, 't.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/t\.snn:12:1: error SNN5004: The train block names no core to compile for/);
    expect(r.out).toMatch(/\n12 \| train \{/);
    expect((await run('compile', join(ROOT, 'examples', 'multi-tile.snn'), '--core', 'smal')).out).toMatch(/SNN5004: There is no core named 'smal'\. Did you mean 'small'\?/);
    writeFileSync(join(dir, 'c.snn'), 'const x = 1\n');
    for (const cmd of ['compile', 'train']) {
      const none = await run(cmd, join(dir, 'c.snn'));
      expect(none.code).toBe(1);
      expect(none.out).toMatch(/c\.snn:1:1: error SNN4016: The file has no (run or )?train block/);
    }
    // One run block beside a train block is the one `compile` and `run` mean; two of a kind need --block.
    const blocks = (runs: string) => `${SMALL.replace('train {', 'core k { tiles = 2 }\ntrain fit {').replace('task = s; iterations = 3', 'task = s; core = k; iterations = 3')}${runs}`;
    writeFileSync(join(dir, 'two.snn'), blocks('run once { network = n; core = k; task = s; samples = 1 }\n'));
    const both = await run('compile', join(dir, 'two.snn'), '--json');
    expect(both.code, both.out).toBe(0);
    writeFileSync(join(dir, 'three.snn'), blocks('run once { network = n; core = k; task = s; samples = 1 }\nrun twice { network = n; core = k; task = s; samples = 2 }\n'));
    expect((await run('compile', join(dir, 'three.snn'))).out).toMatch(/SNN4016: The file has 3 run or train blocks; choose one with --block NAME \(fit, once, twice\)/);
  });
  it('points each lint at the declaration it concerns', async () => {
    const r = await run('compile', join(ROOT, 'examples', 'multi-tile.snn'));
    expect(r.out).toMatch(/examples\/cores\/pcm256\.snn:\d+:3: warning SNN5008: Tiles 4, 5, 6, 7: /);
    expect(r.out).toMatch(/examples\/multi-tile\.snn:19:3: warning SNN5003: The membrane of rec can reach/);
  });
});

describe('the installed command', () => {
  it('runs from the bin script without a build step, and never prints a stack trace on bad input', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bin.snn'), Buffer.from([0x00, 0xff, 0xfe, 0x41]));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'phasecore.js'), 'check', join(dir, 'bin.snn')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/SNN000[12]/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
