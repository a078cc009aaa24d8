// Any input gives diagnostics, never an exception or a hang; every diagnostic has a valid span.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkText } from '../helpers.ts';
import type { FrontEndResult } from '../../src/compiler/frontend.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));
const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.snn')).map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
const cores = readFileSync(join(EXAMPLES, 'cores', 'pcm256.snn'), 'utf8');

function expectValid(r: FrontEndResult): void {
  for (const d of r.diagnostics) {
    const src = r.sources.get(d.file);
    expect(src, `source of ${d.file}`).toBeDefined();
    expect(d.span.start).toBeGreaterThanOrEqual(0);
    expect(d.span.end).toBeGreaterThanOrEqual(d.span.start);
    expect(d.span.end).toBeLessThanOrEqual(src!.text.length);
    expect(d.code).toMatch(/^SNN\d{4}$/);
    expect(d.message.length).toBeGreaterThan(10);
  }
}

/** Mutations of a valid file: the kinds of damage an editor session produces. */
export const mutated = fc.tuple(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('delete', 'insert', 'duplicate', 'replace'), fc.constantFrom('{', '}', '(', ')', '[', ']', '=', '~', '->', ':', ',', ';', '"', '/*', '//', 'x', '1e400', 'ms', 'network', 'core x', '\n', ' ', '\u00e9', '\u0000', '$', '-', '^')), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [pos, len, op, tok] of edits) {
      const at = pos % (t.length + 1);
      if (op === 'delete') t = t.slice(0, at) + t.slice(at + len);
      else if (op === 'insert') t = t.slice(0, at) + tok + t.slice(at);
      else if (op === 'duplicate') t = t.slice(0, at + len) + t.slice(at, at + len) + t.slice(at + len);
      else t = t.slice(0, at) + tok + t.slice(at + Math.min(len, 3));
    }
    return t;
  });

describe('robustness', () => {
  it('property: mutated examples never throw, and every diagnostic has a valid span', () => {
    fc.assert(fc.property(mutated, (text) => { expectValid(checkText(text, { 'cores/pcm256.snn': cores, 'data/w_out.npy': '' })); }), { numRuns: 300 });
  });

  it('property: arbitrary text never throws', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (text) => { expectValid(checkText(text)); }), { numRuns: 300 });
  });

  it('property: arbitrary bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => { expectValid(checkText(bytes)); }), { numRuns: 300 });
  });

  it('property: token soup never throws', () => {
    const token = fc.constantFrom('network', 'core', 'population', 'input', 'readout', 'learn', 'task', 'train', 'probe', 'group', 'import', 'const', 'n', 'p', 'x', '{', '}', '(', ')', '[', ']', '=', '~', '->', ':', ',', ';', '1', '20 ms', 's16.10', '"a.snn"', 'LIF', 'dense', 'normal(0, 1)', '\n');
    fc.assert(fc.property(fc.array(token, { maxLength: 60 }), (toks) => { expectValid(checkText(toks.join(' '))); }), { numRuns: 300 });
  });

  it('handles a 10 MB file in bounded time', () => {
    const unit = 'const A = 1 // padding padding padding padding padding padding padding padding\n';
    const text = `${unit.repeat(Math.ceil(10_000_000 / unit.length))}`;
    const r = checkText(text);
    // 120 000 duplicate constants: the report stops at 100 and says so.
    expect(r.diagnostics.filter((d) => d.code === 'SNN2002')).toHaveLength(100);
    expect(r.diagnostics.at(-1)?.code).toBe('SNN0006');
  }, 60_000);

  it('handles deep nesting of blocks, lists and calls without recursing to death', () => {
    for (const [open, close] of [['{', '}'], ['[', ']'], ['f(', ')'], ['network n { train { ', '} }']] as const) {
      const text = `const X = ${open.repeat(5000)}${close.repeat(5000)}`;
      const r = checkText(text);
      expect(r.diagnostics.length).toBeGreaterThan(0);
      expectValid(r);
    }
    const minus = checkText(`const X = ${'-'.repeat(100000)}1`);
    expectValid(minus);
    const power = checkText(`const X = ${Array.from({ length: 20000 }, () => '2').join(' ^ ')}`);
    expect(power.diagnostics.map((d) => d.code)).toEqual(['SNN1020']);
  }, 60_000);
});
