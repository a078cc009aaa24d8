// Bundles the CLI into dist/phasecore.js (run by `npm install` through the `prepare` script).
// bin/phasecore.js runs the bundle when it is newer than every source file, and the TypeScript
// sources through the tsx loader otherwise, so an edit is never hidden by a stale bundle.
// Plain JavaScript, so it needs no loader itself.
import { build } from 'esbuild';
import { mkdirSync, renameSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}dist`, { recursive: true });
const tmp = `${root}dist/.phasecore.${process.pid}.js`;
await build({
  entryPoints: [`${root}src/cli/main.ts`],
  outfile: tmp,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Bundled CommonJS dependencies (commander) call require(); give them one.
  banner: { js: "import { createRequire as __phasecoreRequire } from 'node:module'; const require = __phasecoreRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
renameSync(tmp, `${root}dist/phasecore.js`);
