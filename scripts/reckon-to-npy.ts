// Converts ReckOn's released cue-accumulation files (ChFrenkel/ReckOn @ 5e5c0be, src/data/; a copy
// with its licence is in ../shared/data/reckon-cue-accumulation/) into the .npy files phasecore's
// `npy` task and `load()` read. Usage:
//   node --import tsx scripts/reckon-to-npy.ts SRC_DIR OUT_DIR [SAMPLES]
// writes, from the first SAMPLES training and test samples (all 50 of each by default):
//   inputs.npy, test_inputs.npy   uint8 (samples, steps, 40): 1 where input `index` has an event in that step
//   labels.npy, test_labels.npy   int32 (samples,): the label of each sample's "-2, label" marker
//   w_in.npy, w_rec.npy, w_out.npy   int16: the initial int8 weights × 8 (ReckOn's FP_LOC_W = 3:
//                a weight enters the 16-bit membrane shifted left by 3), presynaptic-major
//
// Timing, as ReckOn's testbench and core have it (tbench.sv, srnn.v): the events of time t are
// sent after t ticks, latched by the core at tick t + 1, integrated in the event phase that
// follows and stepped at tick t + 2; a sample ending with "-1, t_end" gets t_end ticks, the first
// of which only wakes the core, so it runs t_end − 1 steps and the events of time t_end − 1 are
// never integrated. Here step k holds the events of time k, for k = 0 … t_end − 2.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeNpy } from '../src/data/npy.ts';

const CHANNELS = 40;

function readSamples(text: string): Array<{ events: Array<[number, number]>; label: number; end: number }> {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const n = Number(lines[0]);
  const out: Array<{ events: Array<[number, number]>; label: number; end: number }> = [];
  let cur: Array<[number, number]> = [];
  let label = -1;
  for (const [k, line] of lines.slice(1).entries()) {
    const [a, b] = line.split(',').map((x) => Number(x.trim())) as [number, number];
    if (!Number.isInteger(a) || !Number.isInteger(b)) throw new Error(`line ${k + 2}: '${line}' is not 'index, time'`);
    if (a === -2) label = b;
    else if (a === -1) { out.push({ events: cur, label, end: b }); cur = []; label = -1; }
    else if (a >= 0 && a < CHANNELS) cur.push([a, b]);
    else throw new Error(`line ${k + 2}: input index ${a} is outside 0–${CHANNELS - 1}`);
  }
  if (out.length !== n) throw new Error(`the file announces ${n} samples and holds ${out.length}`);
  return out;
}

function weights(path: string, rows: number, cols: number): Int16Array {
  const xs = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').map(Number);
  if (xs.length !== rows * cols || xs.some((x) => !Number.isInteger(x) || x < -128 || x > 127)) throw new Error(`${path}: expected ${rows * cols} int8 values`);
  return Int16Array.from(xs, (x) => x * 8);
}

const [src, dst, count] = process.argv.slice(2);
if (!src || !dst) { console.error('usage: reckon-to-npy.ts SRC_DIR OUT_DIR [SAMPLES]'); process.exit(2); }
mkdirSync(dst, { recursive: true });
let T = 0;
let n = 0;
for (const [file, prefix] of [['dataset_cueAcc_train.dat', ''], ['dataset_cueAcc_test.dat', 'test_']] as const) {
  const samples = readSamples(readFileSync(join(src, file), 'utf8')).slice(0, count ? Number(count) : undefined);
  const ends = new Set(samples.map((s) => s.end));
  if (ends.size !== 1) throw new Error(`samples end at different times (${[...ends].join(', ')})`);
  T = samples[0]!.end - 1;
  n = samples.length;
  const x = new Uint8Array(samples.length * T * CHANNELS);
  samples.forEach((s, k) => { for (const [i, t] of s.events) if (t < T) x[(k * T + t) * CHANNELS + i] = 1; });
  writeFileSync(join(dst, `${prefix}inputs.npy`), encodeNpy('uint8', [samples.length, T, CHANNELS], x));
  writeFileSync(join(dst, `${prefix}labels.npy`), encodeNpy('int32', [samples.length], Int32Array.from(samples, (s) => s.label)));
}
writeFileSync(join(dst, 'w_in.npy'), encodeNpy('int16', [CHANNELS, 100], weights(join(src, 'init_rand_weights_inp_cueAcc.dat'), CHANNELS, 100)));
writeFileSync(join(dst, 'w_rec.npy'), encodeNpy('int16', [100, 100], weights(join(src, 'init_rand_weights_rec_cueAcc.dat'), 100, 100)));
writeFileSync(join(dst, 'w_out.npy'), encodeNpy('int16', [100, 2], weights(join(src, 'init_rand_weights_out_cueAcc.dat'), 100, 2)));
console.log(`wrote ${n} training and ${n} test samples of ${T} steps × ${CHANNELS} inputs, and the initial weights, to ${dst}`);
