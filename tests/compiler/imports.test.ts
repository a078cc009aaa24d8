import { describe, expect, it } from 'vitest';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { memHost, culprit } from '../helpers.ts';

const check = (files: Record<string, string>) => {
  const host = memHost(Object.fromEntries(Object.entries(files).map(([k, v]) => [`/mem/${k}`, v])));
  const r = checkPaths(['/mem/main.snn'], host);
  return { r, got: r.diagnostics.map((d) => [d.file.replace(/^.*\/mem\//, ''), d.code, culprit(r, d)]) };
};

describe('imports', () => {
  it('resolve relative to the importing file', () => {
    const { got } = check({
      'main.snn': 'import "lib/cores.snn"\nconst X = A + 1',
      'lib/cores.snn': 'import "more/base.snn"\nconst A = B',
      'lib/more/base.snn': 'const B = 2',
    });
    expect(got).toEqual([]);
  });
  it('are not re-exported', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\nconst X = B', 'a.snn': 'import "b.snn"\nconst A = 1', 'b.snn': 'const B = 2' });
    expect(got).toEqual([['main.snn', 'SNN2001', 'B']]);
  });
  it('warn when a file is imported twice', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\nimport "./a.snn"\nconst X = A', 'a.snn': 'const A = 1' });
    expect(got).toEqual([['main.snn', 'SNN2006', '"./a.snn"']]);
  });
  it('report a missing file at the path', () => {
    const { got } = check({ 'main.snn': 'import "nope.snn"' });
    expect(got).toEqual([['main.snn', 'SNN2004', '"nope.snn"']]);
  });
  it('report a cycle at the import that closes it', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\nconst M = 1', 'a.snn': 'import "b.snn"\nconst A = 1', 'b.snn': 'import "a.snn"\nconst B = 1' });
    expect(got).toEqual([['b.snn', 'SNN2005', '"a.snn"']]);
  });
  it('report a file importing itself', () => {
    const { got } = check({ 'main.snn': 'import "main.snn"\nconst M = 1' });
    expect(got).toEqual([['main.snn', 'SNN2005', '"main.snn"']]);
  });
  it('report a name declared in two imported files, and one shadowing an import', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\nimport "b.snn"\nconst A = 3', 'a.snn': 'const A = 1', 'b.snn': 'const A = 2' });
    expect(got).toEqual([['main.snn', 'SNN2002', '"b.snn"'], ['main.snn', 'SNN2002', 'A']]);
  });
  it('report errors inside the imported file in that file, once', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\nimport "b.snn"', 'a.snn': 'import "c.snn"', 'b.snn': 'import "c.snn"', 'c.snn': 'core c { clock = 1 ms }' });
    expect(got).toEqual([['c.snn', 'SNN3001', '1 ms']]);
  });
  it('do not cascade a syntax error of an imported file into the importer', () => {
    const { got } = check({ 'main.snn': 'import "a.snn"\ntrain { network = n }', 'a.snn': 'network n {' });
    expect(got.map((g) => g[1])).toEqual(['SNN1010']);
  });
  it('let a core extend an imported core, and detect a cycle of bases', () => {
    expect(check({ 'main.snn': 'import "a.snn"\ncore b : a { tiles = 4 }', 'a.snn': 'core a { tiles = 8 }' }).got).toEqual([]);
    const { got } = check({ 'main.snn': 'core a : b { tiles = 4 }\ncore b : a { tiles = 2 }' });
    expect(got.map((g) => g[1])).toContain('SNN2014');
  });
});
