// Running a program on the core: its sequences (from the task the program names, or given), and
// the summary a designer reads — spikes and rates, cycles and utilisation, energy by kind,
// saturations, timing errors, activity metrics comparable with NeuroBench's, and the outputs'
// loss and accuracy where the task has targets or labels.
import { stream } from '../data/random.ts';
import { taskData, type Sample } from '../tasks/generate.ts';
import type { LossIR, TaskIR } from '../ir/training.ts';
import { disassemble, UNITS } from './isa.ts';
import { Core, CoreError, type Counts, type CoreOptions } from './core.ts';
import type { Program } from './program.ts';

/**
 * The sequences of a run: the program's task, drawn from the data stream of its seed (as the
 * reference draws them). A program compiled for fewer steps than the task's (compile --steps)
 * runs the first steps of each sequence.
 */
export function taskSamples(program: Program, samples: number, seed: number): Sample[] {
  const task = program.run.task as TaskIR | null;
  if (!task) throw new CoreError('PCX2002', 'the program names no task to draw inputs from; give the inputs with --input x.npy');
  const data = taskData(task, program.symbols.dt);
  const steps = program.run.steps;
  if (data.T < steps) throw new CoreError('PCX2002', `the task's sequences have ${data.T} steps; the program runs ${steps}`);
  const all = data.batch(samples, stream(seed, 'data'));
  if (data.T === steps) return all;
  return all.map((s) => ({
    T: steps, x: s.x.slice(0, steps * data.channels),
    ...(s.target ? { target: s.target.slice(0, steps * data.outputs) } : {}), ...(s.label !== undefined ? { label: s.label } : {}),
  }));
}

export interface RunSummary {
  readonly steps: number; readonly samples: number;
  readonly spikes: Record<string, number>;
  readonly rates_hz: Record<string, number>;
  readonly cycles: number; readonly cycles_per_step: number; readonly max_cycles_per_step: number; readonly budget_cycles_per_step: number;
  readonly time_per_step_us: number; readonly clock_hz: number;
  readonly energy_pj: number; readonly energy_per_step_pj: number;
  readonly energy_by_kind: Record<string, number>;
  readonly adc_law: string;
  readonly counts: Counts;
  readonly programming: { readonly set_pulses: number; readonly reset_pulses: number; readonly energy_pj: number };
  readonly saturations: Record<string, number>;
  readonly saturations_by_population: Record<string, Record<string, number>>;
  readonly timing_errors: { readonly count: number; readonly first: null | { sample: number; step: number; instruction: number; disassembly: string; serves: string; source: string | null; cycles: number } };
  readonly units: Record<string, { busy: number; stalls: number; utilisation: number }>;
  readonly synops: number;
  readonly activity: { readonly activation_sparsity: number; readonly membrane_updates: number; readonly synops_per_step: number; readonly memory_bytes: number; readonly crossbar_cells: number };
  readonly devices: string;
  readonly outputs: null | { readonly loss: number | null; readonly accuracy: number | null; readonly kind: string };
}

export interface RunOptions extends CoreOptions {
  readonly onStep?: (done: number, total: number) => void;
  /** Observe the core (Core.observe) and hand over each sequence's observation once it has run: a testbench's view. */
  readonly onSequence?: (core: Core, k: number, sample: Sample) => void;
}

/** Run `samples` on a new core for `program`; the core stays inspectable (probes, logs). */
export function runProgram(program: Program, samples: readonly Sample[], opts: RunOptions, score?: (y: Float64Array, s: Sample) => { loss: number; correct: boolean | null }): { core: Core; summary: RunSummary } {
  const core = new Core(program, { ...opts, samples: samples.length });
  if (opts.onSequence) core.observe(true);
  const total = samples.length * core.steps;
  let done = 0;
  let loss = 0; let correct = 0; let scored = 0; let classified = 0;
  samples.forEach((s, k) => {
    // A program that learns on chip (a compiled train block) learns as it runs: it needs each sequence's target.
    core.runSequence(s.x, k, () => { done++; opts.onStep?.(done, total); }, core.learn ? { ...(s.target ? { target: s.target } : {}), ...(s.label !== undefined ? { label: s.label } : {}) } : {});
    opts.onSequence?.(core, k, s);
    if (score && (s.target || s.label !== undefined)) {
      const r = score(core.outputs, s);
      loss += r.loss; scored++;
      if (r.correct !== null) { classified++; if (r.correct) correct++; }
    }
  });
  return { core, summary: summarise(program, core, samples.length, scored > 0 ? { loss: loss / scored, accuracy: classified > 0 ? correct / classified : null, kind: (program.run.loss as LossIR | null)?.kind ?? 'default' } : null) };
}

