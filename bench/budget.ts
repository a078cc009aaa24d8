// The fuzzers' work budget: before running compile and train on a mutant, estimate their cost
// from the checked program (the same loader, --set overrides and lowering the commands use) and
// leave out a command whose network or task is too large for the time it is given. The in-process
// tests use TEST_LIMITS (seconds in all); the pipeline fuzzer (bench/fuzz-pipeline.ts) uses
// FUZZ_LIMITS, so that an input within them that misses its deadline is a hang, not a big network.
import { resolve } from 'node:path';
import { selectRun } from '../src/compiler/frontend.ts';
import { lowerNetwork, lowerTask, lowerTrain } from '../src/compiler/lower.ts';
import { displayPath } from '../src/compiler/workspace.ts';
import { hasErrors } from '../src/dsl/diagnostics.ts';
import { loadInputs } from '../src/cli/load.ts';
import { taskSteps } from '../src/tasks/generate.ts';
import type { NetworkIR } from '../src/ir/network.ts';

export interface Limits {
  /** Synapses (dense upper bound) a compile may map. */
  readonly compileSynapses: number;
  /** Input values (steps × channels) a compile's task sample may hold. */
  readonly compileInputs: number;
  /** sequences × steps × synapses of one train step (batch, plus 64 validation sequences when validating). */
  readonly trainWork: number;
}
export const TEST_LIMITS: Limits = { compileSynapses: 3e5, compileInputs: 2e6, trainWork: 4e7 };
/** About 25 times the tests' limits: a few seconds of work on this machine, far within a 30 s deadline. */
export const FUZZ_LIMITS: Limits = { compileSynapses: 8e6, compileInputs: 5e7, trainWork: 1e9 };

function sizes(net: NetworkIR): { inputs: number; synapses: number } {
  let nIn = 0; let nRec = 0; let nOut = 0;
  for (const p of net.populations) {
    if (p.role === 'input') nIn += p.size; else if (p.role === 'readout') nOut += p.size; else nRec += p.size;
  }
  return { inputs: nIn, synapses: (nIn + nRec) * (nRec + nOut) };
}

const within = (x: number, limit: number) => Number.isFinite(x) && x <= limit;

export interface Verdict { readonly compile: boolean; readonly train: boolean; readonly why: string }

/**
 * Whether compile and train of `root` (with --set `sets`) fit the limits. A file with errors, or
 * whose overrides are refused, is cheap (the commands stop at the diagnostics). If the estimate
 * itself throws, the commands would throw at the same place: run them, and let the test see it.
 */
export function budget(root: string, sets: readonly string[], limits: Limits = TEST_LIMITS): Verdict {
  const abs = resolve(root);
  try {
    const loaded = loadInputs([abs], { set: [...sets] });
    // A refused override or a file with errors is cheap: the commands stop at the diagnostics.
    if (!loaded.ok || hasErrors(loaded.diagnostics)) return { compile: true, train: true, why: '' };
    const program = loaded.result.programs.get(abs);
    if (!program) return { compile: true, train: true, why: '' };
    let compile = true;
    let why = '';
    const run = selectRun(program, displayPath(abs), ['run', 'train']);
    if (run.ok) {
      const p = run.value.params.params;
      const net = p.network?.t === 'ref' ? program.networks.get(p.network.name) : undefined;
      const task = p.task?.t === 'ref' ? program.tasks.get(p.task.name) : undefined;
      if (net) {
        const n = lowerNetwork(net);
        const s = sizes(n);
        const steps = task ? taskSteps(lowerTask(task), n.dt) : 1;
        compile = within(s.synapses, limits.compileSynapses) && within(steps * s.inputs, limits.compileInputs);
        if (!compile) why += `compile: ${s.synapses} synapses, ${steps} steps; `;
      }
    }
    const trainRun = selectRun(program, displayPath(abs), ['train']);
    if (!trainRun.ok) return { compile, train: true, why };
    const ir = lowerTrain(program, trainRun.value);
    const steps = taskSteps(ir.task, ir.network.dt);
    const work = (ir.batch + (ir.validateEvery > 0 ? 64 : 0)) * steps * sizes(ir.network).synapses * (ir.learn.kind === 'bptt' ? 3 : 1);
    const train = within(work, limits.trainWork);
    return { compile, train, why: train ? why : `${why}train: work ${work.toExponential(2)}` };
  } catch {
    return { compile: true, train: true, why: 'the estimate threw' };
  }
}
