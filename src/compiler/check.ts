// Semantic checks of a parsed program, driven by the schema (src/dsl/schema.ts): the checks of
// each declaration — networks, neurons, projections, cores, learning rules, tasks, train/run
// blocks and their probes — and the cross-checks of train/run blocks. Its parts are their own
// modules: the scope provider (scope.ts), the expression evaluator (evaluate.ts), the schema
// interpreter (interpret.ts) and the .npy checks (data-checks.ts), each a plain function or
// class of its inputs and a diagnostic sink. Every problem is a Diagnostic; user input never throws.
// Checks run only on files whose whole import closure parsed, so nothing cascades from a
// syntax error. Each declaration is checked once (memoised), so nothing is reported twice.
import { dirname } from 'node:path';
import type * as A from '../dsl/ast.ts';
import * as S from '../dsl/schema.ts';
import { diag, didYouMean, type Diagnostic, type DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import { showQuantity, type Quantity } from '../dsl/units.ts';
import { parsedClosure, type Module, type Workspace } from './workspace.ts';
import { lowerTask } from './lower.ts';
import { taskSteps } from '../tasks/generate.ts';
import { DEFAULT_MEMORY_BUDGET, estimateMemory, VALIDATION_SEQUENCES } from '../ir/memory.ts';
import { formatBytes } from '../data/files.ts';
import { fieldMax, ISA } from '../runtime/isa.ts';
import { evaluate, evaluateList, type EvalContext } from './evaluate.ts';
import { checkLabels, type DataCache } from './data-checks.ts';
import { KIND_NOUN, moduleScope, type Decl } from './scope.ts';
import { misplaced, SchemaInterpreter } from './interpret.ts';
import { checkNetwork, slice, type DeclContext } from './validate-network.ts';
import { checkCore } from './validate-core.ts';
import { checkKinded, checkNpyTask } from './validate-rule.ts';
import type {
  CheckedCore, CheckedEnd, CheckedNetwork, CheckedNeurons, CheckedProbe, CheckedProgram, CheckedRun, Resolved, Value,
} from './values.ts';



export interface CheckResult {
  readonly diagnostics: Diagnostic[];
  /** The checked program of each root file whose import closure parsed. */
  readonly programs: Map<string, CheckedProgram>;
  /** Every data file (.npy) the program loads, by absolute path. */
  readonly dataFiles: Set<string>;
}

export interface CheckOptions {
  /** Bytes the state of a train or run block may need (src/ir/memory.ts); default DEFAULT_MEMORY_BUDGET. */
  readonly memoryBudget?: number;
}

/** What the checkers of one workspace share. */
interface Shared extends DataCache {
  readonly out: Diagnostic[];
  readonly options: CheckOptions;
}

export function checkWorkspace(ws: Workspace, options: CheckOptions = {}): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const shared: Shared = { out: diagnostics, options, dataFiles: new Set(), finite: new Map() };
  const checkers = new Map<string, ModuleChecker>();
  const checkerOf = (m: Module): ModuleChecker => {
    let c = checkers.get(m.path);
    if (!c) { c = new ModuleChecker(m, checkerOf, shared); checkers.set(m.path, c); }
    return c;
  };
  const programs = new Map<string, CheckedProgram>();
  for (const m of ws.modules.values()) if (parsedClosure(m)) checkerOf(m).checkAll();
  for (const root of ws.roots) {
    if (!parsedClosure(root)) continue;
    programs.set(root.path, collectProgram(root, checkerOf));
  }
  return { diagnostics, programs, dataFiles: shared.dataFiles };
}

function collectProgram(root: Module, checkerOf: (m: Module) => ModuleChecker): CheckedProgram {
  const constants = new Map<string, Value>();
  const networks = new Map<string, CheckedNetwork>();
  const cores = new Map<string, CheckedCore>();
  const learns = new Map<string, Resolved>();
  const tasks = new Map<string, Resolved>();
  const runs: CheckedRun[] = [];
  const visit = (m: Module, seen: Set<string>) => {
    if (seen.has(m.path)) return;
    seen.add(m.path);
    for (const i of m.imports) visit(i.module, seen);
    const c = checkerOf(m);
    for (const [k, v] of c.constValues) if (v) constants.set(k, v);
    for (const [k, v] of c.networks) if (v) networks.set(k, v);
    for (const [k, v] of c.cores) if (v) cores.set(k, v);
    for (const [k, v] of c.learns) if (v) learns.set(k, v);
    for (const [k, v] of c.tasks) if (v) tasks.set(k, v);
    if (m === root) runs.push(...c.runs);
  };
  visit(root, new Set());
  return { constants, networks, cores, learns, tasks, runs };
}



