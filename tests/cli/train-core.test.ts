// `train --backend core`: training on the emulated chip, its counters, and checkpoints — a run
// stopped anywhere (between iterations, inside a batch) and resumed gives results bit-identical to
// the run that was never stopped: its metrics, the devices' weights, the checkpoint itself.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync, renameSync } from 'node:fs';
import { encodeNpy } from '../../src/data/npy.ts';
import { crc32 } from '../../src/runtime/program.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commandTrain, CHECKPOINT_FILE, type TrainIo, type TrainOptions } from '../../src/cli/train.ts';
import { kernelAvailable } from '../../src/runtime/wasm/kernel.ts';

// PCM with every non-ideality on, the stochastic scheme (the learning stream) and a batch-end
// write: a resume that missed any state — a device's pulse count or time, the noise or learning
// stream, the weight changes of a half-run batch — would not reproduce the run.
const SOURCE = (scheme: string, learn = 'optimizer = sgd(lr = 0.05)') => `
core c {
  tile = 32 x 32; tiles = 8; lanes = 8
  device = pcm { profile = demirag2021; g_max = 12 uS; weight_scale = 12 uS; prog_noise = on; read_noise = on; drift = on; refresh = threshold(g_high = 9 uS, min_diff = 2.25 uS) }
  adc = 8 bit; adc_range = 16; accumulator = saturate(s24.10); membrane = saturate(s16.10); trace = saturate(u12.8)
}
network n {
  input in[10]
  population rec[12] : LIF { v_th = 0.05; surrogate = piecewise_linear(gamma = 0.3) }
  readout out[2] : LI
  in -> rec : dense { w ~ normal(0, 0.5) }
  rec -> rec : dense { w ~ normal(0, 0.3); no_self }
  rec -> out : dense { w ~ normal(0, 0.3) }
}
learn l : eprop { feedback = random { B ~ normal(0, 1) }; ${learn}; update = ${scheme} }
task s : pattern_generation { duration = 40 ms; channels = 10; outputs = 2 }
train { network = n; core = c; learn = l; task = s; iterations = 4; batch = 3; seed = 7 }
`;

function setup(scheme = 'stochastic', learn?: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'phasecore-train-core-'));
  const file = join(dir, 't.snn');
  writeFileSync(file, SOURCE(scheme, learn));
  return { dir, file };
}

async function train(file: string, opts: TrainOptions, stopAt?: { done: number; position: number }, version = 'test'): Promise<{ code: number; out: string; err: string }> {
  let out = ''; let err = '';
  const io: TrainIo = {
    out: (s) => { out += `${s}\n`; }, err: (s) => { err += `${s}\n`; }, progress: 'none', version, signals: [],
    ...(stopAt ? { afterSequence: (d: number, p: number) => d === stopAt.done && p === stopAt.position } : {}),
  };
  const code = await commandTrain(file, { backend: 'core', json: true, ...opts }, io);
  return { code, out, err };
}

const weights = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => f.startsWith('w_')).map((f) => [f, readFileSync(join(dir, f)).toString('hex')]));

