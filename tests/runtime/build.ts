// Compile .snn text held in memory into a program, for the core's tests.
import { expect } from 'vitest';
import { checkText } from '../helpers.ts';
import { compileRun, type CompileResult } from '../../src/compiler/compile.ts';
import type { Program } from '../../src/runtime/program.ts';

export function compileText(src: string, opts: { steps?: number } = {}): { program: Program; result: CompileResult } {
  const r = checkText(src);
  expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  const checked = [...r.programs.values()][0]!;
  const run = checked.runs[0]!;
  const coreName = run.params.params.core?.t === 'ref' ? run.params.params.core.name : 'c';
  const position = (file: string, offset: number) => r.sources.get(file)?.position(offset);
  const result = compileRun(checked, run, checked.cores.get(coreName)!, { ...opts, position });
  expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message)).toEqual([]);
  return { program: result.program!, result };
}

/** Poisson-like 0/1 inputs, [t][channel], from a seeded LCG (independent of the library's streams). */
export function spikeInputs(T: number, n: number, p: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  return Float64Array.from({ length: T * n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32 < p ? 1 : 0; });
}