class ModuleChecker {
  readonly scope = new Map<string, Decl>();
  readonly constValues = new Map<string, Value | null>();
  readonly networks = new Map<string, CheckedNetwork | null>();
  readonly cores = new Map<string, CheckedCore | null>();
  readonly learns = new Map<string, Resolved | null>();
  readonly tasks = new Map<string, Resolved | null>();
  readonly runs: CheckedRun[] = [];
  private readonly constInProgress = new Set<string>();
  private readonly coreInProgress = new Set<string>();
  private readonly file: string;
  private readonly dir: string;
  private checked = false;

  private readonly out: Diagnostic[];

  /** Values against the schema (src/compiler/interpret.ts), names through this module's scope. */
  private readonly schema: SchemaInterpreter;
  /** What a declaration's check (validate-*.ts) asks of this module. */
  private get declContext(): DeclContext {
    return { file: this.file, source: this.m.source, report: this.sink, text: (span) => this.text(span), schema: this.schema };
  }

  constructor(private readonly m: Module, private readonly checkerOf: (m: Module) => ModuleChecker, private readonly shared: Shared) {
    this.out = shared.out;
    this.file = m.display;
    this.dir = dirname(m.path);
    this.schema = new SchemaInterpreter({
      sink: this.sink, text: (span) => this.text(span),
      resolve: (name) => this.evalContext.resolve(name), constants: () => this.evalContext.constants(),
      constant: (name) => { const found = this.lookup(name); return found?.decl.kind === 'const' ? found.checker.constValue(name) : null; },
      declKind: (name) => this.lookup(name)?.decl.kind,
      namesOf: (kind) => [...this.scope.values()].filter((d) => d.kind === kind).map((d) => d.name),
      dir: this.dir, cache: shared,
    });
    this.buildScope();
  }

  /** This module's diagnostic sink, for the plain functions the checker calls. */
  private readonly sink = (kind: DiagKind, at: Span, message: string): void => this.report(kind, at, message);

  private report(kind: DiagKind, at: Span, message: string): void {
    this.out.push(diag(kind, this.file, at, message));
  }

  private text(span: Span): string {
    const t = this.m.source.text.slice(span.start, span.end).replace(/\s+/g, ' ');
    return t.length > 40 ? `${t.slice(0, 40)}…` : t;
  }

  // ---- scope -------------------------------------------------------------------------------
  private buildScope(): void {
    for (const [k, d] of moduleScope(this.m, (kind, at, message) => this.report(kind, at, message))) this.scope.set(k, d);
  }

  private lookup(name: string): { decl: Decl; checker: ModuleChecker } | undefined {
    const d = this.scope.get(name);
    if (!d) return undefined;
    return { decl: d, checker: d.module === this.m ? this : this.checkerOf(d.module) };
  }

  // ---- the whole file ----------------------------------------------------------------------
  checkAll(): void {
    if (this.checked || !this.m.ast) return;
    this.checked = true;
    for (const item of this.m.ast.items) {
      switch (item.kind) {
        case 'Import': break;
        case 'Const': this.constValue(item.name.name); break;
        case 'Section': this.topSection(item); break;
        default: misplaced(this.sink, item, 'at the top level of a file (parameters go inside a block such as `network NAME { ... }`)');
      }
    }
  }


  private topSection(s: A.Section): void {
    const k = s.keyword.name;
    const name = s.name?.name;
    switch (k) {
      case 'network': if (name && this.scope.get(name)?.stmt === s) this.network(name); break;
      case 'core': if (name && this.scope.get(name)?.stmt === s) this.core(name); break;
      case 'learn': if (name && this.scope.get(name)?.stmt === s) this.learn(name); break;
      case 'task': if (name && this.scope.get(name)?.stmt === s) this.task(name); break;
      case 'train': case 'run': this.runs.push(this.runBlock(s)); break;
      default: misplaced(this.sink, s, 'at the top level (latency and energy tables belong in a core)');
    }
  }

