// Bundles the CLI into dist/phasecore.js and assembles the SIMD kernel into dist/gradacc.wasm (run
// by `npm install` through the `prepare` script).
// bin/phasecore.js runs the bundle when it is newer than every source file, and the TypeScript
// sources through the tsx loader otherwise, so an edit is never hidden by a stale bundle.
// Plain JavaScript, so it needs no loader itself.
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
  // The plotting stack stays in node_modules: resvg is a native module, and Vega loads only when a
  // plot is drawn (the CLI starts without it).
  external: ['@resvg/resvg-js', 'vega', 'vega-lite'],
  logLevel: 'warning',
  legalComments: 'none',
});
renameSync(tmp, `${root}dist/phasecore.js`);

// The learning unit's SIMD kernel: src/runtime/wasm/gradacc.wat assembled by wabt into
// dist/gradacc.wasm (src/runtime/wasm/kernel.ts loads it; without it the scalar paths run).
const wabt = await (await import('wabt')).default();
const watFile = `${root}src/runtime/wasm/gradacc.wat`;
const wat = wabt.parseWat(watFile, expandVariants(readFileSync(watFile, 'utf8')), { simd: true });
const { buffer } = wat.toBinary({});
wat.destroy();
const wasmTmp = `${root}dist/.gradacc.${process.pid}.wasm`;
writeFileSync(wasmTmp, buffer);
renameSync(wasmTmp, `${root}dist/gradacc.wasm`);

/**
 * The .wat's variant blocks: `;; <variants a b ...>` … `;; </variants>` is written once per
 * variant — the first keeps its exports' names, the others' get `_b`, … — keeping a line tagged
 * `;;[v]` in variant v only (untagged lines in every one). A variant written `b@$p=lo..hi` is also
 * written once per integer k in [lo, hi] with the local or parameter $p read as the constant k (V8
 * shifts by a constant in one instruction, by a variable in three), its exports suffixed `_b_k`.
 */
function expandVariants(text) {
  return text.replace(/;; <variants ([^>]*)>\n([\s\S]*?);; <\/variants>\n/g, (_, names, block) => names.trim().split(/\s+/).flatMap((spec, i) => {
    const [v, param, lo, hi] = /^(\w+)(?:@(\$\w+)=(\d+)\.\.(\d+))?$/.exec(spec).slice(1);
    const body = block
      .split('\n')
      .filter((line) => { const tag = /;;\[(\w+)\]\s*$/.exec(line); return !tag || tag[1] === v; })
      .map((line) => line.replace(/\s*;;\[\w+\]\s*$/, ''))
      .join('\n');
    const named = (suffix) => body.replace(/\(export "(\w+)"\)/g, (m, name) => (suffix === '' ? m : `(export "${name}${suffix}")`));
    const out = [named(i === 0 ? '' : `_${v}`)];
    if (param) for (let k = Number(lo); k <= Number(hi); k++) out.push(named(`_${v}_${k}`).split(`(local.get ${param})`).join(`(i32.const ${k})`));
    return out;
  }).join('\n'));
}
