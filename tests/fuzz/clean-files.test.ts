// Property: a generated small network that checks clean (inputs, one or two LIF/ALIF populations,
// a readout, dense projections, e-prop or BPTT, one of the built-in tasks sized to fit, a core)
// compiles and trains one step without an internal error: exit 0 or 1, never 3, no exception.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, runSequence, pipelineArgv, signature } from '../../bench/pipeline-run.ts';
import { tempDir } from '../helpers.ts';

const num = (lo: number, hi: number) => fc.integer({ min: lo, max: hi });
const ms = (lo: number, hi: number) => num(lo, hi).map((v) => `${v} ms`);

const population = fc.record({
  model: fc.constantFrom('LIF', 'ALIF'),
  size: num(1, 12),
  tau: ms(2, 50),
  vth: fc.constantFrom('0.03', '0.5', '1'),
  reset: fc.constantFrom('', 'reset = zero', 'reset = subtract', 'reset = to(-0.1)'),
  refractory: fc.constantFrom('', 'refractory = 0 ms', 'refractory = 2 ms'),
  surrogate: fc.constantFrom('', 'surrogate = fast_sigmoid', 'surrogate = multi_gaussian', 'surrogate = piecewise_linear(gamma = 0.3)'),
  recurrent: fc.boolean(),
  tauA: ms(10, 300),
  trainable: fc.boolean(),
});

const spec = fc.record({
  dt: fc.constantFrom('1 ms', '0.5 ms', '2 ms'),
  pops: fc.array(population, { minLength: 1, maxLength: 2 }),
  task: fc.constantFrom('pattern_generation', 'evidence_accumulation', 'store_recall', 'delayed_xor'),
  perGroup: num(1, 3),
  inputs: num(1, 8),
  outputs: num(1, 3),
  duration: ms(10, 60),
  learn: fc.constantFrom('eprop', 'bptt'),
  optimizer: fc.constantFrom('sgd(lr = 1e-3)', 'adam(lr = 1e-3)', 'adam(lr = 5e-3, epsilon = 1e-8)'),
  regularizer: fc.boolean(),
  init: fc.constantFrom('w ~ normal(0, 0.5)', 'w ~ glorot()', 'w ~ kaiming()', 'w = 0.1', 'w ~ uniform(-0.2, 0.2)'),
  core: fc.constantFrom('', 'pcm', 'ideal'),
  batch: num(1, 2),
  seed: num(0, 1000),
});
type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

/** The .snn text of a spec. Tasks fix the input and output counts; the network follows them. */
export function render(s: Spec): string {
  const classification = s.task !== 'pattern_generation';
  const groups = s.task === 'delayed_xor' ? 5 : 4;
  const nIn = classification ? groups * s.perGroup : s.inputs;
  const nOut = classification ? 2 : s.outputs;
  const bptt = s.learn === 'bptt';
  const lines = ['network net {', `  dt = ${s.dt}`, `  input in[${nIn}]`];
  s.pops.forEach((p, i) => {
    const body = [`tau_m = ${p.tau}`, `v_th = ${p.vth}`, p.reset, p.refractory, p.surrogate, p.model === 'ALIF' ? `tau_a = ${p.tauA}` : '', bptt && p.trainable ? 'trainable = [tau_m]' : ''].filter(Boolean);
    lines.push(`  population p${i}[${p.size}] : ${p.model} { ${body.join('; ')} }`);
  });
  lines.push(`  readout out[${nOut}] : LI { tau = 20 ms }`);
  lines.push(`  in -> p0 : dense { ${s.init} }`);
  s.pops.forEach((p, i) => {
    if (p.recurrent) lines.push(`  p${i} -> p${i} : dense { ${s.init}; no_self }`);
    if (i > 0) lines.push(`  p${i - 1} -> p${i} : dense { ${s.init} }`);
  });
  lines.push(`  p${s.pops.length - 1} -> out : dense { w ~ glorot() }`, '}');
  const loss = classification ? 'cross_entropy' : 'mse';
  lines.push(`learn l : ${s.learn} {`, `  loss = ${loss}`, `  optimizer = ${s.optimizer}`, ...(s.regularizer ? ['  regularizer = rate(target = 10 Hz, strength = 1)'] : []), ...(s.learn === 'eprop' ? ['  feedback = random { B ~ normal(0, 1) }'] : []), '}');
  const task = {
    pattern_generation: `duration = ${s.duration}; channels = ${nIn}; outputs = ${nOut}`,
    evidence_accumulation: `cues = 1; cue_duration = 10 ms; cue_spacing = 5 ms; onset = 5 ms; delay = ${s.duration}; recall_duration = 10 ms; channels_per_group = ${s.perGroup}`,
    store_recall: `steps = 2; step_duration = ${s.duration}; channels_per_group = ${s.perGroup}`,
    delayed_xor: `cue_duration = 10 ms; delay = ${s.duration}; response_delay = 5 ms; response_duration = 10 ms; channels_per_group = ${s.perGroup}`,
  }[s.task];
  lines.push(`task t : ${s.task} { ${task} }`);
  if (s.core === 'pcm') lines.push('core c { tiles = 16; device = pcm { g_max = 12 uS; weight_scale = 3 uS } }');
  if (s.core === 'ideal') lines.push('core c { device = ideal(levels = 16, g_max = 12 uS) }');
  lines.push(`train { network = net; learn = l; task = t; iterations = 1; batch = ${s.batch}; seed = ${s.seed}${s.core ? '; core = c' : ''} }`, '');
  return lines.join('\n');
}

describe('generated clean files', () => {
  it('property: a file that checks clean compiles and trains one step with exit 0 or 1, never 3', async () => {
    const root = tempDir('phasecore-clean-');
    let n = 0;
    let clean = 0;
    let trained = 0;
    const rejected: string[] = [];
    await fc.assert(fc.asyncProperty(spec, async (s) => {
      const dir = join(root, String(n++));
      mkdirSync(dir, { recursive: true });
      const text = render(s);
      writeFileSync(join(dir, 'main.snn'), text);
      const check = await runCli(['check', join(dir, 'main.snn')]);
      expect(check.code, signature(check)).not.toBe(3);
      if (check.code !== 0) { rejected.push(check.out.split('\n').find((l) => l.includes('error')) ?? check.out.slice(0, 200)); return; }
      clean++;
      const [, compile, train] = pipelineArgv('main.snn', []) as [string[], string[], string[]];
      for (const r of await runSequence(dir, [compile, train])) {
        expect([0, 1], `${r.argv[0]} exited ${r.code} on\n${text}\n${r.code === 3 ? signature(r) : r.err.slice(0, 600)}`).toContain(r.code);
        if (r.argv[0] === 'train' && r.code === 0) trained++;
      }
    }), { numRuns: 100, seed: 20261125 });
    // The generator aims at clean files: most of them must be, or the property tests little.
    expect(clean, `clean ${clean} of ${n}; first errors:\n${[...new Set(rejected)].slice(0, 8).join('\n')}`).toBeGreaterThanOrEqual(n * 0.6);
    expect(trained, `trained ${trained} of ${clean} clean files`).toBeGreaterThanOrEqual(clean * 0.9);
  }, 60_000);
});
