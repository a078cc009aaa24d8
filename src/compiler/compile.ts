// The compiler's passes in order (lower → instantiate → map → quantise → ranges → emit), for one
// train or run block of a checked program and a core. Each pass is a function of its inputs;
// this module only threads them and collects the diagnostics and the report.
import type { CheckedCore, CheckedNetwork, CheckedProgram, CheckedRun } from './values.ts';
import type { PassContext } from './context.ts';
import { lowerCore, lowerDevice, lowerLearn, lowerNetwork, lowerTask } from './lower.ts';
import { mapTiles, type TileMap } from './map.ts';
import { quantize, quantizeLearning, type PrecisionRow } from './quantize.ts';
import { analyseRanges, type RangeRow } from './ranges.ts';
import { emit, typicalActive, type Emitted } from './emit.ts';
import { drawFeedback, instantiate } from '../ir/instantiate.ts';
import { endPieces } from '../ir/network.ts';
import { stream } from '../data/random.ts';
import { taskData } from '../tasks/generate.ts';
import { disassemble, ISA, type Unit } from '../runtime/isa.ts';
import type { Program } from '../runtime/program.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';

export const PROBE_CODES: Record<string, number> = { spikes: 0, v: 1, a: 2, threshold: 3, i: 4, psi: 5, trace: 6, y: 7, error: 8 };

export interface CompileReport {
  readonly precision: PrecisionRow[];
  readonly ranges: RangeRow[];
  readonly tiles: { readonly needed: number; readonly available: number; readonly shape: string; readonly perTile: Array<{ index: number; pieces: number; synapses: number; utilisation: number; holds: string[] }>; readonly partialSums: TileMap['partialSums'] };
  readonly cycles_per_step: number;
  readonly busy: Readonly<Record<Unit, number>>;
  readonly time_per_step_us: number;
}

export interface CompileResult {
  readonly program: Program | null;
  readonly report: CompileReport | null;
  readonly listing: string[];
  readonly diagnostics: Diagnostic[];
}

/** 0-based line and column of an offset in a file (the listing names where each instruction comes from). */
export type PositionOf = (file: string, offset: number) => { line: number; character: number } | undefined;

export interface CompileOptions {
  /** Time steps of the program's loop (default: the task's length). */
  readonly steps?: number;
  readonly position?: PositionOf;
}

export function compileRun(program: CheckedProgram, run: CheckedRun, core: CheckedCore, opts: CompileOptions = {}): CompileResult {
  const p = run.params.params;
  const netName = p.network?.t === 'ref' ? p.network.name : '';
  const checkedNet = program.networks.get(netName);
  if (!checkedNet) throw new Error('internal: compile needs a checked network');
  const net = lowerNetwork(checkedNet);
  const ctx = passContext(run, checkedNet, core);
  const seed = p.seed?.t === 'int' ? p.seed.value : 0;
  const initRng = stream(seed, 'init');
  const inst = instantiate(net, initRng);
  const coreConfig = lowerCore(core);
  const device = lowerDevice(core);
  const diagnostics: Diagnostic[] = [];
  const mapped = mapTiles(net, inst, { rows: coreConfig.rows, cols: coreConfig.cols, tiles: coreConfig.tiles }, ctx);
  diagnostics.push(...mapped.diagnostics);
  if (!mapped.value) return { program: null, report: null, listing: [], diagnostics };
  const map = mapped.value;
  const q = quantize(net, inst, coreConfig, device, map, ctx);
  diagnostics.push(...q.diagnostics);
  const ranges = analyseRanges(net, inst, q.value, coreConfig, device, map, ctx);
  diagnostics.push(...ranges.diagnostics);
  const taskName = p.task?.t === 'ref' ? p.task.name : '';
  const taskIR = program.tasks.get(taskName);
  const steps = opts.steps ?? (taskIR ? taskData(lowerTask(taskIR), net.dt).T : 1);
  const probes = run.probes.flatMap((pr) => pr.targets.flatMap((t) => endPieces(net, t).map((piece) => ({
    variable: PROBE_CODES[pr.variable] ?? 0,
    population: net.populations.indexOf(piece.population),
    lo: piece.lo, count: piece.hi - piece.lo,
  }))));
  const emitted = emit(net, map, coreConfig, steps, probes);
  // The learning unit's registers (a train block): learning rate, trace increment, feedback
  // matrix and the update scheme's thresholds and pulses.
  const learnName = p.learn?.t === 'ref' ? p.learn.name : undefined;
  const learn = learnName ? program.learns.get(learnName) : undefined;
  if (learn) {
    const l = lowerLearn(learn);
    const B = l.kind !== 'eprop' ? null : l.feedback.kind === 'symmetric' ? inst.recOut.w : drawFeedback(l.feedback.B, inst.layout, initRng);
    const learning = quantizeLearning(l, B, coreConfig, device, { file: run.file, span: run.params.spans.learn ?? run.span });
    q.value.precision.push(...learning.value);
    diagnostics.push(...learning.diagnostics);
  }
  const prog: Program = { core: coreConfig, populations: q.value.populations, targets: q.value.targets, code: emitted.code };
  // Where each instruction comes from: its populations' and projections' declarations, `file:line:col`.
  const locate = (from: Emitted['sources'][number]): string => {
    const places = [...from.populations.map((population) => ctx.locate?.({ population })), ...from.projections.map((projection) => ctx.locate?.({ projection }))];
    const byFile = new Map<string, string[]>();
    for (const pl of places) {
      const pos = pl && opts.position?.(pl.file, pl.span.start);
      if (pl && pos) byFile.set(pl.file, [...(byFile.get(pl.file) ?? []), `${pos.line + 1}:${pos.character + 1}`]);
    }
    return [...byFile].map(([file, at]) => `${file}:${at.join(', ')}`).join('; ');
  };
  const listing = emitted.code.map((ins, addr) => {
    const spec = ISA[ins.op];
    const loc = locate(emitted.sources[addr]!);
    return `${String(addr).padStart(4, '0')}  ${disassemble(ins).padEnd(60)} ${spec.unit.padEnd(11)} ${String(spec.latency(coreConfig, ins.fields, typicalActive(ins))).padStart(5)} cy  ; ${emitted.origin[addr]}${loc ? `  (${loc})` : ''}`;
  });
  const report: CompileReport = {
    precision: q.value.precision,
    ranges: ranges.value,
    tiles: {
      needed: map.tiles.length, available: coreConfig.tiles, shape: `${coreConfig.rows} x ${coreConfig.cols}`,
      perTile: map.tiles.map((t) => ({ index: t.index, pieces: t.pieces.length, synapses: t.synapses, utilisation: t.utilisation, holds: t.pieces.map((p) => p.label) })),
      partialSums: map.partialSums,
    },
    cycles_per_step: emitted.cyclesPerStep,
    busy: emitted.busy,
    time_per_step_us: (emitted.cyclesPerStep / coreConfig.clockHz) * 1e6,
  };
  return { program: prog, report, listing, diagnostics };
}

/** The compiler's context for one block: diagnostics point at the declaration they are about. */
function passContext(run: CheckedRun, net: CheckedNetwork, core: CheckedCore): PassContext {
  return {
    file: run.file, span: run.params.spans.core ?? run.span,
    locate: (s) => {
      if ('population' in s) { const n = net.neurons.find((x) => x.name === s.population); return n ? { file: n.file, span: n.span } : undefined; }
      if ('projection' in s) { const pr = net.projections[s.projection]; return pr ? { file: net.file, span: pr.span } : undefined; }
      return core.where[s.core] ?? { file: core.file, span: core.span };
    },
  };
}
