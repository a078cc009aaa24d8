// The whole-pipeline fuzzer: N mutants of the examples (bench/mutate.ts), each through
// check → compile (-o, --listing) → train --iterations 1 (--out, the mutant's --set arguments),
// in a pool of worker processes with a per-input deadline and memory ceiling (bench/pool.ts).
// Compile and train are left out (counted as over the work budget) for a mutant whose estimated
// work exceeds FUZZ_LIMITS (bench/budget.ts): a legitimately huge network or a million-step task is
// not a hang. Within them, a deadline kill is a hang, a kill over the ceiling (or V8 running out of heap) is memory, exit
// code 3 or an exception is internal; each of those is written as a reproducible directory under
// <out>/failures/K/ (the files, cmd.txt, cmd.json — the regression-fixture format of
// tests/fixtures/fuzz/ — mutant.json and result.txt).
//
// Run: node --import tsx bench/fuzz-pipeline.ts [N=2000] [seed] [--deadline 30] [--memory 2048]
//        [--workers 2] [--out /tmp/phasecore-fuzz] [--from 0]
// (`npm run fuzz -- N seed` runs the front-end fuzz and then this, with the same N and seed.)
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeMutant, MAIN, makeMutant, writeMutant, type Mutant } from './mutate.ts';
import { pipelineArgv, signature } from './pipeline-run.ts';
import { budget, FUZZ_LIMITS } from './budget.ts';
import { Pool, type Outcome } from './pool.ts';

export interface PipelineFuzzOptions {
  readonly total: number;
  readonly seed: number;
  readonly deadlineS: number;
  readonly memoryMiB: number;
  readonly workers: number;
  readonly out: string;
  /** First mutant index (to resume or re-run a range). */
  readonly from: number;
}

export function parsePipelineArgs(argv: readonly string[]): PipelineFuzzOptions {
  const pos: string[] = [];
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a.startsWith('--')) {
      const [k, v] = a.includes('=') ? a.slice(2).split('=', 2) as [string, string] : [a.slice(2), argv[++i] ?? ''];
      flags[k] = v;
    } else pos.push(a);
  }
  const num = (v: string | undefined, d: number) => (v === undefined || v === '' ? d : Number(v));
  return {
    total: num(pos[0], 2000),
    seed: num(pos[1], 20261125),
    deadlineS: num(flags.deadline, 30),
    memoryMiB: num(flags.memory, 2048),
    workers: num(flags.workers, 2),
    out: flags.out ?? '/tmp/phasecore-fuzz',
    from: num(flags.from, 0),
  };
}

const COMMANDS = ['check', 'compile', 'train'] as const;
type Kind = 'internal' | 'hang' | 'memory' | 'crash';

