// On-chip e-prop speed (issue 9): one training sequence on the core — N = 256 recurrent LIF, 100
// inputs, 20 readouts, T = 1000 steps, every step the learning unit's online e-prop in fixed point
// (per-synapse ē and Δ over 96 k synapses, written at the sequence's end) with full cycle and energy
// accounting — against a PyTorch CPU implementation of the same online update (bench/eprop_torch.py:
// forward, traces, κ-filtered per-synapse eligibility, learning signal and gradient every step),
// one thread each, in the same run, on the same weights and inputs, steady state: medians of 9 after 3 warm-up sequences each.
// Not like for like in precision: the core computes in its declared fixed-point formats — a
// 16-bit eligibility register (s16.12), the rest the defaults, so its learning unit runs the narrow
// kernels (ē in i16, Δ in i32) — PyTorch in float32 (and float64, also reported). Also: the same
// core with the SIMD kernels off (its scalar fast path), and steps per second with learning on and off.
// Needs Debian's python3-torch for the comparison (apt-get install python3-torch).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { compileRun } from '../src/compiler/compile.ts';
import { MT19937 } from '../src/data/random.ts';
import { encodeNpy } from '../src/data/npy.ts';
import { Core } from '../src/runtime/core.ts';
import type { Host } from '../src/compiler/workspace.ts';
import { time as median } from './core.ts';

const N = 256; const NIN = 100; const NOUT = 20; const T = 1000;
const WARMUP = 3;
const VTH = 0.68; const TAU = 0.02; const GAMMA = 0.3;
const SRC = `
core c { tile = 256 x 256; tiles = 8; adc = 8 bit; adc_range = 16; device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS); eligibility = saturate(s16.12) }
network bench {
  dt = 1 ms
  input in[${NIN}]
  population rec[${N}] : LIF { tau_m = 20 ms; v_th = ${VTH}; reset = subtract; surrogate = piecewise_linear(gamma = ${GAMMA}) }
  readout out[${NOUT}] : LI { tau = 20 ms; input_factor = one_minus_kappa }
  in -> rec : dense { w ~ normal(0, 0.1) }
  rec -> rec : dense { w ~ normal(0, 0.05); no_self }
  rec -> out : dense { w ~ normal(0, 0.1) }
}
learn l : eprop { feedback = random; optimizer = sgd(lr = 1e-5); update = mixed_precision; write = sequence }
task t : pattern_generation { duration = ${T} ms; channels = ${NIN}; outputs = ${NOUT} }
train { network = bench; core = c; learn = l; task = t; seed = 1; batch = 1 }`;

export interface LearningBench {
  ms_per_sequence: number; scalar_ms_per_sequence: number; inference_ms_per_sequence: number;
  steps_per_s_learning: number; steps_per_s_inference: number; kernel: boolean; narrow: boolean; rate_hz: number;
  torch_f32_ms: number | null; torch_f64_ms: number | null; ratio_f32: number | null; ratio_f64: number | null; torch_rate_hz: number | null; notes: string[];
}

export function runLearningBench(runs = 9): LearningBench {
  const host: Host = { read: (p) => (p === '/bench/learning.snn' ? { ok: true, bytes: new TextEncoder().encode(SRC) } : { ok: false, reason: 'it does not exist' }) };
  const r = checkPaths(['/bench/learning.snn'], host);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors[0]!.message);
  const checked = r.programs.get('/bench/learning.snn')!;
  const compile = (learning: 'required' | 'off') => {
    const res = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!, { learning });
    if (!res.program || !res.instance) throw new Error(res.diagnostics.map((d) => d.message).join('; '));
    return res;
  };
  const learnRes = compile('required');
  const inferRes = compile('off');
  const g = MT19937.legacy(3);
  const x = Float64Array.from({ length: T * NIN }, () => (g.random() < 0.02 ? 1 : 0));
  const target = Float64Array.from({ length: T * NOUT }, (_, i) => Math.sin((2 * Math.PI * (Math.floor(i / NOUT) + 37 * (i % NOUT))) / 250));
  const notes: string[] = [];
  const learner = new Core(learnRes.program!, { seed: 1, samples: 1 });
  const kernel = learner.learning.kernel !== null;
  if (!kernel) notes.push('the SIMD kernel is not loaded (dist/gradacc.wasm missing: run npm install): the scalar path ran');
  const narrow = learner.learning.narrow;
  if (kernel && !narrow) notes.push('the learning unit runs the wide kernel (its formats do not fit the narrow one)');
  // Steady state: V8 tiers the unit's code up over the first few sequences, so both sides get WARMUP untimed ones.
  const ms = median(() => { learner.runSequence(x, 0, undefined, { target }); }, runs, WARMUP);
  let spikes = 0;
  for (const s of learner.spikeCount) spikes += s;
  const rate = spikes / (N * (runs + 1) * T * 1e-3);
  learner.learning.scalarOnly = true;
  const scalarMs = median(() => { learner.runSequence(x, 0, undefined, { target }); }, Math.max(1, Math.min(3, runs)));
  const inference = new Core(inferRes.program!, { seed: 1, samples: 1 });
  const inferMs = median(() => { inference.runSequence(x, 0); }, runs, WARMUP);

  let torch32: number | null = null; let torch64: number | null = null; let torchRate: number | null = null;
  const python = '/usr/bin/python3';
  const script = join(packageRoot(), 'bench', 'eprop_torch.py');
  if (!existsSync(python)) notes.push('no /usr/bin/python3: the PyTorch comparison is skipped');
  else {
    const dir = mkdtempSync(join(tmpdir(), 'phasecore-learning-bench-'));
    try {
      const inst = learnRes.instance!;
      const w = (name: string, shape: number[], data: Float64Array) => writeFileSync(join(dir, `${name}.npy`), encodeNpy('float64', shape, data));
      const B = Float64Array.from(learnRes.program!.learning!.B, (b) => b * 2 ** -learnRes.program!.core.registers.weight.frac);
      w('w_in', [NIN, N], inst.inRec.w); w('w_rec', [N, N], inst.recRec.w); w('w_out', [N, NOUT], inst.recOut.w); w('b', [N, NOUT], B);
      w('x', [T, NIN], x); w('y', [T, NOUT], target);
      writeFileSync(join(dir, 'params.json'), JSON.stringify({ dt: 1e-3, tau_m: TAU, tau_out: TAU, v_th: VTH, gamma: GAMMA }));
      for (const dtype of ['float32', 'float64'] as const) {
        const res = spawnSync(python, [script, dir, String(runs), dtype, String(WARMUP)], { encoding: 'utf8' });
        if (res.status !== 0) { notes.push(`PyTorch ${dtype} run failed: ${(res.stderr || '').trim().split('\n').pop()} (apt-get install python3-torch)`); continue; }
        const j = JSON.parse(res.stdout.trim().split('\n').pop()!) as { median_ms: number; rate_hz?: number };
        if (dtype === 'float32') torch32 = j.median_ms; else torch64 = j.median_ms;
        if (j.rate_hz !== undefined) torchRate = j.rate_hz;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    ms_per_sequence: ms, scalar_ms_per_sequence: scalarMs, inference_ms_per_sequence: inferMs,
    steps_per_s_learning: T / (ms / 1000), steps_per_s_inference: T / (inferMs / 1000), kernel, narrow, rate_hz: rate,
    torch_f32_ms: torch32, torch_f64_ms: torch64, ratio_f32: torch32 ? ms / torch32 : null, ratio_f64: torch64 ? ms / torch64 : null, torch_rate_hz: torchRate, notes,
  };
}
