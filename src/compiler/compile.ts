// The compiler's passes in order (lower → instantiate → map → quantise → ranges → emit), for one
// train or run block of a checked program and a core. Each pass is a function of its inputs;
// this module only threads them and collects the diagnostics and the report.
import type { CheckedCore, CheckedProgram, CheckedRun } from './values.ts';
import { lowerCore, lowerDevice, lowerNetwork, lowerTask } from './lower.ts';
import { mapTiles, type TileMap } from './map.ts';
import { quantize, type PrecisionRow } from './quantize.ts';
import { analyseRanges, type RangeRow } from './ranges.ts';
import { emit } from './emit.ts';
import { instantiate } from '../ir/instantiate.ts';
import { endPieces } from '../ir/network.ts';
import { stream } from '../data/random.ts';
import { taskData } from '../tasks/generate.ts';
import { disassemble, ISA, type Unit } from '../runtime/isa.ts';
import type { Program } from '../runtime/program.ts';
import type { Diagnostic } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';

export const PROBE_CODES: Record<string, number> = { spikes: 0, v: 1, a: 2, threshold: 3, i: 4, psi: 5, trace: 6, y: 7, error: 8 };

export interface CompileReport {
  readonly precision: PrecisionRow[];
  readonly ranges: RangeRow[];
  readonly tiles: { readonly needed: number; readonly available: number; readonly shape: string; readonly perTile: Array<{ index: number; pieces: number; synapses: number; utilisation: number }>; readonly partialSums: TileMap['partialSums'] };
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

export function compileRun(program: CheckedProgram, run: CheckedRun, core: CheckedCore, where: { file: string; span: Span }, task?: { T: number }): CompileResult {
  const p = run.params.params;
  const netName = p.network?.t === 'ref' ? p.network.name : '';
  const checkedNet = program.networks.get(netName);
  if (!checkedNet) throw new Error('internal: compile needs a checked network');
  const net = lowerNetwork(checkedNet);
  const seed = p.seed?.t === 'int' ? p.seed.value : 0;
  const inst = instantiate(net, stream(seed, 'init'));
  const coreConfig = lowerCore(core);
  const device = lowerDevice(core);
  const ctx = where;
  const diagnostics: Diagnostic[] = [];
  const mapped = mapTiles(net, { rows: coreConfig.rows, cols: coreConfig.cols, tiles: coreConfig.tiles }, ctx);
  diagnostics.push(...mapped.diagnostics);
  if (!mapped.value) return { program: null, report: null, listing: [], diagnostics };
  const map = mapped.value;
  const q = quantize(net, inst, coreConfig, device, map, ctx);
  diagnostics.push(...q.diagnostics);
  const ranges = analyseRanges(net, inst, q.value, coreConfig, device, map, ctx);
  diagnostics.push(...ranges.diagnostics);
  const taskName = p.task?.t === 'ref' ? p.task.name : '';
  const taskIR = program.tasks.get(taskName);
  const steps = task?.T ?? (taskIR ? taskData(lowerTask(taskIR), net.dt).T : 1);
  const probes = run.probes.flatMap((pr) => pr.targets.flatMap((t) => endPieces(net, t).map((piece) => ({
    variable: PROBE_CODES[pr.variable] ?? 0,
    population: net.populations.indexOf(piece.population),
    lo: piece.lo, count: piece.hi - piece.lo,
  }))));
  const emitted = emit(net, map, coreConfig, steps, probes);
  const prog: Program = { core: coreConfig, populations: q.value.populations, targets: q.value.targets, code: emitted.code };
  const listing = emitted.code.map((ins, addr) => {
    const spec = ISA[ins.op];
    const active = 'rowCount' in ins.fields ? Math.ceil((ins.fields.rowCount as number) * 0.05) : 0;
    return `${String(addr).padStart(4, '0')}  ${disassemble(ins).padEnd(60)} ${spec.unit.padEnd(11)} ${String(spec.latency(coreConfig, ins.fields, active)).padStart(5)} cy  ; ${emitted.origin[addr]}`;
  });
  const report: CompileReport = {
    precision: q.value.precision,
    ranges: ranges.value,
    tiles: {
      needed: map.tiles.length, available: coreConfig.tiles, shape: `${coreConfig.rows} x ${coreConfig.cols}`,
      perTile: map.tiles.map((t) => ({ index: t.index, pieces: t.pieces.length, synapses: t.synapses, utilisation: t.utilisation })),
      partialSums: map.partialSums,
    },
    cycles_per_step: emitted.cyclesPerStep,
    busy: emitted.busy,
    time_per_step_us: (emitted.cyclesPerStep / coreConfig.clockHz) * 1e6,
  };
  return { program: prog, report, listing, diagnostics };
}