const q = (s: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

function writeFailure(dir: string, m: Mutant, argvs: string[][], kind: Kind, o: Outcome): void {
  writeMutant(dir, m);
  const codes = o.kind === 'done' ? o.results.map((r) => r.code) : [];
  const commands = argvs.map((argv, i) => ({ argv, expect: codes[i] !== undefined && codes[i] !== 3 ? [codes[i]] : [0, 1, 2] }));
  writeFileSync(join(dir, 'cmd.json'), `${JSON.stringify({ note: `pipeline fuzz ${m.id}: ${kind}`, commands }, null, 2)}\n`);
  const arg = (x: string) => (x.includes('{tmp}') ? `"${x.replaceAll('{tmp}', '$T')}"` : q(x.replaceAll('{dir}/', '')));
  const shell = argvs.map((a) => `npx phasecore ${a.map(arg).join(' ')}`);
  writeFileSync(join(dir, 'cmd.txt'), `# ${kind}: pipeline fuzz mutant ${m.id} (${m.base}${m.cheap ? ', cheap' : ''}); ops: ${m.ops.join(' | ')}\ncd ${dir}\nT=$(mktemp -d)\n${shell.join('\n')}\n`);
  writeFileSync(join(dir, 'mutant.json'), `${JSON.stringify(describeMutant(m), null, 2)}\n`);
  const body = o.kind === 'done'
    ? o.results.map((r) => `$ ${r.argv.join(' ')}\nexit ${r.code} in ${r.ms.toFixed(0)} ms\n--- stdout\n${r.out}\n--- stderr\n${r.err}\n`).join('\n')
    : `${o.kind} after ${o.ms.toFixed(0)} ms, peak RSS ${(o.peakRss / 1048576).toFixed(0)} MiB\n${'detail' in o ? o.detail : ''}\n`;
  writeFileSync(join(dir, 'result.txt'), body);
}

export async function runPipelineFuzz(opts: PipelineFuzzOptions): Promise<number> {
  const work = join(opts.out, 'work');
  const failuresDir = join(opts.out, 'failures');
  rmSync(work, { recursive: true, force: true });
  rmSync(failuresDir, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  mkdirSync(failuresDir, { recursive: true });
  const pool = new Pool({ workers: opts.workers, deadlineMs: opts.deadlineS * 1000, memoryBytes: opts.memoryMiB * 1048576 });
  const codes: Record<string, Record<string, number>> = Object.fromEntries(COMMANDS.map((c) => [c, {}]));
  const kinds: Record<Kind, number> = { internal: 0, hang: 0, memory: 0, crash: 0 };
  const distinct = new Map<string, { count: number; first: string }>();
  let slowest = { ms: 0, id: '', ops: '' };
  let peakRss = 0;
  let done = 0;
  let failures = 0;
  let overBudget = 0;
  const t0 = performance.now();
  let next = opts.from;
  const end = opts.from + opts.total;

  const one = async (i: number) => {
    const m = makeMutant(opts.seed, i, 'fuzz');
    const dir = join(work, String(i));
    writeMutant(dir, m);
    const [check, compile, train] = pipelineArgv(MAIN, m.sets) as [string[], string[], string[]];
    const v = budget(join(dir, MAIN), m.sets, FUZZ_LIMITS);
    const argvs = [check, ...(v.compile ? [compile] : []), ...(v.train ? [train] : [])];
    overBudget += 3 - argvs.length;
    const o = await pool.run(dir, argvs);
    peakRss = Math.max(peakRss, o.peakRss);
    if (o.ms > slowest.ms) slowest = { ms: o.ms, id: m.id, ops: `${m.base}${m.cheap ? ' (cheap)' : ''}: ${m.ops.join(' | ') || 'unmutated'}` };
    let kind: Kind | null = null;
    let key = '';
    if (o.kind === 'done') {
      o.results.forEach((r) => {
        const c = r.argv[0] as string;
        (codes[c] as Record<string, number>)[r.code] = ((codes[c] as Record<string, number>)[r.code] ?? 0) + 1;
        if (r.code === 3 && !kind) { kind = 'internal'; key = `${c}: ${signature(r)}`; }
      });
    } else {
      kind = o.kind;
      key = `${o.kind}${o.kind === 'crash' ? `: ${o.detail.split('\n').slice(-1)[0] ?? ''}` : ''}`;
    }
    if (kind) {
      kinds[kind as Kind]++;
      const fdir = join(failuresDir, String(++failures));
      writeFailure(fdir, m, argvs, kind, o);
      const d = distinct.get(key);
      if (d) d.count++; else distinct.set(key, { count: 1, first: `${fdir} (${m.id}; ${m.base}: ${m.ops.join(' | ')})` });
    }
    rmSync(dir, { recursive: true, force: true });
    done++;
    if (done % 100 === 0 || done === opts.total) {
      const s = (performance.now() - t0) / 1000;
      process.stderr.write(`  ${done}/${opts.total} in ${s.toFixed(0)} s: ${kinds.internal} internal, ${kinds.hang} hangs, ${kinds.memory} memory, ${kinds.crash} crashes\n`);
    }
  };
  const lanes = Array.from({ length: opts.workers }, async () => {
    while (next < end) await one(next++);
  });
  try {
    await Promise.all(lanes);
  } finally {
    await pool.close();
    rmSync(work, { recursive: true, force: true });
  }

  const secs = (performance.now() - t0) / 1000;
  const allCodes = [...new Set(COMMANDS.flatMap((c) => Object.keys(codes[c] as object)))].sort();
  console.log(`\npipeline fuzz: ${done} inputs (seed ${opts.seed}, from ${opts.from}) in ${secs.toFixed(0)} s; ${opts.workers} workers, deadline ${opts.deadlineS} s, ceiling ${opts.memoryMiB} MiB; ${pool.spawned} workers started`);
  console.log(`\n| command | ${allCodes.map((c) => `exit ${c}`).join(' | ')} |\n|---|${allCodes.map(() => '---').join('|')}|`);
  for (const c of COMMANDS) console.log(`| ${c} | ${allCodes.map((k) => (codes[c] as Record<string, number>)[k] ?? 0).join(' | ')} |`);
  console.log(`\n| internal errors | hangs | memory kills | crashes | slowest input | peak RSS |\n|---|---|---|---|---|---|`);
  console.log(`| ${kinds.internal} | ${kinds.hang} | ${kinds.memory} | ${kinds.crash} | ${(slowest.ms / 1000).toFixed(1)} s (${slowest.id}) | ${(peakRss / 1048576).toFixed(0)} MiB |`);
  console.log(`\nslowest: ${slowest.id} — ${slowest.ops}`);
  console.log(`commands left out as over the work budget (bench/budget.ts FUZZ_LIMITS): ${overBudget} of ${3 * done}`);
  if (distinct.size > 0) {
    console.log(`\n${distinct.size} distinct failures (count, first reproducer):`);
    for (const [k, v] of [...distinct].sort((a, b) => b[1].count - a[1].count)) console.log(`  ${String(v.count).padStart(5)}  ${k}\n         ${v.first}`);
  }
  console.log(failures === 0 ? '\nno failures' : `\n${failures} failing inputs written under ${failuresDir}`);
  return failures === 0 ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runPipelineFuzz(parsePipelineArgs(process.argv.slice(2))).then((c) => { process.exitCode = c; }, (e) => { console.error(e); process.exitCode = 3; });
}
