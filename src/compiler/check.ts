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
import { diag, type Diagnostic, type DiagKind } from '../dsl/diagnostics.ts';
import type { Span } from '../dsl/span.ts';
import type { Quantity } from '../dsl/units.ts';
import { parsedClosure, type Module, type Workspace } from './workspace.ts';
import { DEFAULT_MEMORY_BUDGET } from '../ir/memory.ts';
import { evaluate, evaluateList, type EvalContext } from './evaluate.ts';
import type { DataCache } from './data-checks.ts';
import { KIND_NOUN, moduleScope, type Decl } from './scope.ts';
import { misplaced, SchemaInterpreter } from './interpret.ts';
import { checkNetwork, type DeclContext } from './validate-network.ts';
import { checkCore } from './validate-core.ts';
import { checkKinded, checkNpyTask } from './validate-rule.ts';
import { checkRunBlock, type RunContext } from './validate-run.ts';
import { checkVerifyBlock } from './validate-verify.ts';
import type { CheckedCore, CheckedNetwork, CheckedProgram, CheckedRun, CheckedVerify, Resolved, Value } from './values.ts';



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
  const verifies: CheckedVerify[] = [];
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
    if (m === root) { runs.push(...c.runs); verifies.push(...c.verifies); }
  };
  visit(root, new Set());
  return { constants, networks, cores, learns, tasks, runs, verifies };
}



class ModuleChecker {
  readonly scope = new Map<string, Decl>();
  readonly constValues = new Map<string, Value | null>();
  readonly networks = new Map<string, CheckedNetwork | null>();
  readonly cores = new Map<string, CheckedCore | null>();
  readonly learns = new Map<string, Resolved | null>();
  readonly tasks = new Map<string, Resolved | null>();
  readonly runs: CheckedRun[] = [];
  readonly verifies: CheckedVerify[] = [];
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


  /**
   * The validator of each top-level block kind (Langium's validation registry): a named
   * declaration is checked through its memoised accessor (once, however often it is referenced),
   * a train, run or verify block where it stands.
   */
  private readonly validators: Readonly<Record<string, (s: A.Section, name: string | undefined) => void>> = {
    network: (s, name) => { if (name && this.scope.get(name)?.stmt === s) this.network(name); },
    core: (s, name) => { if (name && this.scope.get(name)?.stmt === s) this.core(name); },
    learn: (s, name) => { if (name && this.scope.get(name)?.stmt === s) this.learn(name); },
    task: (s, name) => { if (name && this.scope.get(name)?.stmt === s) this.task(name); },
    train: (s) => { this.runs.push(checkRunBlock(this.runContext, s)); },
    run: (s) => { this.runs.push(checkRunBlock(this.runContext, s)); },
    verify: (s) => { this.verifies.push(checkVerifyBlock(this.runContext, s)); },
  };

  private topSection(s: A.Section): void {
    const validate = this.validators[s.keyword.name];
    if (validate) validate(s, s.name?.name);
    else misplaced(this.sink, s, 'at the top level (latency and energy tables belong in a core)');
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

  // ---- train, run and verify: src/compiler/validate-run.ts, validate-verify.ts ---------------
  private get runContext(): RunContext {
    const refs = {
      network: (n: string) => { const f = this.lookup(n); return f ? f.checker.network(n) : null; },
      task: (n: string) => { const f = this.lookup(n); return f ? f.checker.task(n) : null; },
      learn: (n: string) => { const f = this.lookup(n); return f ? f.checker.learn(n) : null; },
      core: (n: string) => { const f = this.lookup(n); return f ? f.checker.core(n) : null; },
    };
    return { ...this.declContext, refs, push: (d) => this.out.push(d), memoryBudget: this.shared.options.memoryBudget ?? DEFAULT_MEMORY_BUDGET };
  }
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
    latency: S.LATENCY_PARAMS, energy: S.ENERGY_PARAMS, train: S.TRAIN_PARAMS, run: S.RUN_PARAMS, verify: S.VERIFY_PARAMS, probe: S.PROBE_PARAMS,
  };
  for (const [k, m] of Object.entries(S.NEURON_MODELS)) tables[k] = m.params;
  for (const [k, m] of Object.entries(S.LEARN_KINDS)) tables[`learn.${k}`] = m.params;
  for (const [k, m] of Object.entries(S.TASK_KINDS)) tables[`task.${k}`] = m.params;
  for (const [k, m] of Object.entries(S.CONNECTIVITY)) tables[`connectivity.${k}`] = m.params ?? {};
  for (const [k, m] of Object.entries(S.INITIALISERS)) tables[`init.${k}`] = m.params ?? {};
  for (const [k, t] of Object.entries(tables)) visit(t, k);
  return problems;
}


