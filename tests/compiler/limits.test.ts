// Sizes the checker or compiler must refuse with a coded diagnostic before any large allocation or
// expensive work (issue 7): step counts beyond the loop counter, operands beyond their fields,
// networks too large for the core before their initialisation runs, memory beyond the budget.
import { describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { fieldMax } from '../../src/runtime/isa.ts';
import { tempDir } from '../helpers.ts';

const CORE = fileURLToPath(new URL('../../examples/cores/pcm256.snn', import.meta.url));

function project(text: string): string {
  const file = join(tempDir(), 'main.snn');
  writeFileSync(file, `import "${CORE}"\n${text}`);
  return file;
}
const codes = (file: string, budget?: number) => {
  const r = checkPaths([file], undefined, budget ? { memoryBudget: budget } : {});
  return r.diagnostics.map((d) => `${d.code} ${r.sources.get(d.file)!.text.slice(d.span.start, d.span.end)}: ${d.message}`);
};
function compiled(file: string, core = 'pcm256') {
  const r = checkPaths([file]);
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const program = r.programs.get(file)!;
  const t0 = performance.now();
  const res = compileRun(program, program.runs[0]!, program.cores.get(core)!);
  return { res, ms: performance.now() - t0, text: (d: { file: string; span: { start: number; end: number } }) => r.sources.get(d.file)!.text.slice(d.span.start, d.span.end) };
}

const net = (dt: string, pops = 'population rec[4] : LIF', extra = '') => `network n {
  dt = ${dt}
  input in[5]
  ${pops}
  readout out[2] : LI
  in -> rec : dense
  rec -> out : dense
  ${extra}
}
task x : delayed_xor { channels_per_group = 1 }
learn l : eprop { loss = cross_entropy }
`;

describe('limits', () => {
  it('a sequence longer than the loop counter is refused at check when the block names a core', () => {
    const got = codes(project(`${net('1e-7 ms')}train { network = n; task = x; learn = l; core = pcm256 }`));
    expect(got).toEqual([`SNN4019 task = x: Task x lasts 10500000000 time steps of dt = 1e-7 ms (network n), more than core pcm256 can count: a program's time-step loop (LOOP.count, 32 bits) runs at most ${fieldMax('LOOP', 'count')} steps. Use a larger dt or shorter durations.`]);
  });
  it('no finite number of steps, or none at all, is refused with or without a core', () => {
    expect(codes(project(`${net('1e-320 ms')}train { network = n; task = x; learn = l }`))[0]).toMatch(/^SNN4019 dt = 1e-320 ms: dt = \S+ ms is too small: task x has no finite number of time steps of it/);
    expect(codes(project(`${net('10 s')}train { network = n; task = x; learn = l }`)).filter((c) => c.startsWith('SNN4019'))).toEqual([expect.stringMatching(/^SNN4019 task = x: Task x lasts 0 time steps/)]);
  });
  it('an operand beyond its instruction field is a diagnostic at its declaration, not an encoder error', () => {
    // A run block's memory does not grow with the steps, so compile --core reaches the emitter.
    const { res, text } = compiled(project(`${net('1e-7 ms')}run { network = n; task = x }`));
    expect(res.program).toBeNull();
    const errors = res.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.code} ${text(d)}`)).toEqual(['SNN5009 task = x']);
    expect(errors[0]!.message).toMatch(/needs LOOP\.count = 10500000000, but the instruction set gives count 32 bits \(at most 4294967295\)/);
    // 300 populations: the `pop` field of NEURON_UPDATE and READOUT_UPDATE has 8 bits, and the
    // input is population 0, so p255 is the first past 255 (and the readout after them all).
    const pops = Array.from({ length: 300 }, (_, i) => `population p${i}[1] : LIF`).join('\n  ');
    const links = Array.from({ length: 300 }, (_, i) => `in -> p${i} : dense\n  p${i} -> out : dense`).join('\n  ');
    const many = compiled(project(`${net('1 ms', pops, links).replace('in -> rec : dense\n  rec -> out : dense', '')}run { network = n; task = x }`));
    expect(many.res.diagnostics.filter((d) => d.code === 'SNN5009').map((d) => many.text(d))).toEqual(['population p255[1] : LIF', 'readout out[2] : LI']);
  });
  it('a network too large for the core is refused before its (O(n³)) initialisation', () => {
    const big = net('1 ms', 'population rec[3000] : ALIF', 'rec -> rec : dense { w ~ orthogonal() }');
    const { res, ms } = compiled(project(`${big}train { network = n; task = x; learn = l; core = pcm256 }`));
    expect(res.diagnostics.map((d) => d.code)).toEqual(['SNN5001']);
    expect(ms).toBeLessThan(20_000); // the orthogonal draw alone takes minutes: a hang guard, not a speed target
  });
  it('a network whose declared synapses alone overflow the tiles is refused before any connectivity is built', () => {
    const big = net('1 ms', 'population rec[12000] : LIF', 'rec -> rec : dense { no_self }');
    const file = project(`${big}run { network = n; task = x; core = pcm256 }`);
    const r = checkPaths([file], undefined, { memoryBudget: 64 * 1024 ** 3 });
    const program = r.programs.get(file)!;
    const t0 = performance.now();
    const res = compileRun(program, program.runs[0]!, program.cores.get('pcm256')!);
    expect(res.diagnostics.map((d) => d.message)).toEqual([expect.stringMatching(/^Network n needs at least 2199 tiles of 256 x 256 for its 144072000 synapses \(a tile holds 65536\); the core has 64\.$/)]);
    expect(performance.now() - t0).toBeLessThan(2000); // no 144-million-entry mask was built: a hang guard, not a speed target
  });
  it('memory beyond the budget is an error with the figure, a quarter of it a warning', () => {
    const file = project(`${net('1 ms', 'population rec[3000] : LIF', 'rec -> rec : dense')}train { network = n; task = x; learn = l }`);
    const [err] = codes(file, 256 * 1048576);
    expect(err).toMatch(/^SNN4020 network = n: This train block needs about 3\d\d MiB for network n's state \(weight matrices \(rec → rec: 3000 × 3000\) 2\d\d MiB/);
    expect(err).toMatch(/more than the memory budget of 256 MiB; .*--max-memory/);
    expect(codes(file, 1024 * 1048576)[0]).toMatch(/^SNN4021 network = n: .*a large part of the memory budget of 1.00 GiB\.$/);
    expect(codes(file)).toEqual([]);
  });
});
