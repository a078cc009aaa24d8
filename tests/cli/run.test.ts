// `phasecore run`: the summary, --json, a compiled .pcx, coded errors for damaged programs,
// --out's files, and waveforms a viewer opens.
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCli, tempDir } from '../helpers.ts';
import { decodeNpy, encodeNpy } from '../../src/data/npy.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const run = runCli;

const SRC = `
core c { tile = 32 x 32; tiles = 4; device = pcm { g_max = 12 uS }; adc_range = 8 }
network n {
  input in[10]
  population rec[12] : ALIF { v_th = 0.2 }
  readout out[2] : LI
  in -> rec : dense { w ~ normal(0, 0.5) }
  rec -> rec : dense { w ~ normal(0, 0.2); no_self }
  rec -> out : dense
}
task t : pattern_generation { duration = 30 ms; channels = 10; outputs = 2; rate = 60 Hz }
run { network = n; core = c; task = t; seed = 2; samples = 2
  probe spikes(rec)
  probe v(rec[0:3])
  probe a(rec[0:3]) { every = 2 ms; start = 4 ms }
}`;

function file(src = SRC): string {
  const d = tempDir('phasecore-run-');
  const f = join(d, 'net.snn');
  writeFileSync(f, src);
  return f;
}

describe('phasecore run', () => {
  it('prints a summary of spikes, cycles, energy, saturations and timing', async () => {
    const r = await run('run', file(), '--quiet');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ran .*net\.snn: 2 sequences of 30 steps on PCM demirag2021/);
    expect(r.out).toMatch(/spikes: rec \d+ \([\d.]+ Hz\)/);
    expect(r.out).toMatch(/cycles: [\d.]+ per step \(max \d+, budget 500000 at 500 MHz\)/);
    expect(r.out).toMatch(/energy: [\d.]+ [pn]J per step — /);
    expect(r.out).toMatch(/saturations: /);
    expect(r.out).toMatch(/timing errors: none/);
    expect(r.out).toMatch(/outputs: loss [\d.]+/);
  });
  it('--json: one object with the fields a script reads', async () => {
    const r = await run('run', file(), '--json', '--quiet');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    for (const k of ['steps', 'spikes', 'rates_hz', 'cycles', 'cycles_per_step', 'energy_pj', 'energy_per_step_pj', 'energy_by_kind', 'saturations', 'timing_errors', 'units', 'synops', 'outputs', 'counts', 'adc_law']) expect(j, k).toHaveProperty(k);
    expect(j.steps).toBe(30);
    expect(j.units.crossbar.busy).toBeGreaterThan(0);
    expect(j.energy_pj).toBeCloseTo(Object.values(j.energy_by_kind as Record<string, number>).reduce((a, x) => a + x, 0), 6);
    expect(j.outputs.loss).toBeGreaterThan(0);
  });
  it('runs a compiled .pcx exactly as the .snn file, and the same seed gives the same JSON in another process', async () => {
    const f = file();
    const pcx = join(tempDir(), 'net.pcx');
    expect((await run('compile', f, '-o', pcx)).code).toBe(0);
    const a = await run('run', f, '--json', '--quiet');
    const b = await run('run', pcx, '--json', '--quiet');
    expect(b.code).toBe(0);
    const strip = (s: string) => { const j = JSON.parse(s); delete j.file; return j; };
    expect(strip(b.out)).toEqual(strip(a.out));
    const c = spawnSync(process.execPath, [join(ROOT, 'bin/phasecore.js'), 'run', pcx, '--json', '--quiet'], { encoding: 'utf8' });
    expect(c.status).toBe(0);
    expect(strip(c.stdout)).toEqual(strip(b.out));
    const d = await run('run', pcx, '--json', '--quiet', '--seed', '9');
    expect(strip(d.out)).not.toEqual(strip(b.out));
  }, 60_000); // a second process: its start-up is the machine's to decide
  it('answers a damaged, truncated, foreign or version-1 program with its PCX code, exit 1, no stack trace', async () => {
    const f = file();
    const dir = tempDir();
    const pcx = join(dir, 'net.pcx');
    await run('compile', f, '-o', pcx);
    const bytes = readFileSync(pcx);
    const cases: Array<[string, Uint8Array, string]> = [
      ['flipped.pcx', (() => { const b = Uint8Array.from(bytes); b[40] = b[40]! ^ 0xff; return b; })(), 'PCX1004'],
      ['short.pcx', bytes.subarray(0, bytes.length - 30), 'PCX1003'],
      ['other.pcx', new TextEncoder().encode('not a program at all'), 'PCX1001'],
      ['v1.pcx', (() => { const b = Uint8Array.from(bytes); b[4] = 1; return b; })(), 'PCX1002'],
    ];
    for (const [name, b, code] of cases) {
      writeFileSync(join(dir, name), b);
      const r = await run('run', join(dir, name));
      expect(r.code, name).toBe(1);
      expect(r.out, name).toContain(`error ${code}:`);
      expect(r.out + r.err, name).not.toMatch(/at .*\.ts:\d+/);
    }
    const v1 = await run('run', join(dir, 'v1.pcx'));
    expect(v1.out).toMatch(/recompile/);
    // With --json, stdout holds only the JSON object.
    const j = await run('run', join(dir, 'flipped.pcx'), '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).diagnostics[0].code).toBe('PCX1004');
    // A refused run leaves no staging directory behind.
    const out = join(dir, 'never');
    writeFileSync(join(dir, 'bad.npy'), encodeNpy('float64', [30, 10], new Float64Array(300).fill(0.5)));
    expect((await run('run', f, '--input', join(dir, 'bad.npy'), '--out', out, '--quiet')).code).toBe(1);
    expect(existsSync(out) || existsSync(`${out}.partial`)).toBe(false);
  });
  it('refuses inputs of the wrong shape with a coded error; runs a .npy of the right one', async () => {
    const f = file();
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.npy'), encodeNpy('float64', [30, 9], new Float64Array(270)));
    const bad = await run('run', f, '--input', join(dir, 'bad.npy'), '--quiet');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/error PCX2002: .*30 steps × 9 channels; the program runs 30 steps of 10 input channels/);
    writeFileSync(join(dir, 'x.npy'), encodeNpy('float64', [3, 30, 10], Float64Array.from({ length: 900 }, (_, k) => (k % 7 === 0 ? 1 : 0))));
    writeFileSync(join(dir, 'half.npy'), encodeNpy('float64', [30, 10], new Float64Array(300).fill(0.5)));
    const half = await run('run', f, '--input', join(dir, 'half.npy'), '--quiet');
    expect(half.code).toBe(1);
    expect(half.out).toMatch(/error PCX2002: .*holds 0\.5 at element 0; spiking inputs are 0 or 1/);
    const ok = await run('run', f, '--input', join(dir, 'x.npy'), '--json', '--quiet');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.out).samples).toBe(3);
  });
  it('--out writes the probes (samples × times × neurons), run.vcd, run.json and a manifest', async () => {
    const f = file();
    const out = join(tempDir(), 'run1');
    const r = await run('run', f, '--out', out, '--quiet');
    expect(r.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'probe_a_rec_0_3.npy', 'probe_a_rec_0_3_times.npy', 'probe_spikes_rec.npy', 'probe_spikes_rec_times.npy', 'probe_v_rec_0_3.npy', 'probe_v_rec_0_3_times.npy', 'run.json', 'run.vcd']);
    const a = decodeNpy(readFileSync(join(out, 'probe_a_rec_0_3.npy')));
    expect(a.ok && a.array.shape).toEqual([2, 13, 3]); // 2 sequences; steps 4, 6, …, 28 of 0–29; 3 neurons
    const times = decodeNpy(readFileSync(join(out, 'probe_a_rec_0_3_times.npy')));
    expect(times.ok && Array.from(times.array.data).map((t) => Math.round(t * 1000))).toEqual([4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28]);
    // A second run into the same directory is refused without --force.
    expect((await run('run', f, '--out', out, '--quiet')).code).toBe(1);
    expect((await run('run', f, '--out', out, '--force', '--quiet')).code).toBe(0);
  });
  it('writes a VCD a waveform viewer reads: declared hierarchy, one timestamp per changing step, valid values', async () => {
    const f = file();
    const vcd = join(tempDir(), 'run.vcd');
    expect((await run('run', f, '--vcd', vcd, '--quiet')).code).toBe(0);
    const text = readFileSync(vcd, 'utf8');
    expect(text).toMatch(/^\$version\n {2}phasecore /);
    expect(text).toContain('$timescale 1 ms $end');
    const defs = text.slice(0, text.indexOf('$enddefinitions $end'));
    const vars = new Map<string, number>();
    for (const m of defs.matchAll(/\$var wire (\d+) (\S+) (\S+) \$end/g)) vars.set(m[2]!, Number(m[1]));
    expect([...defs.matchAll(/\$scope module (\S+) \$end/g)].map((m) => m[1])).toEqual(['core', 'rec']);
    expect(vars.size).toBe(3 + 12 + 3 + 3);
    expect((defs.match(/\$scope/g) ?? []).length).toBe((defs.match(/\$upscope/g) ?? []).length);
    let last = -1;
    for (const line of text.slice(text.indexOf('$enddefinitions')).split('\n').slice(1)) {
      if (line === '' || line === '$dumpvars' || line === '$end') continue;
      if (line.startsWith('#')) { const t = Number(line.slice(1)); expect(t).toBeGreaterThan(last); last = t; continue; }
      const m = /^(?:b([01x]+) (\S+)|([01x])(\S+))$/.exec(line);
      expect(m, line).not.toBeNull();
      const id = m![2] ?? m![4]!;
      expect(vars.has(id), line).toBe(true);
      if (m![1] && m![1] !== 'x') expect(m![1].length).toBeLessThanOrEqual(vars.get(id)!);
    }
    expect(last).toBe(30);
    // GTKWave's own converter reads it, where Debian's gtkwave is installed.
    const tool = spawnSync('sh', ['-c', 'command -v vcd2fst'], { encoding: 'utf8' }).stdout.trim();
    if (tool) {
      const fst = `${vcd}.fst`;
      execFileSync(tool, [vcd, fst], { stdio: 'pipe' });
      expect(existsSync(fst)).toBe(true);
    }
  });
});