function summarise(program: Program, core: Core, samples: number, outputs: RunSummary['outputs']): RunSummary {
  const c = program.core;
  const steps = core.steps * samples;
  const dt = program.symbols.dt;
  const spikes: Record<string, number> = {}; const rates: Record<string, number> = {};
  let nRec = 0;
  program.populations.forEach((p, i) => {
    if (p.model !== 'LIF' && p.model !== 'ALIF') return;
    const o = program.symbols.layout[i]!.offset;
    let n = 0;
    for (let j = o; j < o + p.size; j++) n += core.spikeCount[j] as number;
    spikes[p.name] = n;
    rates[p.name] = steps > 0 && p.size > 0 ? n / (p.size * steps * dt) : 0;
    nRec += p.size;
  });
  const byKind = core.energy();
  const programmingEnergy = core.energy(core.programming).program ?? 0;
  const energy = Object.values(byKind).reduce((a, x) => a + x, 0);
  const cycles = core.board.end;
  const max = core.maxStepCycles;
  const sat = core.saturationsByRegister();
  const first = core.timingErrors[0];
  const busy = core.units();
  const { bytes, cells } = memoryFootprint(program);
  const span = (addr: number) => {
    const sp = program.symbols.spans[addr];
    return sp && sp.file >= 0 ? `${program.symbols.files[sp.file]}:${sp.line}:${sp.column}` : null;
  };
  return {
    steps: core.steps, samples,
    spikes, rates_hz: rates,
    cycles, cycles_per_step: steps > 0 ? cycles / steps : 0, max_cycles_per_step: max, budget_cycles_per_step: core.budget,
    time_per_step_us: steps > 0 ? (cycles / steps / c.clockHz) * 1e6 : 0, clock_hz: c.clockHz,
    energy_pj: energy, energy_per_step_pj: steps > 0 ? energy / steps : 0, energy_by_kind: byKind, adc_law: core.adcLawText,
    counts: { ...core.counts },
    programming: { set_pulses: core.programming.setPulses, reset_pulses: core.programming.resetPulses, energy_pj: programmingEnergy },
    saturations: sat.total, saturations_by_population: sat.byPopulation,
    timing_errors: {
      count: core.timingErrorCount,
      first: first ? { sample: first.sample, step: first.step, instruction: first.address, disassembly: disassemble(program.code[first.address]!), serves: program.symbols.origins[first.address] ?? '', source: span(first.address), cycles: first.cycles } : null,
    },
    units: Object.fromEntries(UNITS.map((u) => [u, { busy: busy[u]!.busy, stalls: busy[u]!.stalls, utilisation: cycles > 0 ? busy[u]!.busy / cycles : 0 }])),
    synops: core.counts.synops,
    activity: {
      activation_sparsity: steps > 0 && nRec > 0 ? 1 - core.counts.spikes / (nRec * steps) : 1,
      membrane_updates: core.counts.membraneUpdates, synops_per_step: steps > 0 ? core.counts.synops / steps : 0,
      memory_bytes: bytes, crossbar_cells: cells,
    },
    devices: core.options.ideal ? 'ideal (--ideal: the program\'s targets held exactly)' : c.device.kind === 'ideal' ? `ideal, ${c.device.levels} levels` : `PCM ${c.device.profile}${c.device.readNoise ? ', read noise' : ''}${c.device.drift ? ', drift' : ''}${c.device.progNoise ? ', programming noise' : ''}`,
    outputs,
  };
}

/** The program's memory: bytes of digital state and parameters of every neuron and accumulator, and the crossbar's devices. */
export function memoryFootprint(program: Program): { bytes: number; cells: number } {
  const c = program.core;
  const R = c.registers;
  let bits = 0;
  let nNeurons = 0;
  for (const p of program.populations) {
    bits += p.size * Object.keys(p.arrays).length * 32 + (p.model === 'input' ? 0 : p.size * (R.membrane.bits + (p.model === 'ALIF' ? R.adaptation.bits : 0)));
    if (p.model !== 'input') nNeurons += p.size;
  }
  bits += nNeurons * R.accumulator.bits;
  return { bytes: Math.ceil(bits / 8), cells: program.targets.length * c.rows * c.cols * 2 * c.device.devicesPerSide };
}
