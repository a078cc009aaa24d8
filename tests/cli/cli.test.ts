import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync, readdirSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildProgram } from '../../src/cli/main.ts';
import { tempDir } from '../helpers.ts';
import { decodeNpy } from '../../src/data/npy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Run the CLI in-process: exit code, stdout and stderr. */
function run(...args: string[]): { code: number; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  let code = 0;
  try {
    buildProgram((s) => out.push(s), (s) => err.push(s), (n) => { code = n; }).parse(args, { from: 'user' });
  } catch (e) {
    code = (e as { exitCode?: number }).exitCode === 0 ? 0 : 2;
  }
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tmp = () => tempDir('phasecore-cli-');

const SMALL = `
network n {
  input in[10]
  population rec[12] : LIF { v_th = 0.05 }
  readout out[1] : LI
  in -> rec : dense { w ~ normal(0, 0.3) }
  rec -> rec : dense { w ~ normal(0, 0.3); no_self }
  rec -> out : dense
}
learn l : eprop { feedback = random { B ~ normal(0, 1) } }
task s : pattern_generation { duration = 100 ms; channels = 10 }
train { network = n; learn = l; task = s; iterations = 3 }
`;

describe('phasecore check', () => {
  it('exits 0 on the examples', () => {
    const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.snn')).map((f) => join(ROOT, 'examples', f));
    const r = run('check', ...files);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0 errors/);
  });
  it('exits 1 with file:line:col, code and caret on a user error', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.snn'), 'network n {\n  dt = 1 mV\n}\n');
    const r = run('check', join(dir, 'bad.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/bad\.snn:2:8: error SNN3001: `dt` must be a duration such as `20 ms`; found `1 mV`, which is a voltage\.\n2 \|   dt = 1 mV\n  \|        \^\^\^\^/);
  });
  it('prints the editor protocol shape with --json', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bad.snn'), 'core c {\n  clock = 5 ms\n}\n');
    const r = run('check', '--json', join(dir, 'bad.snn'));
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { diagnostics: Array<Record<string, unknown>> };
    expect(j.diagnostics).toHaveLength(1);
    expect(j.diagnostics[0]).toMatchObject({ range: { start: { line: 1, character: 10 }, end: { line: 1, character: 14 } }, severity: 'error', code: 'SNN3001' });
    expect(String(j.diagnostics[0]!.file)).toMatch(/bad\.snn$/);
  });
  it('reports a missing file as a user error', () => {
    const r = run('check', '/nonexistent/x.snn');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/SNN0005/);
  });
  it('exits 2 on a usage error', () => {
    expect(run('check').code).toBe(2);
    expect(run('frobnicate').code).toBe(2);
    expect(run('fmt', '--check', '--write', 'x.snn').code).toBe(2);
  });
});

describe('phasecore fmt', () => {
  it('reports a directory or a missing file with a code, not the system\'s words', () => {
    const dir = tmp();
    const r = run('fmt', dir, join(dir, 'nope.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/error SNN0005: Cannot read .*: it is a directory\./);
    expect(r.out).toMatch(/error SNN0005: Cannot read .*nope\.snn: it does not exist\./);
  });
  it('--check passes on the examples', () => {
    const r = run('fmt', '--check', join(ROOT, 'examples', 'pattern-generation.snn'), join(ROOT, 'examples', 'cores', 'pcm256.snn'));
    expect(r.code).toBe(0);
  });
  it('--check fails on an unformatted file and changes nothing', () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'const  N=1\n');
    const r = run('fmt', '--check', f);
    expect(r.code).toBe(1);
    expect(readFileSync(f, 'utf8')).toBe('const  N=1\n');
  });
  it('--write rewrites in place, keeps the mode, and leaves no temporary file', () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'const  N=1 // keep me\n');
    chmodSync(f, 0o640);
    expect(run('fmt', '--write', f).code).toBe(0);
    expect(readFileSync(f, 'utf8')).toBe('const N = 1 // keep me\n');
    expect(readdirSync(dir)).toEqual(['a.snn']);
  });
  it('does not touch a file with syntax errors', () => {
    const dir = tmp();
    const f = join(dir, 'a.snn');
    writeFileSync(f, 'network n {\n');
    const r = run('fmt', '--write', f);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/SNN1010/);
    expect(readFileSync(f, 'utf8')).toBe('network n {\n');
  });
});

