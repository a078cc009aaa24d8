// Any input gives diagnostics, never an exception or a hang; every diagnostic has a valid span.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { checkText } from '../helpers.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../src/data/package.ts';
import type { FrontEndResult } from '../../src/compiler/frontend.ts';
import { anyBytes, anyText, coreText, mutatedExample, tokenSoup } from '../../bench/fuzz-inputs.ts';

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

describe('robustness', () => {
  it('property: mutated examples never throw, and every diagnostic has a valid span', () => {
    fc.assert(fc.property(mutatedExample, (text) => { expectValid(checkText(text, { 'cores/pcm256.snn': coreText })); }), { numRuns: 300 });
  });

  it('property: arbitrary text never throws', () => {
    fc.assert(fc.property(anyText, (text) => { expectValid(checkText(text)); }), { numRuns: 300 });
  });

  it('property: arbitrary bytes never throw', () => {
    fc.assert(fc.property(anyBytes, (bytes) => { expectValid(checkText(bytes)); }), { numRuns: 300 });
  });

  it('property: token soup never throws', () => {
    fc.assert(fc.property(tokenSoup, (text) => { expectValid(checkText(text)); }), { numRuns: 300 });
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

  it('stops parsing junk with many errors instead of overflowing the stack (issue 7)', () => {
    // Chevrotain's recovery recurses once per error and scans to the end of the input for each:
    // both are bounded (MAX_PARSE_ERRORS, a scan budget linear in the tokens).
    for (const n of [1500, 20000, 200000]) {
      const t0 = performance.now();
      const r = checkText('a ) '.repeat(n));
      expectValid(r);
      expect(r.diagnostics.at(-1)?.code).toBe('SNN0006');
      expect(r.diagnostics.at(-1)?.message).toMatch(/^Stopped parsing/);
      expect(performance.now() - t0).toBeLessThan(20_000); // a hang guard, not a speed target
    }
    // Markdown is not .snn: the tour's `check docs/language.md`.
    const md = checkText(readFileSync(join(packageRoot(), 'docs/language.md'), 'utf8'));
    expectValid(md);
    expect(md.diagnostics.some((d) => d.code === 'SNN0006')).toBe(true);
  }, 60_000);
});
