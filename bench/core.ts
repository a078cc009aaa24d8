// The core's speed (issue 8 §6), measured in one run against a plain typed-array float forward of
// the same network (the reference's forward pass, src/reference/simulate.ts: event-driven,
// float64), a NumPy forward and Brian2's runtime mode (Debian's python3-numpy and python3-brian),
// all one thread, steady state after a warm-up run.
//   N = 256 recurrent LIF, 100 inputs, 20 readouts, T = 1000 steps, about 17 Hz:
//   - the core with ideal 8-bit devices and full cycle and energy accounting (target ≤ 2.5× the float forward);
//   - with PCM read noise and drift on (target ≤ 1.5× the ideal-device time);
//   - its cost over input rates 5–100 Hz against the synaptic events it processes;
//   - the heap over a long run (no allocation per step).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { setFlagsFromString } from 'node:v8';
import { packageRoot } from '../src/data/package.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { compileRun } from '../src/compiler/compile.ts';
import { lowerNetwork } from '../src/compiler/lower.ts';
import { instantiate } from '../src/ir/instantiate.ts';
import { MT19937, stream } from '../src/data/random.ts';
import { encodeNpy } from '../src/data/npy.ts';
import { dynamics, simulate } from '../src/reference/simulate.ts';
import { Core } from '../src/runtime/core.ts';
import type { Host } from '../src/compiler/workspace.ts';

const N = 256; const NIN = 100; const NOUT = 20; const T = 1000;
/** The threshold that puts the network near 17 Hz at 20 Hz inputs. */
const VTH = 0.68;
const source = (device: string) => `
core c { tile = 256 x 256; tiles = 8; adc = 8 bit; adc_range = 16; device = ${device} }
network bench {
  dt = 1 ms
  input in[${NIN}]
  population rec[${N}] : LIF { tau_m = 20 ms; v_th = ${VTH}; reset = subtract }
  readout out[${NOUT}] : LI { tau = 20 ms }
  in -> rec : dense { w ~ normal(0, 0.1) }
  rec -> rec : dense { w ~ normal(0, 0.05); no_self }
  rec -> out : dense { w ~ normal(0, 0.1) }
}
task t : pattern_generation { duration = ${T} ms; channels = ${NIN}; outputs = ${NOUT} }
run { network = bench; core = c; task = t; seed = 1 }`;

const IDEAL = 'ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS)';
const PCM = 'pcm { g_max = 12 uS; weight_scale = 12 uS; prog_noise = on; read_noise = on; drift = on }';
/** The same PCM devices (the same programming, drawn from the same seed) read without noise or drift: the like-for-like baseline of the noise's cost. */
const PCM_QUIET = 'pcm { g_max = 12 uS; weight_scale = 12 uS; prog_noise = on; read_noise = off; drift = off }';

function compile(device: string) {
  const text = new TextEncoder().encode(source(device));
  const host: Host = { read: (p) => (p === '/bench/core.snn' ? { ok: true, bytes: text } : { ok: false, reason: 'it does not exist' }) };
  const r = checkPaths(['/bench/core.snn'], host);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors[0]!.message);
  const checked = r.programs.get('/bench/core.snn')!;
  const res = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!);
  if (!res.program) throw new Error(res.diagnostics.map((d) => d.message).join('; '));
  return { program: res.program, net: lowerNetwork([...checked.networks.values()][0]!) };
}

const inputs = (rate: number, seed: number) => { const g = MT19937.legacy(seed); return Float64Array.from({ length: T * NIN }, () => (g.random() < rate * 1e-3 ? 1 : 0)); };

/** Median ms of `runs` calls after one warm-up. */
export function time(f: () => void, runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); }
  ts.sort((a, b) => a - b);
  return ts[Math.floor(ts.length / 2)]!;
}

export interface CoreBench {
  rate_hz: number; input_rate_hz: number;
  float_ms: number; ideal_ms: number; pcm_ms: number; pcm_quiet_ms: number; ideal_over_float: number; pcm_over_ideal: number; pcm_over_quiet: number;
  spikes: { float: number; ideal: number; pcm: number; pcm_quiet: number };
  numpy_ms: number | null; brian_ms: number | null; notes: string[];
  scaling: Array<{ input_rate_hz: number; synaptic_events_per_step: number; ms: number; us_per_1k_events: number }>;
  heap: { sequences: number; first_mb: number; last_mb: number; growth_kb_per_sequence: number };
  allocation: { ideal_bytes_per_step: number; pcm_bytes_per_step: number };
}

