import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { DOC_FILES, renderDiagnostics, renderIsa, renderLanguage } from '../scripts/gen-docs.ts';
import { DIAG } from '../src/dsl/diagnostics.ts';
import { schemaDefaultProblems } from '../src/compiler/check.ts';

describe('docs and catalogues', () => {
  it('docs/diagnostics.md is generated from the current catalogue (npm run docs)', () => {
    expect(readFileSync(DOC_FILES.diagnostics, 'utf8')).toBe(renderDiagnostics());
  });
  it('the parameter tables of docs/language.md are current (npm run docs)', () => {
    const current = readFileSync(DOC_FILES.language, 'utf8');
    expect(current).toBe(renderLanguage(current));
  });
  it('docs/isa.md is generated from the current ISA table (npm run docs)', () => {
    expect(readFileSync(DOC_FILES.isa, 'utf8')).toBe(renderIsa());
  });
  it('diagnostic codes are unique and well formed', () => {
    const codes = Object.values(DIAG).map((d) => d.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^SNN[0-5]\d{3}$/);
  });
  it('every default in the schema is valid for its own parameter', () => {
    expect(schemaDefaultProblems()).toEqual([]);
  });
});
