// The compiler end to end on the examples: programs that load back and fit their core, golden
// listings (tests/golden/*.lst, reviewed by hand; UPDATE_GOLDEN=1 rewrites them), and the report.
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { decodeProgram, encodeProgram } from '../../src/runtime/program.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const GOLDEN = fileURLToPath(new URL('../golden/', import.meta.url));

function compileExample(name: string, coreName?: string) {
  const file = join(EXAMPLES, name);
  const r = checkPaths([file]);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const program = r.programs.get(file)!;
  const run = program.runs[0]!;
  const core = program.cores.get(coreName ?? (run.params.params.core as { name: string }).name)!;
  return compileRun(program, run, core, { position: (f, offset) => r.sources.get(f)?.position(offset) });
}

describe('compile', () => {
  it.each(readdirSync(EXAMPLES).filter((f) => f.endsWith('.snn')).sort().map((f) => [f]))('%s: a program that loads back, fits its core, and matches its golden listing', (name) => {
    const res = compileExample(name);
    expect(res.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const bytes = encodeProgram(res.program!);
    const back = decodeProgram(bytes);
    expect(back.ok).toBe(true);
    if (back.ok) expect(back.program.code).toEqual(res.program!.code);
    const golden = join(GOLDEN, name.replace('.snn', '.lst'));
    const text = `${res.listing.join('\n')}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    expect(existsSync(golden), `${golden} is missing: run UPDATE_GOLDEN=1 npx vitest run tests/compiler/compile.test.ts and review it`).toBe(true);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
  it('reports tiles, ranges, precision and cycles for the multi-tile example', () => {
    const rep = compileExample('multi-tile.snn').report!;
    expect(rep.tiles.needed).toBe(12);
    expect(rep.tiles.available).toBe(16);
    expect(rep.tiles.partialSums.map((p) => p.tiles.length)).toEqual([3, 3, 2, 2, 2]);
    expect(rep.ranges.find((r) => r.register === 'accumulator' && r.where === 'rec')!.headroomBits).toBeGreaterThan(0);
    expect(rep.precision.find((p) => p.parameter === 'rec.alpha')!.error).toBeLessThan(2 ** -15);
    expect(rep.cycles_per_step).toBeGreaterThan(0);
  });
  it('reports the learning unit\'s parameters in their registers', () => {
    const rows = (core?: string) => new Map(compileExample('pattern-generation.snn', core).report!.precision.map((p) => [p.parameter, p]));
    const pcm = rows();
    // B ~ normal(0, 1/sqrt(100)) in s8.6: the worst element is off by at most half an LSB (2^-7).
    expect(pcm.get('learn.B (random)')!.format).toBe('s8.6');
    expect(Math.abs(pcm.get('learn.B (random)')!.error)).toBeLessThanOrEqual(2 ** -7);
    expect(pcm.get('update.epsilon')!.quantised).toBe(0.125);
    expect(pcm.get('update.pulse')!.real).toBeCloseTo(0.75 / 12, 12);
    // On ideal4 a 0.75 uS pulse is one level of 12/15 = 0.8 uS: 1/15 in weight units.
    const ideal = rows('ideal4').get('update.pulse')!;
    expect(ideal.format).toBe('1 level of 0.800 uS');
    expect(ideal.quantised).toBeCloseTo(1 / 15, 12);
  });
  it('quantises weights to the ideal device\'s levels', () => {
    const rep = compileExample('pattern-generation.snn', 'ideal4').report!;
    const w = rep.precision.find((p) => p.parameter === 'in->rec.w')!;
    expect(w.format).toBe('16 levels × 1/side');
    // One level is 12 uS / 15 = 0.8 uS, i.e. 1/15 in weight units: the error is at most half of it.
    expect(Math.abs(w.error)).toBeLessThanOrEqual(1 / 30 + 1e-12);
  });
});

describe('user errors after the check are diagnostics, never internal errors', () => {
  it('a weight file that changed on disk since the check is SNN4017 at compile and at verify, not exit 3', async () => {
    const { encodeNpy } = await import('../../src/data/npy.ts');
    const { tempDir } = await import('../helpers.ts');
    const { verifyBlock } = await import('../../src/cli/verify-constraints.ts');
    const dir = tempDir('phasecore-changed-');
    const w = join(dir, 'w.npy');
    writeFileSync(w, encodeNpy('float64', [4, 2], new Float64Array(8).fill(0.1)));
    const file = join(dir, 'n.snn');
    writeFileSync(file, `
core c { tile = 16 x 16; tiles = 2; device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS) }
network n { input in[4]; population rec[2] : LIF; readout out[1] : LI
  in -> rec : dense { w = load("w.npy") }
  rec -> out : dense }
task t : pattern_generation { duration = 20 ms; channels = 4 }
run { network = n; core = c; task = t }
verify { network = n; core = c; task = t; tiles <= 1 }
`);
    const r = checkPaths([file]);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const program = r.programs.get(file)!;
    writeFileSync(w, encodeNpy('float64', [3], new Float64Array(3))); // changed after the check
    const res = compileRun(program, program.runs[0]!, program.cores.get('c')!, {});
    expect(res.program).toBeNull();
    expect(res.diagnostics.map((d) => d.code)).toContain('SNN4017');
    const v = verifyBlock({ program, verify: program.verifies[0]!, position: () => undefined, locate: (f) => f }, [1]);
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.diagnostics.map((d) => d.code)).toContain('SNN4017');
  });
});

describe('names JavaScript objects inherit', () => {
  it('populations and groups named constructor, valueOf and toString check, compile and run', async () => {
    const { checkText } = await import('../helpers.ts');
    const { runProgram } = await import('../../src/runtime/run.ts');
    const r = checkText(`
core c { tile = 16 x 16; tiles = 4; device = ideal(levels = 256, g_max = 12 uS, weight_scale = 12 uS) }
network n {
  dt = 1 ms
  input i[2]
  population constructor[3] : LIF
  population valueOf[3] : LIF
  group toString = [constructor, valueOf]
  readout o[1] : LI
  i -> toString : dense
  toString -> o : dense
}
task t : pattern_generation { duration = 20 ms; channels = 2 }
run { network = n; core = c; task = t }`);
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const program = [...r.programs.values()][0]!;
    const res = compileRun(program, program.runs[0]!, program.cores.get('c')!, {});
    expect(res.program).not.toBeNull();
    const T = res.program!.run.steps;
    const { summary } = runProgram(res.program!, [{ T, x: new Float64Array(T * 2).fill(1) }], { seed: 1 });
    expect(Object.keys(summary.spikes).sort()).toEqual(['constructor', 'valueOf']);
  });
});
