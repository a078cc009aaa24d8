// Generators of hostile front-end inputs, shared by the robustness tests (small runs) and the
// long fuzz run (bench/fuzz.ts): damaged examples, token soup, arbitrary text and bytes.
import { packageRoot } from '../src/data/package.ts';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const EXAMPLES = join(packageRoot(), 'examples/');
export const exampleTexts = readdirSync(EXAMPLES).filter((f) => f.endsWith('.snn')).map((f) => readFileSync(join(EXAMPLES, f), 'utf8'));
export const coreText = readFileSync(join(EXAMPLES, 'cores', 'pcm256.snn'), 'utf8');

const PIECES = ['{', '}', '(', ')', '[', ']', '=', '~', '->', ':', ',', ';', '"', '/*', '//', 'x', '1e400', 'ms', 'network', 'core x', '\n', ' ', '\u00e9', '\u0000', '$', '-', '^', '0', 's16.10', 'LIF', '256 x 256', 'load("w.npy")'];

/** An example damaged the way an editor session damages files: deletions, insertions, duplicated and replaced ranges. */
export const mutatedExample: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...exampleTexts), fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom('delete', 'insert', 'duplicate', 'replace'), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 4 }))
  .map(([text, edits]) => {
    let t = text;
    for (const [pos, len, op, piece] of edits) {
      const at = pos % (t.length + 1);
      if (op === 'delete') t = t.slice(0, at) + t.slice(at + len);
      else if (op === 'insert') t = t.slice(0, at) + piece + t.slice(at);
      else if (op === 'duplicate') t = t.slice(0, at + len) + t.slice(at, at + len) + t.slice(at + len);
      else t = t.slice(0, at) + piece + t.slice(at + Math.min(len, 3));
    }
    return t;
  });

const TOKENS = ['network', 'core', 'population', 'input', 'readout', 'learn', 'task', 'train', 'probe', 'group', 'import', 'const', 'n', 'p', 'x', '{', '}', '(', ')', '[', ']', '=', '~', '->', ':', ',', ';', '1', '20 ms', 's16.10', '"a.snn"', 'LIF', 'dense', 'normal(0, 1)', '\n'];
export const tokenSoup: fc.Arbitrary<string> = fc.array(fc.constantFrom(...TOKENS), { maxLength: 60 }).map((t) => t.join(' '));
export const anyText: fc.Arbitrary<string> = fc.string({ maxLength: 300, unit: 'grapheme' });
export const anyBytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 300 });
