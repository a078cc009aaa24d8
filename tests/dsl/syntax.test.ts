import { describe, expect, it } from 'vitest';
import type * as A from '../../src/dsl/ast.ts';
import { parseSource, decodeSource, MAX_NESTING } from '../../src/dsl/parse.ts';
import { SourceFile } from '../../src/dsl/span.ts';
import { formatDiagnostic } from '../../src/dsl/diagnostics.ts';
import { expectDiagnostic, checkText, culprit } from '../helpers.ts';

const parse = (text: string) => parseSource(new SourceFile('t.snn', text));

describe('lexing', () => {
  it('reports an unexpected character with its position', () => {
    expectDiagnostic('network n { dt = 1 ms $ }', 'SNN1001', '$');
  });
  it('reports an unterminated string once', () => {
    expectDiagnostic('import "cores/x.snn\nnetwork n {}', 'SNN1002', '"cores/x.snn');
  });
  it('reports an unclosed block comment at its opening', () => {
    expectDiagnostic('network n { }\n/* never closed\n', 'SNN1003', '/*');
  });
  it('keeps comments out of the token stream', () => {
    const r = parse('// a\nconst N = 1 /* b */ + 2 // c\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.file?.comments.map((c) => c.text)).toEqual(['// a', '/* b */', '// c']);
  });
});

describe('syntax errors', () => {
  it('names the expected token and the one found', () => {
    const d = expectDiagnostic('network n {\n  dt = 1 ms\n', 'SNN1010', '');
    expect(d.message).toBe("Expected '}' to close the block, found the end of the file.");
  });
  it('reports a missing value', () => {
    const d = expectDiagnostic('core c {\n  clock = \n}', 'SNN1011', '}');
    expect(d.message).toMatch(/Expected a value/);
  });
  it('points a stray closing brace at the brace', () => {
    const d = expectDiagnostic('network n { }\n}', 'SNN1013', '}');
    expect(d.message).toMatch(/one closing brace too many/);
  });
  it('does not echo an error inside a block as a stray brace after it', () => {
    const r = parse('network n {\n  population rec[4] : LIF { tau_m = = 1 ms }\n}\n');
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN1011']);
  });
  it('says what may follow a complete declaration, not the parser\'s EOF', () => {
    const r = parse('const A = 1 2\nconst B = 3\n');
    expect(r.diagnostics).toHaveLength(1);
    expect(r.diagnostics[0]!.message).toBe("Expected a declaration (network, core, learn, task, train, run, verify, const or import), found '2'.");
  });
  it('reports independent syntax errors in one run, but no cascade', () => {
    const r = checkText('core a { clock = }\ncore b { tile = [1, 2 }\n');
    expect(r.diagnostics.map((d) => [d.code, culprit(r, d)])).toEqual([['SNN1011', '}'], ['SNN1010', '}']]);
  });
  it('runs no semantic check on a file with a syntax error', () => {
    const r = checkText('network n { tau = 3 mV; population p[2] : LIF { tau_m = 1 }\n');
    expect(r.diagnostics.every((d) => d.code.startsWith('SNN1'))).toBe(true);
  });
  it('reports an unknown declaration word with a suggestion', () => {
    const d = expectDiagnostic('netwrk n { }', 'SNN1030', 'netwrk');
    expect(d.message).toContain("Did you mean 'network'?");
  });
  it('reports a declaration missing its name, with the form', () => {
    const d = expectDiagnostic('network { }', 'SNN1031', 'network');
    expect(d.message).toContain('network NAME { ... }');
  });
  it('reports a model written without its colon, once', () => {
    const d = expectDiagnostic('network n {\n  population rec[4] LIF { tau_m = 1 ms }\n}', 'SNN1010', 'LIF');
    expect(d.message).toBe("Expected ':' before 'LIF': write `population rec[...] : LIF`.");
  });
  it('needs a line break or a semicolon between statements', () => {
    const d = expectDiagnostic('core c {\n  clock = 20 MHz MHz\n}', 'SNN1010', 'MHz');
    expect(d.message).toMatch(/line break or ';'/);
    expectDiagnostic('const A = 1 const B = 2', 'SNN1010', 'const');
    expect(checkText('const A = 1; const B = 2').diagnostics).toEqual([]);
  });
  it('reports a population without a model', () => {
    expectDiagnostic('network n { population p[3] }', 'SNN1031', 'population p[3]');
  });
  it('refuses a number too large to represent', () => {
    expectDiagnostic('const X = 1e999', 'SNN1032', '1e999');
  });
  it('refuses brackets nested too deeply, without recursing', () => {
    const deep = `const X = ${'('.repeat(MAX_NESTING + 5)}1${')'.repeat(MAX_NESTING + 5)}`;
    const r = checkText(deep);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN1020']);
  });
  it('refuses a 100 000-term sum without overflowing the stack', () => {
    const r = checkText(`const X = ${Array.from({ length: 100000 }, () => '1').join(' + ')}`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN1020']);
  });
  it('parses a long but shallow expression', () => {
    const r = checkText(`const X = ${Array.from({ length: 300 }, () => '1').join(' + ')}`);
    expect(r.diagnostics).toEqual([]);
  });
});

describe('grammar details', () => {
  it('reads a unit only on the same line', () => {
    const r = parse('core c {\n  adc = 8\n  bit = 3\n}');
    expect(r.diagnostics).toEqual([]);
    const body = (r.file?.items[0] as A.Section).body;
    expect(body.map((s) => s.kind)).toEqual(['Assign', 'Assign']);
  });
  it('tells a flag on its own line from a declaration', () => {
    const r = parse('network n {\n  a -> b : dense {\n    no_self\n    w ~ normal(0, 1)\n  }\n}');
    expect(r.diagnostics).toEqual([]);
  });
  it('parses shapes, formats, slices, calls with blocks, and right-associative powers', () => {
    const r = parse('core c { tile = 256 x 128; membrane = saturate(s16.10, round = floor); device = pcm { drift = off } }\nconst P = -2 ^ -2 ^ 3\ntrain { probe v(rec[0:8], out[1]) }');
    expect(r.diagnostics).toEqual([]);
    const p = r.file?.items[1] as { value: unknown };
    // -(2 ^ (-(2 ^ 3)))
    expect(JSON.stringify(p.value, (k, v) => (k === 'span' || k === 'raw' ? undefined : v))).toBe(
      '{"kind":"Unary","op":"-","operand":{"kind":"Binary","op":"^","left":{"kind":"Num","value":2},"right":{"kind":"Unary","op":"-","operand":{"kind":"Binary","op":"^","left":{"kind":"Num","value":2},"right":{"kind":"Num","value":3}}}}}',
    );
  });
  it('puts a span on every node', () => {
    const r = parse('const N = 3\nnetwork n { input i[N]; population p[N] : LIF { tau_m ~ normal(20 ms, 1 ms) }; i -> p : sparse(0.5) }');
    const missing: string[] = [];
    const walk = (x: unknown, path: string) => {
      if (Array.isArray(x)) { x.forEach((y, i) => walk(y, `${path}[${i}]`)); return; }
      if (!x || typeof x !== 'object') return;
      const o = x as Record<string, unknown>;
      if ('kind' in o && !('span' in o)) missing.push(path);
      for (const [k, v] of Object.entries(o)) if (k !== 'span') walk(v, `${path}.${k}`);
    };
    walk(r.file, 'file');
    expect(missing).toEqual([]);
  });
});

describe('file-level input', () => {
  it('refuses invalid UTF-8 at the offending byte', () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('const A = 1\nconst B = '), 0xff, 0x32]);
    const r = checkText(bytes);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN0001']);
    const src = r.sources.get(r.diagnostics[0]!.file)!;
    expect(src.position(r.diagnostics[0]!.span.start)).toEqual({ line: 1, character: 10 });
  });
  it('refuses a binary file', () => {
    const r = checkText(new Uint8Array([0x6e, 0x00, 0x01, 0x02]));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN0002']);
  });
  it('warns about an empty file and exits clean', () => {
    const r = checkText('// only a comment\n');
    expect(r.diagnostics.map((d) => [d.code, d.severity])).toEqual([['SNN0003', 'warning']]);
  });
  it('refuses a file over the size limit without reading it as text', () => {
    const r = decodeSource('big.snn', new Uint8Array(16 * 1024 * 1024 + 1));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['SNN0004']);
  });
  it('prints file:line:col, the line and a caret', () => {
    const src = new SourceFile('x.snn', 'core c {\n  clock = 5 ms\n}\n');
    const r = checkText(src.text);
    const d = r.diagnostics[0]!;
    expect(formatDiagnostic({ ...d, file: 'x.snn' }, src)).toBe(
      "x.snn:2:11: error SNN3001: `clock` must be a frequency such as `50 Hz`; found `5 ms`, which is a duration.\n2 |   clock = 5 ms\n  |           ^^^^",
    );
  });
});
