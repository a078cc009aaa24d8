import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSource } from '../../src/dsl/parse.ts';
import { formatFile } from '../../src/dsl/format.ts';
import { SourceFile } from '../../src/dsl/span.ts';
import { arbitraries, strip } from './arbitraries.ts';

const parse = (text: string) => parseSource(new SourceFile('t.snn', text));
const fmtText = (text: string): string => {
  const r = parse(text);
  if (!r.file) throw new Error(r.diagnostics.map((d) => d.message).join('\n'));
  return formatFile(r.file, new SourceFile('t.snn', text));
};

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const exampleFiles = [
  ...readdirSync(EXAMPLES).filter((f) => f.endsWith('.snn')).map((f) => join(EXAMPLES, f)),
  ...readdirSync(join(EXAMPLES, 'cores')).map((f) => join(EXAMPLES, 'cores', f)),
];

describe('fmt', () => {
  it('property: parse(fmt(ast)) equals ast, and fmt is idempotent', () => {
    const { file } = arbitraries();
    fc.assert(fc.property(file, (ast) => {
      const text = formatFile(ast);
      const r = parse(text);
      expect(r.diagnostics.map((d) => d.message), text).toEqual([]);
      expect(strip(r.file)).toEqual(strip(ast));
      expect(formatFile(r.file!, new SourceFile('t.snn', text))).toBe(text);
    }), { numRuns: 400 });
  });

  it.each(exampleFiles.map((f) => [f.slice(EXAMPLES.length)]))('leaves the canonical example %s unchanged', (rel) => {
    const text = readFileSync(join(EXAMPLES, rel), 'utf8');
    expect(fmtText(text)).toBe(text);
  });

  it('canonicalises spacing, separators, parentheses and blank lines', () => {
    const messy = 'const  N=((1+2))*3// n\n\n\n\nnetwork n{dt=1ms;input i[N]\npopulation p[N]:LIF{tau_m=20 ms;v_th=-(-1)}\ni->p:dense{w~normal(0,1/sqrt(N))}}\n';
    expect(fmtText(messy)).toBe([
      'const N = (1 + 2) * 3 // n',
      '',
      'network n {',
      '  dt = 1 ms',
      '  input i[N]',
      '  population p[N] : LIF { tau_m = 20 ms; v_th = - -1 }',
      '  i -> p : dense { w ~ normal(0, 1 / sqrt(N)) }',
      '}',
      '',
    ].join('\n'));
  });

  it('keeps every comment, and moves a comment from inside an expression before the next statement', () => {
    const text = 'core c { // head\n  /* block */ clock = 5 MHz // tail\n  tile = 4 x\n  // inside\n  4\n  // before end\n}\n// eof\n';
    const out = fmtText(text);
    for (const c of ['// head', '/* block */', '// tail', '// inside', '// before end', '// eof']) expect(out).toContain(c);
    expect(fmtText(out)).toBe(out);
  });

  it('property: comments inserted anywhere between lines of an example survive, and fmt stays idempotent', () => {
    const text = readFileSync(join(EXAMPLES, 'pattern-generation.snn'), 'utf8');
    const lines = text.split('\n');
    const original = strip(parse(text).file);
    fc.assert(fc.property(fc.uniqueArray(fc.nat({ max: lines.length - 1 }), { maxLength: 6 }), fc.boolean(), (at, trailing) => {
      const edited = lines.map((l, i) => (at.includes(i) ? (trailing && l.trim() !== '' && !l.includes('//') ? `${l} // c${i}` : `// c${i}\n${l}`) : l)).join('\n');
      const out = fmtText(edited);
      for (const i of at) expect(out).toContain(`// c${i}`);
      expect(fmtText(out)).toBe(out);
      expect(strip(parse(out).file)).toEqual(original);
    }), { numRuns: 60 });
  });
});