describe('phasecore train', () => {
    it('prints one JSON object with per-iteration metrics', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const r = run('train', join(dir, 't.snn'), '--json', '--iterations', '4', '--seed', '9');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { backend: string; seed: number; iterations: Array<{ iteration: number; loss: number; rate_hz: number }>; final: { loss: number } };
    expect(j.backend).toBe('reference');
    expect(j.seed).toBe(9);
    expect(j.iterations.map((m) => m.iteration)).toEqual([0, 1, 2, 3]);
    expect(j.final.loss).toBe(j.iterations[3]!.loss);
  });
  it('writes weights, metrics and a manifest with --out, and takes --set overrides', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const out = join(dir, 'run');
    const r = run('train', join(dir, 't.snn'), '--out', out, '--set', 'rec.tau_m=25ms', '--set', 'train.iterations=2');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['feedback_B.npy', 'manifest.json', 'metrics.csv', 'metrics.json', 'w_in_rec.npy', 'w_rec_out.npy', 'w_rec_rec.npy']);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { seed: number; iterations: number; overrides: string[] };
    expect(manifest).toMatchObject({ seed: 0, iterations: 2, overrides: ['rec.tau_m=25ms', 'train.iterations=2'] });
    expect(readFileSync(join(out, 'metrics.csv'), 'utf8').split('\n')[0]).toBe('iteration,loss,accuracy,rate_hz,validation_loss,validation_error');
  });
  it('refuses an output path it cannot write before training, with a coded error', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    writeFileSync(join(dir, 'taken'), 'mine');
    const r = run('train', join(dir, 't.snn'), '--out', join(dir, 'taken'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/taken: error SNN0007: Cannot write into .*taken: it is a file, not a directory\./);
    expect(r.out).not.toMatch(/trained/);
    expect(readFileSync(join(dir, 'taken'), 'utf8')).toBe('mine');
    const c = run('compile', join(ROOT, 'examples', 'pattern-generation.snn'), '-o', join(dir, 'no', 'such', 'p.pcx'));
    expect(c.code).toBe(1);
    expect(c.out).toMatch(/p\.pcx: error SNN0007: Cannot write .*: its directory does not exist\./);
  });
  it('writes the trained intrinsic parameters with --out, in SI units', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL.replace('population rec[12] : LIF { v_th = 0.05 }', 'population rec[12] : LIF { v_th = 0.05; trainable = [tau_m] }')
      .replace('learn l : eprop { feedback = random { B ~ normal(0, 1) } }', 'learn l : bptt { optimizer = adam(lr = 0.1) }'));
    const out = join(dir, 'run');
    expect(run('train', join(dir, 't.snn'), '--out', out, '--iterations', '3').code).toBe(0);
    const tau = decodeNpy(readFileSync(join(out, 'rec_tau_m.npy')));
    expect(tau.ok && tau.array.shape).toEqual([12]);
    if (tau.ok) {
      for (const v of tau.array.data) expect(v).toBeGreaterThan(0.015); // seconds, near the 20 ms default
      expect(tau.array.data.some((v) => Math.abs(v - 0.02) > 1e-6)).toBe(true); // and trained
    }
  });
  it('places override diagnostics in the --set argument and keeps the file\'s own positions', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), `${SMALL}const unused = 3 mV + 1 ms\n`);
    const r = run('train', join(dir, 't.snn'), '--set', 'rec.tau_mm=5ms', '--set', 'train.iterations=2');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/--set#1:1:5: error SNN2007: 'tau_mm' is not a parameter of population rec/);
    expect(r.out).toMatch(/1 \| rec\.tau_mm=5ms\n {2}\| {5}\^{6}/);
    // A diagnostic elsewhere in the file keeps its line and column although the text was rewritten.
    expect(r.out).toMatch(/t\.snn:13:16: error SNN3002/);
    // On the line the override rewrote, too: the column is the one in the user's file.
    const line = '  population rec[12] : LIF { v_th = 5 mV }';
    writeFileSync(join(dir, 'v.snn'), SMALL.replace('  population rec[12] : LIF { v_th = 0.05 }', line));
    const v = run('train', join(dir, 'v.snn'), '--set', 'rec.tau_m=25ms');
    expect(v.out).toContain(`v.snn:4:${line.indexOf('5 mV') + 1}: error SNN3001`);
    expect(v.out).toContain(`4 | ${line}`);
    const paren = run('train', join(dir, 't.snn'), '--set', 'rec.tau_m=(');
    expect(paren.out).toMatch(/--set#1:1:11: error SNN1011: '\(' is not a value for rec\.tau_m/);
    expect(paren.out).not.toMatch(/t\.snn/);
  });
  it('overrides a distribution with ~ and a block in an imported file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'core.snn'), 'core c { tiles = 8 }\n');
    writeFileSync(join(dir, 't.snn'), `import "core.snn"\n${SMALL.replace('v_th = 0.05', 'v_th = 0.05; tau_m ~ normal(20 ms, 1 ms)')}`);
    expect(run('train', join(dir, 't.snn'), '--set', 'rec.tau_m~uniform(15 ms, 25 ms)', '--set', 'train.iterations=1').code).toBe(0);
    const bad = run('train', join(dir, 't.snn'), '--set', 'c.tiles=0', '--set', 'train.iterations=1');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/--set#1:1:9: error SNN3004: `tiles` must be between 1 and 4096; found 0\./);
  });
  it('with --json, a failure is one JSON object of diagnostics on stdout', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    for (const args of [['train', join(dir, 't.snn'), '--json', '--set', 'rec.tau_m=25'], ['compile', join(dir, 't.snn'), '--json']]) {
      const r = run(...args);
      expect(r.code).toBe(1);
      const j = JSON.parse(r.out) as { diagnostics: Array<{ code: string; range: { start: { line: number } } }> };
      expect(j.diagnostics.map((d) => d.code)).toEqual([args[0] === 'train' ? 'SNN3001' : 'SNN5004']);
      expect(r.err).toMatch(/error SNN/);
    }
  });
  it('reports a bad override as a diagnostic, and usage errors with exit 2', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const bad = run('train', join(dir, 't.snn'), '--set', 'rec.tau_m=25');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/SNN3001/);
    expect(run('train', join(dir, 't.snn'), '--set', 'nope.tau_m=2ms').out).toMatch(/no block, population or readout named 'nope'/);
    expect(run('train', join(dir, 't.snn'), '--set', 'garbage').code).toBe(2);
    expect(run('train', join(dir, 't.snn'), '--iterations', 'x').code).toBe(2);
    expect(run('train', join(dir, 't.snn'), '--backend', 'core').code).toBe(2);
  });
});

