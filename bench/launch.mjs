// Runs a benchmark as the command line runs: bundled by esbuild (as `npm install` bundles the
// CLI), not through the tsx loader, whose per-function name wrappers would slow hot loops.
// Usage: node bench/launch.mjs bench/run.ts [args...]
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = process.argv[2] ?? 'bench/run.ts';
const outdir = `${root}bench/.bundle`;
mkdirSync(outdir, { recursive: true });
const outfile = `${outdir}/${entry.replace(/[^A-Za-z0-9]/g, '_')}.mjs`;
await build({
  entryPoints: [`${root}${entry}`], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning',
  banner: { js: "import { createRequire as __benchRequire } from 'node:module'; const require = __benchRequire(import.meta.url);" },
});
process.argv.splice(2, 1);
await import(pathToFileURL(outfile).href);
