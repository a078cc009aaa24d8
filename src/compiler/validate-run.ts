// The checks of train and run blocks: their parameters, their probes, and the cross-checks
// between the network, task, learning rule and core they name (sizes, channels, classes, what
// can run where, the instruction set's field limits, the memory their state needs). Plain
// functions of the block and a context that resolves the names it refers to.
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { diag, didYouMean, type Diagnostic, type DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import { showQuantity } from '../dsl/units.ts';
import { lowerTask } from './lower.ts';
import { taskSteps } from '../tasks/generate.ts';
import { estimateMemory, VALIDATION_SEQUENCES } from '../ir/memory.ts';
import { formatBytes } from '../data/files.ts';
import { fieldMax, ISA } from '../runtime/isa.ts';
import { checkLabels } from './data-checks.ts';
import { misplaced } from './interpret.ts';
import { slice, type DeclContext } from './validate-network.ts';
import type { CheckedCore, CheckedEnd, CheckedNetwork, CheckedNeurons, CheckedProbe, CheckedRun, Resolved } from './values.ts';

/** A train or run block's context: its module's, the declarations it names, and where diagnostics of other files go. */
export interface RunContext extends DeclContext {
  readonly refs: {
    network(name: string): CheckedNetwork | null; task(name: string): Resolved | null;
    learn(name: string): Resolved | null; core(name: string): CheckedCore | null;
  };
  /** A diagnostic of any file (a size check may point into an imported core). */
  push(d: Diagnostic): void;
  readonly memoryBudget: number;
}

export function checkRunBlock(ctx: RunContext, s: A.Section): CheckedRun {
  const keyword = s.keyword.name as 'train' | 'run';
  const probes: A.Probe[] = [];
  const params = ctx.schema.body(s.body, keyword === 'train' ? S.TRAIN_PARAMS : S.RUN_PARAMS, keyword, s.keyword.span, (st) => {
    if (st.kind === 'Probe') probes.push(st);
    else misplaced(ctx.report, st, `in a ${keyword} block (it has parameters and probes)`);
  });
  return runOf(ctx, s, keyword, params, probes);
}

/** A train or run block — or the train or run a verify block describes — from its checked parameters: its probes and cross-checks. */
export function runOf(ctx: RunContext, s: A.Section, keyword: 'train' | 'run', params: Resolved | undefined, probes: readonly A.Probe[]): CheckedRun {
  const ref = (k: string): string | undefined => { const v = params?.params[k]; return v?.t === 'ref' ? v.name : undefined; };
  const netName = ref('network');
  const net = netName ? ctx.refs.network(netName) : null;
  const checkedProbes: CheckedProbe[] = [];
  if (net) for (const p of probes) { const cp = checkProbe(ctx, p, net); if (cp) checkedProbes.push(cp); }
  if (params && net) crossCheck(ctx, keyword, params, net);
  return { keyword, name: s.name?.name ?? null, file: ctx.file, span: s.keyword.span, params: params ?? { kind: keyword, params: {}, spans: {} }, probes: checkedProbes };
}

function checkProbe(ctx: RunContext, p: A.Probe, net: CheckedNetwork): CheckedProbe | undefined {
  const variable = S.own(S.PROBE_VARIABLES, p.variable.name);
  if (!variable) { ctx.report('InvalidProbe', p.variable.span, `'${p.variable.name}' is not a probe variable; expected one of ${Object.keys(S.PROBE_VARIABLES).join(', ')}.${didYouMean(p.variable.name, Object.keys(S.PROBE_VARIABLES))}`); return undefined; }
  if (p.targets.length === 0) { ctx.report('InvalidProbe', p.span, 'A probe needs at least one target: probe spikes(rec).'); return undefined; }
  const targets: CheckedEnd[] = [];
  const byName = new Map(net.neurons.map((n) => [n.name, n]));
  for (const t of p.targets) {
    if (t.kind !== 'Name' && t.kind !== 'Index') { ctx.report('InvalidProbe', t.span, 'A probe target is a population, input, readout or group, optionally sliced: rec[0:8].'); return undefined; }
    const name = t.kind === 'Name' ? t.name : t.target.name;
    const members = name in net.groups ? (net.groups[name] as string[]) : [name];
    const first = byName.get(members[0] as string);
    if (!first) { ctx.report('UnknownName', t.kind === 'Name' ? t.span : t.target.span, `There is nothing named '${name}' in network ${net.name}.${didYouMean(name, [...byName.keys(), ...Object.keys(net.groups)])}`); return undefined; }
    for (const m of members) {
      const n = byName.get(m) as CheckedNeurons;
      const model = n.role === 'input' ? 'input' : n.model.kind;
      if (!variable.models.includes(model)) {
        ctx.report('InvalidProbe', p.variable.span, `${m} is ${model === 'input' ? 'an input' : `a ${model} ${n.role}`}, which has no '${p.variable.name}'; it can be probed for ${Object.entries(S.PROBE_VARIABLES).filter(([, v]) => v.models.includes(model)).map(([k]) => k).join(', ')}.`);
        return undefined;
      }
    }
    const size = members.reduce((acc, m) => acc + (byName.get(m)?.size ?? 0), 0);
    const end = t.kind === 'Name' ? { name, lo: 0, hi: size } : slice(ctx, t, size);
    if (!end) return undefined;
    targets.push(end);
  }
  const options = ctx.schema.body(p.body ?? [], S.PROBE_PARAMS, `probe ${p.variable.name}`, p.variable.span);
  if (!options) return undefined;
  const every = options.params.every;
  const dt = net.params.params.dt;
  if (every?.t === 'quantity' && dt?.t === 'quantity' && Math.abs(every.si / dt.si - Math.round(every.si / dt.si)) > 1e-9) {
    ctx.report('SuspiciousValue', options.spans.every ?? p.span, `every = ${showQuantity(every)} is not a whole number of steps of dt = ${showQuantity(dt)}; the probe samples every ${Math.max(1, Math.round(every.si / dt.si))} steps.`);
  }
  return { variable: p.variable.name, targets, options, span: p.span };
}

/**
 * Per-neuron values read from a file: numbers in the SI unit of the parameter's dimension
 * (seconds for times), held to the parameter's range. A time constant above 10 s is probably
 * written in milliseconds: a warning says so.
 */
function crossCheck(ctx: RunContext, keyword: 'train' | 'run', params: Resolved, net: CheckedNetwork): void {
  const refOf = (k: string) => { const v = params.params[k]; return v?.t === 'ref' ? v.name : undefined; };
  const at = (k: string) => params.spans[k] ?? { start: 0, end: 0 };
  const taskName = refOf('task');
  const learnName = refOf('learn');
  const coreName = refOf('core');
  const task = taskName ? ctx.refs.task(taskName) : null;
  const learn = keyword === 'train' && learnName ? ctx.refs.learn(learnName) : null;
  const core = coreName ? ctx.refs.core(coreName) : null;
  const inputs = net.neurons.filter((n) => n.role === 'input');
  const readouts = net.neurons.filter((n) => n.role === 'readout');
  const nIn = inputs.reduce((a, n) => a + n.size, 0);
  const nOut = readouts.reduce((a, n) => a + n.size, 0);
  if (inputs.length === 0 || readouts.length === 0) {
    ctx.report('TaskMismatch', at('network'), `Network ${net.name} needs at least one input and one readout to ${keyword === 'train' ? 'be trained' : 'run a task'}.`);
    return;
  }
  if (task) {
    const nums: Record<string, number> = {};
    for (const [k, v] of Object.entries(task.params)) if (v.t === 'int') nums[k] = v.value;
    if (task.kind === 'npy') {
      const shape = (k: string) => { const v = task.params[k]; return v?.t === 'data' ? v.header.shape : undefined; };
      nums.channels = shape('inputs')?.[2] ?? 0;
      nums.outputs = shape('targets')?.[2] ?? nOut;
    }
    const kind = S.TASK_KINDS[task.kind];
    const channels = kind?.channels(nums) ?? nIn;
    const outputs = kind?.outputs(nums) ?? nOut;
    if (channels !== nIn) ctx.report('TaskMismatch', at('task'), `Task ${taskName} has ${channels} input channels, but network ${net.name} has ${nIn} input neurons (${inputs.map((n) => `${n.name}[${n.size}]`).join(', ')}).`);
    if (outputs !== nOut) ctx.report('TaskMismatch', at('task'), `Task ${taskName} has ${outputs} outputs, but network ${net.name} has ${nOut} readout neurons (${readouts.map((n) => `${n.name}[${n.size}]`).join(', ')}).`);
  }
  sizeChecks((kind, span, message, file = ctx.file) => ctx.push(diag(kind, file, span, message)), ctx.memoryBudget,
    keyword, params, net, task, learn, core, { nIn, nOut, taskName, coreName });
  const supervision = !task ? null : task.kind === 'npy' ? (task.params.labels ? 'label' : 'signal') : S.TASK_KINDS[task.kind]?.supervision ?? null;
  if (task?.kind === 'npy' && task.params.labels?.t === 'data') checkLabels(task.params.labels.path, at('task'), taskName as string, nOut, ctx.report);
  if (task?.kind === 'npy' && task.params.validation_labels?.t === 'data') checkLabels(task.params.validation_labels.path, at('task'), taskName as string, nOut, ctx.report);
  if (learn) {
    const loss = learn.params.loss;
    const lossName = loss?.t === 'choice' ? loss.option : undefined;
    const wants = lossName === 'mse' ? 'signal' : lossName === 'cross_entropy' ? 'label' : null;
    if (wants && supervision && wants !== supervision) {
      ctx.report('TaskMismatch', at('learn'), wants === 'signal'
        ? `loss = mse regresses a target signal, but task ${taskName} gives a class label per sample: use loss = cross_entropy.`
        : `loss = cross_entropy classifies, but task ${taskName} gives a target signal to regress: use loss = mse.`);
    }
    if (loss?.t === 'choice' && loss.option === 'cross_entropy' && nOut < 2) ctx.report('IncompatibleOptions', at('learn'), `cross_entropy needs at least two readout neurons (one per class); network ${net.name} has ${nOut}.`);
    if (learn.kind === 'eprop') {
      for (const n of net.neurons) {
        const tr = n.model.params.trainable;
        // e-prop's readout gradients are exact, so a readout's bias may learn; nothing else intrinsic.
        const names = tr?.t === 'names' ? tr.names.filter((x) => !(n.role === 'readout' && x === 'bias')) : [];
        if (names.length > 0) {
          ctx.report('IncompatibleOptions', at('learn'), `e-prop trains weights (and readout biases) only, but ${n.name} declares trainable = [${names.join(', ')}]; use a bptt learning rule to train intrinsic parameters.`);
          break;
        }
      }
      const feedback = learn.params.feedback;
      const B = feedback?.t === 'choice' ? feedback.params.B : undefined;
      const file = B?.t === 'init' && B.kind === 'load' ? B.params.path : undefined;
      const nRec = net.neurons.filter((n) => n.role === 'population').reduce((a, n) => a + n.size, 0);
      if (file?.t === 'data' && (file.header.shape.length !== 2 || file.header.shape[0] !== nRec || file.header.shape[1] !== nOut)) {
        ctx.report('ShapeMismatch', at('learn'), `The feedback matrix B of ${learnName} needs shape (${nRec}, ${nOut}) (recurrent neurons, readout neurons) for network ${net.name}; the file has shape (${file.header.shape.join(', ')}).`);
      }
      const update = learn.params.update;
      const device = core?.params.params.device;
      if (update?.t === 'choice' && update.option !== 'direct') {
        if (!coreName) ctx.report('SuspiciousValue', at('learn'), `update = ${update.option} turns gradients into PCM pulses, but this ${keyword} block has no core: the float reference ignores it.`);
        else if (device?.t === 'choice' && device.option !== 'pcm') ctx.report('SuspiciousValue', at('core'), `update = ${update.option} is a PCM programming scheme, but core ${coreName} has ${device.option} devices.`);
      }
      if (update?.t === 'choice' && update.option === 'multi' && device?.t === 'choice') {
        const n = update.params.n;
        const per = device.params.devices_per_side;
        if (n?.t === 'int' && per?.t === 'int' && n.value !== per.value) ctx.report('IncompatibleOptions', at('core'), `update = multi(n = ${n.value}) needs ${n.value} devices per side, but core ${coreName} has devices_per_side = ${per.value}.`);
      }
    }
  }
}

/**
 * What a train or run block will need before anything is allocated: the length of a sequence in
 * time steps (finite, at least one, and within the core's loop counter when the block names a
 * core: the ISA table's field width), and the memory of its state against the budget.
 */
function sizeChecks(report: (kind: DiagKind, at: Span, message: string, file?: string) => void, budget: number, keyword: 'train' | 'run', params: Resolved, net: CheckedNetwork, task: Resolved | null, learn: Resolved | null, core: CheckedCore | null,
  names: { nIn: number; nOut: number; taskName: string | undefined; coreName: string | undefined }): void {
  const at = (k: string) => params.spans[k] ?? { start: 0, end: 0 };
  const dt = net.params.params.dt;
  if (!task || dt?.t !== 'quantity') return;
  const steps = taskSteps(lowerTask(task), dt.si);
  const lasts = `Task ${names.taskName} lasts ${steps} time steps of dt = ${showQuantity(dt)} (network ${net.name})`;
  // No finite count is dt's doing: the diagnostic points at it, in the network's file.
  if (!Number.isFinite(steps)) { report('SequenceLength', net.params.spans.dt ?? at('task'), `dt = ${showQuantity(dt)} is too small: task ${names.taskName} has no finite number of time steps of it (network ${net.name}, ${params.kind} block).`, net.params.spans.dt ? net.file : undefined); return; }
  if (steps < 1) { report('SequenceLength', at('task'), `${lasts}: a sequence must last at least one step; make its durations longer than dt.`); return; }
  const loopMax = fieldMax('LOOP', 'count');
  if (core && steps > loopMax) {
    report('SequenceLength', at('task'), `${lasts}, more than core ${names.coreName} can count: a program's time-step loop (LOOP.count, ${ISA.LOOP.fields.count.bits} bits) runs at most ${loopMax} steps. Use a larger dt or shorter durations.`);
    return;
  }
  const nRec = net.neurons.filter((n) => n.role === 'population').reduce((a, n) => a + n.size, 0);
  let largest = 0;
  let sparse = false;
  for (const p of net.projections) {
    const n = p.conn.kind === 'one_to_one' || p.conn.kind === 'self' ? p.source.hi - p.source.lo : (p.source.hi - p.source.lo) * (p.target.hi - p.target.lo);
    largest = Math.max(largest, n);
    sparse ||= p.conn.kind === 'sparse';
  }
  const batch = params.params.batch?.t === 'int' ? params.params.batch.value : 1;
  const optimizer = learn?.params.optimizer;
  const estimate = estimateMemory({
    nIn: names.nIn, nRec, nOut: names.nOut, largestProjection: largest, sparse, steps, batch,
    // An npy task's held-out set is drawn whole.
    validation: keyword === 'train' && params.params.validate_every?.t === 'int' && params.params.validate_every.value > 0
      ? (task.params.validation_inputs?.t === 'data' ? (task.params.validation_inputs.header.shape[0] ?? 0) : VALIDATION_SEQUENCES) : 0,
    learn: keyword === 'train' && learn ? { kind: learn.kind === 'bptt' ? 'bptt' : 'eprop', adam: optimizer?.t === 'choice' && optimizer.option === 'adam' } : null,
  });
  if (estimate.bytes <= budget / 4) return;
  const detail = estimate.parts.filter((p) => p.bytes >= estimate.bytes / 20).map((p) => `${p.what} ${formatBytes(p.bytes)}`).join('; ');
  const over = estimate.bytes > budget;
  report(over ? 'MemoryBudget' : 'MemoryLarge', at('network'), `This ${keyword} block needs about ${formatBytes(estimate.bytes)} for network ${net.name}'s state (${detail}), ${over ? 'more than' : 'a large part of'} the memory budget of ${formatBytes(budget)}${over ? '; make the network or the task smaller, or raise the budget with --max-memory (or PHASECORE_MAX_MEMORY) if the machine has the memory' : ''}.`);
}