describe('phasecore compile', () => {
  it('writes a program, prints a report, and gives the JSON keys', () => {
    const dir = tmp();
    const out = join(dir, 'p.pcx');
    const r = run('compile', join(ROOT, 'examples', 'multi-tile.snn'), '-o', out, '--report');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Tiles: 12 of 16 on core small/);
    expect(r.out).toMatch(/Cycles per step/);
    expect(readFileSync(out).subarray(0, 3).toString()).toBe('PCX');
    const j = run('compile', join(ROOT, 'examples', 'pattern-generation.snn'), '--json');
    expect(Object.keys(JSON.parse(j.out) as object)).toEqual(['precision', 'ranges', 'tiles', 'cycles_per_step', 'diagnostics']);
  });
  it('asks for a core, or a block, with a coded diagnostic at the block', () => {
    const dir = tmp();
    writeFileSync(join(dir, 't.snn'), SMALL);
    const r = run('compile', join(dir, 't.snn'));
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/t\.snn:12:1: error SNN5004: The train block names no core to compile for/);
    expect(r.out).toMatch(/\n12 \| train \{/);
    expect(run('compile', join(ROOT, 'examples', 'multi-tile.snn'), '--core', 'smal').out).toMatch(/SNN5004: There is no core named 'smal'\. Did you mean 'small'\?/);
    writeFileSync(join(dir, 'c.snn'), 'const x = 1\n');
    for (const cmd of ['compile', 'train']) {
      const none = run(cmd, join(dir, 'c.snn'));
      expect(none.code).toBe(1);
      expect(none.out).toMatch(/c\.snn:1:1: error SNN4016: The file has no (run or )?train block/);
    }
  });
  it('points each lint at the declaration it concerns', () => {
    const r = run('compile', join(ROOT, 'examples', 'multi-tile.snn'));
    expect(r.out).toMatch(/examples\/cores\/pcm256\.snn:\d+:3: warning SNN5008: Tiles 4, 5, 6, 7: /);
    expect(r.out).toMatch(/examples\/multi-tile\.snn:19:3: warning SNN5003: The membrane of rec can reach/);
  });
});

describe('the installed command', () => {
  it('runs from the bin script without a build step, and never prints a stack trace on bad input', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'bin.snn'), Buffer.from([0x00, 0xff, 0xfe, 0x41]));
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'phasecore.js'), 'check', join(dir, 'bin.snn')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/SNN000[12]/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
  }, 30_000);
});
