// Reference e-prop speed: one sequence's forward pass and e-prop update on N = 256 recurrent LIF
// neurons, 100 inputs, 20 outputs, T = 1000 steps, against a plain NumPy implementation of the
// same update (bench/eprop_numpy.py) measured in the same run on the same data. The two gradients
// are compared, so the ratio is between implementations of one computation.
// Run: npm run bench (needs Debian's python3-numpy for the comparison: apt-get install python3-numpy).
import { packageRoot } from '../src/data/package.ts';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPaths } from '../src/compiler/frontend.ts';
import { lowerNetwork } from '../src/compiler/lower.ts';
import { instantiate } from '../src/ir/instantiate.ts';
import { MT19937 } from '../src/data/random.ts';
import { decodeNpy, encodeNpy } from '../src/data/npy.ts';
import { readFileSync } from 'node:fs';
import { dynamics, simulate } from '../src/reference/simulate.ts';
import { accumulateEprop, zeroGradients } from '../src/reference/eprop.ts';
import { lossAndError } from '../src/reference/loss.ts';
import type { Host } from '../src/compiler/workspace.ts';

export interface EpropBench { ms_per_sequence: number; numpy_ms_per_sequence: number | null; ratio: number | null; max_rel_diff: number | null; rate_hz: number; note?: string }

const N = 256; const NIN = 100; const NOUT = 20; const T = 1000;
const SRC = `
network bench {
  dt = 1 ms
  input in[${NIN}]
  population rec[${N}] : LIF { tau_m = 20 ms; v_th = 0.5; reset = subtract; threshold_test = gt; surrogate = piecewise_linear(gamma = 0.3) }
  readout out[${NOUT}] : LI { tau = 20 ms; input_factor = one_minus_kappa }
  in -> rec : dense { w ~ normal(0, 0.1) }
  rec -> rec : dense { w ~ normal(0, 0.02) }
  rec -> out : dense { w ~ normal(0, 0.1) }
}`;

export function runEpropBench(repeats = 5): EpropBench {
  const host: Host = { read: (p) => (p === '/bench/eprop.snn' ? { ok: true, bytes: new TextEncoder().encode(SRC) } : { ok: false, reason: 'it does not exist' }) };
  const r = checkPaths(['/bench/eprop.snn'], host);
  if (r.diagnostics.length > 0) throw new Error(r.diagnostics[0]?.message);
  const net = lowerNetwork([...r.programs.get('/bench/eprop.snn')!.networks.values()][0]!);
  const rng = MT19937.legacy(1);
  const inst = instantiate(net, rng);
  const dyn = dynamics(inst, net.dt);
  const x = Float64Array.from({ length: T * NIN }, () => (rng.random() < 0.02 ? 1 : 0));
  const y = Float64Array.from({ length: T * NOUT }, (_, i) => Math.sin((2 * Math.PI * (Math.floor(i / NOUT) + 37 * (i % NOUT))) / 250));
  const B = Float64Array.from({ length: N * NOUT }, () => rng.randn() / Math.sqrt(N));
  let g = zeroGradients(inst);
  let rate = 0;
  const times: number[] = [];
  for (let k = 0; k < repeats + 1; k++) {
    const t0 = performance.now();
    g = zeroGradients(inst);
    const tr = simulate(inst, dyn, x);
    const { err } = lossAndError({ kind: 'mse', reduce: 'sum' }, tr.y, T, NOUT, { target: y }, net.dt);
    accumulateEprop(inst, dyn, x, tr, err, B, new Float64Array(N), g);
    if (k > 0) times.push(performance.now() - t0); // the first run warms the JIT
    rate = tr.spikeCount.reduce((a, b) => a + b, 0) / (N * T * net.dt);
  }
  times.sort((a, b) => a - b);
  const ms = times[Math.floor(times.length / 2)] as number;

  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { ms_per_sequence: ms, numpy_ms_per_sequence: null, ratio: null, max_rel_diff: null, rate_hz: rate, note: 'no /usr/bin/python3' };
  const dir = mkdtempSync(join(tmpdir(), 'phasecore-bench-'));
  try {
    const w = (name: string, shape: number[], data: Float64Array) => writeFileSync(join(dir, `${name}.npy`), encodeNpy('float64', shape, data));
    w('w_in', [NIN, N], inst.inRec.w); w('w_rec', [N, N], inst.recRec.w); w('w_out', [N, NOUT], inst.recOut.w); w('b', [N, NOUT], B);
    w('x', [T, NIN], x); w('y', [T, NOUT], y);
    writeFileSync(join(dir, 'params.json'), JSON.stringify({ dt: net.dt, tau_m: 0.02, tau_out: 0.02, v_th: 0.5, gamma: 0.3 }));
    // OpenBLAS tuning variables slow a current numpy (env notes): unset both for this command only.
    const env = { ...process.env };
    delete env.OPENBLAS_CORETYPE; delete env.OPENBLAS_L2_SIZE;
    const script = join(packageRoot(), 'bench', 'eprop_numpy.py');
    const res = spawnSync(python, [script, dir, String(Math.max(1, Math.min(repeats, 3)))], { encoding: 'utf8', env });
    if (res.status !== 0) return { ms_per_sequence: ms, numpy_ms_per_sequence: null, ratio: null, max_rel_diff: null, rate_hz: rate, note: `numpy run failed: ${(res.stderr || '').trim().split('\n').pop()} (apt-get install python3-numpy)` };
    const npMs = (JSON.parse(res.stdout.trim().split('\n').pop() as string) as { ms_per_sequence: number }).ms_per_sequence;
    let maxRel = 0;
    for (const [name, ours] of [['numpy_g_in', g.inRec], ['numpy_g_rec', g.recRec], ['numpy_g_out', g.recOut]] as const) {
      const got = decodeNpy(readFileSync(join(dir, `${name}.npy`)));
      if (!got.ok) throw new Error(got.reason);
      let scale = 0;
      for (const v of got.array.data) scale = Math.max(scale, Math.abs(v));
      got.array.data.forEach((v, i) => { maxRel = Math.max(maxRel, Math.abs(v - (ours[i] as number)) / (scale || 1)); });
    }
    return { ms_per_sequence: ms, numpy_ms_per_sequence: npMs, ratio: ms / npMs, max_rel_diff: maxRel, rate_hz: rate };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