  // ---- constants and numeric expressions ---------------------------------------------------
  constValue(name: string): Value | null {
    if (this.constValues.has(name)) return this.constValues.get(name) ?? null;
    const decl = this.scope.get(name);
    if (!decl || decl.kind !== 'const' || decl.module !== this.m) return null;
    const stmt = decl.stmt as A.Const;
    if (this.constInProgress.has(name)) {
      this.report('ConstantCycle', stmt.name.span, `The constant '${name}' is defined in terms of itself.`);
      this.constValues.set(name, null);
      return null;
    }
    this.constInProgress.add(name);
    let v: Value | null = null;
    const e = stmt.value;
    if (e.kind === 'Str') v = { t: 'data', path: e.value, header: { dtype: 'bool', littleEndian: true, shape: [], dataOffset: 0 } };
    else if (e.kind === 'List' || (e.kind === 'WithUnit' && e.value.kind === 'List')) {
      const items = this.numberList(e);
      v = items ? { t: 'list', items: items.map((q) => ({ t: 'quantity', si: q.si, dim: q.dim })) } : null;
    } else {
      const q = this.number(e);
      v = q ? { t: 'quantity', si: q.si, dim: q.dim } : null;
    }
    this.constInProgress.delete(name);
    this.constValues.set(name, v);
    return v;
  }

  /** The evaluator's view of this module: its diagnostics, its text, its scope. */
  private readonly evalContext: EvalContext = {
    report: (kind, at, message) => this.report(kind, at, message),
    text: (span) => this.text(span),
    resolve: (name) => {
      const found = this.lookup(name);
      if (!found) return undefined;
      return { constant: found.decl.kind === 'const' ? () => found.checker.constValue(name) : null, noun: KIND_NOUN[found.decl.kind] };
    },
    constants: () => [...this.scope.values()].filter((d) => d.kind === 'const').map((d) => d.name),
  };

  /** Evaluate a numeric expression to a quantity, or report why it is not one. */
  number(e: A.Expr): Quantity | undefined { return evaluate(e, this.evalContext); }

  /** A list of numbers: `[1, 2] Hz`, `[a, b]`, or a list constant. */
  private numberList(e: A.Expr): Quantity[] | undefined { return evaluateList(e, this.evalContext); }

  network(name: string): CheckedNetwork | null {
    if (this.networks.has(name)) return this.networks.get(name) ?? null;
    this.networks.set(name, null);
    const net = checkNetwork(this.declContext, (this.scope.get(name) as Decl).stmt as A.Section, name);
    this.networks.set(name, net);
    return net;
  }

  core(name: string): CheckedCore | null {
    if (this.cores.has(name)) return this.cores.get(name) ?? null;
    const s = (this.scope.get(name) as Decl).stmt as A.Section;
    if (this.coreInProgress.has(name)) { this.report('ConstantCycle', (s.name as A.Ident).span, `The core ${name} extends itself (through its base cores).`); return null; }
    this.coreInProgress.add(name);
    const c = checkCore(this.declContext, s, name, (base) => { const found = this.lookup(base); return found ? found.checker.core(base) : null; });
    this.coreInProgress.delete(name);
    this.cores.set(name, c);
    return c;
  }

  learn(name: string): Resolved | null {
    return this.kindedSection(name, this.learns, S.LEARN_KINDS, 'a learning rule', (k) => `${k} ${name}`);
  }

  task(name: string): Resolved | null {
    return this.kindedSection(name, this.tasks, S.TASK_KINDS, 'a task kind', (k) => `task ${name} (${k})`,
      (r, s) => (r.kind === 'npy' ? checkNpyTask(this.declContext, r, s) : r));
  }

  /** A `learn` or `task` block: its kind after ':' selects the parameter table. Memoised. */
  private kindedSection(name: string, cache: Map<string, Resolved | null>, kinds: Readonly<Record<string, { params: S.Params }>>, noun: string,
    owner: (kind: string) => string, post: (r: Resolved, s: A.Section) => Resolved | undefined = (r) => r): Resolved | null {
    if (cache.has(name)) return cache.get(name) ?? null;
    const out = checkKinded(this.declContext, (this.scope.get(name) as Decl).stmt as A.Section, kinds, noun, owner, post);
    cache.set(name, out);
    return out;
  }

