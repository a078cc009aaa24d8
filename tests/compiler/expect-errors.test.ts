// Data-driven checker tests (clox's test/*.lox): each fixture marks its expected diagnostics
// with `// expect: CODE "culprit"` on the culprit's line (several: `// expect: A "x"; expect: B "y"`); the checker must report exactly those.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';

const DIR = fileURLToPath(new URL('../fixtures/errors/', import.meta.url));
const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.snn') && !f.endsWith('-helper.snn'));

describe.each(fixtures)('%s', (name) => {
  it('reports exactly the expected diagnostics', () => {
    const path = join(DIR, name);
    const text = readFileSync(path, 'utf8');
    const expected: string[] = [];
    text.split('\n').forEach((line, i) => {
      for (const m of line.matchAll(/expect: (SNN\d{4}) "((?:[^"\\]|\\.)*)"/g)) expected.push(`${i + 1} ${m[1]} ${JSON.parse(`"${m[2]}"`)}`);
      const b = /\/\/ expect-at-block: (SNN\d{4})/.exec(line);
      if (b) expected.push(`block ${b[1]}`);
    });
    const r = checkPaths([path]);
    const src = r.sources.get(r.diagnostics[0]?.file ?? '');
    const got = r.diagnostics.map((d) => {
      const pos = src!.position(d.span.start);
      const culprit = src!.text.slice(d.span.start, d.span.end);
      return d.code === 'SNN2011' && culprit === 'run' ? `block ${d.code}` : `${pos.line + 1} ${d.code} ${culprit}`;
    });
    expect(got.sort()).toEqual(expected.sort());
  });
});
