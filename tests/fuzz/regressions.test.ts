// Every directory of tests/fixtures/fuzz/ is an input that once broke the pipeline (from the
// pipeline fuzzer's failures/ folder, or known before it): its files and a cmd.json,
//   { "note": "...", "commands": [ { "argv": ["check", "{dir}/main.snn"], "expect": [1] }, ... ] }
// ({dir} is the fixture's directory, {tmp} a fresh temporary directory per command). Each runs in
// a worker process with a deadline and a memory ceiling (bench/pool.ts) — these inputs once hung
// or exhausted memory, which in process would stall or kill the test run — and every command
// must end with one of its expected exit codes, never 3.
import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/data/package.ts';
import { Pool } from '../../bench/pool.ts';

const ROOT = join(packageRoot(), 'tests', 'fixtures', 'fuzz');
const DEADLINE_MS = 15_000;
const fixtures = readdirSync(ROOT).filter((d) => statSync(join(ROOT, d)).isDirectory()).sort();

interface Fixture { readonly note: string; readonly commands: ReadonlyArray<{ readonly argv: readonly string[]; readonly expect: readonly number[] }> }

const pool = new Pool({ workers: 2, deadlineMs: DEADLINE_MS, memoryBytes: 2 * 1024 ** 3 });
afterAll(() => pool.close());

describe('pipeline fuzz regressions', () => {
  it('has fixtures', () => { expect(fixtures.length).toBeGreaterThan(0); });

  it.concurrent.each(fixtures)('%s', async (name) => {
    const dir = join(ROOT, name);
    const fx = JSON.parse(readFileSync(join(dir, 'cmd.json'), 'utf8')) as Fixture;
    for (const c of fx.commands) expect(c.expect, `${name}: an expected exit code of 3 is never right`).not.toContain(3);
    const o = await pool.run(dir, fx.commands.map((c) => c.argv));
    expect(o.kind, `${name} (${fx.note}): ${o.kind === 'done' ? '' : `${o.kind} after ${(o.ms / 1000).toFixed(1)} s, peak RSS ${(o.peakRss / 1048576).toFixed(0)} MiB ${'detail' in o ? o.detail : ''}`}`).toBe('done');
    if (o.kind !== 'done') return;
    const got = o.results.map((r, k) => ({ argv: r.argv.slice(0, 1).join(' '), code: r.code, expect: fx.commands[k]?.expect, ...(r.code === 3 ? { error: (r.thrown ?? r.err).split('\n').slice(0, 4).join(' | ') } : {}) }));
    const bad = got.filter((g) => g.code === 3 || !g.expect?.includes(g.code));
    expect(bad, `${name} (${fx.note})`).toEqual([]);
  }, DEADLINE_MS * 3 + 20_000);
});
