// phasecore's command line. Exit codes: 0 success, 1 user errors in the input, 2 usage errors,
// 3 an internal error (a bug: please report it).
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { loadInputs, MAX_MEMORY_HELP, SET_HELP, type InputOptions } from './load.ts';
import { diag, formatDiagnostic, hasErrors, type Diagnostic } from '../dsl/diagnostics.ts';
import { decodeSource, parseSource } from '../dsl/parse.ts';
import { formatFile } from '../dsl/format.ts';
import { tryWriteFileAtomic } from './atomic.ts';
import { diagnosticsJson } from './report.ts';
import { displayPath, nodeHost } from '../compiler/workspace.ts';
import type { SourceFile } from '../dsl/span.ts';
import { runDemo } from './demo.ts';
import { commandTrain, type TrainOptions } from './train.ts';
import { commandCompile, type CompileOptions } from './compile.ts';
import { commandRun, type RunOptions } from './run.ts';
import { commandVerify, type VerifyOptions } from './verify.ts';
import { commandPlot, commandSweep, type SweepOptions } from './sweep.ts';
import { ZIP } from './sweep-spec.ts';
import { commandMerge, commandPlan, type PlanOptions } from './sweep-cluster.ts';
import { packageRoot } from '../data/package.ts';
import { join, resolve } from 'node:path';

export const EXIT = { ok: 0, userError: 1, usage: 2, internal: 3 } as const;

const VERSION = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;

function printDiagnostics(ds: readonly Diagnostic[], sourceOf: (file: string) => SourceFile | undefined, out: (s: string) => void): void {
  for (const d of ds) out(formatDiagnostic(d, sourceOf(d.file)));
}

function summary(ds: readonly Diagnostic[], files: number): string {
  const e = ds.filter((d) => d.severity === 'error').length;
  const w = ds.length - e;
  const plural = (n: number, s: string) => `${n} ${s}${n === 1 ? '' : 's'}`;
  return `${plural(files, 'file')} checked: ${plural(e, 'error')}, ${plural(w, 'warning')}.`;
}

export function commandCheck(files: string[], opts: { json?: boolean } & InputOptions, out: (s: string) => void, err: (s: string) => void = out): number {
  const loaded = loadInputs(files, opts);
  if (!loaded.ok && 'usage' in loaded) { err(`error: ${loaded.usage}`); return EXIT.usage; }
  const ds = loaded.diagnostics;
  const sourceOf = loaded.sourceOf;
  if (opts.json) out(diagnosticsJson(ds, sourceOf, 2));
  else printDiagnostics(ds, sourceOf, out);
  if (!opts.json) out(summary(ds, Math.max(files.length, loaded.ok ? loaded.result.workspace.modules.size : 0)));
  return hasErrors(ds) ? EXIT.userError : EXIT.ok;
}

/**
 * `fmt` prints or rewrites files in canonical form; with `--set` (one file), the file with the
 * override applied — `fmt --write --set rec.tau_m=25ms net.snn` edits the parameter in place.
 */
