// Chip-in-the-loop training (placement = chip_in_the_loop): the core does the forward pass, the
// host — the float reference's own learner, through its seam — computes e-prop gradients from it
// and runs the optimizer in float64, and the change is written to the devices with the file's
// scheme. On an exact forward (ideal devices whose level is one ADC step, wide formats) the host's
// update is the reference's own update of the same network, so after a program-and-verify write
// the devices hold the reference's trained weights to within half a device level.
import { describe, expect, it } from 'vitest';
import { checkText } from '../helpers.ts';
import { compileText } from '../runtime/build.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import { heldInstance } from '../../src/cli/held.ts';
import { coreTrainer } from '../../src/cli/core-trainer.ts';
import { dynamics, simulate } from '../../src/reference/simulate.ts';
import { referenceLearner } from '../../src/reference/train.ts';
import { instantiate } from '../../src/ir/instantiate.ts';
import { stream } from '../../src/data/random.ts';
import { taskData } from '../../src/tasks/generate.ts';

const FRAC = 30;
const source = (optimizer: string, placement: string, update: string) => `
core c {
  tile = 32 x 32; tiles = 8; adc = 16 bit; adc_range = 16; adc_columns = 4
  device = ideal(levels = 4096, g_max = 4095 uS, weight_scale = 2048 uS)
  accumulator = saturate(s48.${FRAC}); membrane = saturate(s48.${FRAC}); threshold = saturate(s48.${FRAC}); adaptation = saturate(s48.${FRAC})
  decay = multiply(q1.31); gradient = saturate(s48.40)
}
network n {
  input i[8]
  population p[10] : ALIF { tau_m = 20 ms; v_th = 0.3; tau_a = 80 ms; beta = 0.3; surrogate = fast_sigmoid(gamma = 0.3) }
  readout o[2] : LI { tau = 15 ms }
  i -> p : dense { w ~ uniform(-0.4, 0.6) }
  p -> p : dense { no_self; w ~ uniform(-0.3, 0.3) }
  p -> o : dense { w ~ uniform(-0.5, 0.5) }
}
learn r : eprop { feedback = random; loss = mse; optimizer = ${optimizer}; update = ${update}; placement = ${placement} }
task t : pattern_generation { duration = 60 ms; channels = 8; outputs = 2; rate = 80 Hz }
train { network = n; core = c; learn = r; task = t; iterations = 1; batch = 1; seed = 5 }
`;

function lowered(src: string) {
  const r = checkText(src);
  const checked = [...r.programs.values()][0]!;
  return lowerTrain(checked, checked.runs[0]!);
}

