// Acceptance runs of on-chip learning (issue 9), reported as figures, not asserted in CI (they take
// minutes): node bench/launch.mjs bench/acceptance-core.ts [ideal]
//  - ideal: the core with ideal devices and wide formats (one device level = one ADC step, 30
//    fractional bits, mixed-precision transfers of one level) trains the pattern-generation task
//    like the float reference trains it: the two loss curves over the first iterations, and their
//    largest relative gap.
// The scheme comparison on PCM is a set of `phasecore train` commands (docs/results.md).
import { checkPaths } from '../src/compiler/frontend.ts';
import { compileRun } from '../src/compiler/compile.ts';
import { lowerTrain } from '../src/compiler/lower.ts';
import { referenceTrainer } from '../src/reference/train.ts';
import { coreTrainer } from '../src/cli/core-trainer.ts';
import { heldInstance } from '../src/cli/held.ts';
import type { Host } from '../src/compiler/workspace.ts';

const which = process.argv.slice(2);
const want = (k: string) => which.length === 0 || which.includes(k);

const F = 30;
const IDEAL = `
core wide {
  tile = 256 x 256; tiles = 4; lanes = 16; adc = 16 bit; adc_range = 16; adc_columns = 8
  device = ideal(levels = 4096, g_max = 4095 uS, weight_scale = 2048 uS)
  accumulator = saturate(s48.${F}); membrane = saturate(s48.${F}); threshold = saturate(s48.${F}); adaptation = saturate(s48.${F})
  decay = multiply(q1.31)
  trace = saturate(u40.${F}); psi = saturate(u40.${F}); error = saturate(s40.${F}); eligibility = saturate(s48.32)
  eligibility_sum = saturate(s48.${F}); learning_signal = saturate(s40.${F}); gradient = saturate(s48.40); weight = saturate(s32.24)
}
network pattern {
  dt = 1 ms
  input in[100]
  population rec[100] : LIF { tau_m = 30 ms; v_th = 0.03; reset = subtract; reset_timing = next_step; threshold_test = gt; input_factor = one_minus_alpha; surrogate = piecewise_linear(gamma = 0.3) }
  readout out[1] : LI { tau = 30 ms; input_factor = one_minus_kappa }
  in -> rec : dense { w ~ normal(0, 0.1) }
  rec -> rec : dense { w ~ normal(0, 0.1); no_self }
  rec -> out : dense { w ~ normal(0, 0.1) }
}
learn r : eprop {
  feedback = random { B ~ normal(0, 0.1) }; loss = mse(reduce = sum); optimizer = sgd(lr = 1e-4)
  regularizer = rate(target = 10 Hz, strength = 300, mode = per_sequence)
  // one device level (1 uS, 1/2048 of a weight) per transfer: the devices follow the SGD weights to a level
  update = mixed_precision(epsilon = 0.00048828125, pulse = 1 uS)
}
task sines : pattern_generation { duration = 1000 ms; channels = 100; rate = 50 Hz; freqs = [1, 2, 3, 5] Hz; amplitude = [0.5, 2] }
train { network = pattern; core = wide; learn = r; task = sines; iterations = 20; seed = 1 }
`;

if (want('ideal')) {
  const bytes = new TextEncoder().encode(IDEAL);
  const host: Host = { read: (p) => (p === '/acc/ideal.snn' ? { ok: true, bytes } : { ok: false, reason: 'it does not exist' }) };
  const r = checkPaths(['/acc/ideal.snn'], host);
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(errors[0]!.message);
  const checked = r.programs.get('/acc/ideal.snn')!;
  const run = checked.runs[0]!;
  const ir = lowerTrain(checked, run);
  const compiled = compileRun(checked, run, checked.cores.get('wide')!, { learning: 'required' });
  if (!compiled.program) throw new Error(compiled.diagnostics.map((d) => d.message).join('; '));
  const t0 = performance.now();
  const ref = referenceTrainer(ir);
  const core = coreTrainer(ir, compiled.program, { held: heldInstance(compiled) });
  console.log(`ideal devices, wide formats: pattern generation, ${ir.iterations} iterations, seed ${ir.seed}`);
  console.log('  iteration   reference        core   relative gap   core pulses');
  let worst = 0;
  for (let i = 0; i < ir.iterations; i++) {
    const a = ref.step(); const b = core.step();
    const gap = Math.abs(b.loss - a.loss) / a.loss;
    worst = Math.max(worst, gap);
    console.log(`  ${String(i).padStart(9)} ${a.loss.toFixed(4).padStart(11)} ${b.loss.toFixed(4).padStart(11)} ${(100 * gap).toFixed(3).padStart(12)} % ${String(b.counters.pulses).padStart(12)}`);
  }
  console.log(`  largest relative gap ${(100 * worst).toFixed(3)} % over ${ir.iterations} iterations (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
}