export function commandFmt(files: string[], opts: { check?: boolean; write?: boolean; set?: string[] }, out: (s: string) => void, err: (s: string) => void = out): number {
  let status: number = EXIT.ok;
  const unformatted: string[] = [];
  // With --set (one file): the file's text as formatted with the overrides in its tree.
  let overridden: string | undefined;
  if (opts.set && opts.set.length > 0) {
    if (files.length !== 1 || opts.check) { err(`error: fmt --set edits one file (and not with --check)`); return EXIT.usage; }
    const abs = resolve(files[0] as string);
    const loaded = loadInputs([abs], { set: opts.set });
    if (!loaded.ok && 'usage' in loaded) { err(`error: ${loaded.usage}`); return EXIT.usage; }
    if (!loaded.ok) { printDiagnostics(loaded.diagnostics, loaded.sourceOf, out); return EXIT.userError; }
    const elsewhere = loaded.overridden.find((d) => d !== displayPath(abs));
    if (elsewhere) { err(`error: fmt --set changes ${displayPath(abs)} only, and a block it sets is declared in ${elsewhere}: format that file with the override`); return EXIT.usage; }
    // The file as it would be written must check clean: an edit never leaves an invalid file.
    const errors = loaded.diagnostics.filter((d) => d.severity === 'error');
    const root = loaded.result.workspace.roots[0];
    if (errors.length > 0 || !root?.ast) {
      printDiagnostics(errors, loaded.sourceOf, out);
      out(`${displayPath(abs)}: not ${opts.write ? 'written' : 'formatted'}: the override leaves errors (above).`);
      return EXIT.userError;
    }
    // The override's nodes stand past the end of the file's own text: no comment is theirs.
    overridden = formatFile(root.ast, root.source, { syntheticFrom: loaded.sourceOf(root.display)?.text.length ?? root.source.text.length });
  }
  for (const f of files) {
    let bytes: Uint8Array;
    const shown = displayPath(f);
    const got = nodeHost.read(resolve(f));
    if (!got.ok) {
      out(formatDiagnostic(diag('UnreadableFile', shown, { start: 0, end: 0 }, `Cannot read ${shown}: ${got.reason}.`), undefined));
      status = EXIT.userError;
      continue;
    }
    bytes = got.bytes;
    const decoded = decodeSource(shown, bytes);
    const parsed = decoded.diagnostics.length > 0 ? { file: null, diagnostics: decoded.diagnostics } : parseSource(decoded.source);
    if (!parsed.file) {
      const sources = new Map([[shown, decoded.source]]);
      printDiagnostics(parsed.diagnostics, (f) => sources.get(f), out);
      out(`${shown}: not formatted: fix the errors above first.`);
      status = EXIT.userError;
      continue;
    }
    const text = overridden ?? formatFile(parsed.file, decoded.source);
    const same = text === new TextDecoder().decode(bytes);
    if (opts.check) {
      if (!same) unformatted.push(shown);
    } else if (opts.write) {
      if (!same) {
        const failed = tryWriteFileAtomic(f, text);
        if (failed) { out(formatDiagnostic(failed, undefined)); status = EXIT.userError; } else out(`formatted ${shown}`);
      }
    } else {
      out(text.replace(/\n$/, ''));
    }
  }
  if (opts.check) {
    for (const u of unformatted) out(`${u}: not formatted (run phasecore fmt --write ${u})`);
    if (unformatted.length > 0 && status === EXIT.ok) status = EXIT.userError;
    if (status === EXIT.ok) out(`${files.length} file${files.length === 1 ? '' : 's'} formatted.`);
  }
  return status;
}

const collect = (v: string, acc: string[]) => [...acc, v];