describe('chip in the loop', () => {
  it('the devices hold the reference\'s update of the same network, within half a level (Adam, a surrogate the learning unit cannot run)', () => {
    const src = source('adam(lr = 1e-2)', 'chip_in_the_loop', 'program_verify(tolerance = 1 uS, epsilon = 0)');
    const { program, result } = compileText(src);
    expect(program.learning!.placement).toBe('chip_in_the_loop');
    expect(program.code.some((i) => i.op === 'GRAD_ACC')).toBe(false); // no learning instructions: the host learns
    const held = heldInstance(result);
    const ir = lowered(src);
    const tr = coreTrainer(ir, program, { held });
    const before = tr.core.deviceWeights();
    tr.step();
    const after = tr.core.deviceWeights();

    // The reference's own update of the held network, from its own forward pass.
    const copy = (b: typeof held.inRec) => ({ ...b, w: Float64Array.from(b.w) });
    const inst = { ...held, inRec: copy(held.inRec), recRec: copy(held.recRec), inOut: copy(held.inOut), recOut: copy(held.recOut) };
    const initRng = stream(ir.seed, 'init');
    instantiate(ir.network, initRng);
    const learner = referenceLearner(ir, inst, initRng);
    const s = taskData(ir.task, ir.network.dt).batch(1, stream(ir.seed, 'data'))[0]!;
    const trace = simulate(inst, dynamics(inst, ir.network.dt), s.x);
    learner.zero();
    learner.accumulate(s, trace, learner.rate(trace.spikeCount, trace.T, new Float64Array(inst.layout.nRec)));
    learner.apply(0, 1, trace.T);

    const halfLevel = 0.5 / 2048; // one level is 1 uS of the 2048 uS weight scale
    let moved = 0; let compared = 0;
    for (const k of ['inRec', 'recRec', 'recOut'] as const) {
      for (let i = 0; i < inst[k].w.length; i++) {
        if (!inst[k].mask[i]) continue;
        compared++;
        expect(Math.abs(after[k][i]! - inst[k].w[i]!), `${k}[${i}]`).toBeLessThanOrEqual(halfLevel + 1e-9);
        if (after[k][i] !== before[k][i]) moved++;
      }
    }
    // Adam's first step moves every weight with a nonzero gradient by ≈ η = 10 levels: most moved.
    expect(moved).toBeGreaterThan(compared / 2);
  });

  it('keeps the host\'s weights inside what the devices hold, writes the host\'s adaptive B, leaves readout biases as compiled (SNN5012 says so)', () => {
    // A step so large that Adam's update would carry weights far past ±N·g_max / weight_scale = ±2.
    const src = source('adam(lr = 5)', 'chip_in_the_loop', 'program_verify(tolerance = 1 uS, epsilon = 0)')
      .replace('feedback = random;', 'feedback = adaptive;')
      .replace('readout o[2] : LI { tau = 15 ms }', 'readout o[2] : LI { tau = 15 ms; bias = 0.25; trainable = [bias] }');
    const { program, result } = compileText(src);
    expect(result.diagnostics.some((d) => d.code === 'SNN5012')).toBe(true);
    const held = heldInstance(result);
    const tr = coreTrainer({ ...lowered(src), iterations: 2 }, program, { held });
    tr.step(); tr.step();
    const w = tr.core.deviceWeights();
    const maxW = 4095 / 2048;
    let over = 0; let atEdge = 0;
    for (const k of ['inRec', 'recRec', 'recOut'] as const) for (const x of w[k]) { if (Math.abs(x) > maxW + 1e-12) over++; if (Math.abs(x) > 1.9) atEdge++; }
    expect(over).toBe(0);
    expect(atEdge).toBeGreaterThan(0); // the step did push weights to the edge
    // The host's own weights stay inside that range too (else host and devices drift apart).
    for (const k of ['inRec', 'recRec', 'recOut'] as const) for (const x of tr.host![k].w) expect(Math.abs(x)).toBeLessThanOrEqual(maxW);
    const res = tr.result(held);
    expect(Array.from(res.instance.biasOut)).toEqual(Array.from(held.biasOut));
    // Adaptive feedback trained B on the host: the result carries it, not the program's initial B.
    const initial = Float64Array.from(program.learning!.B, (b) => b * 2 ** -program.core.registers.weight.frac);
    expect(Array.from(res.feedback)).not.toEqual(Array.from(initial));
  });

  it('program-and-verify programs the host\'s weights: on a coarse weight grid, changes too small for a grid step add up on the host until they move one', () => {
    // A 5-bit grid (step 2/15 in weight units) and Adam steps of 1e-2: no single step crosses half a grid step.
    const src = source('adam(lr = 1e-2)', 'chip_in_the_loop', 'program_verify(tolerance = 0.5 uS, epsilon = 0)').replace('decay = multiply(q1.31);', 'decay = multiply(q1.31); weight_bits = 5 bit;');
    const { program, result } = compileText(src);
    const held = heldInstance(result);
    const tr = coreTrainer({ ...lowered(src), iterations: 12 }, program, { held });
    const start = tr.core.deviceWeights();
    for (let i = 0; i < 12; i++) tr.step();
    const w = tr.core.deviceWeights();
    const step = (4095 / 2048) / 15;
    let moved = 0;
    for (const k of ['inRec', 'recRec', 'recOut'] as const) {
      const host = tr.host![k].w;
      for (let i = 0; i < w[k].length; i++) {
        if (!held[k].mask[i]) continue;
        // Each device weight is the host's weight on the grid (the nearest grid value: within half a step, and a grid value).
        expect(Math.abs(w[k][i]! / step - Math.round(w[k][i]! / step)), `${k}[${i}] on the grid`).toBeLessThan(1e-6);
        expect(Math.abs(w[k][i]! - host[i]!), `${k}[${i}]`).toBeLessThanOrEqual(step / 2 + 1e-9);
        if (w[k][i] !== start[k][i]) moved++;
      }
    }
    // 12 Adam steps of ≈ 1e-2 move weights by up to ≈ 0.12, almost a whole grid step (0.133): some cross a midpoint.
    expect(moved).toBeGreaterThan(0);
  });

  it('Adam compiles for the chip in the loop, and is refused on chip with the placement that can run it', () => {
    const loop = compileText(source('adam(lr = 1e-3)', 'chip_in_the_loop', 'direct'));
    expect(loop.program.learning).not.toBeNull();
    const r = checkText(source('adam(lr = 1e-3)', 'on_chip', 'direct'));
    const checked = [...r.programs.values()][0]!;
    const res = compileRun(checked, checked.runs[0]!, checked.cores.get('c')!, { learning: 'required' });
    expect(res.program ?? null).toBeNull();
    const refusal = res.diagnostics.find((d) => d.code === 'SNN5010');
    expect(refusal?.message).toMatch(/placement = chip_in_the_loop/);
  });
});
