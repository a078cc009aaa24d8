// ReckOn's first epoch on the reckon profile, as its testbench runs it: the 50 training samples
// learning online with ReckOn's rule, then the 50 test samples with learning off, on one core.
// Every one of the 100 predictions is the one a Verilator run of the released RTL made
// (bench/reckon-testbench-predictions.json; bench/reckon.ts runs all ten epochs).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { checkPaths } from '../../src/compiler/frontend.ts';
import { compileRun } from '../../src/compiler/compile.ts';
import { lowerTrain } from '../../src/compiler/lower.ts';
import { coreTrainer, reckonScore } from '../../src/cli/core-trainer.ts';
import { heldOut } from '../../src/tasks/generate.ts';
import { MT19937 } from '../../src/data/random.ts';

type Epoch = { train: Array<[number, number]>; test: Array<[number, number]> };

describe('ReckOn\'s testbench, first epoch', () => {
  it('predicts every training and test sample as the RTL did: 32/50 while training, 45/50 on the test set', () => {
    const file = fileURLToPath(new URL('../../examples/reckon-cue.snn', import.meta.url));
    const checked = checkPaths([file]).programs.get(file)!;
    const run = checked.runs.find((x) => x.name === 'online')!;
    const program = compileRun(checked, run, checked.cores.get('reckon')!, { learning: 'required' }).program!;
    const ir = { ...lowerTrain(checked, run), iterations: 50, validateEvery: 0 };
    const tr = coreTrainer(ir, program);
    const rtl = (JSON.parse(readFileSync(fileURLToPath(new URL('../../bench/reckon-testbench-predictions.json', import.meta.url)), 'utf8')) as { rtl: Epoch[] }).rtl[0]!;
    const train = Array.from({ length: 50 }, (_, i) => {
      const label = rtl.train[i]![1];
      // A training iteration reports right or wrong; with two classes that is the prediction.
      return tr.step().accuracy === 1 ? label : 1 - label;
    });
    expect(train).toEqual(rtl.train.map(([p]) => p));
    tr.core.reckonLearn!.enabled = 0;
    const test = heldOut(ir.task)!;
    const predicted = test.data.batch(test.size, MT19937.legacy(1)).map((s) => {
      tr.core.runSequence(s.x, 0, undefined, { label: s.label! });
      return reckonScore(tr.core.outputs, tr.core.steps, tr.core.nOut, program.reckon!.windowStart, s.label!).predicted;
    });
    expect(predicted).toEqual(rtl.test.map(([p]) => p));
    expect(train.filter((p, i) => p === rtl.train[i]![1]).length).toBe(32);
    expect(predicted.filter((p, i) => p === rtl.test[i]![1]).length).toBe(45);
  }, 300_000);
});
