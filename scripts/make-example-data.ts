// Writes the small .npy files the examples load. Deterministic (a fixed LCG), so re-running it
// reproduces the committed files byte for byte: `node --import tsx scripts/make-example-data.ts`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { encodeNpy } from '../src/data/npy.ts';

let state = 12345;
const uniform = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 4294967296; };
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

mkdirSync(new URL('../examples/data/', import.meta.url), { recursive: true });
// Readout weights of examples/pattern-generation.snn: 100 recurrent neurons -> 1 output, N(0, 0.1²).
const wOut = Float32Array.from({ length: 100 }, () => normal() / 10);
writeFileSync(new URL('../examples/data/w_out.npy', import.meta.url), encodeNpy('float32', [100, 1], wOut));