export function runCoreBench(runs = 7): CoreBench {
  const ideal = compile(IDEAL);
  const pcm = compile(PCM);
  const inputRate = 20;
  const x = inputs(inputRate, 2);
  // The float forward of the same network: its weights as the ideal device holds them would only
  // change values, not work; the instance the compiler drew is used as it is.
  const inst = instantiate(ideal.net, stream(1, 'init'));
  const dyn = dynamics(inst, ideal.net.dt);
  let spikes = 0;
  const floatMs = time(() => { const tr = simulate(inst, dyn, x); spikes = tr.spikeCount.reduce((a, b) => a + b, 0); }, runs);
  const coreIdeal = new Core(ideal.program, { seed: 1 });
  let seq = 0;
  let coreSpikes = 0;
  const idealMs = time(() => { const s0 = coreIdeal.counts.spikes; coreIdeal.runSequence(x, 0); coreSpikes = coreIdeal.counts.spikes - s0; seq++; }, runs);
  const spikesOf = (c: Core, f: () => void) => { const s0 = c.counts.spikes; f(); return c.counts.spikes - s0; };
  const corePcm = new Core(pcm.program, { seed: 1 });
  let pcmSpikes = 0;
  const pcmMs = time(() => { pcmSpikes = spikesOf(corePcm, () => corePcm.runSequence(x, 0)); }, runs);
  const quiet = compile(PCM_QUIET);
  const coreQuiet = new Core(quiet.program, { seed: 1 });
  let quietSpikes = 0;
  const quietMs = time(() => { quietSpikes = spikesOf(coreQuiet, () => coreQuiet.runSequence(x, 0)); }, runs);
  const notes: string[] = [];
  // Scaling with synaptic events: input rates 5–100 Hz.
  const scaling = [5, 10, 20, 50, 100].map((rate) => {
    const xs = inputs(rate, 3);
    const c = new Core(ideal.program, { seed: 1 });
    let events = 0;
    const ms = time(() => { const e0 = c.counts.synops; c.runSequence(xs, 0); events = c.counts.synops - e0; }, 5);
    return { input_rate_hz: rate, synaptic_events_per_step: events / T, ms, us_per_1k_events: (ms * 1000) / (events / 1000) };
  });
  // The heap over a long run: after a forced collection, every 25 sequences.
  setFlagsFromString('--expose_gc');
  const gc = runInNewContext('gc') as () => void;
  const c = new Core(ideal.program, { seed: 1 });
  const heap: number[] = [];
  for (let k = 0; k < 200; k++) { c.runSequence(x, 0); if (k % 25 === 24) { gc(); heap.push(process.memoryUsage().heapUsed / 1048576); } }
  const growth = ((heap.at(-1)! - heap[0]!) * 1024) / 175;
  // Allocation itself: the heap's growth over 5 sequences right after a collection (no
  // collection runs in between at these sizes), per step — ideal devices and PCM with read noise.
  const allocated = (core: Core) => { core.runSequence(x, 0); gc(); const h0 = process.memoryUsage().heapUsed; for (let k = 0; k < 5; k++) core.runSequence(x, 0); return (process.memoryUsage().heapUsed - h0) / (5 * T); };
  const allocation = { ideal_bytes_per_step: allocated(new Core(ideal.program, { seed: 1 })), pcm_bytes_per_step: allocated(new Core(pcm.program, { seed: 1 })) };
  // NumPy and Brian2 forward passes of the same network (weights and inputs as .npy).
  const dir = mkdtempSync(join(tmpdir(), 'phasecore-bench-'));
  let numpyMs: number | null = null; let brianMs: number | null = null;
  try {
    const { nRec, nIn, nOut } = inst.layout;
    writeFileSync(join(dir, 'w_in.npy'), encodeNpy('float64', [nIn, nRec], inst.inRec.w));
    writeFileSync(join(dir, 'w_rec.npy'), encodeNpy('float64', [nRec, nRec], inst.recRec.w));
    writeFileSync(join(dir, 'w_out.npy'), encodeNpy('float64', [nRec, nOut], inst.recOut.w));
    writeFileSync(join(dir, 'x.npy'), encodeNpy('float64', [T, nIn], x));
    const py = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
    for (const [script, set] of [['forward_numpy.py', (v: number) => { numpyMs = v; }], ['forward_brian.py', (v: number) => { brianMs = v; }]] as const) {
      const r = spawnSync(py, [join(packageRoot(), 'bench', script), dir, String(runs), String(VTH)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', PYTHONWARNINGS: 'ignore' } });
      const m = /ms_per_sequence=([\d.]+) spikes=(\d+)/.exec(r.stdout);
      if (r.status === 0 && m) { set(Number(m[1])); notes.push(`${script}: ${m[2]} spikes (phasecore float forward ${spikes})`); } else notes.push(`${script} skipped: ${(r.stderr || r.stdout || 'no output').trim().split('\n').at(-1)}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  void seq;
  return {
    rate_hz: spikes / (N * T * 1e-3), input_rate_hz: inputRate,
    float_ms: floatMs, ideal_ms: idealMs, pcm_ms: pcmMs, pcm_quiet_ms: quietMs, ideal_over_float: idealMs / floatMs, pcm_over_ideal: pcmMs / idealMs, pcm_over_quiet: pcmMs / quietMs,
    spikes: { float: spikes, ideal: coreSpikes, pcm: pcmSpikes, pcm_quiet: quietSpikes },
    numpy_ms: numpyMs, brian_ms: brianMs, notes, scaling,
    heap: { sequences: 200, first_mb: heap[0]!, last_mb: heap.at(-1)!, growth_kb_per_sequence: growth },
    allocation,
  };
}
