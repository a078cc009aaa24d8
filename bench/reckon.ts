// ReckOn's testbench flow on the reckon profile, against its RTL: `node bench/launch.mjs bench/reckon.ts [EPOCHS]`.
//
// examples/reckon-cue.snn trains with ReckOn's own rule as the released testbench does (each epoch
// 50 training samples learning online, then the 50 test samples with learning off, on the same
// core, every LFSR running on), and every prediction is compared with bench/reckon-testbench-
// predictions.json: a Verilator run of the released RTL and testbench (epochs 1–2 and 39 samples of
// epoch 3) and the tick model that matched it (all 10 epochs). Prints per epoch the scores, the
// mismatches, the learning cycles per tick and the time per sample.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/data/package.ts';
import { checkPaths } from '../src/compiler/frontend.ts';
import { compileRun } from '../src/compiler/compile.ts';
import { lowerTrain } from '../src/compiler/lower.ts';
import { coreTrainer, reckonScore } from '../src/cli/core-trainer.ts';
import { heldOut } from '../src/tasks/generate.ts';
import { MT19937 } from '../src/data/random.ts';
import type { Host } from '../src/compiler/workspace.ts';

const epochs = Number(process.argv[2] ?? 2);
const file = join(packageRoot(), 'examples', 'reckon-cue.snn');
const host: Host = { read: (p) => { try { return { ok: true, bytes: readFileSync(p) }; } catch { return { ok: false, reason: 'missing' }; } } };
const checked = checkPaths([file], host).programs.get(file)!;
const run = checked.runs.find((x) => x.name === 'online')!;
const program = compileRun(checked, run, checked.cores.get('reckon')!, { learning: 'required' }).program!;
const ir = { ...lowerTrain(checked, run), iterations: 50 * epochs, validateEvery: 0 };
const tr = coreTrainer(ir, program);
const unit = tr.core.reckonLearn!;
const test = heldOut(ir.task)!;
type Epoch = { train: Array<[number, number]>; test: Array<[number, number]> };
const ref = JSON.parse(readFileSync(join(packageRoot(), 'bench', 'reckon-testbench-predictions.json'), 'utf8')) as { rtl: Epoch[]; model: Epoch[] };
const labels = ref.model[0]!.train.map(([, l]) => l);

let mismatches = 0;
console.log('epoch | training score | test score | vs RTL (samples compared, mismatches) | vs model | learning cycles/tick | ms per training sample');
for (let e = 0; e < epochs; e++) {
  const t0 = performance.now();
  const trainPred: number[] = [];
  let ticks = 0; let learningCycles = 0;
  for (let i = 0; i < 50; i++) {
    const m = tr.step();
    // A training iteration reports right or wrong; with two classes that is the prediction.
    trainPred.push(m.accuracy === 1 ? labels[i]! : 1 - labels[i]!);
    ticks += m.counters.reckon!.ticks; learningCycles += m.counters.learning_cycles;
  }
  const msTrain = (performance.now() - t0) / 50;
  unit.enabled = 0;
  const samples = test.data.batch(test.size, MT19937.legacy(1));
  const testPred = samples.map((s) => {
    tr.core.runSequence(s.x, 0, undefined, { label: s.label! });
    const r = reckonScore(tr.core.outputs, tr.core.steps, tr.core.nOut, program.reckon!.windowStart, s.label!);
    return r.predicted;
  });
  unit.enabled = program.reckon!.learn;
  const compare = (x: Epoch | undefined) => {
    if (!x) return '—';
    const pairs = [...x.train.map(([p], i) => [p, trainPred[i]] as const), ...x.test.map(([p], i) => [p, testPred[i]] as const)];
    const bad = pairs.filter(([a, b]) => a !== b).length;
    return `${pairs.length}, ${bad}`;
  };
  const rtl = ref.rtl[e]; const model = ref.model[e];
  mismatches += [...(rtl?.train ?? []).map(([p], i) => p !== trainPred[i]), ...(rtl?.test ?? []).map(([p], i) => p !== testPred[i]), ...(model?.train ?? []).map(([p], i) => p !== trainPred[i]), ...(model?.test ?? []).map(([p], i) => p !== testPred[i])].filter(Boolean).length;
  const score = (pred: number[], ls: number[]) => pred.filter((p, i) => p === ls[i]).length;
  console.log(`${e + 1} | ${score(trainPred, labels)}/50 | ${score(testPred, samples.map((s) => s.label!))}/50 | ${compare(rtl)} | ${compare(model)} | ${(learningCycles / ticks).toFixed(0)} | ${msTrain.toFixed(0)}`);
}
console.log(mismatches === 0 ? 'every prediction as the RTL (and its model) made it' : `${mismatches} predictions differ`);
process.exitCode = mismatches === 0 ? 0 : 1;