  // ---- train and run -----------------------------------------------------------------------
  private runBlock(s: A.Section): CheckedRun {
    const keyword = s.keyword.name as 'train' | 'run';
    const probes: A.Probe[] = [];
    const params = this.schema.body(s.body, keyword === 'train' ? S.TRAIN_PARAMS : S.RUN_PARAMS, keyword, s.keyword.span, (st) => {
      if (st.kind === 'Probe') probes.push(st);
      else misplaced(this.sink, st, `in a ${keyword} block (it has parameters and probes)`);
    });
    const ref = (k: string): string | undefined => { const v = params?.params[k]; return v?.t === 'ref' ? v.name : undefined; };
    const netName = ref('network');
    const found = netName ? this.lookup(netName) : undefined;
    const net = found ? found.checker.network(netName as string) : null;
    const checkedProbes: CheckedProbe[] = [];
    if (net) for (const p of probes) { const cp = this.probe(p, net); if (cp) checkedProbes.push(cp); }
    if (params && net) this.crossCheck(keyword, params, net);
    return { keyword, name: s.name?.name ?? null, file: this.file, span: s.keyword.span, params: params ?? { kind: keyword, params: {}, spans: {} }, probes: checkedProbes };
  }

  private probe(p: A.Probe, net: CheckedNetwork): CheckedProbe | undefined {
    const variable = S.PROBE_VARIABLES[p.variable.name];
    if (!variable) { this.report('InvalidProbe', p.variable.span, `'${p.variable.name}' is not a probe variable; expected one of ${Object.keys(S.PROBE_VARIABLES).join(', ')}.${didYouMean(p.variable.name, Object.keys(S.PROBE_VARIABLES))}`); return undefined; }
    if (p.targets.length === 0) { this.report('InvalidProbe', p.span, 'A probe needs at least one target: probe spikes(rec).'); return undefined; }
    const targets: CheckedEnd[] = [];
    const byName = new Map(net.neurons.map((n) => [n.name, n]));
    for (const t of p.targets) {
      if (t.kind !== 'Name' && t.kind !== 'Index') { this.report('InvalidProbe', t.span, 'A probe target is a population, input, readout or group, optionally sliced: rec[0:8].'); return undefined; }
      const name = t.kind === 'Name' ? t.name : t.target.name;
      const members = name in net.groups ? (net.groups[name] as string[]) : [name];
      const first = byName.get(members[0] as string);
      if (!first) { this.report('UnknownName', t.kind === 'Name' ? t.span : t.target.span, `There is nothing named '${name}' in network ${net.name}.${didYouMean(name, [...byName.keys(), ...Object.keys(net.groups)])}`); return undefined; }
      for (const m of members) {
        const n = byName.get(m) as CheckedNeurons;
        const model = n.role === 'input' ? 'input' : n.model.kind;
        if (!variable.models.includes(model)) {
          this.report('InvalidProbe', p.variable.span, `${m} is ${model === 'input' ? 'an input' : `a ${model} ${n.role}`}, which has no '${p.variable.name}'; it can be probed for ${Object.entries(S.PROBE_VARIABLES).filter(([, v]) => v.models.includes(model)).map(([k]) => k).join(', ')}.`);
          return undefined;
        }
      }
      const size = members.reduce((acc, m) => acc + (byName.get(m)?.size ?? 0), 0);
      const end = t.kind === 'Name' ? { name, lo: 0, hi: size } : slice(this.declContext, t, size);
      if (!end) return undefined;
      targets.push(end);
    }
    const options = this.schema.body(p.body ?? [], S.PROBE_PARAMS, `probe ${p.variable.name}`, p.variable.span);
    if (!options) return undefined;
    const every = options.params.every;
    const dt = net.params.params.dt;
    if (every?.t === 'quantity' && dt?.t === 'quantity' && Math.abs(every.si / dt.si - Math.round(every.si / dt.si)) > 1e-9) {
      this.report('SuspiciousValue', options.spans.every ?? p.span, `every = ${showQuantity(every)} is not a whole number of steps of dt = ${showQuantity(dt)}; the probe samples every ${Math.max(1, Math.round(every.si / dt.si))} steps.`);
    }
    return { variable: p.variable.name, targets, options, span: p.span };
  }

