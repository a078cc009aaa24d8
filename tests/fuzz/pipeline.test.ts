// A few hundred seeded mutants of the examples (bench/mutate.ts, profile 'test': the examples'
// cheap variants, nothing that reads /dev/zero) through check → compile → train --iterations 1,
// in process, through the command line's own entry: no exit code 3, no exception.
//
// The budget: the cheap variants train one step in milliseconds, but a mutant may make the
// network or the task enormous (a population ×100, duration = 1e10 ms) — what the pipeline
// fuzzer's deadline and memory ceiling are for. Here, bench/budget.ts estimates compile's
// and train's cost from the checked program first and skips a command over the limits (check
// always runs); the test asserts that only a small share is skipped.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { makeMutant, MAIN, writeMutant } from '../../bench/mutate.ts';
import { pipelineArgv, runSequence, signature } from '../../bench/pipeline-run.ts';
import { tempDir } from '../helpers.ts';
import { budget } from '../../bench/budget.ts';

const RUNS = 300;
const SEED = 20261125;

describe('pipeline fuzz (in process)', () => {
  it(`${RUNS} mutants: check → compile → one train step never exits 3`, async () => {
    const root = tempDir('phasecore-fuzz-test-');
    const failures: string[] = [];
    const codes = { check: new Map<number, number>(), compile: new Map<number, number>(), train: new Map<number, number>() };
    let skipped = 0;
    for (let i = 0; i < RUNS; i++) {
      const m = makeMutant(SEED, i, 'test');
      const dir = join(root, String(i));
      writeMutant(dir, m);
      const v = budget(join(dir, MAIN), m.sets);
      const [check, compile, train] = pipelineArgv(MAIN, m.sets) as [string[], string[], string[]];
      const argvs = [check, ...(v.compile ? [compile] : []), ...(v.train ? [train] : [])];
      skipped += 3 - argvs.length;
      for (const r of await runSequence(dir, argvs)) {
        const c = codes[r.argv[0] as keyof typeof codes];
        c.set(r.code, (c.get(r.code) ?? 0) + 1);
        if (r.code === 3) failures.push(`${m.id} (${m.base}: ${m.ops.join(' | ')}${m.sets.length ? `; --set ${m.sets.join(' ')}` : ''}) ${r.argv[0]}: ${signature(r)}`);
      }
    }
    expect(failures).toEqual([]);
    // The mutants reach every stage: some compile and train cleanly, few are over the budget.
    expect(codes.compile.get(0) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(codes.train.get(0) ?? 0).toBeGreaterThan(RUNS / 20);
    expect(skipped, `commands over the budget, of ${3 * RUNS}`).toBeLessThan(RUNS * 0.3);
  }, 120_000);
});