describe('train --backend core', () => {
  it('trains on the core and reports the counters per iteration and in final', async () => {
    const { file } = setup();
    const r = await train(file, {});
    expect(r.code, r.err).toBe(0);
    const j = JSON.parse(r.out) as { backend: string; iterations: Array<{ loss: number; counters: Record<string, number> }>; final: { counters: Record<string, number> } };
    expect(j.backend).toBe('core');
    expect(j.iterations).toHaveLength(4);
    for (const key of ['pulses', 'refreshes', 'saturations', 'cycles', 'energy_pj', 'learning_cycles', 'learning_energy_pj']) expect(j.final.counters).toHaveProperty(key);
    // lr 0.05 moves weights by whole pulses: the stochastic scheme fires some.
    expect(j.final.counters.pulses).toBeGreaterThan(0);
    expect(j.final.counters.pulses).toBe(j.iterations.reduce((a, m) => a + m.counters.pulses!, 0));
    expect(j.final.counters.cycles).toBe(j.iterations.reduce((a, m) => a + m.counters.cycles!, 0));
    expect(j.final.counters.learning_cycles).toBeGreaterThan(0);
    expect(j.final.counters.learning_cycles).toBeLessThan(j.final.counters.cycles!);
    // Same file, same seed: the same run.
    expect((await train(file, {})).out).toBe(r.out);
  }, 60_000);

  it.each([
    ['between iterations', { done: 2, position: 0 }],
    ['inside a batch (before its write)', { done: 1, position: 2 }],
  ])('a run stopped %s and resumed is bit-identical to one never stopped', async (_what, stopAt) => {
    const { dir, file } = setup();
    const whole = join(dir, 'whole'); const parts = join(dir, 'parts');
    const a = await train(file, { out: whole, checkpointEvery: '1' });
    expect(a.code, a.err).toBe(0);
    const stopped = await train(file, { out: parts, checkpointEvery: '1' }, stopAt);
    expect(stopped.code).toBe(130);
    expect(JSON.parse(stopped.out).stopped_by).toBe('SIGINT');
    const manifest = JSON.parse(readFileSync(join(parts, 'manifest.json'), 'utf8')) as { status: string; sequence_in_batch: number };
    expect(manifest.status).toBe('interrupted');
    expect(manifest.sequence_in_batch).toBe(stopAt.position);
    const b = await train(file, { resume: parts });
    expect(b.code, b.err).toBe(0);
    const ja = JSON.parse(a.out) as { iterations: unknown[]; final: unknown };
    const jb = JSON.parse(b.out) as { iterations: unknown[]; final: unknown };
    expect(jb.iterations).toEqual(ja.iterations);
    expect(jb.final).toEqual(ja.final);
    expect(weights(parts)).toEqual(weights(whole));
    expect(readFileSync(join(parts, 'metrics.csv'), 'utf8')).toBe(readFileSync(join(whole, 'metrics.csv'), 'utf8'));
    // The whole state: the final checkpoints are the same bytes.
    expect(readFileSync(join(parts, CHECKPOINT_FILE)).equals(readFileSync(join(whole, CHECKPOINT_FILE)))).toBe(true);
  }, 120_000);

  it('a checkpoint written with the SIMD kernels resumes without them (PHASECORE_NO_WASM=1), and the other way, bit-identical: what the unit holds is the program\'s, not the machine\'s', async () => {
    // Narrow registers (ē in i16, Δ in i32) and mixed precision: the narrow kernels where they load.
    const { dir, file } = setup('mixed_precision(epsilon = 0.05)');
    const set = ['c.eligibility=saturate(s16.12)'];
    const whole = join(dir, 'whole');
    const a = await train(file, { out: whole, set });
    expect(a.code, a.err).toBe(0);
    const noWasm = async <T>(f: () => Promise<T>): Promise<T> => {
      process.env.PHASECORE_NO_WASM = '1';
      try { expect(kernelAvailable()).toBe(false); return await f(); } finally { delete process.env.PHASECORE_NO_WASM; }
    };
    expect(kernelAvailable()).toBe(true);
    for (const [name, stop, resume] of [
      ['kernels, then none', (f: () => Promise<Awaited<ReturnType<typeof train>>>) => f(), noWasm],
      ['none, then kernels', noWasm, (f: () => Promise<Awaited<ReturnType<typeof train>>>) => f()],
    ] as const) {
      const parts = join(dir, name.replace(/[^a-z]+/g, '-'));
      const stopped = await stop(() => train(file, { out: parts, checkpointEvery: '1', set }, { done: 1, position: 2 }));
      expect(stopped.code, name).toBe(130);
      const b = await resume(() => train(file, { resume: parts, set }));
      expect(b.code, `${name}: ${b.err}`).toBe(0);
      const ja = JSON.parse(a.out) as { iterations: unknown[]; final: unknown };
      const jb = JSON.parse(b.out) as { iterations: unknown[]; final: unknown };
      expect(jb.iterations, name).toEqual(ja.iterations);
      expect(jb.final, name).toEqual(ja.final);
      expect(weights(parts), name).toEqual(weights(whole));
    }
  }, 180_000);

  it('chip in the loop: a run with Adam on the host, stopped between iterations and resumed, is bit-identical (the optimizer\'s moments are in the checkpoint)', async () => {
    const { dir, file } = setup('mixed_precision(epsilon = 0.05)', 'optimizer = adam(lr = 0.02); placement = chip_in_the_loop');
    const whole = join(dir, 'whole'); const parts = join(dir, 'parts');
    const a = await train(file, { out: whole, checkpointEvery: '1' });
    expect(a.code, a.err).toBe(0);
    expect((JSON.parse(a.out) as { final: { counters: { pulses: number } } }).final.counters.pulses).toBeGreaterThan(0);
    expect((await train(file, { out: parts, checkpointEvery: '1' }, { done: 2, position: 0 })).code).toBe(130);
    const b = await train(file, { resume: parts });
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out).iterations).toEqual(JSON.parse(a.out).iterations);
    expect(weights(parts)).toEqual(weights(whole));
    expect(readFileSync(join(parts, CHECKPOINT_FILE)).equals(readFileSync(join(whole, CHECKPOINT_FILE)))).toBe(true);
  }, 120_000);

  it('refuses a checkpoint of another program, of another phasecore, or none, with SNN0008', async () => {
    const { dir, file } = setup();
    const out = join(dir, 'run');
    expect((await train(file, { out, iterations: '2', checkpointEvery: '1' })).code).toBe(0);
    const other = await train(file, { resume: out, set: ['l.optimizer=sgd(lr = 0.01)'] });
    expect(other.code).toBe(1);
    expect(other.out + other.err).toMatch(/SNN0008.*another (program|run)/s);
    const version = await train(file, { resume: out }, undefined, 'other');
    expect(version.code).toBe(1);
    expect(version.out + version.err).toMatch(/SNN0008.*written by phasecore test/s);
    const none = await train(file, { resume: join(dir, 'nowhere') });
    expect(none.code).toBe(1);
    expect(none.out + none.err).toMatch(/SNN0008.*no checkpoint/s);
    // Damaged files: cut short, one byte of the data flipped, a value of the wrong kind.
    const good = readFileSync(join(out, CHECKPOINT_FILE));
    const flipped = Buffer.from(good); flipped.writeUInt8(flipped.readUInt8(flipped.length - 3) ^ 0x40, flipped.length - 3);
    const header = good.readUInt32LE(12);
    // An entry edited and the checksum made good again: the checks of each entry are what refuse it.
    const edited = (from: string, to: string) => {
      const json = good.subarray(16, 16 + header).toString('utf8').replace(from, to);
      const body = Buffer.concat([good.subarray(0, 12), Buffer.from(new Uint32Array([Buffer.byteLength(json)]).buffer), Buffer.from(json), Buffer.alloc((8 - ((16 + Buffer.byteLength(json)) % 8)) % 8), good.subarray(Math.ceil((16 + header) / 8) * 8, good.length - 4)]);
      return Buffer.concat([body, Buffer.from(new Uint32Array([crc32(body)]).buffer)]);
    };
    const cases = [
      ['cut short', good.subarray(0, 100), /truncated|damaged/], ['a flipped byte', flipped, /checksum/],
      ['a value of another kind', edited('["trainer.it","value",2]', '["trainer.it","value","2"]'), /damaged \(trainer\.it/],
      ['a position outside the run', edited('["trainer.it","value",2]', '["trainer.it","value",99]'), /stands at iteration 99/],
    ] as const;
    for (const [what, bytes, why] of cases) {
      writeFileSync(join(out, CHECKPOINT_FILE), bytes);
      const damaged = await train(file, { resume: out });
      expect(damaged.code, what).toBe(1);
      expect(damaged.out + damaged.err, what).toMatch(/SNN0008/);
      expect(damaged.out + damaged.err, what).toMatch(why);
      expect(readFileSync(join(out, CHECKPOINT_FILE)).equals(Buffer.from(bytes)), `${what}: the checkpoint is left as it was`).toBe(true);
    }
    expect(existsSync(join(out, 'manifest.json'))).toBe(true); // the run's directory is left as it was
  }, 120_000);

  it('a run killed outright resumes from DIR.partial; a refused resume leaves that checkpoint where it was', async () => {
    const { dir, file } = setup();
    const whole = join(dir, 'whole'); const parts = join(dir, 'parts');
    const a = await train(file, { out: whole, checkpointEvery: '1' });
    expect((await train(file, { out: parts, checkpointEvery: '1' }, { done: 2, position: 0 })).code).toBe(130);
    // As if killed: what was committed is the staging directory still.
    renameSync(parts, `${parts}.partial`);
    const refused = await train(file, { resume: parts, set: ['l.optimizer=sgd(lr = 0.01)'] });
    expect(refused.code).toBe(1);
    expect(existsSync(join(`${parts}.partial`, CHECKPOINT_FILE))).toBe(true);
    const b = await train(file, { resume: parts });
    expect(b.code, b.err).toBe(0);
    expect(JSON.parse(b.out).iterations).toEqual(JSON.parse(a.out).iterations);
    expect(weights(parts)).toEqual(weights(whole));
  }, 120_000);

  it('resumes bit-identically with a learning-rate schedule, validation, and samples from .npy files, shuffled', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'phasecore-train-core-'));
    const T = 30; const C = 10; const S = 5;
    let s = 7;
    const rnd = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
    writeFileSync(join(dir, 'x.npy'), encodeNpy('float64', [S, T, C], Float64Array.from({ length: S * T * C }, () => (rnd() < 0.1 ? 1 : 0))));
    writeFileSync(join(dir, 'y.npy'), encodeNpy('float64', [S, T, 2], Float64Array.from({ length: S * T * 2 }, (_, i) => Math.sin(i / 7))));
    const src = SOURCE('stochastic', 'optimizer = sgd(lr = 0.05); schedule = step(every = 2, factor = 0.5)')
      .replace(/task s : pattern_generation \{[^}]*\}/, 'task s : npy { inputs = load("x.npy"); targets = load("y.npy"); shuffle = true }')
      .replace('batch = 3', 'batch = 2; validate_every = 2');
    const file = join(dir, 't.snn');
    writeFileSync(file, src);
    const a = await train(file, { out: join(dir, 'whole'), checkpointEvery: '1' });
    expect(a.code, a.out + a.err).toBe(0);
    for (const stopAt of [{ done: 2, position: 0 }, { done: 1, position: 1 }]) {
      const parts = join(dir, `parts-${stopAt.done}-${stopAt.position}`);
      expect((await train(file, { out: parts, checkpointEvery: '1' }, stopAt)).code).toBe(130);
      const b = await train(file, { resume: parts });
      expect(b.code, b.err).toBe(0);
      expect(JSON.parse(b.out).iterations).toEqual(JSON.parse(a.out).iterations);
      expect(weights(parts)).toEqual(weights(join(dir, 'whole')));
    }
  }, 120_000);

  it('usage: checkpoints belong to the core backend and need a directory', async () => {
    const { file } = setup();
    expect((await train(file, { backend: 'reference', checkpointEvery: '1' })).code).toBe(2);
    expect((await train(file, { checkpointEvery: '1' })).code).toBe(2);
    expect((await train(file, { backend: 'gpu' })).code).toBe(2);
  });
});