export function buildProgram(out: (s: string) => void, err: (s: string) => void, setExit: (n: number) => void): Command {
  const program = new Command();
  program
    .name('phasecore')
    .description('Describe a recurrent spiking network in .snn, compile it for a virtual PCM in-memory-computing core, and see what the chip will do.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => out(s.replace(/\n$/, '')), writeErr: (s) => err(s.replace(/\n$/, '')) })
    .showHelpAfterError('(run phasecore --help for usage)')
    // A subcommand's options are its own (`sweep plan --seeds` is plan's, not sweep's).
    .enablePositionalOptions();

  program.command('check')
    .description('Parse and check .snn files; report every problem with file, line and column.')
    .argument('<files...>', '.snn files to check (their imports are checked too)')
    .option('--json', 'print {"diagnostics": [...]} with 0-based ranges (the editor protocol\'s shape)')
    .option('--set <block.param=value>', SET_HELP, collect, [] as string[])
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .action((files: string[], opts: { json?: boolean } & InputOptions) => setExit(commandCheck(files, opts, out, err)));

  program.command('fmt')
    .description('Print .snn files in canonical form (comments kept).')
    .argument('<files...>', '.snn files to format')
    .option('--check', 'exit 1 if a file is not formatted; change nothing')
    .option('--write', 'rewrite files in place (atomically)')
    .option('--set <block.param=value>', 'with one file: print (or --write) it with the parameter set', collect, [] as string[])
    .action((files: string[], opts: { check?: boolean; write?: boolean; set?: string[] }) => {
      if (opts.check && opts.write) { err('error: --check and --write cannot be used together'); setExit(EXIT.usage); return; }
      setExit(commandFmt(files, opts, out, err));
    });

  program.command('train')
    .description('Train the file\'s train block — with the float reference, or on the emulated chip with its on-chip learning unit — and report the loss per iteration.')
    .argument('<file>', '.snn file with a train block')
    .option('--backend <name>', 'reference (the float64 oracle) or core (the core the block names: on-chip e-prop, or chip in the loop as the learn block places it, or ReckOn\'s own rule on a split-tick core; counters per iteration)', 'reference')
    .option('--iterations <n>', 'override the number of iterations')
    .option('--seed <s>', 'override the seed')
    .option('--set <block.param=value>', SET_HELP, collect, [] as string[])
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .option('--block <name>', 'the train block to run when the file has several')
    .option('--out <dir>', 'write the run into a new directory: weights (.npy), metrics (CSV, JSON, as they come), probes and a manifest')
    .option('--force', 'with --out: replace a previous run\'s directory as a whole (everything in it, files you added too)')
    .option('--checkpoint-every <k>', 'with --backend core and --out: write the whole core state to DIR/checkpoint.pcck every K iterations (and when stopped)')
    .option('--resume <dir>', 'with --backend core: continue the run in DIR from its checkpoint, bit-identically (writes into DIR unless --out says otherwise)')
    .option('--json', 'print one JSON object: {backend, seed, iterations: [...], final} (with --backend core, counters per iteration and in final)')
    .option('--quiet', 'no progress on stderr')
    .action(async (file: string, opts: TrainOptions) => setExit(await commandTrain(file, opts, {
      out, err, version: VERSION, progress: opts.quiet ? 'none' : process.stderr.isTTY === true ? 'bar' : 'lines',
    })));

  program.command('compile')
    .description('Compile the file\'s run or train block for a core: program, listing, precision and range report.')
    .argument('<file>', '.snn file with a train or run block')
    .option('--core <name>', 'the core to compile for (default: the block\'s core)')
    .option('-o, --output <file>', 'write the program (.pcx)')
    .option('--listing <file>', 'write the listing (- for stdout)')
    .option('--report', 'print the tile map, ranges, precision and cycles')
    .option('--block <name>', 'the train or run block to compile when the file has several')
    .option('--json', 'print {precision, ranges, tiles, cycles_per_step, diagnostics}')
    .option('--set <block.param=value>', SET_HELP, collect, [] as string[])
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .action((file: string, opts: CompileOptions) => setExit(commandCompile(file, opts, out, err)));

  program.command('run')
    .description('Run the file\'s run block (or a train block\'s network, untrained; a file with one run block and train blocks runs its run block) on its core — or a compiled .pcx program — and report spikes, cycles, energy, saturations and timing errors.')
    .argument('<file>', '.snn file with a run or train block, or a program compiled with `phasecore compile -o`')
    .option('--block <name>', 'the run or train block when the file has several')
    .option('--core <name>', 'the core to run on (default: the block\'s core)')
    .option('--steps <n>', 'time steps per sequence (default: the task\'s length)')
    .option('--samples <n>', 'sequences to run (default: the block\'s samples)')
    .option('--input <x.npy>', 'inputs (samples, steps, channels) or (steps, channels) instead of the task\'s: 0/1 spikes, or values in [0, 1] for graded inputs')
    .option('--seed <s>', 'seed of the data and noise streams (default: the block\'s)')
    .option('--ideal', 'ideal devices: the program\'s conductance targets held exactly, no noise, no drift')
    .option('--vcd <file>', 'write the first sequence\'s waveforms (VCD, for GTKWave)')
    .option('--out <dir>', 'write probes (.npy), run.vcd, run.json and a manifest into a new directory')
    .option('--force', 'with --out: replace a previous run\'s directory as a whole')
    .option('--json', 'print one JSON object with the summary')
    .option('--quiet', 'no progress on stderr')
    .option('--set <block.param=value>', SET_HELP, collect, [] as string[])
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .action(async (file: string, opts: RunOptions) => setExit(await commandRun(file, opts, {
      out, err, version: VERSION, progress: opts.quiet ? 'none' : process.stderr.isTTY === true ? 'bar' : 'lines',
    })));

  program.command('verify')
    .description('Check every constraint of the file\'s verify block — static proofs, the core against the float reference, training, drift — for each seed; a table of measured values, bounds and verdicts, with evidence under each failure. Exit 0 when all pass, 1 when one fails.')
    .argument('<file>', '.snn file with a verify block')
    .option('--block <name>', 'the verify block when the file has several')
    .option('--seeds <list>', 'seeds: a list (1,2,3) or a range (1..5); a constraint passes when it passes for each (default: the block\'s seed)')
    .option('--narrowest <key=range>', 'search one parameter, as --set names it, for the narrowest value with which every constraint passes: a range (core.weight_bits=2..8 bit) or a list narrowest first; by bisection, assuming a value that passes means every wider one does')
    .option('--counterexamples <dir>', 'write the input of each counterexample (a failed overflow proof) as DIR/<population>-<register>.npy, for `phasecore run --input`')
    .option('--json', 'print one JSON object: {"constraints": [{name, kind, measured, bound, pass, evidence, source}], "pass"}')
    .option('--set <block.param=value>', SET_HELP, collect, [] as string[])
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .action(async (file: string, opts: VerifyOptions) => setExit(await commandVerify(file, opts, { out, err })));

  // --set and --zip in one list, in command-line order (a zipped axis goes with the one before it).
  const axes: string[] = [];
  const axis = (zip: boolean) => (v: string) => { axes.push(zip ? `${ZIP}${v}` : v); return axes; };
  const sweep = program.command('sweep')
    .enablePositionalOptions()
    .description('Train (or run) the file\'s block at every point of a cross product of parameter values, in parallel worker threads; a row per point in results.csv and results.json, plots in plots/. Run it again to resume. Subcommands plan (a Slurm or Kubernetes job array) and merge (join its shards).')
    .argument('<file>', '.snn file with a train block (or a run block)')
    .option('--set <block.param=values>', 'an axis: values separated by commas (learn.update=sign,direct) or a whole-number range with its unit (core.weight_bits=2..8 bit); repeatable', axis(false), axes)
    .option('--zip <block.param=values>', 'an axis that goes with the one before it, value k with value k (no new points): e.g. the device each scheme needs', axis(true))
    .option('--seeds <list>', 'seeds: a list (1,2,3) or a range (1..5); each point takes its seed (default: the block\'s)')
    .option('--backend <name>', 'reference (float64, the default) or core (the emulated chip), as for train; a run block runs on its core')
    .option('--iterations <n>', 'override the number of iterations of every point')
    .option('--block <name>', 'the train or run block when the file has several')
    .option('--workers <n>', 'worker threads (default: the machine\'s cores); 1 runs the points one after another in this thread')
    .option('--shard <i/n>', 'run only shard I of N (I from 0: every N-th point from the I-th), as a job array\'s task')
    .option('--out <dir>', 'the sweep\'s directory (default FILE.sweep); a sweep\'s own directory is resumed, another\'s is refused')
    .option('--no-plots', 'write the table only')
    .option('--json', 'print one JSON object: {sweep, points, done, failed, rows, plots}')
    .option('--quiet', 'no progress on stderr')
    .option('--max-memory <size>', MAX_MEMORY_HELP)
    .action(async (file: string, opts: SweepOptions) => setExit(await commandSweep(file, opts, {
      out, err, version: VERSION, progress: opts.quiet ? 'none' : process.stderr.isTTY === true ? 'line' : 'lines',
    })));
  sweep.command('plan')
    .description('Write a Slurm array job script (--slurm) and/or a Kubernetes Indexed Job manifest (--k8s) that run the sweep\'s shards, one array task each.')
    .argument('<file>', '.snn file with a train block (or a run block)')
    .option('--set <block.param=values>', 'an axis, as for sweep', axis(false), axes)
    .option('--zip <block.param=values>', 'a zipped axis, as for sweep', axis(true))
    .option('--seeds <list>', 'seeds, as for sweep')
    .option('--backend <name>', 'reference or core, as for sweep')
    .option('--iterations <n>', 'as for sweep')
    .option('--block <name>', 'as for sweep')
    .option('--shards <n>', 'array tasks (default: 10, or one per point when fewer)')
    .option('--workers <n>', 'worker threads (CPUs) per task', '1')
    .option('--slurm', 'write FILE.slurm.sh (sbatch it)')
    .option('--k8s', 'write FILE.k8s.yaml (kubectl apply -f it)')
    .option('--out <dir>', 'where to write the job files (default: here)')
    .option('--results <dir>', 'the directory the shards write into, shard-I each (default FILE.sweep)')
    .option('--image <name>', 'Kubernetes: the container image with phasecore on its PATH', 'phasecore:latest')
    .option('--claim <name>', 'Kubernetes: the persistent volume claim mounted at /work', 'phasecore-work')
    .option('--time <limit>', 'Slurm: the time limit of a task, e.g. 04:00:00')
    .option('--phasecore <command>', 'the command that runs phasecore on the cluster (default: this installation\'s, Slurm; `phasecore`, Kubernetes)')
    .action((file: string, opts: PlanOptions) => setExit(commandPlan(file, opts, { out, err })));
  sweep.command('merge')
    .description('Join the shards\' directories of one sweep into one sweep directory (table, points and plots); shards of different sweeps are refused.')
    .argument('<dirs...>', 'the shards\' --out directories')
    .option('--out <dir>', 'the merged sweep\'s directory (new, or a previous merge of the same sweep)')
    .option('--no-plots', 'write the table only')
    .option('--json', 'print {out, points, merged, missing, plots}')
    .action(async (dirs: string[], opts: { out?: string; json?: boolean; plots?: boolean }) => setExit(await commandMerge(dirs, opts, { out, err })));

  program.command('plot')
    .description('Redraw the plots of a sweep\'s directory (a sweep, a shard or a merge) from its points: PNG, SVG and the Vega-Lite spec of each.')
    .argument('<dir>', 'a sweep\'s --out directory')
    .option('--json', 'print {out, plots}')
    .action(async (dir: string, opts: { json?: boolean }) => setExit(await commandPlot(dir, opts, { out, err })));

  program.command('demo')
    .description('The flagship demo: check and format every example, train one briefly with e-prop, compile one for its core, run one on its PCM core, cycle-accurate, and train it there for a few iterations, on chip; then train ReckOn\'s configuration with ReckOn\'s own rule for five samples; end with a small sweep of weight precision (table and plots).')
    .action(async () => setExit(await runDemo(out, VERSION)));
  return program;
}

/** Run one command line in process: its exit code (3 for an internal error, whose stack goes to `err`). */
export async function runCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  let code: number = EXIT.ok;
  try {
    await buildProgram(out, err, (n) => { code = n; }).parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage;
    err(`phasecore: internal error (this is a bug; please report it with the input that caused it):\n${(e as Error).stack ?? String(e)}`);
    return EXIT.internal;
  }
  return code;
}

export async function main(argv: string[]): Promise<number> {
  // A closed pipe (`phasecore check x.snn | head`) ends the output quietly, not with a trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw e; });
  }
  return runCommand(argv, (s) => process.stdout.write(`${s}\n`), (s) => process.stderr.write(`${s}\n`));
}
