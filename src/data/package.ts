// Where phasecore's own files are, whether it runs from src/ (tsx) or from the dist/ bundle (the
// examples, the SIMD kernel's dist/gradacc.wasm).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The directory of phasecore's package.json, found by walking up from this module. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'phasecore') return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('internal: phasecore package.json not found');
    dir = up;
  }
}