  /**
   * Per-neuron values read from a file: numbers in the SI unit of the parameter's dimension
   * (seconds for times), held to the parameter's range. A time constant above 10 s is probably
   * written in milliseconds: a warning says so.
   */
  private crossCheck(keyword: 'train' | 'run', params: Resolved, net: CheckedNetwork): void {
    const refOf = (k: string) => { const v = params.params[k]; return v?.t === 'ref' ? v.name : undefined; };
    const at = (k: string) => params.spans[k] ?? { start: 0, end: 0 };
    const taskName = refOf('task');
    const learnName = refOf('learn');
    const coreName = refOf('core');
    const get = <T>(n: string | undefined, f: (c: ModuleChecker, n: string) => T | null): T | null => {
      if (!n) return null;
      const found = this.lookup(n);
      return found ? f(found.checker, n) : null;
    };
    const task = get(taskName, (c, n) => c.task(n));
    const learn = keyword === 'train' ? get(learnName, (c, n) => c.learn(n)) : null;
    const core = get(coreName, (c, n) => c.core(n));
    const inputs = net.neurons.filter((n) => n.role === 'input');
    const readouts = net.neurons.filter((n) => n.role === 'readout');
    const nIn = inputs.reduce((a, n) => a + n.size, 0);
    const nOut = readouts.reduce((a, n) => a + n.size, 0);
    if (inputs.length === 0 || readouts.length === 0) {
      this.report('TaskMismatch', at('network'), `Network ${net.name} needs at least one input and one readout to ${keyword === 'train' ? 'be trained' : 'run a task'}.`);
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
      if (channels !== nIn) this.report('TaskMismatch', at('task'), `Task ${taskName} has ${channels} input channels, but network ${net.name} has ${nIn} input neurons (${inputs.map((n) => `${n.name}[${n.size}]`).join(', ')}).`);
      if (outputs !== nOut) this.report('TaskMismatch', at('task'), `Task ${taskName} has ${outputs} outputs, but network ${net.name} has ${nOut} readout neurons (${readouts.map((n) => `${n.name}[${n.size}]`).join(', ')}).`);
    }
    sizeChecks((kind, span, message, file = this.file) => this.out.push(diag(kind, file, span, message)), this.shared.options.memoryBudget ?? DEFAULT_MEMORY_BUDGET,
      keyword, params, net, task, learn, core, { nIn, nOut, taskName, coreName });
    const supervision = !task ? null : task.kind === 'npy' ? (task.params.labels ? 'label' : 'signal') : S.TASK_KINDS[task.kind]?.supervision ?? null;
    if (task?.kind === 'npy' && task.params.labels?.t === 'data') checkLabels(task.params.labels.path, at('task'), taskName as string, nOut, this.sink);
    if (task?.kind === 'npy' && task.params.validation_labels?.t === 'data') checkLabels(task.params.validation_labels.path, at('task'), taskName as string, nOut, this.sink);
    if (learn) {
      const loss = learn.params.loss;
      const lossName = loss?.t === 'choice' ? loss.option : undefined;
      const wants = lossName === 'mse' ? 'signal' : lossName === 'cross_entropy' ? 'label' : null;
      if (wants && supervision && wants !== supervision) {
        this.report('TaskMismatch', at('learn'), wants === 'signal'
          ? `loss = mse regresses a target signal, but task ${taskName} gives a class label per sample: use loss = cross_entropy.`
          : `loss = cross_entropy classifies, but task ${taskName} gives a target signal to regress: use loss = mse.`);
      }
      if (loss?.t === 'choice' && loss.option === 'cross_entropy' && nOut < 2) this.report('IncompatibleOptions', at('learn'), `cross_entropy needs at least two readout neurons (one per class); network ${net.name} has ${nOut}.`);
      if (learn.kind === 'eprop') {
        for (const n of net.neurons) {
          const tr = n.model.params.trainable;
          // e-prop's readout gradients are exact, so a readout's bias may learn; nothing else intrinsic.
          const names = tr?.t === 'names' ? tr.names.filter((x) => !(n.role === 'readout' && x === 'bias')) : [];
          if (names.length > 0) {
            this.report('IncompatibleOptions', at('learn'), `e-prop trains weights (and readout biases) only, but ${n.name} declares trainable = [${names.join(', ')}]; use a bptt learning rule to train intrinsic parameters.`);
            break;
          }
        }
        const feedback = learn.params.feedback;
        const B = feedback?.t === 'choice' ? feedback.params.B : undefined;
        const file = B?.t === 'init' && B.kind === 'load' ? B.params.path : undefined;
        const nRec = net.neurons.filter((n) => n.role === 'population').reduce((a, n) => a + n.size, 0);
        if (file?.t === 'data' && (file.header.shape.length !== 2 || file.header.shape[0] !== nRec || file.header.shape[1] !== nOut)) {
          this.report('ShapeMismatch', at('learn'), `The feedback matrix B of ${learnName} needs shape (${nRec}, ${nOut}) (recurrent neurons, readout neurons) for network ${net.name}; the file has shape (${file.header.shape.join(', ')}).`);
        }
        const update = learn.params.update;
        const device = core?.params.params.device;
        if (update?.t === 'choice' && update.option !== 'direct') {
          if (!coreName) this.report('SuspiciousValue', at('learn'), `update = ${update.option} turns gradients into PCM pulses, but this ${keyword} block has no core: the float reference ignores it.`);
          else if (device?.t === 'choice' && device.option !== 'pcm') this.report('SuspiciousValue', at('core'), `update = ${update.option} is a PCM programming scheme, but core ${coreName} has ${device.option} devices.`);
        }
        if (update?.t === 'choice' && update.option === 'multi' && device?.t === 'choice') {
          const n = update.params.n;
          const per = device.params.devices_per_side;
          if (n?.t === 'int' && per?.t === 'int' && n.value !== per.value) this.report('IncompatibleOptions', at('core'), `update = multi(n = ${n.value}) needs ${n.value} devices per side, but core ${coreName} has devices_per_side = ${per.value}.`);
        }
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

/** Every default written in the schema, checked against its own spec (a test runs this). */
export function schemaDefaultProblems(): string[] {
  const problems: string[] = [];
  const schema = new SchemaInterpreter({
    sink: () => {}, text: () => '', resolve: () => undefined, constants: () => [], constant: () => null, declKind: () => undefined, namesOf: () => [],
    dir: '/', cache: { dataFiles: new Set(), finite: new Map() },
  });
  const visit = (params: S.Params | undefined, where: string) => {
    for (const [k, p] of Object.entries(params ?? {})) {
      if (p.default !== undefined) {
        try { schema.defaultValue(p.default, p.spec); } catch (e) { problems.push(`${where}.${k} = ${p.default}: ${(e as Error).message}`); }
      }
      if (p.spec.t === 'choice') for (const [o, opt] of Object.entries(p.spec.options)) visit(opt.params, `${where}.${k}.${o}`);
    }
  };
  const tables: Record<string, S.Params> = {
    network: S.NETWORK_PARAMS, input: S.INPUT_PARAMS, projection: S.PROJECTION_PARAMS, core: S.CORE_PARAMS,
    latency: S.LATENCY_PARAMS, energy: S.ENERGY_PARAMS, train: S.TRAIN_PARAMS, run: S.RUN_PARAMS, probe: S.PROBE_PARAMS,
  };
  for (const [k, m] of Object.entries(S.NEURON_MODELS)) tables[k] = m.params;
  for (const [k, m] of Object.entries(S.LEARN_KINDS)) tables[`learn.${k}`] = m.params;
  for (const [k, m] of Object.entries(S.TASK_KINDS)) tables[`task.${k}`] = m.params;
  for (const [k, m] of Object.entries(S.CONNECTIVITY)) tables[`connectivity.${k}`] = m.params ?? {};
  for (const [k, m] of Object.entries(S.INITIALISERS)) tables[`init.${k}`] = m.params ?? {};
  for (const [k, t] of Object.entries(tables)) visit(t, k);
  return problems;
}


